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
    multipart::{self, MultipartError, MultipartLimits},
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

/// A JSON body that is not a GraphQL request, said in plain words (serde's
/// own messages name Rust types: "untagged enum BatchRequest").
pub(super) fn json_problem(error: &serde_json::Error, what: &str) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io
            if error.to_string().starts_with("recursion limit exceeded") =>
        {
            format!("{what} nests too deeply.")
        }
        Category::Syntax | Category::Eof | Category::Io => format!(
            "{what} is not valid JSON (line {}, column {}).",
            error.line(),
            error.column()
        ),
        Category::Data => format!(
            "{what} is not a GraphQL request: send a JSON object with a `query` string and optional `variables` object and `operationName`, or a list of them."
        ),
    }
}

/// The answer to a refused multipart request.
fn multipart_error(media: Media, error: MultipartError, limits: MultipartLimits) -> Response {
    let (status, code, message) = match error {
        MultipartError::PartTooLarge { part, limit } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::LimitExceeded,
            format!("The `{part}` part is larger than {limit} bytes."),
        ),
        // The uploader's mistake, told in the same words as an image the
        // service refuses for its size.
        MultipartError::FileTooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            crate::media::MediaError::TooLarge {
                max_bytes: limits.file_bytes,
            }
            .to_string(),
        ),
        MultipartError::TooMuch(message) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::LimitExceeded,
            message,
        ),
        MultipartError::Stalled => (
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::BadRequest,
            "The request body stopped arriving; send it again.".to_owned(),
        ),
        MultipartError::NotAnUpload { part, variable } => {
            let error = coded_error(
                format!(
                    "The file part `{part}` is mapped to `${variable}`, which is not declared `Upload`; files can only be sent to `Upload` variables."
                ),
                ErrorCode::BadUserInput,
            );
            let mut error = error;
            if let Some(ext) = error.extensions.as_mut() {
                ext.set("field", variable);
            }
            return errors_response(media, StatusCode::BAD_REQUEST, vec![error]);
        }
        MultipartError::Malformed(message) => {
            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
        }
        MultipartError::Io(e) => {
            tracing::error!(error = %e, "spooling an upload");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                crate::error::INTERNAL_MESSAGE.to_owned(),
            )
        }
    };
    request_error(media, status, message, code)
}

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
                        json_problem(&e, "The body"),
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
            let limits = MultipartLimits {
                json_bytes: state.config.graphql.max_body_bytes as u64,
                file_bytes: state.config.uploads.max_bytes,
                files: state.config.uploads.max_files,
            };
            match multipart::receive(content_type, body, limits).await {
                Ok(batch) => batch,
                Err(e) => return multipart_error(media, e, limits),
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

/// Whether the operation the request would run is a mutation.
fn is_mutation(request: &async_graphql::Request) -> bool {
    operation_types(request).contains(&OperationType::Mutation)
}

/// The types of the operations the request may run (the named one, or every
/// one when none is named). A document that does not parse gives none and
/// is left to the schema, which reports it properly.
fn operation_types(request: &async_graphql::Request) -> Vec<OperationType> {
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return Vec::new();
    };
    let wanted = request.operation_name.as_deref();
    doc.operations
        .iter()
        .filter(|(name, _)| match wanted {
            Some(w) => name.is_some_and(|n| n.as_str() == w),
            None => true,
        })
        .map(|(_, op)| op.node.ty)
        .collect()
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
            // Well-formed requests refused before execution: 4xx only under
            // the media type that says so (GraphQL over HTTP, as for a
            // request that fails validation).
            let refused = if media == Media::Json {
                StatusCode::OK
            } else {
                StatusCode::BAD_REQUEST
            };
            if requests.len() > max {
                return request_error(
                    media,
                    refused,
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
                    refused,
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
        // A subscription needs a socket: say where it is, as a request error.
        let subscription = operation_types(&request).contains(&OperationType::Subscription);
        let request = request.data(marker.clone());
        async move {
            if subscription {
                let response = async_graphql::Response::from_errors(vec![coded_error(
                    "Subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws or graphql-ws), not over HTTP.",
                    ErrorCode::BadRequest,
                )]);
                return (response, false);
            }
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
    errors_response(media, status, vec![coded_error(message, code)])
}

fn errors_response(media: Media, status: StatusCode, errors: Vec<ServerError>) -> Response {
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
