//! The value types of campaigns in the contract: enums, inputs, audience,
//! copy, performance. Each maps onto the storage shape in `entities::json`.

use async_graphql::{Enum, ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{json, performance_snapshot};

use super::{admin::parse_id, error::GqlResult};
use crate::services::campaigns::CampaignInput;

/// What a campaign optimises for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::CampaignObjective")]
pub enum CampaignObjective {
    /// Leads, through an instant form or the website (Meta `OUTCOME_LEADS`).
    Leads,
    /// Website conversions recorded by a pixel (Meta `OUTCOME_SALES`).
    Conversions,
    /// Visits to the website (Meta `OUTCOME_TRAFFIC`).
    Traffic,
}

/// What Meta requires housing, employment, financial and political ads to
/// declare on the campaign. A special category limits targeting: ages
/// 18–65+ only, no gender, no narrow locations (cities reach at least 15
/// miles around), no detailed-targeting exclusions.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
#[graphql(remote = "entities::SpecialAdCategory")]
pub enum SpecialAdCategory {
    /// None of them (most campaigns).
    #[default]
    None,
    /// Housing (sale, rental, mortgages, home insurance …).
    Housing,
    /// Job offers.
    Employment,
    /// Credit and other financial products and services.
    FinancialProductsServices,
    /// Social issues, elections or politics.
    IssuesElectionsPolitics,
}

/// A campaign's lifecycle status.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::CampaignStatus")]
pub enum CampaignStatus {
    /// Editable, never launched.
    Draft,
    /// The launch is running.
    Launching,
    /// Live on the platform.
    Active,
    /// Paused on the platform.
    Paused,
    /// Ended.
    Completed,
    /// The launch failed; see `errorMessage`.
    Error,
    /// The launch waits for approval (credits reserved, nothing created).
    AwaitingApproval,
}

/// Where a launched campaign or ad stands on the platform, as the dashboard
/// shows it. Review, rejection and billing holds are the ads'; a campaign
/// is disapproved only when every ad is, and one rejected ad among running
/// ones leaves it running (its `errorMessage` counts them).
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::AdDeliveryStatus")]
pub enum DeliveryStatus {
    /// In the platform's review.
    InReview,
    /// Delivering.
    Running,
    /// Paused, itself or by its campaign or ad set.
    Paused,
    /// Rejected by the platform's review; see `reviewMessage`.
    Disapproved,
    /// Held until the ad account's billing is fixed.
    BillingHold,
    /// Held back by another issue the platform reports.
    WithIssues,
    /// Archived or deleted.
    Ended,
}

/// The button on an ad.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::json::CallToAction")]
pub enum CallToAction {
    LearnMore,
    SignUp,
    ShopNow,
    ApplyNow,
    GetQuote,
    ContactUs,
    Subscribe,
    Download,
    BookNow,
}

/// Why a launch waits before its next attempt.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::services::launch::wait::WaitReason")]
pub enum LaunchWaitReason {
    /// The platform (or the copywriter) asked us to slow down.
    RateLimited,
    /// The platform failed temporarily.
    TemporaryFailure,
    /// The platform could not be reached.
    Unavailable,
    /// The server restarted mid-launch; it resumes by itself.
    Interrupted,
}

/// A launch waiting for its next attempt.
#[derive(SimpleObject)]
pub struct LaunchWait {
    /// Why it waits.
    reason: LaunchWaitReason,
    /// When the next attempt starts.
    retry_at: DateTime<Utc>,
    /// Attempts made so far.
    attempts: i32,
    /// Attempts allowed before the launch gives up.
    max_attempts: i32,
}

impl From<crate::services::launch::wait::LaunchWait> for LaunchWait {
    fn from(w: crate::services::launch::wait::LaunchWait) -> Self {
        Self {
            reason: w.reason.into(),
            retry_at: w.retry_at,
            attempts: w.attempts,
            max_attempts: w.max_attempts,
        }
    }
}

/// How a failed launch failed.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "crate::services::launch::wait::FailureKind")]
pub enum LaunchFailure {
    /// The platform refused something in the campaign: fix the draft.
    Refused,
    /// The platform kept failing temporarily: launching again as it is may work.
    Temporary,
}

/// A country an audience may target.
#[derive(SimpleObject)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code (`PT`).
    pub code: String,
    /// English name (`Portugal`).
    pub name: String,
}

/// Which copywriter wrote a piece of copy.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::json::CopyAuthor")]
pub enum CopyAuthor {
    /// Google's Gemini (AI).
    Gemini,
    /// The offline template copywriter (not AI).
    Template,
}

/// A targeting choice (region, city, interest) with its name.
#[derive(SimpleObject)]
pub struct NamedTarget {
    /// The platform's id, from `searchTargeting`.
    id: ID,
    /// Its display name.
    name: String,
}

/// A targeting choice from `searchTargeting`, sent back with its name.
#[derive(InputObject)]
pub struct NamedTargetInput {
    /// The platform's id.
    id: ID,
    /// Its display name.
    name: String,
}

/// Who a campaign reaches.
#[derive(SimpleObject)]
pub struct Audience {
    /// ISO 3166-1 alpha-2 country codes.
    countries: Vec<String>,
    /// Regions.
    regions: Vec<NamedTarget>,
    /// Cities.
    cities: Vec<NamedTarget>,
    /// Youngest age reached (18–65).
    age_min: i32,
    /// Oldest age reached (18–65; 65 means 65 and older).
    age_max: i32,
    /// Interests.
    interests: Vec<NamedTarget>,
}

impl From<&json::TargetAudience> for Audience {
    fn from(a: &json::TargetAudience) -> Self {
        let named = |list: &[json::NamedTarget]| {
            list.iter()
                .map(|t| NamedTarget {
                    id: ID(t.id.clone()),
                    name: t.name.clone(),
                })
                .collect()
        };
        Self {
            countries: a.countries.clone(),
            regions: named(&a.regions),
            cities: named(&a.cities),
            age_min: a.age_min,
            age_max: a.age_max,
            interests: named(&a.interests),
        }
    }
}

/// Who a campaign should reach.
#[derive(InputObject)]
pub struct AudienceInput {
    /// ISO 3166-1 alpha-2 country codes.
    countries: Vec<String>,
    /// Regions, from `searchTargeting(kind: REGION)`.
    #[graphql(default_with = "Some(Vec::new())")]
    regions: Option<Vec<NamedTargetInput>>,
    /// Cities, from `searchTargeting(kind: CITY)`.
    #[graphql(default_with = "Some(Vec::new())")]
    cities: Option<Vec<NamedTargetInput>>,
    /// Youngest age (18–65).
    #[graphql(default = 18)]
    age_min: i32,
    /// Oldest age (18–65; 65 means 65 and older).
    #[graphql(default = 65)]
    age_max: i32,
    /// Interests, from `searchTargeting(kind: INTEREST)`.
    #[graphql(default_with = "Some(Vec::new())")]
    interests: Option<Vec<NamedTargetInput>>,
}

impl From<AudienceInput> for json::TargetAudience {
    fn from(a: AudienceInput) -> Self {
        let named = |list: Option<Vec<NamedTargetInput>>| {
            list.unwrap_or_default()
                .into_iter()
                .map(|t| json::NamedTarget {
                    id: t.id.0,
                    name: t.name,
                })
                .collect()
        };
        Self {
            countries: a.countries,
            regions: named(a.regions),
            cities: named(a.cities),
            age_min: a.age_min,
            age_max: a.age_max,
            interests: named(a.interests),
        }
    }
}

/// The words of an ad.
#[derive(SimpleObject)]
pub struct AdCopy {
    /// Headline (at most 40 characters).
    headline: String,
    /// Primary text (at most 125 characters).
    body: String,
    /// Link description (at most 30 characters).
    description: Option<String>,
    /// The button.
    call_to_action: CallToAction,
    /// The copywriter that wrote it; null when the user wrote or edited it.
    written_by: Option<CopyAuthor>,
}

impl From<&json::AdCopy> for AdCopy {
    fn from(c: &json::AdCopy) -> Self {
        Self {
            headline: c.headline.clone(),
            body: c.body.clone(),
            description: c.description.clone(),
            call_to_action: c.call_to_action.into(),
            written_by: c.written_by.map(Into::into),
        }
    }
}

/// The words of an ad, as the advertiser writes them.
#[derive(InputObject)]
pub struct AdCopyInput {
    /// Headline (at most 40 characters).
    headline: String,
    /// Primary text (at most 125 characters).
    body: String,
    /// Link description (at most 30 characters).
    description: Option<String>,
    /// The button.
    call_to_action: CallToAction,
}

impl From<AdCopyInput> for json::AdCopy {
    fn from(c: AdCopyInput) -> Self {
        Self {
            headline: c.headline,
            body: c.body,
            description: c.description,
            call_to_action: c.call_to_action.into(),
            // Copy a client sends is the user's; `updateCampaign` keeps the
            // agent's authorship of copy sent back unchanged.
            written_by: None,
        }
    }
}

/// A campaign to save as a draft (or the new settings of one).
#[derive(InputObject)]
pub struct CreateCampaignInput {
    /// Name shown in Leadforge and on the platform (1–200 characters).
    campaign_name: String,
    /// What it optimises for.
    objective: CampaignObjective,
    /// Daily budget in the minor unit of the ad account's currency (64-bit:
    /// VND and IDR budgets pass 2^31).
    daily_budget_cents: i64,
    /// Who it reaches.
    target_audience: AudienceInput,
    /// The landing page (absolute https).
    destination_url: String,
    /// 1–10 of the caller's creatives; one ad each.
    creative_ids: Vec<ID>,
    /// The caller's verified integration that launches it.
    integration_id: ID,
    /// The copy; absent, the agent writes it at launch.
    ad_copy: Option<AdCopyInput>,
    /// The business, to guide the copywriter.
    niche: Option<String>,
    /// LEADS through an instant form of the integration's Page.
    lead_form_id: Option<String>,
    /// LEADS on the website, and CONVERSIONS (required there).
    pixel_id: Option<String>,
    /// The special ad category the ads fall under; NONE when absent.
    special_ad_category: Option<SpecialAdCategory>,
}

impl CreateCampaignInput {
    /// The service's input. Malformed ids are `NOT_FOUND`, like ids that
    /// exist nowhere.
    pub fn into_input(self) -> GqlResult<CampaignInput> {
        let creative_ids = self
            .creative_ids
            .iter()
            .map(|id| parse_id(id, "creative"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CampaignInput {
            name: self.campaign_name,
            objective: self.objective.into(),
            daily_budget_cents: self.daily_budget_cents,
            audience: self.target_audience.into(),
            destination_url: self.destination_url,
            creative_ids,
            integration_id: parse_id(&self.integration_id, "integration")?,
            ad_copy: self.ad_copy.map(Into::into),
            niche: self.niche,
            lead_form_id: self.lead_form_id,
            pixel_id: self.pixel_id,
            special_ad_category: self.special_ad_category.unwrap_or_default().into(),
        })
    }
}

/// What `generateAdCopy` writes for.
#[derive(InputObject)]
pub struct GenerateAdCopyInput {
    /// The business, e.g. "yoga studio in Lisbon" (1–200 characters).
    pub niche: String,
    /// Who the ads speak to.
    pub audience: AudienceInput,
    /// The campaign's goal.
    pub objective: CampaignObjective,
    /// How many variants (1–5).
    #[graphql(default = 3)]
    pub variants: Option<i32>,
}

/// Latest delivery totals; money in the ad account currency's minor unit.
/// Counters and money are 64-bit (GraphQL `Int` on the wire, exact in JSON
/// up to 2^53): an account in VND or IDR spends past 2^31 minor units, and
/// no figure is ever clamped.
#[derive(SimpleObject)]
pub struct Performance {
    /// ISO 4217 currency of the amounts.
    pub currency: String,
    /// Impressions.
    pub impressions: i64,
    /// Link clicks.
    pub clicks: i64,
    /// Spend in minor units.
    pub spend_cents: i64,
    /// Leads.
    pub leads: i64,
    /// Clicks per impression, as a fraction (0.0123 = 1.23 %).
    pub ctr: f64,
    /// Spend per lead in minor units, when there are leads.
    pub cost_per_lead_cents: Option<i64>,
    /// When these numbers were read; absent before the first sync.
    pub updated_at: Option<DateTime<Utc>>,
}

/// An i64 counter as the contract's Int, saturating.
pub fn int(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(if v < 0 { i32::MIN } else { i32::MAX })
}

impl Performance {
    pub fn of(p: Option<&json::Performance>, currency: &str) -> Self {
        match p {
            Some(p) => Self {
                currency: p.currency.clone(),
                impressions: p.impressions,
                clicks: p.clicks,
                spend_cents: p.spend_cents,
                leads: p.leads,
                ctr: p.ctr,
                cost_per_lead_cents: p.cost_per_lead_cents,
                updated_at: p.updated_at,
            },
            None => Self {
                currency: currency.to_owned(),
                impressions: 0,
                clicks: 0,
                spend_cents: 0,
                leads: 0,
                ctr: 0.0,
                cost_per_lead_cents: None,
                updated_at: None,
            },
        }
    }
}

/// One point of the performance chart (cumulative totals).
#[derive(SimpleObject)]
pub struct PerformanceSnapshot {
    /// When the numbers were read.
    captured_at: DateTime<Utc>,
    /// Impressions.
    impressions: i64,
    /// Clicks.
    clicks: i64,
    /// Spend in minor units.
    spend_cents: i64,
    /// Leads.
    leads: i64,
}

impl From<&performance_snapshot::Model> for PerformanceSnapshot {
    fn from(s: &performance_snapshot::Model) -> Self {
        Self {
            captured_at: s.captured_at,
            impressions: s.impressions,
            clicks: s.clicks,
            spend_cents: s.spend_cents,
            leads: s.leads,
        }
    }
}

/// The platform creative and ad made from one chosen creative.
#[derive(SimpleObject)]
pub struct RemoteAd {
    /// The Leadforge creative.
    pub creative_id: ID,
    /// The platform's ad creative id, once created.
    pub remote_creative_id: Option<String>,
    /// The platform's ad id, once created.
    pub remote_ad_id: Option<String>,
    /// Where the ad stands on the platform, as the last sync read it.
    pub delivery_status: Option<DeliveryStatus>,
    /// The platform's reason for a rejection, a billing hold or an issue.
    pub review_message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_past_two_to_the_31_is_never_clamped() {
        // 60 million USD of spend, or a week of a large VND account.
        let stored = json::Performance {
            currency: "VND".into(),
            impressions: 9_000_000_000,
            clicks: 3_000_000_000,
            spend_cents: 6_000_000_000,
            leads: 12,
            ctr: 0.33,
            cost_per_lead_cents: Some(500_000_000),
            updated_at: None,
        };
        let shown = Performance::of(Some(&stored), "VND");
        assert_eq!(shown.spend_cents, 6_000_000_000);
        assert_eq!(shown.impressions, 9_000_000_000);
        assert_eq!(shown.clicks, 3_000_000_000);
        assert_eq!(shown.cost_per_lead_cents, Some(500_000_000));
    }
}
