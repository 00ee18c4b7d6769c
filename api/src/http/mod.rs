//! The HTTP surface: routes, shared state and the layers every request passes.

pub mod admission;
mod blobs;
mod client;
mod deadline;
mod graphql;
pub mod h2_idle;
mod health;
mod multipart;
mod negotiate;
pub mod ui;
mod webhooks;
mod ws;
pub mod ws_guard;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Request, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use secrecy::ExposeSecret;
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    set_header::SetResponseHeaderLayer,
    timeout::RequestBodyTimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

pub use graphql::CSRF_HEADERS;

use crate::{config::Config, graphql::AppSchema, metrics::Metrics, services::Services};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What every handler can reach; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub schema: AppSchema,
    pub services: Services,
    pub metrics: Metrics,
    pub config: Arc<Config>,
    /// Flips to `true` when the server starts shutting down, so long-lived
    /// WebSocket connections can close instead of holding the process open.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    /// The subscriptions each user runs over all their sockets.
    pub subscriptions: ws_guard::UserBudget,
    /// Identical subscriptions, evaluated once per event for all of them.
    pub fanout: crate::graphql::fanout::Fanout,
}

/// All routes with their layers.
pub fn router(state: AppState) -> Router {
    let mut routes = Router::new()
        .route(
            "/graphql",
            get(graphql::get).post(graphql::post).layer(
                // Answers are per caller and JSON only: no cache keeps
                // them, no browser guesses another type.
                tower::ServiceBuilder::new()
                    .layer(SetResponseHeaderLayer::overriding(
                        header::CACHE_CONTROL,
                        HeaderValue::from_static("no-store"),
                    ))
                    .layer(SetResponseHeaderLayer::overriding(
                        header::X_CONTENT_TYPE_OPTIONS,
                        HeaderValue::from_static("nosniff"),
                    )),
            ),
        )
        .route("/graphql/ws", get(ws::upgrade))
        .route("/blobs/{*key}", get(blobs::serve))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics))
        .route(
            "/webhooks/meta",
            get(webhooks::handshake).post(webhooks::deliver),
        );
    if state.config.graphql.graphiql {
        let dir = state.config.ui_dir.clone();
        routes = routes.route("/graphiql", get(move || ui::graphiql(dir.clone())));
    }
    // Browsers keep to HTTPS once they reached us over it.
    let hsts =
        tower::util::option_layer((state.config.public_url.scheme() == "https").then(|| {
            SetResponseHeaderLayer::if_not_present(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            )
        }));
    let ui = ui::Ui::from_config(&state.config);
    let body_timeout = state.config.http.body_timeout;
    let body_deadline = state.config.http.body_deadline;
    routes
        .fallback(move |request: Request<axum::body::Body>| ui.clone().serve(request))
        .with_state(state)
        .layer(CatchPanicLayer::custom(panic_response))
        // A client that stops sending its body mid-way loses the request,
        // and so does one that drips it past the deadline.
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(tower::util::MapRequestLayer::new(deadline::with_deadline(
            body_deadline,
        )))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let request_id = request
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "http",
                        request_id,
                        method = %request.method(),
                        path = request.uri().path(),
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::map_request(bound_request_id))
        .layer(hsts)
}

/// `/metrics`: only with the configured bearer token (its counters tell
/// sign-in failures and launches apart); not served without one.
async fn metrics(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(token) = &state.config.metrics.token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::auth::tokens::bearer)
        .unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), token.expose_secret().as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response();
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

/// Compares two secrets in time that depends on their lengths only.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Longest client `X-Request-Id` kept; longer ones are replaced.
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// A client's `X-Request-Id` is echoed and logged, so only a short id of
/// plain characters is kept; anything else is dropped and the server makes
/// its own (a UUID).
async fn bound_request_id(mut request: Request<axum::body::Body>) -> Request<axum::body::Body> {
    let acceptable = request.headers().get(&REQUEST_ID).is_none_or(|value| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID_LEN
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=".contains(b))
    });
    if !acceptable {
        request.headers_mut().remove(&REQUEST_ID);
    }
    request
}

/// A panic is a bug: log it, answer with a fixed message, keep serving.
fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"errors":[{"message":"Internal error.","extensions":{"code":"INTERNAL"}}]}"#,
    )
        .into_response()
}

/// How long a WebSocket may stay silent before the server pings it.
pub(crate) const WS_KEEPALIVE: Duration = Duration::from_secs(30);
