//! Serde shapes of Graph API answers the adapter reads.

use serde::Deserialize;

/// `{"error": {...}}`, Graph's error envelope.
#[derive(Debug, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: GraphError,
}

/// The fields of a Graph error.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GraphError {
    /// Developer message, e.g. "(#100) Invalid parameter".
    #[serde(default)]
    pub message: String,
    /// OAuthException, GraphMethodException, …
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// Error code.
    #[serde(default)]
    pub code: Option<i64>,
    /// Error subcode.
    #[serde(default)]
    pub error_subcode: Option<i64>,
    /// Title of the user-facing message.
    #[serde(default)]
    pub error_user_title: Option<String>,
    /// User-facing message (in the request locale).
    #[serde(default)]
    pub error_user_msg: Option<String>,
    /// Trace id for Meta support.
    #[serde(default)]
    pub fbtrace_id: Option<String>,
    /// Whether Meta considers the failure temporary.
    #[serde(default)]
    pub is_transient: Option<bool>,
    /// Extra data; Marketing errors send it as a JSON *string* holding
    /// `blame_field_specs`, sometimes as an object.
    #[serde(default)]
    pub error_data: Option<serde_json::Value>,
}

impl GraphError {
    /// The first blamed field, joined with dots (`targeting.age_max`).
    pub fn blamed_field(&self) -> Option<String> {
        let data = match self.error_data.as_ref()? {
            serde_json::Value::String(s) => serde_json::from_str(s).ok()?,
            other => other.clone(),
        };
        let specs = data.get("blame_field_specs")?.as_array()?;
        let first = specs.first()?;
        match first {
            serde_json::Value::Array(parts) => {
                let parts: Vec<&str> = parts.iter().filter_map(|p| p.as_str()).collect();
                (!parts.is_empty()).then(|| parts.join("."))
            }
            serde_json::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }
}

/// `{"id": "..."}` from a create.
#[derive(Debug, Deserialize)]
pub struct Created {
    /// The new object's id.
    pub id: String,
}

/// A page of an edge: `{"data": [...], "paging": {"next": ...}}`.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    /// The items.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
    /// Cursors and links.
    #[serde(default)]
    pub paging: Option<Paging>,
}

/// Paging links.
#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    /// The next page's full URL; absent on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET /act_<id>` fields.
#[derive(Debug, Deserialize)]
pub struct AdAccount {
    /// Account name.
    #[serde(default)]
    pub name: String,
    /// Status code (1 = ACTIVE).
    #[serde(default)]
    pub account_status: i64,
    /// ISO currency.
    #[serde(default)]
    pub currency: String,
    /// IANA time zone.
    #[serde(default)]
    pub timezone_name: String,
}

/// The DSA fields of `GET /act_<id>?fields=default_dsa_beneficiary,default_dsa_payor`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DsaDefaults {
    /// The account's default beneficiary, when set in Ads Manager.
    #[serde(default)]
    pub default_dsa_beneficiary: Option<String>,
    /// The account's default payor.
    #[serde(default)]
    pub default_dsa_payor: Option<String>,
}

/// A row of `GET /act_<id>/dsa_recommendations` (`AdAccountDsaRecommendations`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DsaRecommendations {
    /// Names Meta predicts from the account's recent activity.
    #[serde(default)]
    pub recommendations: Vec<String>,
}

/// `GET /me/permissions` item.
#[derive(Debug, Deserialize)]
pub struct Permission {
    /// Scope name.
    pub permission: String,
    /// granted / declined / expired.
    pub status: String,
}

/// `GET /act_<id>/minimum_budgets` item.
#[derive(Debug, Deserialize)]
pub struct MinimumBudget {
    /// Currency of the figures.
    #[serde(default)]
    pub currency: Option<String>,
    /// Minimum daily budget for impression-billed ad sets, in minor units.
    #[serde(default)]
    pub min_daily_budget_imp: Option<i64>,
}

/// An id + name object (pages, pixels, forms, interests).
#[derive(Debug, Deserialize)]
pub struct Named {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
}

/// A `me/accounts` item: a Page the person has a role on, its Page access token (a
/// secret: redacted in `Debug`) and the person's tasks there.
#[derive(Debug, Deserialize)]
pub struct PageAccount {
    /// Page id.
    pub id: String,
    /// Page name.
    #[serde(default)]
    pub name: String,
    /// The Page access token, when Meta gave one.
    #[serde(default)]
    pub access_token: Option<secrecy::SecretString>,
    /// ADVERTISE, ANALYZE, CREATE_CONTENT, MESSAGING, MODERATE, MANAGE.
    #[serde(default)]
    pub tasks: Vec<String>,
}

/// A listed campaign/ad set/creative/ad.
#[derive(Debug, Deserialize)]
pub struct Listed {
    /// Id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Configured status.
    #[serde(default)]
    pub status: String,
}

/// An interest search result.
#[derive(Debug, Deserialize)]
pub struct Interest {
    /// Interest id.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Upper bound of the audience size.
    #[serde(default)]
    pub audience_size_upper_bound: Option<i64>,
}

/// A geo search result.
#[derive(Debug, Deserialize)]
pub struct GeoLocation {
    /// Geo key.
    pub key: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// country, region, city, …
    #[serde(default, rename = "type")]
    pub kind: String,
    /// ISO country.
    #[serde(default)]
    pub country_code: Option<String>,
}

/// One insights row; metrics arrive as strings.
#[derive(Debug, Deserialize)]
pub struct InsightsRow {
    /// Campaign id.
    #[serde(default)]
    pub campaign_id: Option<String>,
    /// Impressions.
    #[serde(default)]
    pub impressions: Option<String>,
    /// All clicks.
    #[serde(default)]
    pub clicks: Option<String>,
    /// Link clicks.
    #[serde(default)]
    pub inline_link_clicks: Option<String>,
    /// Spend in major units.
    #[serde(default)]
    pub spend: Option<String>,
    /// Currency of the account.
    #[serde(default)]
    pub account_currency: Option<String>,
    /// Actions by type.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// `{"action_type": "lead", "value": "12"}`.
#[derive(Debug, Deserialize)]
pub struct Action {
    /// Action type.
    pub action_type: String,
    /// Count, as a string.
    pub value: String,
}

/// `GET /debug_token`'s answer.
#[derive(Debug, Deserialize)]
pub struct DebugToken {
    /// The token's facts.
    pub data: DebugTokenData,
}

/// What `debug_token` says of a token. Times are Unix seconds; `0` means never.
#[derive(Debug, Default, Deserialize)]
pub struct DebugTokenData {
    /// When the token expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
    /// When its data access expires.
    #[serde(default)]
    pub data_access_expires_at: Option<i64>,
}

impl DebugTokenData {
    /// The dates, with `0` (never) as `None`.
    pub fn expiry(&self) -> crate::ad_platform::account::TokenExpiry {
        let at = |secs: Option<i64>| {
            secs.filter(|s| *s > 0)
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
        };
        crate::ad_platform::account::TokenExpiry {
            expires_at: at(self.expires_at),
            data_access_expires_at: at(self.data_access_expires_at),
        }
    }
}
