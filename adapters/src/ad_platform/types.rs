//! Platform-neutral requests and results.
//!
//! These say what the advertiser wants; each adapter translates them into its platform's
//! wire format. Money is always an integer in the ad account currency's minor unit.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

pub use super::account::*;
pub use crate::copywriter::{AdCopy, CallToAction, Objective};

/// The credentials of one connected ad account. The token is a secret: it never shows
/// in `Debug` output.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The user's (or system user's) access token.
    pub access_token: SecretString,
    /// The ad account, as `act_<digits>`.
    pub ad_account_id: String,
}

impl Credentials {
    /// Builds credentials, normalising a bare account number to `act_<digits>` (a bare
    /// number addresses a different object on Graph and fails with 100/33).
    pub fn new(access_token: impl Into<String>, ad_account_id: &str) -> Self {
        let id = ad_account_id.trim();
        let ad_account_id = if id.starts_with("act_") {
            id.to_owned()
        } else {
            format!("act_{id}")
        };
        Self {
            access_token: SecretString::from(access_token.into()),
            ad_account_id,
        }
    }

    /// The account number without the `act_` prefix.
    pub fn account_number(&self) -> &str {
        self.ad_account_id
            .strip_prefix("act_")
            .unwrap_or(&self.ad_account_id)
    }
}

/// An id of an object on the platform (campaign, ad set, creative, ad).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RemoteId(pub String);

impl RemoteId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RemoteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for RemoteId {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// Kinds of objects one launch creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    /// Campaign.
    Campaign,
    /// Ad set.
    AdSet,
    /// Ad creative.
    Creative,
    /// Ad.
    Ad,
}

/// Delivery status Leadforge sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemoteStatus {
    /// Delivering (subject to review and parents).
    Active,
    /// Not delivering.
    Paused,
    /// Kept for reporting, no longer editable.
    Archived,
}

impl RemoteStatus {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "ACTIVE",
            Self::Paused => "PAUSED",
            Self::Archived => "ARCHIVED",
        }
    }
}

/// Whether a create really creates or only asks the platform to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreateMode {
    /// Create the object (always PAUSED).
    #[default]
    Create,
    /// Validate only (Meta's `execution_options=["validate_only"]`); nothing is created and
    /// the returned id is empty.
    ValidateOnly,
}

/// A region or city chosen from targeting search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeoRef {
    /// The platform's key.
    pub key: String,
    /// Display name.
    pub name: String,
    /// ISO country code, used to decide EU rules.
    pub country_code: Option<String>,
}

/// Who to show the ads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audience {
    /// ISO 3166 alpha-2 country codes.
    pub countries: Vec<String>,
    /// Regions from targeting search.
    pub regions: Vec<GeoRef>,
    /// Cities from targeting search.
    pub cities: Vec<GeoRef>,
    /// Minimum age (18–65).
    pub age_min: u8,
    /// Maximum age (18–65; 65 means 65+).
    pub age_max: u8,
    /// Interests from targeting search.
    pub interests: Vec<NamedRef>,
}

pub use super::regions::is_eu_country;

impl Audience {
    /// Every country the audience reaches: its countries and those of its
    /// regions and cities (when known).
    pub fn countries_reached(&self) -> Vec<String> {
        let mut all: Vec<String> = self
            .countries
            .iter()
            .cloned()
            .chain(
                self.regions
                    .iter()
                    .chain(&self.cities)
                    .filter_map(|g| g.country_code.clone()),
            )
            .map(|c| c.to_ascii_uppercase())
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Whether any targeted location lies in the EU or a territory where EU
    /// law applies (the DSA fields are then required).
    pub fn includes_eu(&self) -> bool {
        self.countries_reached()
            .iter()
            .any(|c| super::regions::needs_dsa(c))
    }

    /// The regions it reaches whose ads need an advertiser identity verified
    /// there (Taiwan, Singapore).
    pub fn verified_identity_regions(&self) -> Vec<&'static str> {
        self.countries_reached()
            .iter()
            .filter_map(|c| super::regions::needs_verified_identity(c))
            .collect()
    }
}

/// A special ad category Meta requires a campaign to declare (housing,
/// employment, financial, political ads); any but `None` limits targeting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpecialAdCategory {
    /// None of them.
    #[default]
    None,
    /// Housing.
    Housing,
    /// Employment.
    Employment,
    /// Credit and other financial products and services (Meta's replacement
    /// for CREDIT since January 2025).
    FinancialProductsServices,
    /// Social issues, elections or politics.
    IssuesElectionsPolitics,
}

impl SpecialAdCategory {
    /// Meta's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "NONE",
            Self::Housing => "HOUSING",
            Self::Employment => "EMPLOYMENT",
            Self::FinancialProductsServices => "FINANCIAL_PRODUCTS_SERVICES",
            Self::IssuesElectionsPolitics => "ISSUES_ELECTIONS_POLITICS",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "no special ad category",
            Self::Housing => "housing",
            Self::Employment => "employment",
            Self::FinancialProductsServices => "financial products and services",
            Self::IssuesElectionsPolitics => "social issues, elections or politics",
        }
    }

    /// Whether it is a special category at all.
    pub fn is_special(self) -> bool {
        self != Self::None
    }
}

/// Where the results of the campaign land.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Conversion {
    /// A Meta instant form (LEADS).
    LeadForm {
        /// The lead form's id (a form of the page).
        form_id: String,
    },
    /// A pixel event on the website (LEADS with a website, CONVERSIONS).
    Pixel {
        /// The pixel's id.
        pixel_id: String,
    },
    /// Just visits (TRAFFIC).
    LinkClicks,
}

/// A campaign to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignSpec {
    /// The advertiser's name for it.
    pub name: String,
    /// Leadforge's tag, appended to the remote name so the object can be found again.
    pub tag: String,
    /// The goal.
    pub objective: Objective,
    /// Campaign-level daily budget in minor units; `None` puts the budget on the ad set.
    pub campaign_daily_budget: Option<i64>,
    /// The special ad category it declares.
    pub special_ad_category: SpecialAdCategory,
    /// The countries the category is declared for (those the ads reach);
    /// empty without a category.
    pub category_countries: Vec<String>,
}

/// An ad set to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdSetSpec {
    /// Display name.
    pub name: String,
    /// Leadforge's tag.
    pub tag: String,
    /// The campaign it belongs to.
    pub campaign_id: RemoteId,
    /// The campaign's goal (must match the campaign).
    pub objective: Objective,
    /// Where results land.
    pub conversion: Conversion,
    /// The Page the ads run as.
    pub page_id: String,
    /// Ad-set daily budget in minor units (required when the campaign has none).
    pub daily_budget: Option<i64>,
    /// Who sees the ads.
    pub audience: Audience,
    /// DSA beneficiary and payor for EU audiences; absent, the ad account's
    /// defaults or the platform's recommendations.
    pub dsa: Option<DsaParties>,
    /// The campaign's special ad category (it limits the targeting).
    pub special_ad_category: SpecialAdCategory,
}

/// Digital Services Act parties, required by Meta for EU audiences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsaParties {
    /// Who benefits from the ad.
    pub beneficiary: String,
    /// Who pays for it.
    pub payor: String,
}

/// A creative to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreativeSpec {
    /// Display name.
    pub name: String,
    /// Leadforge's tag.
    pub tag: String,
    /// The Page the ad runs as.
    pub page_id: String,
    /// The platform's image reference (Meta: image hash in this ad account).
    pub image_hash: String,
    /// Landing page (also required by Meta for instant-form ads).
    pub link_url: String,
    /// The words.
    pub copy: AdCopy,
    /// The lead form for instant-form ads.
    pub lead_form_id: Option<String>,
}

/// An ad to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdSpec {
    /// Display name.
    pub name: String,
    /// Leadforge's tag.
    pub tag: String,
    /// Its ad set.
    pub ad_set_id: RemoteId,
    /// Its creative.
    pub creative_id: RemoteId,
}

/// An image to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUpload {
    /// File name, for the platform's library.
    pub name: String,
    /// The image bytes (JPEG or PNG).
    pub bytes: Vec<u8>,
}

/// The platform's reference to an uploaded image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    /// Meta's image hash (per ad account).
    pub hash: String,
    /// A temporary preview URL, if given (never used in creatives).
    pub url: Option<String>,
}

/// An object found by its tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteObject {
    /// Its id.
    pub id: RemoteId,
    /// Its full remote name.
    pub name: String,
    /// Its configured status, as the platform names it.
    pub status: String,
}

/// An inclusive date range in the ad account's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// First day.
    pub since: chrono::NaiveDate,
    /// Last day (include today to see today's delivery).
    pub until: chrono::NaiveDate,
}

impl DateRange {
    /// Number of days covered.
    pub fn days(&self) -> i64 {
        (self.until - self.since).num_days() + 1
    }

    /// Splits the range into two halves, or `None` for a single day.
    pub fn halves(&self) -> Option<(DateRange, DateRange)> {
        let days = self.days();
        if days < 2 {
            return None;
        }
        let first_until = self.since + chrono::Duration::days(days / 2 - 1);
        Some((
            DateRange {
                since: self.since,
                until: first_until,
            },
            DateRange {
                since: first_until + chrono::Duration::days(1),
                until: self.until,
            },
        ))
    }
}

/// Delivery totals of one campaign over the requested range.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InsightsRow {
    /// The campaign.
    pub campaign_id: RemoteId,
    /// Impressions.
    pub impressions: i64,
    /// Link clicks (falls back to all clicks when link clicks are not reported).
    pub clicks: i64,
    /// Spend in the account currency's minor unit.
    pub spend_minor: i64,
    /// Leads (the platform's lead total, never summed with its sub-types).
    pub leads: i64,
}

impl InsightsRow {
    /// Adds another period's totals of the same campaign.
    pub fn add(&mut self, other: &InsightsRow) {
        self.impressions += other.impressions;
        self.clicks += other.clicks;
        self.spend_minor += other.spend_minor;
        self.leads += other.leads;
    }
}

/// Where a campaign stands on the platform, read back so that a change made
/// outside Leadforge (in Ads Manager, by review, by billing) reaches the
/// local status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RemoteDelivery {
    /// Delivering, or about to (in review, being processed).
    Running,
    /// Paused, by the advertiser or by a paused parent.
    Paused,
    /// Held back by the platform, wholly or partly: an issue, rejected ads,
    /// a billing hold. The reason is the platform's own words (counted over
    /// the ads when it comes from them), for the dashboard.
    Stopped {
        /// Why the platform stopped it.
        reason: String,
    },
    /// Archived or deleted: it will never deliver again.
    Ended,
}

impl RemoteDelivery {
    /// Reads Meta-style `effective_status` values (the Sandbox uses the same
    /// words). `None` for a value this version does not know, which callers
    /// leave alone rather than guess.
    pub fn from_effective_status(status: &str, issue: Option<&str>) -> Option<Self> {
        let stopped = |fallback: &str| Self::Stopped {
            reason: issue.unwrap_or(fallback).to_owned(),
        };
        Some(match status {
            "ACTIVE" | "IN_PROCESS" | "PENDING_REVIEW" | "PREAPPROVED" => Self::Running,
            "PAUSED" | "CAMPAIGN_PAUSED" | "ADSET_PAUSED" => Self::Paused,
            "DISAPPROVED" => stopped("The platform disapproved the campaign"),
            "WITH_ISSUES" => stopped("The platform reports an issue with the campaign"),
            "PENDING_BILLING_INFO" => stopped("The ad account needs billing information"),
            "ARCHIVED" | "DELETED" => Self::Ended,
            _ => return None,
        })
    }
}

/// The remote state of one campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignState {
    /// The campaign.
    pub campaign_id: RemoteId,
    /// Where it stands, its ads' review and billing folded in (see
    /// [`CampaignState::summarize`]).
    pub delivery: RemoteDelivery,
    /// Where each of its ads stands; empty when the platform has no ad
    /// level or listed none.
    pub ads: Vec<AdState>,
}

impl CampaignState {
    /// A campaign's state from its own delivery and its ads'. Review,
    /// rejection and billing holds exist only on ads, so a campaign whose
    /// ads were all rejected still reports itself running: the ads say what
    /// it really does. A paused, ended or troubled campaign is that first;
    /// otherwise rejected ads, then a billing hold, then ads with issues
    /// hold it back, with a reason that counts them ("1 of 3 ads
    /// disapproved: …").
    pub fn summarize(campaign_id: RemoteId, own: RemoteDelivery, ads: Vec<AdState>) -> Self {
        let delivery = match own {
            RemoteDelivery::Running => Self::from_ads(&ads).unwrap_or(RemoteDelivery::Running),
            other => other,
        };
        Self {
            campaign_id,
            delivery,
            ads,
        }
    }

    fn from_ads(ads: &[AdState]) -> Option<RemoteDelivery> {
        let total = ads.len();
        let held = |pick: fn(&AdDelivery) -> Option<&str>, what: &str| {
            let reasons: Vec<&str> = ads.iter().filter_map(|a| pick(&a.delivery)).collect();
            let first = reasons.first()?;
            Some(RemoteDelivery::Stopped {
                reason: format!("{} of {total} ads {what}: {first}", reasons.len()),
            })
        };
        held(
            |d| match d {
                AdDelivery::Disapproved { reason } => Some(reason),
                _ => None,
            },
            "disapproved",
        )
        .or_else(|| {
            held(
                |d| match d {
                    AdDelivery::BillingHold { reason } => Some(reason),
                    _ => None,
                },
                "held for billing",
            )
        })
        .or_else(|| {
            held(
                |d| match d {
                    AdDelivery::WithIssues { reason } => Some(reason),
                    _ => None,
                },
                "with issues",
            )
        })
    }
}

/// Where one ad stands on the platform, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdDelivery {
    /// Waiting for, or in, the platform's review.
    InReview,
    /// Delivering.
    Running,
    /// Paused, by the advertiser or by a paused campaign or ad set.
    Paused,
    /// Rejected by review; the platform's reason.
    Disapproved {
        /// The platform's words.
        reason: String,
    },
    /// Held until the ad account's billing is fixed.
    BillingHold {
        /// The platform's words.
        reason: String,
    },
    /// Not delivering because of another issue.
    WithIssues {
        /// The platform's words.
        reason: String,
    },
    /// Archived or deleted.
    Ended,
}

impl AdDelivery {
    /// Reads an ad's Meta-style `effective_status` (the twelve ad values);
    /// `reason` is the platform's explanation when there is one. `None` for
    /// a value this version does not know.
    pub fn from_effective_status(status: &str, reason: Option<&str>) -> Option<Self> {
        let because = |fallback: &str| reason.unwrap_or(fallback).to_owned();
        Some(match status {
            "ACTIVE" => Self::Running,
            "IN_PROCESS" | "PENDING_REVIEW" | "PREAPPROVED" => Self::InReview,
            "PAUSED" | "CAMPAIGN_PAUSED" | "ADSET_PAUSED" => Self::Paused,
            "DISAPPROVED" => Self::Disapproved {
                reason: because("The platform disapproved the ad"),
            },
            "PENDING_BILLING_INFO" => Self::BillingHold {
                reason: because("The ad account needs billing information"),
            },
            "WITH_ISSUES" => Self::WithIssues {
                reason: because("The platform reports an issue with the ad"),
            },
            "ARCHIVED" | "DELETED" => Self::Ended,
            _ => return None,
        })
    }
}

/// The remote state of one ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdState {
    /// The ad.
    pub ad_id: RemoteId,
    /// Where it stands.
    pub delivery: AdDelivery,
}

/// Name under which an object is created: the advertiser's name followed by the tag, so
/// a lookup by tag finds it after a crash or a lost answer.
pub fn tagged_name(name: &str, tag: &str) -> String {
    if tag.is_empty() {
        name.to_owned()
    } else {
        format!("{name} [{tag}]")
    }
}
