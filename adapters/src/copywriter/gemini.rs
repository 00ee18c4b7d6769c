//! Gemini copywriter: `generateContent` with `responseMimeType: application/json` and a
//! `responseSchema`, the key in the `x-goog-api-key` header (never in the URL), bounded
//! retries on 429/500/503/504 honouring `retryDelay`, and validated output.

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};

use super::types::{MAX_BODY, MAX_DESCRIPTION, MAX_HEADLINE};
use super::{AdCopy, CallToAction, CopyBrief, CopyError, Copywriter, check_brief};

/// Default API host.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// Default model (names are retired over time: keep it a setting).
pub const DEFAULT_MODEL: &str = "gemini-2.5-flash";

/// Settings of the Gemini copywriter.
#[derive(Debug, Clone)]
pub struct GeminiConfig {
    /// `GEMINI_BASE_URL`.
    pub base_url: url::Url,
    /// `GEMINI_MODEL`.
    pub model: String,
    /// `GEMINI_API_KEY` (or read from `GEMINI_API_KEY_FILE` by the caller).
    pub api_key: SecretString,
    /// Whole-request timeout.
    pub request_timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// First back-off when the service names no delay.
    pub base_delay: Duration,
    /// Longest wait accepted between attempts; a longer `retryDelay` ends the retries.
    pub max_delay: Duration,
}

impl GeminiConfig {
    /// Settings for `base_url` and `api_key`, defaults for the rest.
    pub fn new(base_url: url::Url, api_key: SecretString) -> Self {
        Self {
            base_url,
            model: DEFAULT_MODEL.to_owned(),
            api_key,
            request_timeout: Duration::from_secs(60),
            max_attempts: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
        }
    }
}

/// The Gemini copywriter; build once and share.
pub struct GeminiCopywriter {
    http: reqwest::Client,
    config: GeminiConfig,
}

impl std::fmt::Debug for GeminiCopywriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeminiCopywriter")
            .field("base_url", &self.config.base_url.as_str())
            .field("model", &self.config.model)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

#[derive(Deserialize)]
struct Variant {
    #[serde(default)]
    headline: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    description: String,
    #[serde(default, rename = "callToAction")]
    call_to_action: String,
}

/// One attempt's failure, and whether another attempt may help.
struct Failure {
    error: CopyError,
    retry: bool,
    wait: Option<Duration>,
}

impl GeminiCopywriter {
    /// Builds the copywriter and its HTTP client.
    pub fn new(config: GeminiConfig) -> Result<Self, CopyError> {
        if config.model.trim().is_empty() || config.model.contains('/') {
            return Err(CopyError::Refused {
                message: format!("invalid GEMINI_MODEL {:?}", config.model),
            });
        }
        let http = crate::http::client_builder(Duration::from_secs(10), config.request_timeout)
            .build()
            .map_err(|e| CopyError::Unavailable {
                message: format!("cannot build the HTTP client: {}", e.without_url()),
            })?;
        Ok(Self { http, config })
    }

    fn endpoint(&self) -> String {
        format!(
            "{}/v1beta/models/{}:generateContent",
            self.config.base_url.as_str().trim_end_matches('/'),
            self.config.model
        )
    }

    fn body(brief: &CopyBrief) -> Value {
        let ctas: Vec<&str> = CallToAction::ALL.iter().map(|c| c.as_str()).collect();
        let prompt = format!(
            "Write {n} distinct Meta (Facebook/Instagram) ad copy variants.\n\
             Business niche: {niche}\nAudience: {audience}\nCampaign objective: {objective}\n\
             Offer: {offer}\nTone: {tone}\n\
             Limits: headline at most {MAX_HEADLINE} characters, body at most {MAX_BODY} \
             characters, description at most {MAX_DESCRIPTION} characters. \
             callToAction must be one of: {ctas}.",
            n = brief.variants,
            niche = brief.niche,
            audience = brief.audience,
            objective = brief.objective.as_str(),
            offer = brief.offer.as_deref().unwrap_or("none"),
            tone = brief.tone.as_deref().unwrap_or("friendly and clear"),
            ctas = ctas.join(", "),
        );
        json!({
            "systemInstruction": {"parts": [{"text":
                "You write short, honest Meta ad copy. No false claims, no all-caps, no emoji spam. Answer with JSON only."}]},
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "generationConfig": {
                "temperature": 0.9,
                "candidateCount": 1,
                "maxOutputTokens": 4096,
                // Thinking tokens count against maxOutputTokens; short copy needs none.
                "thinkingConfig": {"thinkingBudget": 0},
                "responseMimeType": "application/json",
                "responseSchema": {
                    "type": "ARRAY",
                    "items": {
                        "type": "OBJECT",
                        "properties": {
                            "headline": {"type": "STRING"},
                            "body": {"type": "STRING"},
                            "description": {"type": "STRING"},
                            "callToAction": {"type": "STRING", "enum": ctas}
                        },
                        "required": ["headline", "body", "callToAction"]
                    }
                }
            },
            "safetySettings": [
                {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "threshold": "BLOCK_MEDIUM_AND_ABOVE"}
            ]
        })
    }

    async fn attempt(&self, body: &Value, wanted: usize) -> Result<Vec<AdCopy>, Failure> {
        let sent = self
            .http
            .post(self.endpoint())
            .header("x-goog-api-key", self.config.api_key.expose_secret())
            .json(body)
            .send()
            .await;
        let response = sent.map_err(|e| Failure {
            error: CopyError::Unavailable {
                message: if e.is_timeout() {
                    "the request to Gemini timed out".to_owned()
                } else {
                    "could not reach Gemini".to_owned()
                },
            },
            retry: true,
            wait: None,
        })?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|_| Failure {
            error: CopyError::Unavailable {
                message: "the connection to Gemini was lost".to_owned(),
            },
            retry: true,
            wait: None,
        })?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            return Err(self.http_failure(status, &value));
        }
        parse_answer(&value, wanted).map_err(|error| Failure {
            // Unusable JSON or copy may come out right on another try; blocks and cut-offs
            // are reported at once.
            retry: matches!(error, CopyError::InvalidOutput { .. }),
            error,
            wait: None,
        })
    }

    fn http_failure(&self, status: u16, value: &Value) -> Failure {
        let message = value
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("no message")
            .to_owned();
        let reason = value
            .pointer("/error/status")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let fail = |error, retry, wait| Failure { error, retry, wait };
        let key_problem = value
            .pointer("/error/details")
            .and_then(Value::as_array)
            .is_some_and(|d| {
                d.iter()
                    .any(|x| x.get("reason").and_then(Value::as_str) == Some("API_KEY_INVALID"))
            });
        match status {
            400 if key_problem => fail(CopyError::BadKey { message }, false, None),
            401 | 403 => fail(CopyError::BadKey { message }, false, None),
            404 => fail(
                CopyError::UnknownModel {
                    model: self.config.model.clone(),
                    message,
                },
                false,
                None,
            ),
            429 => {
                let wait = retry_delay(value);
                fail(
                    CopyError::RateLimited {
                        retry_after: wait,
                        message,
                    },
                    true,
                    wait,
                )
            }
            500 | 503 | 504 => fail(
                CopyError::Unavailable {
                    message: format!("Gemini answered {status} {reason}: {message}"),
                },
                true,
                None,
            ),
            _ => fail(
                CopyError::Refused {
                    message: format!("{reason}: {message}"),
                },
                false,
                None,
            ),
        }
    }
}

/// The `retryDelay` of a `google.rpc.RetryInfo` detail ("12s", "0.5s").
fn retry_delay(value: &Value) -> Option<Duration> {
    let details = value.pointer("/error/details")?.as_array()?;
    details.iter().find_map(|d| {
        let is_retry_info = d
            .get("@type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.ends_with("google.rpc.RetryInfo"));
        let delay = d.get("retryDelay")?.as_str()?;
        let secs: f64 = delay.strip_suffix('s')?.parse().ok()?;
        (is_retry_info && secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
    })
}

/// Reads a `generateContent` answer into validated copy.
fn parse_answer(value: &Value, wanted: usize) -> Result<Vec<AdCopy>, CopyError> {
    if let Some(reason) = value
        .pointer("/promptFeedback/blockReason")
        .and_then(Value::as_str)
    {
        return Err(CopyError::Blocked {
            reason: reason.to_owned(),
        });
    }
    let candidate = value
        .pointer("/candidates/0")
        .ok_or_else(|| CopyError::InvalidOutput {
            detail: "no candidates in the answer".to_owned(),
        })?;
    let finish = candidate
        .get("finishReason")
        .and_then(Value::as_str)
        .unwrap_or("STOP");
    match finish {
        "STOP" => {}
        "SAFETY" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" => {
            return Err(CopyError::Blocked {
                reason: finish.to_owned(),
            });
        }
        other => {
            return Err(CopyError::CutOff {
                finish_reason: other.to_owned(),
            });
        }
    }
    let text: String = candidate
        .pointer("/content/parts")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let variants: Vec<Variant> =
        serde_json::from_str(text.trim()).map_err(|e| CopyError::InvalidOutput {
            detail: format!("the answer is not the requested JSON: {e}"),
        })?;
    let mut problems = Vec::new();
    let copies: Vec<AdCopy> = variants
        .into_iter()
        .filter_map(|v| {
            let Some(cta) = CallToAction::parse(v.call_to_action.trim()) else {
                problems.push(format!(
                    "call to action {:?} is not allowed",
                    v.call_to_action
                ));
                return None;
            };
            let copy = AdCopy {
                headline: v.headline.trim().to_owned(),
                body: v.body.trim().to_owned(),
                description: v.description.trim().to_owned(),
                call_to_action: cta,
            };
            match copy.validate() {
                Ok(()) => Some(copy),
                Err(p) => {
                    problems.push(p.to_string());
                    None
                }
            }
        })
        .take(wanted)
        .collect();
    if copies.is_empty() {
        return Err(CopyError::InvalidOutput {
            detail: if problems.is_empty() {
                "the answer held no variants".to_owned()
            } else {
                problems.join("; ")
            },
        });
    }
    Ok(copies)
}

#[async_trait]
impl Copywriter for GeminiCopywriter {
    fn name(&self) -> &'static str {
        "gemini"
    }

    async fn write(&self, brief: &CopyBrief) -> Result<Vec<AdCopy>, CopyError> {
        check_brief(brief)?;
        let body = Self::body(brief);
        let mut attempt = 1;
        loop {
            let failure = match self.attempt(&body, usize::from(brief.variants)).await {
                Ok(copies) => return Ok(copies),
                Err(f) => f,
            };
            if !failure.retry || attempt >= self.config.max_attempts {
                return Err(failure.error);
            }
            let backoff = self
                .config
                .base_delay
                .saturating_mul(1 << (attempt - 1).min(8));
            let wait = failure.wait.unwrap_or(backoff);
            if wait > self.config.max_delay {
                return Err(failure.error);
            }
            tracing::info!(attempt, wait_ms = wait.as_millis() as u64, error = %failure.error, "retrying Gemini");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}
