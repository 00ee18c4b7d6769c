//! `/graphql` over HTTP, following the GraphQL-over-HTTP specification:
//! content negotiation on `Accept`, request errors answered with 4xx under
//! `application/graphql-response+json`, no mutations over GET, and bounded
//! request bodies. async-graphql-axum's extractor answers every outcome with
//! 200 `application/json`, so this module does the HTTP part itself and hands
//! only the parsed request to the schema.

use std::{collections::BTreeMap, sync::Arc};

use async_graphql::{BatchRequest, ServerError, Value, parser::types::OperationType};
use axum::{
    body::Body,
    extract::{ConnectInfo, RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;

use super::{
    AppState,
    negotiate::{Media, negotiate, not_acceptable},
};
use crate::{
    auth::{Caller, ClientAddr, tokens::bearer},
    error::ErrorCode,
    graphql::{error::coded_error, error::with_code, limits::ExecutionMarker},
};

/// Headers of which one must be present on multipart requests: a browser
/// cannot send them cross-site without a CORS preflight, so a form on another
/// site cannot upload on a signed-in user's behalf.
pub const CSRF_HEADERS: [&str; 2] = ["x-apollo-operation-name", "apollo-require-preflight"];

/// Whether reading a body failed because the client stopped sending it
/// (the router's body timeout), rather than because it was too large.
pub(super) fn stalled(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if e.is::<tower_http::timeout::TimeoutError>()
            || e.is::<super::deadline::BodyDeadlineExceeded>()
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// `POST /graphql`: JSON bodies, or multipart bodies for file uploads.
pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let (media, caller) = match preamble(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();

    let batch = match essence.as_str() {
        "application/json" | "application/graphql-response+json" => {
            let limit = state.config.graphql.max_body_bytes;
            let bytes = match axum::body::to_bytes(body, limit).await {
                Ok(bytes) => bytes,
                Err(e) if stalled(&e) => {
                    return request_error(
                        media,
                        StatusCode::REQUEST_TIMEOUT,
                        "The request body stopped arriving; send it again.".to_owned(),
                        ErrorCode::BadRequest,
                    );
                }
                Err(_) => {
                    return request_error(
                        media,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        format!("The request body is larger than {limit} bytes."),
                        ErrorCode::LimitExceeded,
                    );
                }
            };
            match serde_json::from_slice::<BatchRequest>(&bytes) {
                Ok(batch) => batch,
                Err(e) => {
                    return request_error(
                        media,
                        StatusCode::BAD_REQUEST,
                        format!("The body is not a GraphQL request: {e}"),
                        ErrorCode::BadRequest,
                    );
                }
            }
        }
        "multipart/form-data" => {
            // Uploads are for signed-in callers only: refuse before spooling
            // anything to disk.
            if !matches!(caller, Caller::User(_)) {
                return request_error(
                    media,
                    StatusCode::UNAUTHORIZED,
                    "Sign in before uploading: send `Authorization: Bearer <token>`.".to_owned(),
                    ErrorCode::Unauthenticated,
                );
            }
            if !CSRF_HEADERS.iter().any(|h| headers.contains_key(*h)) {
                return request_error(
                    media,
                    StatusCode::BAD_REQUEST,
                    "Multipart requests must carry an `apollo-require-preflight` or `x-apollo-operation-name` header.".to_owned(),
                    ErrorCode::BadRequest,
                );
            }
            let bounds = super::multipart::Bounds {
                max_operations_bytes: state.config.graphql.max_body_bytes,
                max_file_bytes: state.config.uploads.max_bytes,
                max_files: state.config.uploads.max_files,
            };
            match super::multipart::read(content_type, body, bounds).await {
                Ok(batch) => batch,
                Err(e) => {
                    use super::multipart::MultipartError as E;
                    let (status, code, message) = match e {
                        // A file over the upload limit: the uploader's
                        // mistake, told in the same words as an image the
                        // service refuses for its size.
                        E::FileTooLarge => (
                            StatusCode::PAYLOAD_TOO_LARGE,
                            ErrorCode::BadUserInput,
                            crate::media::MediaError::TooLarge {
                                max_bytes: state.config.uploads.max_bytes,
                            }
                            .to_string(),
                        ),
                        E::TooLarge(words) => (
                            StatusCode::PAYLOAD_TOO_LARGE,
                            ErrorCode::LimitExceeded,
                            words,
                        ),
                        E::Stalled => (
                            StatusCode::REQUEST_TIMEOUT,
                            ErrorCode::BadRequest,
                            "The request body stopped arriving; send it again.".to_owned(),
                        ),
                        E::Malformed(words) => {
                            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest, words)
                        }
                        E::Spool(cause) => {
                            tracing::error!(error = %cause, "spooling an upload failed");
                            (
                                StatusCode::SERVICE_UNAVAILABLE,
                                ErrorCode::Internal,
                                "The upload could not be stored right now; try again.".to_owned(),
                            )
                        }
                    };
                    return request_error(media, status, message, code);
                }
            }
        }
        _ => {
            return request_error(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send GraphQL requests as application/json (or multipart/form-data for uploads)."
                    .to_owned(),
                ErrorCode::BadRequest,
            );
        }
    };
    execute(&state, batch, media, caller, &headers, peer).await
}

/// `GET /graphql?query=…`: queries only; a mutation over GET is refused
/// (GET must be safe to retry and to prefetch).
pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let (media, caller) = match preamble(&state, &headers).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let request = match async_graphql::http::parse_query_string(query.as_deref().unwrap_or("")) {
        Ok(request) => request,
        Err(e) => {
            return request_error(
                media,
                StatusCode::BAD_REQUEST,
                format!("The query string is not a GraphQL request: {e}"),
                ErrorCode::BadRequest,
            );
        }
    };
    if is_mutation(&request) {
        let mut response = request_error(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "Mutations must be sent with POST.".to_owned(),
            ErrorCode::BadRequest,
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    execute(
        &state,
        BatchRequest::Single(request),
        media,
        caller,
        &headers,
        peer,
    )
    .await
}

/// Whether the operation the request would run is a mutation. A document
/// that does not parse is left to the schema, which reports it properly.
fn is_mutation(request: &async_graphql::Request) -> bool {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let wanted = request.operation_name.as_deref();
    doc.operations.iter().any(|(name, op)| {
        let selected = match wanted {
            Some(w) => name.is_some_and(|n| n.as_str() == w),
            None => true,
        };
        selected && op.node.ty == OperationType::Mutation
    })
}

/// What every request settles first: the answer's media type (from
/// `Accept`) and who is calling.
async fn preamble(state: &AppState, headers: &HeaderMap) -> Result<(Media, Caller), Response> {
    let media = negotiate(headers).ok_or_else(not_acceptable)?;
    let caller = caller(state, headers, media).await?;
    Ok((media, caller))
}

/// Who is calling: the bearer token's user, if it is valid.
async fn caller(state: &AppState, headers: &HeaderMap, media: Media) -> Result<Caller, Response> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let Some(token) = value.to_str().ok().and_then(bearer) else {
        return Ok(Caller::Rejected(crate::auth::TokenRejection::Invalid));
    };
    state
        .services
        .identity
        .authenticate(token)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "authenticating a request");
            request_error(
                media,
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::error::INTERNAL_MESSAGE.to_owned(),
                ErrorCode::Internal,
            )
        })
}

async fn execute(
    state: &AppState,
    batch: BatchRequest,
    media: Media,
    caller: Caller,
    headers: &HeaderMap,
    peer: std::net::SocketAddr,
) -> Response {
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    crate::services::audit::REQUEST_ID
        .scope(
            request_id,
            execute_in_scope(state, batch, media, caller, headers, peer),
        )
        .await
}

async fn execute_in_scope(
    state: &AppState,
    batch: BatchRequest,
    media: Media,
    caller: Caller,
    headers: &HeaderMap,
    peer: std::net::SocketAddr,
) -> Response {
    let client = ClientAddr(super::client::client_ip(
        peer,
        headers,
        &state.config.trusted_proxies,
    ));
    let batch = match batch {
        BatchRequest::Single(request) => BatchRequest::Single(request.data(caller).data(client)),
        BatchRequest::Batch(requests) => BatchRequest::Batch(
            requests
                .into_iter()
                .map(|r| r.data(caller.clone()).data(client))
                .collect(),
        ),
    };
    let requests = match batch {
        BatchRequest::Single(request) => vec![request],
        BatchRequest::Batch(requests) => {
            let max = state.config.graphql.max_batch;
            if requests.len() > max {
                return request_error(
                    media,
                    StatusCode::BAD_REQUEST,
                    format!(
                        "The batch holds {} operations; at most {max} are allowed.",
                        requests.len()
                    ),
                    ErrorCode::LimitExceeded,
                );
            }
            if requests.is_empty() {
                return request_error(
                    media,
                    StatusCode::BAD_REQUEST,
                    "The batch is empty.".to_owned(),
                    ErrorCode::BadRequest,
                );
            }
            return execute_batch(state, requests, media).await;
        }
    };
    let mut outcomes = run_all(state, requests).await;
    let Some((response, executed)) = outcomes.pop() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let status = if executed || media == Media::Json {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let body = Envelope::new(&response, executed);
    let mut http = json_response(status, media, &body);
    for (name, value) in response.http_headers.iter() {
        http.headers_mut().append(name, value.clone());
    }
    http
}

async fn execute_batch(
    state: &AppState,
    requests: Vec<async_graphql::Request>,
    media: Media,
) -> Response {
    let outcomes = run_all(state, requests).await;
    let any_executed = outcomes.iter().any(|(_, executed)| *executed);
    let bodies: Vec<Envelope<'_>> = outcomes
        .iter()
        .map(|(response, executed)| Envelope::new(response, *executed))
        .collect();
    let status = if any_executed || media == Media::Json {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    json_response(status, media, &bodies)
}

/// Runs the requests concurrently, each with its own execution marker.
async fn run_all(
    state: &AppState,
    requests: Vec<async_graphql::Request>,
) -> Vec<(async_graphql::Response, bool)> {
    let runs = requests.into_iter().map(|request| {
        let marker = Arc::new(ExecutionMarker::default());
        let request = request.data(marker.clone());
        async move {
            let mut response = state.schema.execute(request).await;
            let executed = marker.executed();
            response.errors = std::mem::take(&mut response.errors)
                .into_iter()
                // The schema's extension codes what async-graphql raised;
                // whatever is left without a code is ours.
                .map(|e| {
                    with_code(
                        e,
                        if executed {
                            ErrorCode::Internal
                        } else {
                            ErrorCode::BadRequest
                        },
                    )
                })
                .collect();
            (response, executed)
        }
    });
    futures_util::future::join_all(runs).await
}

/// The JSON body of one response. `data` is left out when the request never
/// executed, as the specification requires of request errors.
#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

impl<'a> Envelope<'a> {
    fn new(response: &'a async_graphql::Response, executed: bool) -> Self {
        Self {
            data: executed.then_some(&response.data),
            errors: &response.errors,
            extensions: &response.extensions,
        }
    }
}

fn json_response(status: StatusCode, media: Media, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, media.content_type())],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise a GraphQL response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn request_error(media: Media, status: StatusCode, message: String, code: ErrorCode) -> Response {
    let errors = [coded_error(message, code)];
    let extensions = BTreeMap::new();
    let body = Envelope {
        data: None,
        errors: &errors,
        extensions: &extensions,
    };
    // These requests are not well-formed GraphQL-over-HTTP requests, so
    // they keep their 4xx status under either media type.
    json_response(status, media, &body)
}
