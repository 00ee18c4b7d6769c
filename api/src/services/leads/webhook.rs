//! Meta's `leadgen` webhook (reference §10.5–§10.7): the subscription
//! handshake, the signature check over the raw body before anything is
//! parsed, and one durable fetch job per `leadgen_id`.
//!
//! Meta retries a delivery it did not see answered for up to 36 hours and
//! batches several changes per POST, so the fetch jobs are deduplicated by
//! lead id in the queue: a lead pinged twice, or by two concurrent
//! deliveries, is fetched and stored once.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::{
    error::AppError,
    jobs::{JobQueue, NewJob},
};

/// The job kind of a lead fetch.
pub const KIND: &str = "fetch_lead";

/// Attempts a fetch gets (rate limits and outages of Meta).
pub const FETCH_ATTEMPTS: i32 = 8;

/// The largest delivery accepted. Meta sends at most 1000 changes of a few
/// hundred bytes each.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// Why a webhook request is refused. No variant carries request content.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The handshake or the signature cannot be checked: the setting is
    /// missing (never accept what cannot be verified).
    #[error("webhooks are not configured on this server")]
    NotConfigured,
    /// Wrong mode or verify token in the handshake.
    #[error("the handshake does not match")]
    Handshake,
    /// Missing or wrong `X-Hub-Signature-256`.
    #[error("the signature is missing or wrong")]
    Signature,
    /// Signed, but not a payload of the shape Meta sends.
    #[error("the payload is not a Meta webhook delivery")]
    Malformed,
    /// The queue could not take the fetches; Meta will deliver again.
    #[error("the deliveries cannot be queued")]
    Queue(#[source] AppError),
}

/// The webhook's settings.
#[derive(Clone, Default)]
pub struct WebhookSettings {
    pub verify_token: Option<SecretString>,
    pub app_secret: Option<SecretString>,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings").finish_non_exhaustive()
    }
}

/// One lead Meta announced: ids only, never answers. Ids arrive as numbers
/// or strings and are kept as strings (17 digits overflow an f64).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadPing {
    pub leadgen_id: String,
    pub page_id: Option<String>,
    pub form_id: Option<String>,
    pub ad_id: Option<String>,
    /// Unix seconds.
    pub created_time: Option<i64>,
}

/// Answers the handshake: the challenge when the mode is `subscribe` and
/// the token is ours.
pub fn handshake(
    settings: &WebhookSettings,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
) -> Result<String, WebhookError> {
    let ours = settings
        .verify_token
        .as_ref()
        .ok_or(WebhookError::NotConfigured)?;
    let (Some("subscribe"), Some(token), Some(challenge)) = (mode, token, challenge) else {
        return Err(WebhookError::Handshake);
    };
    if !constant_time_eq(token.as_bytes(), ours.expose_secret().as_bytes()) {
        return Err(WebhookError::Handshake);
    }
    // Echo only what a challenge can be, so the answer cannot carry markup.
    if challenge.is_empty()
        || challenge.len() > 128
        || !challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(WebhookError::Handshake);
    }
    Ok(challenge.to_owned())
}

/// Checks `X-Hub-Signature-256: sha256=<hex>` over the raw body with the app
/// secret, in constant time.
pub fn verify_signature(
    settings: &WebhookSettings,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let secret = settings
        .app_secret
        .as_ref()
        .ok_or(WebhookError::NotConfigured)?;
    let hex_sig = header
        .and_then(|h| h.trim().strip_prefix("sha256="))
        .ok_or(WebhookError::Signature)?;
    let expected = hex::decode(hex_sig).map_err(|_| WebhookError::Signature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .map_err(|_| WebhookError::NotConfigured)?;
    mac.update(body);
    mac.verify_slice(&expected)
        .map_err(|_| WebhookError::Signature)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Compare MACs of both under a throwaway key: equal-length digests,
    // compared by `verify_slice` in constant time.
    let key = b"leadforge-compare";
    let (Ok(mut x), Ok(mut y)) = (
        Hmac::<Sha256>::new_from_slice(key),
        Hmac::<Sha256>::new_from_slice(key),
    ) else {
        return false;
    };
    x.update(a);
    y.update(b);
    x.verify_slice(&y.finalize().into_bytes()).is_ok()
}

#[derive(Deserialize)]
struct Delivery {
    object: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    id: Option<Id>,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Change {
    field: String,
    #[serde(default)]
    value: Option<ChangeValue>,
}

#[derive(Deserialize)]
struct ChangeValue {
    leadgen_id: Option<Id>,
    #[serde(default)]
    page_id: Option<Id>,
    #[serde(default)]
    form_id: Option<Id>,
    #[serde(default)]
    ad_id: Option<Id>,
    #[serde(default)]
    created_time: Option<i64>,
}

/// An id Meta writes as a number or a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(serde_json::Number),
}

impl Id {
    fn text(self) -> Option<String> {
        let s = match self {
            Id::Text(s) => s,
            Id::Number(n) => n.to_string(),
        };
        let s = s.trim().to_owned();
        (!s.is_empty() && s != "0" && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_digit()))
            .then_some(s)
    }
}

/// The leads a (verified) delivery announces; other fields are ignored.
pub fn parse(body: &[u8]) -> Result<Vec<LeadPing>, WebhookError> {
    let delivery: Delivery = serde_json::from_slice(body).map_err(|_| WebhookError::Malformed)?;
    if delivery.object != "page" {
        return Ok(Vec::new());
    }
    let mut pings = Vec::new();
    for entry in delivery.entry {
        let entry_page = entry.id.and_then(Id::text);
        for change in entry.changes {
            if change.field != "leadgen" {
                continue;
            }
            let Some(value) = change.value else { continue };
            let Some(leadgen_id) = value.leadgen_id.and_then(Id::text) else {
                continue;
            };
            pings.push(LeadPing {
                leadgen_id,
                page_id: value.page_id.and_then(Id::text).or(entry_page.clone()),
                form_id: value.form_id.and_then(Id::text),
                ad_id: value.ad_id.and_then(Id::text),
                created_time: value.created_time,
            });
        }
    }
    Ok(pings)
}

/// The fetch job of one announced lead; its key names the lead, so a lead
/// has one fetch however often it is announced.
pub fn fetch_job(ping: &LeadPing) -> Result<NewJob, AppError> {
    Ok(NewJob {
        queue: crate::jobs::queue::QUEUE,
        kind: KIND,
        payload: serde_json::to_value(ping).map_err(AppError::internal)?,
        tenant: None,
        dedupe_key: format!("lead:meta_ads:{}", ping.leadgen_id),
        max_attempts: FETCH_ATTEMPTS,
    })
}

/// Verifies a delivery, then enqueues one fetch per new lead id; how many
/// were new.
pub async fn accept(
    settings: &WebhookSettings,
    queue: &JobQueue,
    db: &sea_orm::DatabaseConnection,
    signature: Option<&str>,
    body: &[u8],
) -> Result<usize, WebhookError> {
    verify_signature(settings, signature, body)?;
    let pings = parse(body)?;
    let mut added = 0;
    for ping in &pings {
        let job = fetch_job(ping).map_err(WebhookError::Queue)?;
        if queue.enqueue(db, job).await.map_err(WebhookError::Queue)? {
            added += 1;
        }
    }
    if added > 0 {
        queue.announce().await;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> WebhookSettings {
        WebhookSettings {
            verify_token: Some(SecretString::from("verify-me")),
            app_secret: Some(SecretString::from("app-secret")),
        }
    }

    fn sign(body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"app-secret").unwrap();
        mac.update(body);
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn handshake_echoes_the_challenge_for_our_token_only() {
        let s = settings();
        assert_eq!(
            handshake(&s, Some("subscribe"), Some("verify-me"), Some("1158201444")).unwrap(),
            "1158201444"
        );
        assert!(handshake(&s, Some("subscribe"), Some("nope"), Some("1")).is_err());
        assert!(handshake(&s, Some("unsubscribe"), Some("verify-me"), Some("1")).is_err());
        assert!(handshake(&s, Some("subscribe"), Some("verify-me"), Some("<script>")).is_err());
        assert!(matches!(
            handshake(
                &WebhookSettings::default(),
                Some("subscribe"),
                Some(""),
                Some("1")
            ),
            Err(WebhookError::NotConfigured)
        ));
    }

    #[test]
    fn signatures_are_checked_over_the_raw_body() {
        let s = settings();
        let body = br#"{"object":"page","entry":[]}"#;
        assert!(verify_signature(&s, Some(&sign(body)), body).is_ok());
        assert!(verify_signature(&s, Some(&sign(b"other")), body).is_err());
        assert!(verify_signature(&s, None, body).is_err());
        assert!(verify_signature(&s, Some("sha256=zz"), body).is_err());
        let unsigned = WebhookSettings {
            verify_token: None,
            app_secret: None,
        };
        assert!(matches!(
            verify_signature(&unsigned, Some(&sign(body)), body),
            Err(WebhookError::NotConfigured)
        ));
    }

    #[test]
    fn ids_as_numbers_or_strings_and_organic_leads() {
        let body = br#"{"object":"page","entry":[{"id":"5001","time":1,"changes":[
            {"field":"leadgen","value":{"leadgen_id":44444444444444444,"page_id":5001,"form_id":"6001","ad_id":0,"created_time":1700000000}},
            {"field":"feed","value":{}},
            {"field":"leadgen","value":{"leadgen_id":"123","ad_id":"120000000000000001"}}]}]}"#;
        let pings = parse(body).unwrap();
        assert_eq!(pings.len(), 2);
        assert_eq!(pings[0].leadgen_id, "44444444444444444");
        assert_eq!(pings[0].ad_id, None);
        assert_eq!(pings[1].page_id.as_deref(), Some("5001"));
        assert!(parse(b"not json").is_err());
    }
}
