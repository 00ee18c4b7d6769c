//! How close an ad account is to the platform's rate limits.
//!
//! Meta reports usage as percentages in response headers on every answer, failures
//! included; callers read the latest snapshot to slow down before Meta blocks them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The latest usage reported for one ad account (and the app as a whole).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// App-wide usage (`X-App-Usage`).
    pub app: Option<AppUsage>,
    /// Business-use-case usage of this ad account (`X-Business-Use-Case-Usage`).
    pub business: Vec<BusinessUseCaseUsage>,
    /// Legacy per-account usage (`X-Ad-Account-Usage`).
    pub ad_account: Option<AdAccountUsage>,
    /// Insights throttle of this ad account (`x-fb-ads-insights-throttle`).
    #[serde(default)]
    pub insights: Option<InsightsThrottle>,
}

/// The insights throttle Meta reports on insights answers. Users report code 17 while it
/// still read near 0, so it is advice, like the other headers.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct InsightsThrottle {
    /// Percentage of the app's insights capacity used.
    #[serde(default)]
    pub app_id_util_pct: f64,
    /// Percentage of the ad account's insights capacity used.
    #[serde(default)]
    pub acc_id_util_pct: f64,
}

/// App-wide usage percentages.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AppUsage {
    /// Percentage of the call budget used.
    pub call_count: f64,
    /// Percentage of the CPU-time budget used.
    pub total_cputime: f64,
    /// Percentage of the total-time budget used.
    pub total_time: f64,
}

/// Usage of one business use case (ads_management, ads_insights…) on one ad account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct BusinessUseCaseUsage {
    /// The ad account number the usage belongs to (no `act_`).
    pub account: String,
    /// The use case (`ads_management`, `ads_insights`, …).
    pub use_case: String,
    /// Percentage of calls used.
    pub call_count: f64,
    /// Percentage of CPU time used.
    pub total_cputime: f64,
    /// Percentage of total time used.
    pub total_time: f64,
    /// How long until access returns (Meta reports minutes).
    pub regain_access_after: Option<Duration>,
}

/// Legacy per-account usage.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct AdAccountUsage {
    /// Percentage used.
    pub acc_id_util_pct: f64,
    /// Seconds until the counter resets.
    pub reset_time_duration: f64,
}

/// Usage at or above which callers should pause the account (Meta blocks at 100).
pub const SLOW_DOWN_AT_PCT: f64 = 90.0;

impl Usage {
    /// The highest percentage reported anywhere in this snapshot.
    pub fn max_pct(&self) -> f64 {
        let app = self
            .app
            .map(|a| a.call_count.max(a.total_cputime).max(a.total_time))
            .unwrap_or(0.0);
        let business = self
            .business
            .iter()
            .map(|b| b.call_count.max(b.total_cputime).max(b.total_time))
            .fold(0.0, f64::max);
        let account = self.ad_account.map(|a| a.acc_id_util_pct).unwrap_or(0.0);
        let insights = self
            .insights
            .map(|i| i.app_id_util_pct.max(i.acc_id_util_pct))
            .unwrap_or(0.0);
        app.max(business).max(account).max(insights)
    }

    /// The longest regain time any use case announced.
    pub fn regain_access_after(&self) -> Option<Duration> {
        self.business
            .iter()
            .filter_map(|b| b.regain_access_after)
            .filter(|d| !d.is_zero())
            .max()
    }

    /// Whether callers should hold back calls on this account for a while.
    pub fn should_slow_down(&self) -> bool {
        self.max_pct() >= SLOW_DOWN_AT_PCT || self.regain_access_after().is_some()
    }
}
