//! Injected faults, shared by both stand-ins.

use std::collections::BTreeMap;
use std::time::Duration;

/// Which requests a fault applies to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Match {
    /// HTTP method (`GET`, `POST`, `DELETE`), any when `None`.
    pub method: Option<String>,
    /// A substring of the path (after the API version), any when `None`.
    pub path_contains: Option<String>,
    /// A parameter (query or form) the request must carry with this value.
    pub param: Option<(String, String)>,
}

impl Match {
    /// Every request.
    pub fn any() -> Self {
        Self::default()
    }

    /// Requests with this method whose path contains `path`.
    pub fn on(method: &str, path: &str) -> Self {
        Self {
            method: Some(method.to_owned()),
            path_contains: Some(path.to_owned()),
            param: None,
        }
    }

    /// Only requests that also carry `key=value`, e.g. `status=ACTIVE` to hit
    /// activations and not pauses.
    #[must_use]
    pub fn with_param(mut self, key: &str, value: &str) -> Self {
        self.param = Some((key.to_owned(), value.to_owned()));
        self
    }

    /// Whether a request matches.
    pub fn matches(&self, method: &str, path: &str, params: &BTreeMap<String, String>) -> bool {
        self.param
            .as_ref()
            .is_none_or(|(k, v)| params.get(k) == Some(v))
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// What happens to a matching request.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Answer with the platform's error envelope (Graph: `code`/`subcode`; Gemini: the
    /// HTTP status and `status` text).
    Error {
        /// HTTP status.
        http_status: u16,
        /// Platform code (Graph `code`; ignored by Gemini, which uses `http_status`).
        code: i64,
        /// Graph `error_subcode`.
        subcode: Option<i64>,
        /// Developer message.
        message: String,
        /// Graph `error_user_msg`.
        user_message: Option<String>,
        /// Graph `is_transient`.
        is_transient: Option<bool>,
        /// Gemini `RetryInfo.retryDelay` in seconds, e.g. `0.01`.
        retry_delay_secs: Option<f64>,
    },
    /// A Graph throttle (`code` 4/17/32/613/8000x) with usage headers at 100 % and the
    /// regain time in minutes.
    RateLimit {
        /// Graph code.
        code: i64,
        /// `estimated_time_to_regain_access` (minutes).
        regain_minutes: u32,
    },
    /// HTTP 500 with a plain-text body (no envelope).
    Http500,
    /// Process the request, then wait before answering (clients with a shorter timeout
    /// see a lost answer for an applied request).
    Slow(Duration),
    /// Process the request (when `apply`), then drop the connection mid-answer.
    Drop {
        /// Whether the request is applied before the connection drops.
        apply: bool,
    },
    /// Process the request, then answer as the inner fault would (the real Graph API,
    /// under load, applies a write and still answers `HTTP 500` with an error body).
    ApplyThen(Box<FaultAction>),
}

/// A fault with its remaining count.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Requests it applies to.
    pub when: Match,
    /// What happens.
    pub action: FaultAction,
    /// How many matching requests it still affects.
    pub times: u32,
    /// How many matching requests pass untouched before it applies.
    pub skip: u32,
}

impl Fault {
    /// A fault for the next matching request only.
    pub fn once(when: Match, action: FaultAction) -> Self {
        Self::times(when, action, 1)
    }

    /// A fault for the `n`-th matching request only (counting from 1).
    pub fn nth(when: Match, action: FaultAction, n: u32) -> Self {
        Self {
            skip: n.saturating_sub(1),
            ..Self::once(when, action)
        }
    }

    /// A fault for the next `times` matching requests.
    pub fn times(when: Match, action: FaultAction, times: u32) -> Self {
        Self {
            when,
            action,
            times,
            skip: 0,
        }
    }

    /// A Graph error envelope with HTTP 400.
    pub fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> FaultAction {
        FaultAction::Error {
            http_status: 400,
            code,
            subcode,
            message: message.to_owned(),
            user_message: None,
            is_transient: None,
            retry_delay_secs: None,
        }
    }
}

/// Takes the first live fault matching the request, decrementing its count.
pub fn take(
    faults: &mut Vec<Fault>,
    method: &str,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Option<FaultAction> {
    let idx = faults
        .iter()
        .position(|f| f.times > 0 && f.when.matches(method, path, params))?;
    let fault = &mut faults[idx];
    if fault.skip > 0 {
        fault.skip -= 1;
        return None;
    }
    fault.times -= 1;
    let action = fault.action.clone();
    if fault.times == 0 {
        faults.remove(idx);
    }
    Some(action)
}
