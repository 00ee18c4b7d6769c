//! Graph error envelope → [`PlatformError`].
//!
//! The classes follow the reference's table: 190/102/104 re-authenticate (except the
//! checkpoint 459), 368 blocked, 10 and 200–299 permissions, 4/17/32/613/80000–80008 rate
//! limits, 1/2/960 and `is_transient` temporary, everything else (100 first of all) a
//! request that must change before it is sent again.

use std::time::Duration;

use super::wire::GraphError;
use crate::ad_platform::error::{InvalidRequest, PlatformError};

/// Whether Meta asks for a smaller request: the insights timeouts 100/1504018 and
/// 2/1504038 ("request timed out… retry with a smaller date range") and code 1 "Please
/// reduce the amount of data you're asking for". Sent again unchanged it fails again, so
/// it is never retried as is: the caller asks for less.
pub fn asks_for_less_data(code: Option<i64>, subcode: Option<i64>, message: &str) -> bool {
    matches!(
        (code, subcode),
        (Some(100), Some(1_504_018)) | (Some(2), Some(1_504_038))
    ) || (code == Some(1)
        && message
            .to_ascii_lowercase()
            .contains("reduce the amount of data"))
}

/// Codes Meta uses for throttling.
pub fn is_rate_limit_code(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 613 | 80_000..=80_008)
}

/// Maps a parsed envelope. `regain` is the wait announced in the usage headers of the same
/// answer; `http_status` tells server trouble (5xx) from a refused request.
pub fn map_graph_error(
    err: GraphError,
    http_status: u16,
    regain: Option<Duration>,
) -> PlatformError {
    let code = err.code;
    let subcode = err.error_subcode;
    let trace_id = err.fbtrace_id.clone();
    // Prefer the user-facing message: it is what the advertiser can act on.
    let message = err
        .error_user_msg
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| err.message.clone());
    if asks_for_less_data(code, subcode, &err.message) {
        return PlatformError::Invalid(Box::new(InvalidRequest {
            field: err.blamed_field(),
            message: err.message,
            code,
            subcode,
            user_title: err.error_user_title,
            user_message: err.error_user_msg,
            trace_id,
        }));
    }
    match code.unwrap_or(0) {
        190 if subcode == Some(459) => PlatformError::Blocked {
            message,
            code,
            subcode,
            trace_id,
        },
        368 => PlatformError::Blocked {
            message,
            code,
            subcode,
            trace_id,
        },
        190 | 102 | 104 => PlatformError::Auth {
            message,
            code,
            subcode,
            trace_id,
        },
        10 | 200..=299 => PlatformError::Permission {
            message,
            code,
            trace_id,
        },
        c if is_rate_limit_code(c) => PlatformError::RateLimited {
            retry_after: regain,
            message,
            code,
            trace_id,
        },
        2635 => PlatformError::Unavailable {
            message: format!("the configured Graph API version is deprecated: {message}"),
        },
        1 | 2 | 960 => PlatformError::Transient {
            message,
            code,
            trace_id,
            outcome_unknown: false,
        },
        // A code-100 error is never retried unchanged, even when flagged transient.
        c if c != 100 && (err.is_transient == Some(true) || http_status >= 500) => {
            PlatformError::Transient {
                message,
                code,
                trace_id,
                outcome_unknown: false,
            }
        }
        _ => PlatformError::Invalid(Box::new(InvalidRequest {
            field: err.blamed_field(),
            message: err.message,
            code,
            subcode,
            user_title: err.error_user_title,
            user_message: err.error_user_msg,
            trace_id,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(code: i64, subcode: Option<i64>) -> GraphError {
        GraphError {
            message: "m".into(),
            code: Some(code),
            error_subcode: subcode,
            ..GraphError::default()
        }
    }

    #[test]
    fn classes() {
        assert_eq!(
            map_graph_error(err(190, Some(463)), 400, None).class(),
            "auth"
        );
        assert_eq!(
            map_graph_error(err(190, Some(459)), 400, None).class(),
            "blocked"
        );
        assert_eq!(
            map_graph_error(err(368, None), 400, None).class(),
            "blocked"
        );
        assert_eq!(
            map_graph_error(err(200, None), 403, None).class(),
            "permission"
        );
        assert_eq!(
            map_graph_error(err(80004, None), 400, None).class(),
            "rate_limited"
        );
        assert_eq!(
            map_graph_error(err(2, None), 500, None).class(),
            "transient"
        );
        assert_eq!(
            map_graph_error(err(100, None), 400, None).class(),
            "invalid"
        );
        let mut transient_100 = err(100, Some(1_504_018));
        transient_100.is_transient = Some(true);
        assert_eq!(map_graph_error(transient_100, 400, None).class(), "invalid");
    }

    #[test]
    fn requests_for_less_data_are_never_transient() {
        let mut timeout = err(2, Some(1_504_038));
        timeout.is_transient = Some(true);
        assert_eq!(map_graph_error(timeout, 500, None).class(), "invalid");
        let mut too_much = err(1, None);
        too_much.message =
            "Please reduce the amount of data you're asking for, then retry your request".into();
        assert_eq!(map_graph_error(too_much, 500, None).class(), "invalid");
        assert_eq!(
            map_graph_error(err(1, None), 500, None).class(),
            "transient"
        );
        assert_eq!(
            map_graph_error(err(2, Some(1_504_043)), 500, None).class(),
            "transient"
        );
    }

    #[test]
    fn blamed_field_from_string_data() {
        let mut e = err(100, Some(2_490_408));
        e.error_data = Some(serde_json::Value::String(
            r#"{"blame_field_specs":[["optimization_goal"]]}"#.into(),
        ));
        let PlatformError::Invalid(inv) = map_graph_error(e, 400, None) else {
            panic!("expected invalid");
        };
        assert_eq!(inv.field.as_deref(), Some("optimization_goal"));
    }
}
