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
    /// Permissions the media buyer needs that are missing.
    pub missing_permissions: Vec<String>,
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
