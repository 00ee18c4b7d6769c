//! The Gemini stand-in: `POST /v1beta/models/{model}:generateContent`.
//!
//! It checks the key header (never a `key` query parameter), the model, and that the
//! request asks for JSON with a schema; answers with Gemini's envelopes; and can be told
//! what to answer next (text, block, cut-off) or which fault to inject.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::fault::{self, Fault, FaultAction};

/// A scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum GeminiAnswer {
    /// A candidate whose text is this string, finish reason STOP.
    Text(String),
    /// A blocked prompt (`promptFeedback.blockReason`).
    Blocked(String),
    /// A candidate cut off with this finish reason and no text.
    CutOff(String),
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct GeminiCall {
    /// Request path.
    pub path: String,
    /// Query string, if any (must never hold the key).
    pub query: Option<String>,
    /// Whether `x-goog-api-key` held a known key.
    pub key_ok: bool,
    /// The JSON body.
    pub body: Value,
}

#[derive(Debug, Default)]
struct GeminiWorld {
    keys: Vec<String>,
    models: Vec<String>,
    answers: VecDeque<GeminiAnswer>,
    faults: Vec<Fault>,
    calls: Vec<GeminiCall>,
}

type Shared = Arc<Mutex<GeminiWorld>>;

/// A running Gemini stand-in; stops when dropped.
#[derive(Debug)]
pub struct GeminiStandIn {
    world: Shared,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for GeminiStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The key the stand-in accepts by default.
pub const STAND_IN_KEY: &str = "AIzaStandInKey000000000000000000000000";
/// The model the stand-in knows by default.
pub const STAND_IN_MODEL: &str = "gemini-2.5-flash";

impl GeminiStandIn {
    /// Starts on 127.0.0.1 port 0, knowing [`STAND_IN_KEY`] and [`STAND_IN_MODEL`].
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let world: Shared = Arc::new(Mutex::new(GeminiWorld {
            keys: vec![STAND_IN_KEY.to_owned()],
            models: vec![STAND_IN_MODEL.to_owned()],
            ..GeminiWorld::default()
        }));
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(world.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "Gemini stand-in stopped");
            }
        });
        Ok(Self {
            world,
            base_url,
            task,
        })
    }

    fn world(&self) -> MutexGuard<'_, GeminiWorld> {
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `http://127.0.0.1:<port>`, the value for `GEMINI_BASE_URL`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Queues the next answer (otherwise valid copy is generated from the prompt).
    pub fn push_answer(&self, answer: GeminiAnswer) {
        self.world().answers.push_back(answer);
    }

    /// Queues a fault (`Error` uses its `http_status` and `retry_delay_secs`).
    pub fn inject(&self, fault: Fault) {
        self.world().faults.push(fault);
    }

    /// Requests received so far.
    pub fn calls(&self) -> Vec<GeminiCall> {
        self.world().calls.clone()
    }
}

fn status_name(http: u16) -> &'static str {
    match http {
        400 => "INVALID_ARGUMENT",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    }
}

fn error(http: u16, message: &str, details: Value) -> Response {
    let status = StatusCode::from_u16(http).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({"error": {"code": http, "message": message, "status": status_name(http), "details": details}});
    (status, axum::Json(body)).into_response()
}

fn candidate_text(body: &Value) -> String {
    // Echo a few prompt words so tests can see the brief reached the model.
    let n = body
        .pointer("/contents/0/parts/0/text")
        .and_then(Value::as_str)
        .and_then(|t| t.split_whitespace().nth(1))
        .and_then(|w| w.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, 5);
    let variants: Vec<Value> = (0..n)
        .map(|i| {
            json!({
                "headline": format!("Stand-in headline {}", i + 1),
                "body": "Feel better in four weeks with classes that fit your day.",
                "description": "First class free",
                "callToAction": "SIGN_UP",
            })
        })
        .collect();
    Value::Array(variants).to_string()
}

async fn handle(
    State(world): State<Shared>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let path = uri.path().to_owned();
    let (fault, answer, key_ok, model_ok) = {
        let Ok(mut w) = world.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        let key_ok = headers
            .get("x-goog-api-key")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|k| w.keys.iter().any(|x| x == k));
        let model = path
            .strip_prefix("/v1beta/models/")
            .and_then(|m| m.strip_suffix(":generateContent"))
            .unwrap_or_default()
            .to_owned();
        let model_ok = w.models.contains(&model);
        w.calls.push(GeminiCall {
            path: path.clone(),
            query: uri.query().map(str::to_owned),
            key_ok,
            body: body.clone(),
        });
        let fault = fault::take(&mut w.faults, "POST", &path, &Default::default());
        let answer = if fault.is_none() && key_ok && model_ok {
            w.answers.pop_front()
        } else {
            None
        };
        (fault, answer, key_ok, model_ok)
    };
    // Generating keeps no state, so "applied, then failed" is just the failure.
    let fault = match fault {
        Some(FaultAction::ApplyThen(inner)) => Some(*inner),
        other => other,
    };
    match fault {
        Some(FaultAction::Error {
            http_status,
            message,
            retry_delay_secs,
            ..
        }) => {
            let details = match retry_delay_secs {
                Some(s) => {
                    json!([{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": format!("{s}s")}])
                }
                None => json!([]),
            };
            return error(http_status, &message, details);
        }
        Some(FaultAction::Http500) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        Some(FaultAction::Drop { .. }) => {
            let failing = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "dropped by stand-in",
                ))
            });
            return Response::new(Body::from_stream(failing));
        }
        Some(FaultAction::Slow(d)) => tokio::time::sleep(d).await,
        Some(FaultAction::RateLimit { .. }) => {
            return error(
                429,
                "Resource has been exhausted (e.g. check quota).",
                json!([]),
            );
        }
        Some(FaultAction::ApplyThen(_)) | None => {}
    }
    if !uri.path().ends_with(":generateContent") || !uri.path().starts_with("/v1beta/models/") {
        return error(404, &format!("Method not found: {}", uri.path()), json!([]));
    }
    if !key_ok {
        return error(
            400,
            "API key not valid. Please pass a valid API key.",
            json!([{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]),
        );
    }
    if !model_ok {
        let model = uri
            .path()
            .trim_start_matches("/v1beta/")
            .trim_end_matches(":generateContent");
        return error(
            404,
            &format!(
                "{model} is not found for API version v1beta, or is not supported for generateContent."
            ),
            json!([]),
        );
    }
    let gc = &body["generationConfig"];
    if body
        .pointer("/contents/0/parts/0/text")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return error(
            400,
            "* GenerateContentRequest.contents: contents is not specified",
            json!([]),
        );
    }
    if gc["responseMimeType"] != "application/json" || !gc["responseSchema"].is_object() {
        return error(
            400,
            "The stand-in requires responseMimeType application/json with a responseSchema",
            json!([]),
        );
    }
    let usage =
        json!({"promptTokenCount": 120, "candidatesTokenCount": 210, "totalTokenCount": 330});
    let reply = match answer.unwrap_or_else(|| GeminiAnswer::Text(candidate_text(&body))) {
        GeminiAnswer::Text(text) => {
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": text}]},
            "finishReason": "STOP", "index": 0}], "usageMetadata": usage, "modelVersion": STAND_IN_MODEL})
        }
        GeminiAnswer::Blocked(reason) => {
            json!({"promptFeedback": {"blockReason": reason}, "usageMetadata": usage})
        }
        GeminiAnswer::CutOff(reason) => {
            json!({"candidates": [{"content": {"role": "model", "parts": []},
            "finishReason": reason, "index": 0}], "usageMetadata": usage})
        }
    };
    (StatusCode::OK, axum::Json(reply)).into_response()
}
