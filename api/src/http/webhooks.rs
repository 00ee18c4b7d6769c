//! `/webhooks/meta`: Meta's `leadgen` webhook. `GET` answers the
//! subscription handshake; `POST` checks the signature over the raw bytes
//! before anything is parsed, queues one fetch per lead and answers at once
//! (Meta re-delivers what is not answered quickly).

use axum::{
    body::Body,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::AppState;
use crate::services::leads::webhook::{MAX_BODY_BYTES, WebhookError};

/// The handshake's query (`hub.mode`, `hub.verify_token`, `hub.challenge`).
#[derive(Deserialize)]
pub struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `GET /webhooks/meta`.
pub async fn handshake(State(state): State<AppState>, Query(q): Query<Handshake>) -> Response {
    match state.services.leads.handshake(
        q.mode.as_deref(),
        q.verify_token.as_deref(),
        q.challenge.as_deref(),
    ) {
        Ok(challenge) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        Err(e) => refusal(&e),
    }
}

/// `POST /webhooks/meta`.
pub async fn deliver(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    // Bounded before it is read whole; nothing of it is parsed until the
    // signature over these exact bytes holds.
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    match state.services.leads.accept_webhook(signature, &bytes).await {
        Ok(queued) => {
            tracing::info!(queued, "Meta leadgen delivery accepted");
            StatusCode::OK.into_response()
        }
        Err(e) => refusal(&e),
    }
}

fn refusal(e: &WebhookError) -> Response {
    let status = match e {
        WebhookError::NotConfigured | WebhookError::Handshake => StatusCode::FORBIDDEN,
        WebhookError::Signature => StatusCode::UNAUTHORIZED,
        WebhookError::Malformed => StatusCode::BAD_REQUEST,
        WebhookError::Queue(cause) => {
            tracing::warn!(error = %cause, "a Meta leadgen delivery could not be queued; Meta will deliver it again");
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    tracing::info!(status = status.as_u16(), reason = %e, "Meta webhook request refused");
    status.into_response()
}
