//! Typed shapes of the JSON columns. Keys are snake_case; the migrations'
//! CHECK on `ad_campaigns.target_audience` reads `age_min` and `age_max`
//! from exactly these names.

use sea_orm::FromJsonQueryResult;
use sea_orm::entity::prelude::DateTimeUtc;
use serde::{Deserialize, Serialize};

/// A platform targeting id with its display name (region, city, interest).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct NamedTarget {
    /// The platform's id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// Who a campaign reaches (`ad_campaigns.target_audience`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct TargetAudience {
    /// ISO 3166-1 alpha-2 country codes.
    pub countries: Vec<String>,
    /// Regions, as platform ids.
    #[serde(default)]
    pub regions: Vec<NamedTarget>,
    /// Cities, as platform ids.
    #[serde(default)]
    pub cities: Vec<NamedTarget>,
    /// Minimum age (18..=65, at most `age_max`; enforced by the database).
    pub age_min: i32,
    /// Maximum age (at most 65).
    pub age_max: i32,
    /// Interests, as platform ids.
    #[serde(default)]
    pub interests: Vec<NamedTarget>,
}

/// The button on an ad; the same upper-case names Meta uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
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

/// The words of an ad (`ad_campaigns.ad_copy`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct AdCopy {
    /// Headline.
    pub headline: String,
    /// Primary text.
    pub body: String,
    /// Link description.
    #[serde(default)]
    pub description: Option<String>,
    /// Button.
    pub call_to_action: CallToAction,
    /// The copywriter that wrote it; absent when the user wrote (or
    /// edited) it. Agent-written copy is rewritten when the brief it was
    /// written from changes; the user's never is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_by: Option<CopyAuthor>,
}

/// Which copywriter wrote a piece of copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyAuthor {
    /// Google's Gemini (AI).
    Gemini,
    /// The offline template copywriter (not AI).
    Template,
}

/// Latest totals read from the platform (`ad_campaigns.performance`).
/// Money in the ad account currency's minor unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Performance {
    /// ISO 4217 currency of the amounts.
    pub currency: String,
    /// Impressions.
    pub impressions: i64,
    /// Clicks.
    pub clicks: i64,
    /// Spend in minor units.
    pub spend_cents: i64,
    /// Leads.
    pub leads: i64,
    /// Clicks / impressions, as a fraction.
    pub ctr: f64,
    /// Spend per lead in minor units, when there are leads.
    #[serde(default)]
    pub cost_per_lead_cents: Option<i64>,
    /// When these numbers were read.
    #[serde(default)]
    pub updated_at: Option<DateTimeUtc>,
}
