//! Settings of the Meta adapter.

use std::time::Duration;

use secrecy::SecretString;

/// Default Graph API host.
pub const DEFAULT_GRAPH_URL: &str = "https://graph.facebook.com";
/// Default Marketing API version: v27.0 (released 2026-11-04; v25.0 ends 2027-02-23, v24.0
/// ended 2026-11-10). Keep it a setting and re-check it every quarter: Marketing API versions
/// live about a year, and an expired one is refused with 2635 on every endpoint that changed.
pub const DEFAULT_API_VERSION: &str = "v27.0";

/// How calls are retried. Only rate limits and transient failures are retried, and a
/// create whose outcome is unknown never is (the caller looks it up by tag).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// First back-off; doubled per attempt, with jitter.
    pub base_delay: Duration,
    /// Longest back-off between two attempts.
    pub max_delay: Duration,
    /// Longest wait we accept for a rate limit; a longer announced wait is handed to the
    /// caller as `RateLimited` instead of blocking the task.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_wait: Duration::from_secs(60),
        }
    }
}

/// Everything the Meta adapter needs, built once at start.
#[derive(Debug, Clone)]
pub struct MetaConfig {
    /// `META_GRAPH_URL` (tests point it at the stand-in).
    pub graph_url: url::Url,
    /// `META_API_VERSION`, e.g. `v27.0`.
    pub api_version: String,
    /// `META_APP_SECRET`: when set, every call carries `appsecret_proof`.
    pub app_secret: Option<SecretString>,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Whole-request timeout (answers slower than this count as lost).
    pub request_timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Page size for listings and insights.
    pub page_limit: u32,
}

impl MetaConfig {
    /// Settings for `graph_url` with the defaults for everything else.
    pub fn new(graph_url: url::Url) -> Self {
        Self {
            graph_url,
            api_version: DEFAULT_API_VERSION.to_owned(),
            app_secret: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            page_limit: 100,
        }
    }

    /// Checks the settings that would make every call fail.
    pub fn validate(&self) -> Result<(), String> {
        let v = self.api_version.as_str();
        let ok = v
            .strip_prefix('v')
            .and_then(|rest| rest.split_once('.'))
            .is_some_and(|(major, minor)| {
                !major.is_empty()
                    && !minor.is_empty()
                    && major.chars().all(|c| c.is_ascii_digit())
                    && minor.chars().all(|c| c.is_ascii_digit())
            });
        if !ok {
            return Err(format!("META_API_VERSION must look like v27.0, got {v:?}"));
        }
        if !matches!(self.graph_url.scheme(), "http" | "https") {
            return Err("META_GRAPH_URL must be an http(s) URL".to_owned());
        }
        if self.retry.max_attempts == 0 {
            return Err("retry.max_attempts must be at least 1".to_owned());
        }
        Ok(())
    }
}

impl MetaConfig {
    /// Settings for the real Graph API host with all defaults.
    pub fn production() -> Result<Self, url::ParseError> {
        Ok(Self::new(url::Url::parse(DEFAULT_GRAPH_URL)?))
    }
}
