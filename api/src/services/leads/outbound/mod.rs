//! Sending a lead out: a signed JSON POST to a member's webhook, or an
//! e-mail through the configured SMTP server. No database here; the
//! delivery job decides what to send and records what came back.
//!
//! What a try got back is told in plain words ([`Sent`]): a status code and
//! a short reason, never the URL (its query may carry a token), a secret or
//! anything of the lead.

pub mod guard;
pub mod mail;
pub mod signed;

/// What one try got back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// Whether the destination accepted the lead.
    pub ok: bool,
    /// The HTTP status (or SMTP reply code) it answered, if it answered.
    pub status_code: Option<i32>,
    /// Why it failed, in plain words.
    pub error: Option<String>,
}

impl Sent {
    pub fn accepted(status_code: Option<i32>) -> Self {
        Self {
            ok: true,
            status_code,
            error: None,
        }
    }

    pub fn failed(status_code: Option<i32>, error: impl Into<String>) -> Self {
        Self {
            ok: false,
            status_code,
            error: Some(error.into()),
        }
    }
}
