//! What the Meta stand-in knows: seeded tokens, accounts, pages, pixels, targeting, and
//! the objects created through it.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::super::fault::Fault;

/// A seeded access token.
#[derive(Debug, Clone)]
pub struct TokenSeed {
    /// Owner id.
    pub user_id: String,
    /// Owner name.
    pub user_name: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Ad account numbers (no `act_`) the token may use.
    pub accounts: Vec<String>,
    /// Page ids the token may use.
    pub pages: Vec<String>,
    /// A forced OAuth failure: (code, subcode, message), e.g. (190, 463, "…expired…").
    pub failure: Option<(i64, Option<i64>, String)>,
}

/// A Page access token the stand-in handed out through `me/accounts`.
#[derive(Debug, Clone)]
pub struct PageToken {
    /// The Page it is for.
    pub page_id: String,
    /// The user token it was obtained with (its scopes and failures apply).
    pub user_token: String,
}

/// The tasks a person has on a Page unless a test says otherwise (a Page admin's).
pub const ALL_PAGE_TASKS: &[&str] = &[
    "ADVERTISE",
    "ANALYZE",
    "CREATE_CONTENT",
    "MESSAGING",
    "MODERATE",
    "MANAGE",
];

/// A seeded ad account.
#[derive(Debug, Clone)]
pub struct AccountSeed {
    /// Account number (no `act_`).
    pub number: String,
    /// Name.
    pub name: String,
    /// ISO currency.
    pub currency: String,
    /// IANA time zone.
    pub timezone: String,
    /// `account_status` code.
    pub status: i64,
    /// `min_daily_budget_imp` in minor units.
    pub min_daily_budget: i64,
}

/// A seeded Page with its lead forms (id, name).
#[derive(Debug, Clone)]
pub struct PageSeed {
    /// Page id.
    pub id: String,
    /// Page name.
    pub name: String,
    /// Lead forms (id, name).
    pub forms: Vec<(String, String)>,
}

/// A lead someone submitted through a form.
#[derive(Debug, Clone)]
pub struct LeadSeed {
    /// The lead id.
    pub id: String,
    /// The form's Page.
    pub page_id: String,
    /// The form.
    pub form_id: String,
    /// The ad it came from (`None`: organic or a test lead).
    pub ad_id: Option<String>,
    /// Meta's ISO time, e.g. `2026-12-07T10:00:00+0000`.
    pub created_time: String,
    /// The answers: (field name, values).
    pub field_data: Vec<(String, Vec<String>)>,
}

/// Seeded delivery of one campaign, returned by insights.
#[derive(Debug, Clone, Default)]
pub struct InsightsSeed {
    /// Impressions.
    pub impressions: i64,
    /// All clicks.
    pub clicks: i64,
    /// Link clicks.
    pub inline_link_clicks: i64,
    /// Spend as Meta writes it: a decimal string in major units.
    pub spend: String,
    /// The `lead` action total.
    pub leads: i64,
    /// Lead sub-type actions (e.g. `onsite_conversion.lead_grouped`), which must not be
    /// added to the total.
    pub lead_subtypes: Vec<(String, i64)>,
    /// The day the delivery happened; `None` puts it in every requested range.
    pub day: Option<chrono::NaiveDate>,
}

/// An object created through the stand-in.
#[derive(Debug, Clone)]
pub struct Stored {
    /// `campaign`, `adset`, `adcreative`, `ad`.
    pub kind: &'static str,
    /// Account number.
    pub account: String,
    /// The create's parameters, JSON values decoded.
    pub fields: BTreeMap<String, Value>,
    /// Current (configured) status.
    pub status: String,
    /// What the platform decided on its own (review, billing), which
    /// overrides the effective status `status` gives.
    pub verdict: Option<Verdict>,
    /// When it was created (filtered listings show it only after the lag).
    pub created: std::time::Instant,
}

/// A platform decision about an object: its `effective_status` and the
/// `issues_info` summary that explains it.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// E.g. `DISAPPROVED`, `WITH_ISSUES`, `PENDING_BILLING_INFO`.
    pub effective_status: String,
    /// The issue's `error_summary`.
    pub summary: Option<String>,
}

/// Every `effective_status` an ad can have (reference §3.8). Campaigns have
/// the first six, ad sets the first seven: review, rejection and billing
/// holds exist only on ads.
pub const AD_STATUSES: &[&str] = &[
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "ARCHIVED",
    "IN_PROCESS",
    "WITH_ISSUES",
    "CAMPAIGN_PAUSED",
    "ADSET_PAUSED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
];

/// Whether an object of `kind` can have `effective_status` as a verdict.
pub fn verdict_fits(kind: &str, effective_status: &str) -> bool {
    let levels = match kind {
        "campaign" => 6,
        "adset" => 7,
        "ad" => AD_STATUSES.len(),
        _ => 0,
    };
    AD_STATUSES[..levels]
        .iter()
        .filter(|s| !s.ends_with("_PAUSED"))
        .any(|s| *s == effective_status)
}

impl Stored {
    /// `effective_status` as Graph reports it, the object alone (see
    /// [`World::effective_status`] for what its parents add).
    pub fn effective_status(&self) -> &str {
        match (&self.verdict, self.status.as_str()) {
            (_, s @ ("DELETED" | "ARCHIVED" | "PAUSED")) => s,
            (Some(v), _) => &v.effective_status,
            (None, s) => s,
        }
    }

    /// A string field.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }
}

/// One request as the stand-in received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// HTTP method.
    pub method: String,
    /// Path after the version, e.g. `/act_1/campaigns`.
    pub path: String,
    /// The API version segment of the URL.
    pub version: String,
    /// The raw query string (to check nothing is sent twice).
    pub query: String,
    /// Query and form parameters merged (tokens included, for the proof checks).
    pub params: BTreeMap<String, String>,
}

impl RecordedCall {
    /// `"POST /act_1/campaigns"`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The stand-in's whole state.
#[derive(Debug, Default)]
pub struct World {
    /// The bound base URL (for paging links).
    pub base_url: String,
    /// The oldest version Meta still serves. Older ones are auto-upgraded to it where the
    /// endpoint did not change since, and answer 2635 where it did.
    pub min_version: (u32, u32),
    /// The newest version; anything newer does not exist.
    pub latest_version: (u32, u32),
    /// Announced end dates of versions still served.
    pub version_ends: BTreeMap<(u32, u32), chrono::NaiveDate>,
    /// The stand-in's today, for "near its end" warnings; the real date when `None`.
    pub today: Option<chrono::NaiveDate>,
    /// When set, every call needs a valid `appsecret_proof`.
    pub app_secret: Option<String>,
    /// Tokens by value.
    pub tokens: HashMap<String, TokenSeed>,
    /// Expiry of a token as `debug_token` reports it, in Unix seconds (0 = never):
    /// (expires_at, data_access_expires_at). Unset: never, and data access 90 days on.
    pub token_expiry: HashMap<String, (i64, i64)>,
    /// Page access tokens handed out, by value.
    pub page_tokens: HashMap<String, PageToken>,
    /// Tasks of a person (user id) on a Page, where not [`ALL_PAGE_TASKS`].
    pub page_tasks: HashMap<(String, String), Vec<String>>,
    /// Accounts by number.
    pub accounts: BTreeMap<String, AccountSeed>,
    /// Pages by id.
    pub pages: BTreeMap<String, PageSeed>,
    /// Pixels: (account number, pixel id, name).
    pub pixels: Vec<(String, String, String)>,
    /// Interests: (id, name).
    pub interests: Vec<(String, String)>,
    /// Geo: (key, name, type, country).
    pub geos: Vec<(String, String, String, String)>,
    /// Uploaded images: (account number, hash).
    pub images: Vec<(String, String)>,
    /// Created objects by id.
    pub objects: BTreeMap<String, Stored>,
    /// Leads by id.
    pub leads: BTreeMap<String, LeadSeed>,
    /// Accounts' `default_dsa_beneficiary` / `default_dsa_payor`, by number.
    pub dsa_defaults: HashMap<String, (Option<String>, Option<String>)>,
    /// Accounts' `dsa_recommendations`, by number.
    pub dsa_recommendations: HashMap<String, Vec<String>>,
    /// Seeded insights by campaign id.
    pub insights: HashMap<String, InsightsSeed>,
    /// Faults to inject.
    pub faults: Vec<Fault>,
    /// Every request received.
    pub calls: Vec<RecordedCall>,
    /// Makes the first page of every listing empty but linked (Meta does this).
    pub empty_first_page: bool,
    /// Page size when the request gives no `limit`.
    pub default_limit: usize,
    /// Next object id.
    pub next_id: u64,
    /// How long a created object stays out of filtered listings (Meta's search index
    /// trails its writes).
    pub listing_lag: std::time::Duration,
}

impl World {
    /// The tasks of the token's owner on a Page (none unless the token lists the Page).
    pub fn tasks_on(&self, token: &TokenSeed, page_id: &str) -> Vec<String> {
        if !token.pages.iter().any(|p| p == page_id) {
            return Vec::new();
        }
        self.page_tasks
            .get(&(token.user_id.clone(), page_id.to_owned()))
            .cloned()
            .unwrap_or_else(|| ALL_PAGE_TASKS.iter().map(|t| (*t).to_owned()).collect())
    }

    /// `effective_status` with the parents' part: an ad of a paused
    /// campaign is `CAMPAIGN_PAUSED`, of a paused ad set `ADSET_PAUSED`
    /// (nothing goes up: a rejected ad leaves its campaign ACTIVE).
    pub fn effective_status(&self, id: &str) -> &str {
        let Some(o) = self.objects.get(id) else {
            return "DELETED";
        };
        let own = o.effective_status();
        if matches!(own, "DELETED" | "ARCHIVED" | "PAUSED") {
            return own;
        }
        let parent = |of: &Stored, key: &str| of.str(key).and_then(|p| self.objects.get(p));
        let (ad_set, campaign) = match o.kind {
            "ad" => {
                let set = parent(o, "adset_id");
                (set, set.and_then(|s| parent(s, "campaign_id")))
            }
            "adset" => (None, parent(o, "campaign_id")),
            _ => (None, None),
        };
        if campaign.is_some_and(|c| c.status == "PAUSED") {
            "CAMPAIGN_PAUSED"
        } else if ad_set.is_some_and(|s| s.status == "PAUSED") {
            "ADSET_PAUSED"
        } else {
            own
        }
    }

    /// The campaign an ad set or ad belongs to.
    pub fn campaign_of(&self, id: &str) -> Option<&str> {
        let (key, o) = self.objects.get_key_value(id)?;
        match o.kind {
            "campaign" => Some(key.as_str()),
            "adset" => o.str("campaign_id"),
            "ad" => self.campaign_of(o.str("adset_id")?),
            _ => None,
        }
    }

    /// A new object id in Meta's 18-digit `120…` shape.
    pub fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("120{:015}", self.next_id)
    }
}
