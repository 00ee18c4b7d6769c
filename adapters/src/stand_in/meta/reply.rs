//! Answers: Graph error envelopes, usage headers and cursor paging.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::{Value, json};

/// A stand-in answer before headers are added.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: StatusCode,
    /// JSON body.
    pub body: Value,
    /// Extra headers (name, value), kept small so `Result<_, Reply>` stays cheap.
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// 200 with a body.
    pub fn ok(body: Value) -> Self {
        Self {
            status: StatusCode::OK,
            body,
            headers: Vec::new(),
        }
    }
}

/// Graph's error envelope. `fbtrace_id` is fixed-shape but unique per answer.
pub fn graph_error(
    http: u16,
    code: i64,
    subcode: Option<i64>,
    kind: &str,
    message: &str,
    user: Option<(&str, &str)>,
    blame: Option<&str>,
) -> Reply {
    let mut error = json!({
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": format!("AStandIn{}", rand::random::<u32>()),
        "is_transient": matches!(code, 1 | 2 | 17),
    });
    if let Some(obj) = error.as_object_mut() {
        if let Some(sub) = subcode {
            obj.insert("error_subcode".into(), json!(sub));
        }
        if let Some((title, msg)) = user {
            obj.insert("error_user_title".into(), json!(title));
            obj.insert("error_user_msg".into(), json!(msg));
        }
        if let Some(field) = blame {
            // Marketing errors carry error_data as a JSON *string*.
            let data = json!({ "blame_field_specs": [[field]] }).to_string();
            obj.insert("error_data".into(), json!(data));
        }
    }
    Reply {
        status: StatusCode::from_u16(http).unwrap_or(StatusCode::BAD_REQUEST),
        body: json!({ "error": error }),
        headers: Vec::new(),
    }
}

/// `(#100) …` invalid parameter.
pub fn invalid(
    message: &str,
    subcode: Option<i64>,
    blame: Option<&str>,
    user: Option<(&str, &str)>,
) -> Reply {
    graph_error(
        400,
        100,
        subcode,
        "OAuthException",
        &format!("(#100) {message}"),
        user,
        blame,
    )
}

/// 100/33: the object does not exist or cannot be used.
pub fn missing(method: &str, id: &str) -> Reply {
    let verb = if method == "POST" { "post" } else { "get" };
    graph_error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!(
            "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ),
        None,
        None,
    )
}

/// Sets a header to a JSON value.
pub fn set_json_header(
    headers: &mut Vec<(&'static str, String)>,
    name: &'static str,
    value: &Value,
) {
    headers.retain(|(n, _)| *n != name);
    headers.push((name, value.to_string()));
}

/// One page of `items` with Meta's paging object. The `next` link repeats the request's
/// parameters and carries the access token (as Meta's do) but not `appsecret_proof`.
pub fn paged(
    items: Vec<Value>,
    params: &BTreeMap<String, String>,
    base_url: &str,
    version: &str,
    path: &str,
    default_limit: usize,
    empty_first_page: bool,
) -> Value {
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(default_limit);
    let cursor = params.get("after").map(String::as_str);
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let decoded = cursor
        .and_then(|c| engine.decode(c).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let (start, page_len) = match (cursor, decoded.as_deref()) {
        (None, _) if empty_first_page && !items.is_empty() => (0, 0),
        (None, _) => (0, limit),
        (Some(_), Some(d)) => (
            d.strip_prefix("offset:")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
            limit,
        ),
        (Some(_), None) => (usize::MAX, 0),
    };
    if start == usize::MAX {
        return json!({"error": "bad cursor"});
    }
    let end = (start + page_len).min(items.len());
    let data: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut paging = json!({
        "cursors": {
            "before": engine.encode(format!("offset:{start}")),
            "after": engine.encode(format!("offset:{end}")),
        }
    });
    if end < items.len() || (page_len == 0 && !items.is_empty()) {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            if k != "after" && k != "appsecret_proof" {
                q.append_pair(k, v);
            }
        }
        q.append_pair("after", &engine.encode(format!("offset:{end}")));
        let url = format!("{base_url}/{version}{path}?{}", q.finish());
        if let Some(obj) = paging.as_object_mut() {
            obj.insert("next".into(), json!(url.to_string()));
        }
    }
    json!({ "data": data, "paging": paging })
}
