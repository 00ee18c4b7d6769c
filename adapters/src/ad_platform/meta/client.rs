//! The Graph API transport: one reqwest client, versioned URLs, the token and
//! `appsecret_proof` on every call (paging included; the proof in the query string even on
//! POSTs), usage headers filed per ad account,
//! error envelopes mapped to [`PlatformError`], and the retry policy.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::Sha256;
use url::Url;

use super::config::MetaConfig;
use super::errors::map_graph_error;
use super::usage::{has_usage, parse_usage};
use super::wire::{ErrorEnvelope, Page};
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::usage::Usage;

/// HTTP verb of a Graph call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// Read; parameters in the query string.
    Get,
    /// Create or update; parameters form-encoded.
    Post,
    /// Delete; parameters in the query string.
    Delete,
}

/// What a call does, which decides whether a lost answer may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads (and idempotent writes such as a status change) are retried freely.
    Idempotent,
    /// A create whose answer was lost is never re-sent: it may exist already.
    Create,
}

/// One Graph call.
#[derive(Debug)]
pub struct Call<'a> {
    /// Verb.
    pub verb: Verb,
    /// Path after the version, e.g. `act_1/campaigns`.
    pub path: &'a str,
    /// Parameters (objects already JSON-encoded).
    pub params: Vec<(String, String)>,
    /// Retry class.
    pub effect: Effect,
    /// Ad account number the call is about (for usage filing), without `act_`.
    pub account: Option<&'a str>,
}

/// What Meta said about the API version of its latest answer: the version that actually
/// served it (`facebook-api-version`, which differs from the one asked for when Meta
/// auto-upgraded a call on an expired version) and its `X-Ad-Api-Version-Warning`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionNotice {
    /// The configured version (`META_API_VERSION`).
    pub requested: String,
    /// The version Meta says served the call, when it said.
    pub served: Option<String>,
    /// Meta's version warning, when it gave one.
    pub warning: Option<String>,
}

impl VersionNotice {
    /// Whether Meta answered on another version than the one asked for.
    pub fn upgraded(&self) -> bool {
        self.served
            .as_deref()
            .is_some_and(|served| served != self.requested)
    }
}

/// Longest part of a version warning that goes into a log line.
const MAX_WARNING_CHARS: usize = 300;

/// Most pages followed in one listing; a guard against an endless `next` chain.
const MAX_PAGES: usize = 500;

/// The Graph transport, shared by all tenants.
pub struct GraphClient {
    http: reqwest::Client,
    config: MetaConfig,
    usage: Mutex<HashMap<String, Usage>>,
    version_notice: Mutex<Option<VersionNotice>>,
}

impl GraphClient {
    /// Builds the client once, with its timeouts.
    pub fn new(config: MetaConfig) -> Result<Self, PlatformError> {
        config
            .validate()
            .map_err(|message| PlatformError::Unavailable { message })?;
        let http = crate::http::client_builder(config.connect_timeout, config.request_timeout)
            .build()
            .map_err(|e| PlatformError::Unavailable {
                message: format!("cannot build the HTTP client: {}", e.without_url()),
            })?;
        Ok(Self {
            http,
            config,
            usage: Mutex::new(HashMap::new()),
            version_notice: Mutex::new(None),
        })
    }

    /// What Meta said about the API version of its latest answer that named one.
    pub fn version_notice(&self) -> Option<VersionNotice> {
        self.version_notice.lock().ok()?.clone()
    }

    /// Records `facebook-api-version` and `X-Ad-Api-Version-Warning`, and logs a warning
    /// when Meta upgraded the call or warned about the version (once per distinct notice,
    /// not once per call).
    fn note_version(&self, headers: &reqwest::header::HeaderMap) {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| v.chars().take(MAX_WARNING_CHARS).collect::<String>())
        };
        let served = text("facebook-api-version");
        let warning = text("x-ad-api-version-warning");
        if served.is_none() && warning.is_none() {
            return;
        }
        let notice = VersionNotice {
            requested: self.config.api_version.clone(),
            served,
            warning,
        };
        let Ok(mut last) = self.version_notice.lock() else {
            return;
        };
        if (notice.upgraded() || notice.warning.is_some()) && last.as_ref() != Some(&notice) {
            tracing::warn!(
                requested = %notice.requested,
                served = notice.served.as_deref().unwrap_or("unknown"),
                warning = notice.warning.as_deref().unwrap_or(""),
                "Meta answered on another Marketing API version or warned about it; update META_API_VERSION"
            );
        }
        *last = Some(notice);
    }

    /// The adapter's settings.
    pub fn config(&self) -> &MetaConfig {
        &self.config
    }

    /// The latest usage filed for an ad account number.
    pub fn usage(&self, account: &str) -> Option<Usage> {
        let account = account.strip_prefix("act_").unwrap_or(account);
        self.usage.lock().ok()?.get(account).cloned()
    }

    fn url_for(&self, path: &str) -> Result<Url, PlatformError> {
        let base = self.config.graph_url.as_str().trim_end_matches('/');
        let url = format!(
            "{base}/{}/{}",
            self.config.api_version,
            path.trim_start_matches('/')
        );
        Url::parse(&url).map_err(|e| PlatformError::Unavailable {
            message: format!("bad Graph URL for {path}: {e}"),
        })
    }

    /// `appsecret_proof`: hex HMAC-SHA256 of the token keyed with the app secret.
    fn proof(&self, token: &SecretString) -> Option<String> {
        let secret = self.config.app_secret.as_ref()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()).ok()?;
        mac.update(token.expose_secret().as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }

    /// Makes a call, retrying rate limits and transient failures per the policy.
    pub async fn call(&self, token: &SecretString, call: Call<'_>) -> Result<Value, PlatformError> {
        let url = self.url_for(call.path)?;
        self.call_url(
            token,
            call.verb,
            url,
            &call.params,
            call.effect,
            call.account,
        )
        .await
    }

    /// Makes a call and decodes the answer.
    pub async fn call_as<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        call: Call<'_>,
    ) -> Result<T, PlatformError> {
        let path = call.path.to_owned();
        let value = self.call(token, call).await?;
        decode(value, &path)
    }

    /// GETs an edge and follows `paging.next` until it is absent.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        token: &SecretString,
        path: &str,
        params: Vec<(String, String)>,
        account: Option<&str>,
    ) -> Result<Vec<T>, PlatformError> {
        let mut items = Vec::new();
        let mut url = self.url_for(path)?;
        let mut params = params;
        for _ in 0..MAX_PAGES {
            let value = self
                .call_url(
                    token,
                    Verb::Get,
                    url.clone(),
                    &params,
                    Effect::Idempotent,
                    account,
                )
                .await?;
            let page: Page<T> = decode(value, path)?;
            items.extend(page.data);
            // A page may be empty and still carry `next`: only its absence ends the list.
            let Some(next) = page.paging.and_then(|p| p.next) else {
                return Ok(items);
            };
            url = self.next_url(&next)?;
            // The next link already holds every parameter; ours would duplicate them.
            params = Vec::new();
        }
        Err(PlatformError::Unavailable {
            message: format!("Graph paging of {path} did not end after {MAX_PAGES} pages"),
        })
    }

    /// Checks a `paging.next` link and strips the credentials Meta put in it, so ours
    /// (token and proof) are added exactly once and never sent to another host.
    fn next_url(&self, next: &str) -> Result<Url, PlatformError> {
        let parsed = Url::parse(next).map_err(|_| PlatformError::Unavailable {
            message: "Graph returned an unreadable paging link".to_owned(),
        })?;
        if parsed.origin() != self.config.graph_url.origin() {
            return Err(PlatformError::Unavailable {
                message: "Graph paging link points to another host; not following it".to_owned(),
            });
        }
        let kept: Vec<(String, String)> = parsed
            .query_pairs()
            .filter(|(k, _)| k != "access_token" && k != "appsecret_proof")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut url = parsed;
        url.set_query(None);
        if !kept.is_empty() {
            url.query_pairs_mut().extend_pairs(kept);
        }
        Ok(url)
    }

    async fn call_url(
        &self,
        token: &SecretString,
        verb: Verb,
        url: Url,
        params: &[(String, String)],
        effect: Effect,
        account: Option<&str>,
    ) -> Result<Value, PlatformError> {
        let policy = &self.config.retry;
        let mut attempt = 1;
        loop {
            let result = self
                .send_once(token, verb, url.clone(), params, account)
                .await;
            let err = match result {
                Ok(value) => return Ok(value),
                Err(err) => err,
            };
            if !err.is_retryable() || attempt >= policy.max_attempts {
                return Err(err);
            }
            // A create that may have been applied goes back to the caller, who looks the
            // object up by its tag before anything is sent again.
            if effect == Effect::Create && err.outcome_unknown() {
                return Err(err);
            }
            let backoff = backoff(policy.base_delay, policy.max_delay, attempt);
            let wait = err.retry_after().map_or(backoff, |d| d.max(backoff));
            if wait > policy.max_wait {
                return Err(err);
            }
            tracing::info!(
                class = err.class(),
                attempt,
                wait_ms = wait.as_millis() as u64,
                "retrying Graph call"
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        token: &SecretString,
        verb: Verb,
        mut url: Url,
        params: &[(String, String)],
        account: Option<&str>,
    ) -> Result<Value, PlatformError> {
        let mut auth = vec![("access_token".to_owned(), token.expose_secret().to_owned())];
        if let Some(proof) = self.proof(token) {
            auth.push(("appsecret_proof".to_owned(), proof));
        }
        let request = match verb {
            Verb::Get | Verb::Delete => {
                url.query_pairs_mut()
                    .extend_pairs(params)
                    .extend_pairs(&auth);
                let method = if verb == Verb::Get {
                    reqwest::Method::GET
                } else {
                    reqwest::Method::DELETE
                };
                self.http.request(method, url.clone())
            }
            Verb::Post => {
                // The proof goes in the query string, where Meta's SDKs send it: some
                // endpoints ignore an appsecret_proof in a form body and answer "API calls
                // from the server require an appsecret_proof argument" (they did read the
                // token from the body). The token stays in the form body, so it never sits
                // in a POST URL that a proxy or an access log might keep.
                let mut form = params.to_vec();
                for (key, value) in auth {
                    if key == "appsecret_proof" {
                        url.query_pairs_mut().append_pair(&key, &value);
                    } else {
                        form.push((key, value));
                    }
                }
                self.http.post(url.clone()).form(&form)
            }
        };
        let path = url.path().to_owned();
        let lost = |e: reqwest::Error| transport_error(&e, verb);
        let response = request.send().await.map_err(lost)?;
        let status = response.status().as_u16();
        self.note_version(response.headers());
        let usage = parse_usage(response.headers());
        self.file_usage(account, &usage);
        let body = response.bytes().await.map_err(lost)?;
        tracing::debug!(?verb, path, status, "Graph call");
        let value: Option<Value> = serde_json::from_slice(&body).ok();
        if let Some(envelope) = value
            .as_ref()
            .and_then(|v| serde_json::from_value::<ErrorEnvelope>(v.clone()).ok())
        {
            let regain = usage
                .business
                .iter()
                .filter(|b| Some(b.account.as_str()) == account)
                .find_map(|b| b.regain_access_after)
                .or_else(|| usage.regain_access_after());
            let mut err = map_graph_error(envelope.error, status, regain);
            // Under load Meta applies a write and still answers it with a 5xx or a
            // code 1/2 envelope: for a write, a temporary failure leaves the outcome
            // unknown, and the caller looks before it sends again.
            if verb != Verb::Get
                && let PlatformError::Transient {
                    outcome_unknown, ..
                } = &mut err
            {
                *outcome_unknown = true;
            }
            return Err(err);
        }
        match (status, value) {
            (200..=299, Some(value)) => Ok(value),
            (500..=599, _) => Err(PlatformError::Transient {
                message: format!("Meta answered HTTP {status} without an error body"),
                code: None,
                trace_id: None,
                // The server got the request; a write may have been applied.
                outcome_unknown: verb != Verb::Get,
            }),
            _ => Err(PlatformError::Unavailable {
                message: format!("Meta answered HTTP {status} with an unreadable body"),
            }),
        }
    }

    fn file_usage(&self, account: Option<&str>, usage: &Usage) {
        if !has_usage(usage) {
            return;
        }
        let Ok(mut map) = self.usage.lock() else {
            return;
        };
        let mut accounts: Vec<String> = usage.business.iter().map(|b| b.account.clone()).collect();
        accounts.extend(account.map(str::to_owned));
        accounts.sort();
        accounts.dedup();
        for acc in accounts {
            let entry = map.entry(acc.clone()).or_default();
            if usage.app.is_some() {
                entry.app = usage.app;
            }
            if Some(acc.as_str()) == account && usage.insights.is_some() {
                entry.insights = usage.insights;
            }
            if Some(acc.as_str()) == account && usage.ad_account.is_some() {
                entry.ad_account = usage.ad_account;
            }
            let mine: Vec<_> = usage
                .business
                .iter()
                .filter(|b| b.account == acc)
                .cloned()
                .collect();
            if !mine.is_empty() {
                entry.business = mine;
            }
        }
    }
}

/// Decodes an answer into `T`, naming the path when Meta's shape surprises us.
pub fn decode<T: DeserializeOwned>(value: Value, path: &str) -> Result<T, PlatformError> {
    serde_json::from_value(value).map_err(|e| PlatformError::Unavailable {
        message: format!("unexpected answer from Meta for {path}: {e}"),
    })
}

/// A transport failure. The URL (which holds the token) is never put in the message.
fn transport_error(e: &reqwest::Error, verb: Verb) -> PlatformError {
    // A failed connect never reached Meta, so nothing was applied.
    let sent = !e.is_connect();
    let what = if e.is_timeout() {
        "the request to Meta timed out"
    } else if e.is_connect() {
        "could not connect to Meta"
    } else {
        "the connection to Meta was lost"
    };
    PlatformError::Transient {
        message: what.to_owned(),
        code: None,
        trace_id: None,
        outcome_unknown: sent && verb != Verb::Get,
    }
}

/// Exponential back-off with jitter: base × 2^(attempt-1), capped, then 50–100 % of it.
fn backoff(base: Duration, max: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1_u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(max);
    let jitter: f64 = rand::random_range(0.5..=1.0);
    capped.mul_f64(jitter)
}
