//! The signed webhook: a JSON POST with
//! `Leadforge-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
//! under the destination's secret, and `Leadforge-Delivery-Id` for the
//! receiver's idempotency (a retry or a resend carries the same id).

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{Sent, guard};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Leadforge-Signature";
/// The delivery id header.
pub const DELIVERY_HEADER: &str = "Leadforge-Delivery-Id";
/// How long a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// The `Leadforge-Signature` value of `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Posts signed JSON to webhooks; one client (and connection pool) for all.
#[derive(Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
    allow_private: bool,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender")
            .field("allow_private", &self.allow_private)
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender whose connections reach internal addresses only when
    /// `allow_private`.
    pub fn new(allow_private: bool) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            // A redirect could lead anywhere, past the address check.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve the name itself, past the check.
            .no_proxy()
            .dns_resolver(guard::resolver(allow_private))
            .user_agent(concat!("Leadforge-Delivery/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            allow_private,
        })
    }

    /// Sends `body` to `url`, signed with `secret`.
    pub async fn send(&self, url: &str, secret: &[u8], delivery_id: &str, body: Vec<u8>) -> Sent {
        let Ok(parsed) = url::Url::parse(url) else {
            return Sent::failed(None, "the destination URL is not valid");
        };
        // IP literals never reach the resolver: check them here.
        if guard::check_url(&parsed, self.allow_private).is_err() {
            return Sent::failed(
                None,
                "the destination address is not allowed (private network)",
            );
        }
        let signed = signature(secret, chrono::Utc::now().timestamp(), &body);
        let sent = self
            .client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signed)
            .header(DELIVERY_HEADER, delivery_id)
            .body(body)
            .send()
            .await;
        match sent {
            Ok(response) => {
                let status = response.status();
                let code = Some(i32::from(status.as_u16()));
                if status.is_success() {
                    Sent::accepted(code)
                } else if status.is_redirection() {
                    Sent::failed(
                        code,
                        "the destination answered a redirect, which is not followed",
                    )
                } else {
                    Sent::failed(
                        code,
                        format!("the destination answered HTTP {}", status.as_u16()),
                    )
                }
            }
            Err(e) => Sent::failed(None, words(&e)),
        }
    }
}

/// A transport error in plain words, without the URL reqwest would print.
fn words(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        return "the destination did not answer in time";
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if inner.is::<guard::Internal>() {
            return "the destination address is not allowed (private network)";
        }
        source = inner.source();
    }
    if e.is_connect() {
        "could not connect to the destination"
    } else {
        "the connection to the destination failed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let a = signature(b"whsec_1", 1_700_000_000, b"{\"a\":1}");
        assert!(a.starts_with("t=1700000000,v1="));
        assert_eq!(a.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature(b"whsec_1", 1_700_000_001, b"{\"a\":1}"));
        assert_ne!(a, signature(b"whsec_1", 1_700_000_000, b"{\"a\":2}"));
        assert_ne!(a, signature(b"whsec_2", 1_700_000_000, b"{\"a\":1}"));
        // Known answer: HMAC-SHA256("key", "1.x").
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"1.x");
        assert_eq!(
            signature(b"key", 1, b"x"),
            format!("t=1,v1={}", hex::encode(mac.finalize().into_bytes()))
        );
    }
}
