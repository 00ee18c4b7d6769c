//! Parsing of Meta's usage headers (`X-Business-Use-Case-Usage`, `X-App-Usage`,
//! `X-Ad-Account-Usage`, `x-fb-ads-insights-throttle`). Malformed headers are ignored rather than failing the call:
//! usage is advice, the answer itself is what matters.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::ad_platform::usage::{
    AdAccountUsage, AppUsage, BusinessUseCaseUsage, InsightsThrottle, Usage,
};

#[derive(Deserialize)]
struct RawBuc {
    #[serde(rename = "type", default)]
    use_case: String,
    #[serde(default)]
    call_count: f64,
    #[serde(default)]
    total_cputime: f64,
    #[serde(default)]
    total_time: f64,
    #[serde(default)]
    estimated_time_to_regain_access: f64,
}

fn header_json<T: for<'de> Deserialize<'de>>(headers: &HeaderMap, name: &str) -> Option<T> {
    let value = headers.get(name)?.to_str().ok()?;
    serde_json::from_str(value).ok()
}

/// Reads every usage header of one answer. Business-use-case entries of all accounts in
/// the header are returned; callers file them per account.
pub fn parse_usage(headers: &HeaderMap) -> Usage {
    let app = header_json::<AppUsage>(headers, "x-app-usage");
    let ad_account = header_json::<AdAccountUsage>(headers, "x-ad-account-usage");
    let business = header_json::<std::collections::BTreeMap<String, Vec<RawBuc>>>(
        headers,
        "x-business-use-case-usage",
    )
    .map(|by_account| {
        by_account
            .into_iter()
            .flat_map(|(account, entries)| {
                entries.into_iter().map(move |e| BusinessUseCaseUsage {
                    account: account.clone(),
                    use_case: e.use_case,
                    call_count: e.call_count,
                    total_cputime: e.total_cputime,
                    total_time: e.total_time,
                    // Meta reports the regain time in minutes.
                    regain_access_after: (e.estimated_time_to_regain_access > 0.0)
                        .then(|| Duration::from_secs_f64(e.estimated_time_to_regain_access * 60.0)),
                })
            })
            .collect()
    })
    .unwrap_or_default();
    Usage {
        app,
        business,
        ad_account,
        insights: header_json::<InsightsThrottle>(headers, "x-fb-ads-insights-throttle"),
    }
}

/// Whether an answer carried any usage header at all.
pub fn has_usage(usage: &Usage) -> bool {
    usage.app.is_some()
        || usage.ad_account.is_some()
        || usage.insights.is_some()
        || !usage.business.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn parses_all_three_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-app-usage",
            HeaderValue::from_static(r#"{"call_count":28,"total_cputime":25,"total_time":25}"#),
        );
        h.insert(
            "x-business-use-case-usage",
            HeaderValue::from_static(
                r#"{"123":[{"type":"ads_management","call_count":95,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":19}]}"#,
            ),
        );
        h.insert(
            "x-ad-account-usage",
            HeaderValue::from_static(
                r#"{"acc_id_util_pct":9.67,"reset_time_duration":0,"ads_api_access_tier":"standard_access"}"#,
            ),
        );
        let u = parse_usage(&h);
        assert_eq!(u.app.map(|a| a.call_count), Some(28.0));
        assert_eq!(u.business.len(), 1);
        assert_eq!(u.business[0].account, "123");
        assert_eq!(
            u.business[0].regain_access_after,
            Some(Duration::from_secs(19 * 60))
        );
        assert_eq!(u.ad_account.map(|a| a.acc_id_util_pct), Some(9.67));
        assert_eq!(u.insights, None);
        assert_eq!(u.max_pct(), 95.0);
        assert!(u.should_slow_down());
    }

    #[test]
    fn parses_the_insights_throttle() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-fb-ads-insights-throttle",
            HeaderValue::from_static(
                r#"{"app_id_util_pct":12.5,"acc_id_util_pct":96,"ads_api_access_tier":"standard_access"}"#,
            ),
        );
        let u = parse_usage(&h);
        assert!(has_usage(&u));
        assert_eq!(u.insights.map(|i| i.acc_id_util_pct), Some(96.0));
        assert!(u.should_slow_down());
    }

    #[test]
    fn ignores_garbage() {
        let mut h = HeaderMap::new();
        h.insert("x-app-usage", HeaderValue::from_static("not json"));
        assert!(!has_usage(&parse_usage(&h)));
    }
}
