//! What verification and asset listing report: the account, its Pages, lead forms,
//! pixels, and targeting search results.

use serde::{Deserialize, Serialize};

/// What `verify` found about the token and the ad account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountCheck {
    /// The token owner's id.
    pub user_id: String,
    /// The token owner's name.
    pub user_name: String,
    /// Permissions granted to the token.
    pub granted_permissions: Vec<String>,
    /// Permissions the media buyer cannot work without that are missing (writing and
    /// reading campaigns); the connection is unusable until they are granted.
    pub missing_permissions: Vec<String>,
    /// Every missing permission (those above included), with what it is for and what it
    /// blocks, so a partial connection can say what works and what does not.
    #[serde(default)]
    pub permission_gaps: Vec<PermissionGap>,
    /// The ad account (`act_<digits>`).
    pub ad_account_id: String,
    /// The ad account's name.
    pub account_name: String,
    /// ISO currency of the account (all money of the account is in its minor unit).
    pub currency: String,
    /// IANA time zone of the account (insights dates are in it).
    pub timezone: String,
    /// The account status code and its name.
    pub account_status: AccountStatus,
    /// Smallest daily budget in minor units for impression-billed ad sets, when known.
    pub min_daily_budget: Option<i64>,
}

/// A token's expiry dates, as the platform reports them (Meta's `debug_token`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TokenExpiry {
    /// When the token stops working; `None` for never (or unknown).
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When the token may no longer read data (Meta: 90 days after the user last
    /// used the app), even if it has not expired.
    pub data_access_expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl TokenExpiry {
    /// The first of the two dates: when reading numbers stops.
    pub fn first(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        match (self.expires_at, self.data_access_expires_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// Something a connection can be used for; missing permissions block some of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Launch and manage traffic and website-conversion campaigns.
    Campaigns,
    /// Use instant forms (lead ads): list a Page's lead forms and run lead-form ads.
    InstantForms,
    /// Receive the leads people submit in instant forms.
    LeadRetrieval,
}

impl Capability {
    /// Plain words for "can …" / "cannot …".
    pub fn describe(self) -> &'static str {
        match self {
            Self::Campaigns => "launch traffic and website campaigns",
            Self::InstantForms => "use instant forms (lead ads)",
            Self::LeadRetrieval => "receive the leads from instant forms",
        }
    }
}

/// A permission the token lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionGap {
    /// The platform's name of the permission, e.g. `pages_manage_ads`.
    pub permission: String,
    /// What the platform uses it for, in plain words.
    pub purpose: String,
    /// What cannot be done without it.
    pub blocks: Vec<Capability>,
}

/// An ad account's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatus {
    /// The platform's code (Meta: 1 ACTIVE, 2 DISABLED, 3 UNSETTLED…).
    pub code: i64,
}

impl AccountStatus {
    /// Whether campaigns can run on the account.
    pub fn is_active(self) -> bool {
        self.code == 1
    }

    /// Meta's name of the status.
    pub fn name(self) -> &'static str {
        match self.code {
            1 => "ACTIVE",
            2 => "DISABLED",
            3 => "UNSETTLED",
            7 => "PENDING_RISK_REVIEW",
            8 => "PENDING_SETTLEMENT",
            9 => "IN_GRACE_PERIOD",
            100 => "PENDING_CLOSURE",
            101 => "CLOSED",
            201 => "ANY_ACTIVE",
            202 => "ANY_CLOSED",
            _ => "UNKNOWN",
        }
    }
}

/// Pages, pixels and lead forms the token can use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Assets {
    /// Pages (ads are published as a Page).
    pub pages: Vec<PageRef>,
    /// Pixels of the ad account.
    pub pixels: Vec<NamedRef>,
}

/// A Page and its lead forms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageRef {
    /// Page id.
    pub id: String,
    /// Page name (also the default DSA beneficiary and payor).
    pub name: String,
    /// Lead forms of the page.
    pub lead_forms: Vec<NamedRef>,
    /// The person's tasks on the Page (Meta: ADVERTISE, ANALYZE, MANAGE, …).
    #[serde(default)]
    pub tasks: Vec<String>,
    /// Why the Page's lead forms could not be read, when they could not (the Page answered
    /// for itself: this says nothing about the user's token).
    #[serde(default)]
    pub lead_forms_problem: Option<String>,
}

impl PageRef {
    /// Whether the person may advertise as the Page (the ADVERTISE task), which lead ads
    /// need.
    pub fn can_advertise(&self) -> bool {
        self.tasks.iter().any(|t| t == "ADVERTISE")
    }
}

/// An id with a display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamedRef {
    /// Platform id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// What to search targeting options for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetingKind {
    /// Interests.
    Interest,
    /// Regions (states, provinces).
    Region,
    /// Cities.
    City,
}

/// One targeting search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetingOption {
    /// Interest id or geo key: pass it back unchanged when targeting.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub kind: TargetingKind,
    /// Country of a region or city.
    pub country_code: Option<String>,
    /// Audience size estimate (interests), when given.
    pub audience_size: Option<i64>,
}
