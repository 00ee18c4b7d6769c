//! The one error type every ad platform returns.
//!
//! Each variant carries the platform's own human message so the product can show the
//! advertiser Meta's words rather than ours. Secrets never appear here: messages come from
//! the platform's answer or from our own fixed texts, never from the request.

use std::time::Duration;

/// An ad platform call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlatformError {
    /// The token is invalid, expired or revoked: the user must reconnect.
    #[error("the ad platform rejected the access token: {message}")]
    Auth {
        /// The platform's message.
        message: String,
        /// Platform error code (190, 102, 104…), when known.
        code: Option<i64>,
        /// Platform error subcode (463 expired, 460 password changed…), when known.
        subcode: Option<i64>,
        /// Platform trace id, for support requests.
        trace_id: Option<String>,
    },
    /// The token is valid but the person must act on the platform first (checkpoint 459,
    /// policy block 368). Reconnecting does not help.
    #[error("the ad platform blocked this account until its owner acts on the platform: {message}")]
    Blocked {
        /// The platform's message (its user-facing text when it gave one).
        message: String,
        /// Platform error code.
        code: Option<i64>,
        /// Platform error subcode.
        subcode: Option<i64>,
        /// Platform trace id.
        trace_id: Option<String>,
    },
    /// The token or the app lacks a permission (ads_management, page access, app review).
    #[error("missing permission on the ad platform: {message}")]
    Permission {
        /// The platform's message.
        message: String,
        /// Platform error code (10, 200–299).
        code: Option<i64>,
        /// Platform trace id.
        trace_id: Option<String>,
    },
    /// The request was refused as invalid; sending it again unchanged fails again.
    #[error("the ad platform rejected the request: {0}")]
    Invalid(Box<InvalidRequest>),
    /// The platform throttled us; retry after the given time.
    #[error("the ad platform rate-limited this account: {message}")]
    RateLimited {
        /// How long the platform asks us to wait, when it said so.
        retry_after: Option<Duration>,
        /// The platform's message.
        message: String,
        /// Platform error code (4, 17, 32, 613, 80000–80008).
        code: Option<i64>,
        /// Platform trace id.
        trace_id: Option<String>,
    },
    /// A temporary failure. When `outcome_unknown` is true the request may have been
    /// applied (timeout, dropped connection, 5xx after sending): a create must not be sent
    /// again before looking the object up by its tag.
    #[error("temporary ad platform failure: {message}")]
    Transient {
        /// What went wrong, in the platform's words when it answered.
        message: String,
        /// Platform error code, when the platform answered with an envelope.
        code: Option<i64>,
        /// Platform trace id.
        trace_id: Option<String>,
        /// The request may have been applied.
        outcome_unknown: bool,
    },
    /// The platform cannot be used at all (not configured, provider switched off,
    /// deprecated API version, unreadable answers).
    #[error("the ad platform is unavailable: {message}")]
    Unavailable {
        /// Why.
        message: String,
    },
}

/// Details of a request the platform refused as invalid.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvalidRequest {
    /// The field the platform blamed (from `blame_field_specs`), or the one we validated.
    pub field: Option<String>,
    /// The developer-facing message.
    pub message: String,
    /// Platform error code (usually 100).
    pub code: Option<i64>,
    /// Platform error subcode (e.g. 2490408 goal not allowed for objective).
    pub subcode: Option<i64>,
    /// Title of the user-facing message.
    pub user_title: Option<String>,
    /// User-facing message, preferred when shown to the advertiser.
    pub user_message: Option<String>,
    /// Platform trace id.
    pub trace_id: Option<String>,
}

impl std::fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.user_message.as_deref().unwrap_or(&self.message))
    }
}

impl PlatformError {
    /// Builds an [`PlatformError::Invalid`] from our own validation of a field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(Box::new(InvalidRequest {
            field: Some(field.into()),
            message: message.into(),
            ..InvalidRequest::default()
        }))
    }

    /// Whether the same request may be sent again later. Only rate limits and transient
    /// failures qualify; a create with an unknown outcome is retryable only after a lookup
    /// by tag (see [`PlatformError::outcome_unknown`]).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Transient { .. })
    }

    /// Whether the request may have been applied although it failed.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            Self::Transient {
                outcome_unknown: true,
                ..
            }
        )
    }

    /// The wait the platform asked for, when it is a rate limit that named one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The message to show the advertiser: the platform's user-facing text when it gave
    /// one, its developer message otherwise.
    pub fn user_message(&self) -> String {
        match self {
            Self::Invalid(inv) => inv.to_string(),
            Self::Auth { message, .. }
            | Self::Blocked { message, .. }
            | Self::Permission { message, .. }
            | Self::RateLimited { message, .. }
            | Self::Transient { message, .. }
            | Self::Unavailable { message } => message.clone(),
        }
    }

    /// The platform's (code, subcode), when it answered with an error envelope.
    pub fn platform_code(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Self::Auth { code, subcode, .. } | Self::Blocked { code, subcode, .. } => {
                (*code, *subcode)
            }
            Self::Invalid(inv) => (inv.code, inv.subcode),
            Self::Permission { code, .. }
            | Self::RateLimited { code, .. }
            | Self::Transient { code, .. } => (*code, None),
            Self::Unavailable { .. } => (None, None),
        }
    }

    /// The platform's trace id, for support requests.
    pub fn trace_id(&self) -> Option<&str> {
        match self {
            Self::Auth { trace_id, .. }
            | Self::Blocked { trace_id, .. }
            | Self::Permission { trace_id, .. }
            | Self::RateLimited { trace_id, .. }
            | Self::Transient { trace_id, .. } => trace_id.as_deref(),
            Self::Invalid(inv) => inv.trace_id.as_deref(),
            Self::Unavailable { .. } => None,
        }
    }

    /// A short stable name of the class, for logs, metrics and tests.
    pub fn class(&self) -> &'static str {
        match self {
            Self::Auth { .. } => "auth",
            Self::Blocked { .. } => "blocked",
            Self::Permission { .. } => "permission",
            Self::Invalid(_) => "invalid",
            Self::RateLimited { .. } => "rate_limited",
            Self::Transient { .. } => "transient",
            Self::Unavailable { .. } => "unavailable",
        }
    }
}
