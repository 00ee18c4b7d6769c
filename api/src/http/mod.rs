//! The HTTP surface: routes, shared state and the layers every request passes.

pub mod admission;
mod blobs;
mod client;
mod deadline;
mod graphql;
mod health;
mod multipart;
mod negotiate;
pub mod ui;
mod ws;
pub mod ws_guard;

use std::{sync::Arc, time::Duration};

use axum::{
    Router,
    http::{HeaderName, Request, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
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
}

/// All routes with their layers.
pub fn router(state: AppState) -> Router {
    let mut routes = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/graphql/ws", get(ws::upgrade))
        .route("/blobs/{*key}", get(blobs::serve))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics));
    if state.config.graphql.graphiql {
        routes = routes.route("/graphiql", get(graphiql));
    }
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
}

async fn graphiql() -> Html<String> {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Leadforge GraphiQL")
            .finish(),
    )
}

async fn metrics(axum::extract::State(state): axum::extract::State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
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
