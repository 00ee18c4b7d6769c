//! Copywriters: turn a brief into ad copy variants. [`GeminiCopywriter`] asks Google's
//! Gemini for structured JSON; [`TemplateCopywriter`] works offline.

mod gemini;
mod template;
mod types;

use std::time::Duration;

use async_trait::async_trait;

pub use gemini::{
    DEFAULT_BASE_URL as GEMINI_DEFAULT_BASE_URL, DEFAULT_MODEL as GEMINI_DEFAULT_MODEL,
    GeminiConfig, GeminiCopywriter,
};
pub use template::TemplateCopywriter;
pub use types::*;

/// Writes ad copy. Object-safe: used as `Arc<dyn Copywriter>`.
#[async_trait]
pub trait Copywriter: Send + Sync {
    /// A short name for logs and the UI (`gemini`, `template`).
    fn name(&self) -> &'static str;

    /// Returns between 1 and `brief.variants` validated variants.
    async fn write(&self, brief: &CopyBrief) -> Result<Vec<AdCopy>, CopyError>;
}

/// Why no copy came back. Messages never contain the API key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CopyError {
    /// The brief itself is unusable (empty niche, too many variants).
    #[error("invalid brief: {0}")]
    BadBrief(String),
    /// The API key was refused or lacks permission: a configuration problem.
    #[error("the copywriting service refused the API key: {message}")]
    BadKey {
        /// The service's message.
        message: String,
    },
    /// The configured model does not exist (any more).
    #[error("the copywriting model {model:?} is unknown to the service: {message}")]
    UnknownModel {
        /// The configured model name.
        model: String,
        /// The service's message.
        message: String,
    },
    /// The service refused the request (region, billing, malformed request).
    #[error("the copywriting service refused the request: {message}")]
    Refused {
        /// The service's message.
        message: String,
    },
    /// The prompt or the answer was blocked by safety filters.
    #[error("the copywriting service blocked the request ({reason})")]
    Blocked {
        /// The block or finish reason (`SAFETY`, …).
        reason: String,
    },
    /// The answer was cut off (`MAX_TOKENS`, `RECITATION`, `OTHER`).
    #[error("the copywriting answer was cut off ({finish_reason})")]
    CutOff {
        /// The finish reason.
        finish_reason: String,
    },
    /// The answer did not contain usable copy.
    #[error("the copywriting answer was not usable: {detail}")]
    InvalidOutput {
        /// What was wrong.
        detail: String,
    },
    /// Quota or rate limit still hit after the bounded retries.
    #[error("the copywriting service is rate-limited: {message}")]
    RateLimited {
        /// The wait the service asked for.
        retry_after: Option<Duration>,
        /// The service's message.
        message: String,
    },
    /// The service failed or could not be reached after the bounded retries.
    #[error("the copywriting service is unavailable: {message}")]
    Unavailable {
        /// What went wrong.
        message: String,
    },
}

/// Checks a brief before any work is done.
pub fn check_brief(brief: &CopyBrief) -> Result<(), CopyError> {
    if brief.niche.trim().is_empty() {
        return Err(CopyError::BadBrief("the niche is empty".to_owned()));
    }
    if brief.variants == 0 || brief.variants > MAX_VARIANTS {
        return Err(CopyError::BadBrief(format!(
            "ask for 1 to {MAX_VARIANTS} variants"
        )));
    }
    let too_long = [&brief.niche, &brief.audience]
        .into_iter()
        .chain(brief.offer.iter())
        .chain(brief.tone.iter())
        .any(|s| s.chars().count() > 500);
    if too_long {
        return Err(CopyError::BadBrief(
            "brief fields are limited to 500 characters".to_owned(),
        ));
    }
    Ok(())
}
