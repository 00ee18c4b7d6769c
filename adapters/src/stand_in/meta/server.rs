//! The stand-in's HTTP entry: parse, record, inject faults, authenticate, route, and add
//! the usage headers every Graph answer carries.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use super::reply::{self, Reply};
use super::world::{RecordedCall, TokenSeed, World};
use super::{creates, reads};
use crate::stand_in::fault::{self, FaultAction};

/// Shared state of one stand-in.
pub type Shared = Arc<Mutex<World>>;

/// A parsed request.
pub struct Req<'a> {
    /// Version segment.
    pub version: &'a str,
    /// Path after the version.
    pub path: &'a str,
    /// Path segments after the version.
    pub segments: Vec<&'a str>,
    /// Merged parameters.
    pub params: &'a BTreeMap<String, String>,
    /// The authenticated token (for a Page token: the user token it came from).
    pub token: TokenSeed,
    /// The Page whose Page access token authenticated the call, if one did.
    pub page_token_of: Option<String>,
}

fn parse_params(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> BTreeMap<String, String> {
    let mut params: BTreeMap<String, String> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let is_form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        // Some Graph endpoints ignore an appsecret_proof in a form body (Meta's SDKs send
        // it in the query string); the stand-in takes it from the query string only.
        params.extend(
            url::form_urlencoded::parse(body)
                .into_owned()
                .filter(|(k, _)| k != "appsecret_proof"),
        );
    }
    params
}

/// The fallback handler serving every path.
pub async fn handle(
    State(world): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = parse_params(&uri, &headers, &body);
    let full = uri.path().trim_start_matches('/');
    let (version, rest) = full.split_once('/').unwrap_or((full, ""));
    let path = format!("/{rest}");
    let method_s = method.as_str().to_owned();
    let fault = {
        let Ok(mut w) = world.lock() else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        w.calls.push(RecordedCall {
            method: method_s.clone(),
            path: path.clone(),
            version: version.to_owned(),
            query: uri.query().unwrap_or_default().to_owned(),
            params: params.clone(),
        });
        let fault = fault::take(&mut w.faults, &method_s, &path, &params);
        // Applied first, then answered as the inner fault says: the caller cannot
        // tell this from a write that never happened.
        match fault {
            Some(FaultAction::ApplyThen(inner)) => {
                let _applied = dispatch(&mut w, &method_s, version, &path, &params);
                Some(*inner)
            }
            other => other,
        }
    };
    let mut reply = match &fault {
        Some(FaultAction::Http500) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response();
        }
        Some(FaultAction::Error {
            http_status,
            code,
            subcode,
            message,
            user_message,
            is_transient,
            ..
        }) => {
            let mut r = reply::graph_error(
                *http_status,
                *code,
                *subcode,
                "OAuthException",
                message,
                user_message.as_deref().map(|m| ("Error", m)),
                None,
            );
            if let (Some(t), Some(obj)) = (
                is_transient,
                r.body.pointer_mut("/error").and_then(|e| e.as_object_mut()),
            ) {
                obj.insert("is_transient".into(), json!(t));
            }
            r
        }
        Some(FaultAction::RateLimit {
            code,
            regain_minutes,
        }) => {
            let account = account_of(&path);
            let mut r = reply::graph_error(
                400,
                *code,
                (*code == 17).then_some(2_446_079),
                "OAuthException",
                &rate_limit_message(*code),
                None,
                None,
            );
            usage_headers(
                &mut r.headers,
                account.as_deref(),
                100.0,
                *regain_minutes,
                &path,
            );
            return finish(r);
        }
        Some(FaultAction::Drop { apply: false }) => return dropped(),
        _ => {
            let Ok(mut w) = world.lock() else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            dispatch(&mut w, &method_s, version, &path, &params)
        }
    };
    let pct = world
        .lock()
        .map(|w| (w.calls.len() as f64).min(60.0))
        .unwrap_or(0.0);
    usage_headers(
        &mut reply.headers,
        account_of(&path).as_deref(),
        pct,
        0,
        &path,
    );
    match fault {
        Some(FaultAction::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            finish(reply)
        }
        Some(FaultAction::Drop { apply: true }) => dropped(),
        _ => finish(reply),
    }
}

fn rate_limit_message(code: i64) -> String {
    match code {
        4 => "(#4) Application request limit reached".to_owned(),
        17 => "(#17) User request limit reached".to_owned(),
        32 => "(#32) Page request limit reached".to_owned(),
        613 => "(#613) There have been too many calls from this ad-account. Please wait a bit and try again.".to_owned(),
        c => format!("(#{c}) There have been too many calls to this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."),
    }
}

fn account_of(path: &str) -> Option<String> {
    path.trim_start_matches('/')
        .split('/')
        .next()
        .and_then(|s| s.strip_prefix("act_"))
        .map(str::to_owned)
}

fn usage_headers(
    headers: &mut Vec<(&'static str, String)>,
    account: Option<&str>,
    pct: f64,
    regain: u32,
    path: &str,
) {
    reply::set_json_header(
        headers,
        "x-app-usage",
        &json!({"call_count": pct, "total_cputime": pct / 2.0, "total_time": pct / 2.0}),
    );
    if let Some(acc) = account {
        let use_case = if path.ends_with("/insights") {
            "ads_insights"
        } else {
            "ads_management"
        };
        reply::set_json_header(
            headers,
            "x-business-use-case-usage",
            &json!({ acc: [{
                "type": use_case, "call_count": pct, "total_cputime": pct / 2.0,
                "total_time": pct / 2.0, "estimated_time_to_regain_access": regain,
                "ads_api_access_tier": "standard_access"
            }]}),
        );
        if use_case == "ads_insights" {
            reply::set_json_header(
                headers,
                "x-fb-ads-insights-throttle",
                &json!({"app_id_util_pct": pct / 2.0, "acc_id_util_pct": pct, "ads_api_access_tier": "standard_access"}),
            );
        }
        reply::set_json_header(
            headers,
            "x-ad-account-usage",
            &json!({"acc_id_util_pct": pct, "reset_time_duration": regain * 60, "ads_api_access_tier": "standard_access"}),
        );
    }
}

fn finish(reply: Reply) -> Response {
    let mut response = (reply.status, axum::Json(reply.body)).into_response();
    for (name, value) in reply.headers {
        if let Ok(v) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// Headers go out, then the body fails: the client sees the connection die mid-answer.
fn dropped() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "dropped by stand-in",
        ))
    });
    Response::new(Body::from_stream(failing))
}

fn parse_version(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.strip_prefix('v')?.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn proof_of(secret: &str, token: &str) -> Option<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(token.as_bytes());
    Some(hex::encode(mac.finalize().into_bytes()))
}

/// Days before a version's end from which its answers carry a warning. Meta's threshold
/// is not documented; this is the stand-in's choice.
const WARN_DAYS: i64 = 90;

/// Endpoints that changed in the versions the stand-in may upgrade across (v24:
/// `is_adset_budget_sharing_enabled`; v25: Advantage+ campaign creation; creates of ad
/// objects generally, per the reference): a call on an expired version gets 2635 there
/// instead of an upgrade.
fn changed_lately(method: &str, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    method == "POST"
        && matches!(
            segments.as_slice(),
            [act, "campaigns" | "adsets" | "adcreatives" | "ads"] if act.starts_with("act_")
        )
}

fn vname((major, minor): (u32, u32)) -> String {
    format!("v{major}.{minor}")
}

/// Meta's version rules: an unknown (future) version is an unknown path; an expired one is
/// auto-upgraded to the oldest served version where the endpoint did not change and refused
/// with 2635 where it did; every answer names the version that served it, with a warning
/// when that version was upgraded or ends soon. The warning texts are the stand-in's own
/// (Meta's exact wording is not documented).
fn version_rule(
    w: &World,
    requested: (u32, u32),
    method: &str,
    path: &str,
) -> Result<Vec<(&'static str, String)>, Reply> {
    if requested > w.latest_version {
        return Err(reply::graph_error(
            400,
            2500,
            None,
            "OAuthException",
            &format!("Unknown path components: {path}"),
            None,
            None,
        ));
    }
    let served = if requested < w.min_version {
        if changed_lately(method, path) {
            return Err(reply::graph_error(
                400,
                2635,
                None,
                "OAuthException",
                &format!(
                    "(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: {}.",
                    vname(w.latest_version)
                ),
                None,
                None,
            ));
        }
        w.min_version
    } else {
        requested
    };
    let mut headers = vec![("facebook-api-version", vname(served))];
    let today = w.today.unwrap_or_else(|| chrono::Utc::now().date_naive());
    if served != requested {
        headers.push((
            "x-ad-api-version-warning",
            format!(
                "{} is no longer available; this call was upgraded to {}. Please update to the latest version: {}.",
                vname(requested),
                vname(served),
                vname(w.latest_version)
            ),
        ));
    } else if let Some(end) = w.version_ends.get(&served)
        && (*end - today).num_days() <= WARN_DAYS
    {
        headers.push((
            "x-ad-api-version-warning",
            format!(
                "{} will stop working on {end}. Please update to the latest version: {}.",
                vname(served),
                vname(w.latest_version)
            ),
        ));
    }
    Ok(headers)
}

/// Version rules, then the authenticated call; the answer names the serving version.
fn dispatch(
    w: &mut World,
    method: &str,
    version: &str,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Reply {
    let Some(v) = parse_version(version) else {
        return reply::graph_error(
            400,
            2500,
            None,
            "OAuthException",
            &format!("Unknown path components: /{version}"),
            None,
            None,
        );
    };
    let version_headers = match version_rule(w, v, method, path) {
        Ok(headers) => headers,
        Err(refused) => return refused,
    };
    let mut answer = authenticated(w, method, version, path, params);
    answer.headers.extend(version_headers);
    answer
}

/// Token and proof checks, then routing.
fn authenticated(
    w: &mut World,
    method: &str,
    version: &str,
    path: &str,
    params: &BTreeMap<String, String>,
) -> Reply {
    let Some(token) = params.get("access_token") else {
        return reply::graph_error(
            400,
            104,
            None,
            "OAuthException",
            "An access token is required to request this resource.",
            None,
            None,
        );
    };
    if let Some(secret) = &w.app_secret {
        match params.get("appsecret_proof") {
            None => {
                return reply::graph_error(
                    400,
                    100,
                    None,
                    "GraphMethodException",
                    "API calls from the server require an appsecret_proof argument",
                    None,
                    None,
                );
            }
            Some(p) if Some(p.as_str()) != proof_of(secret, token).as_deref() => {
                return reply::graph_error(
                    400,
                    100,
                    None,
                    "GraphMethodException",
                    "Invalid appsecret_proof provided in the API argument",
                    None,
                    None,
                );
            }
            Some(_) => {}
        }
    }
    // A Page token carries its user's scopes and failures, for its Page only.
    let (seed, page_token_of) = match (w.tokens.get(token), w.page_tokens.get(token)) {
        (Some(seed), _) => (Some(seed.clone()), None),
        (None, Some(pt)) => (
            w.tokens.get(&pt.user_token).cloned(),
            Some(pt.page_id.clone()),
        ),
        (None, None) => (None, None),
    };
    let Some(seed) = seed else {
        return reply::graph_error(
            400,
            190,
            None,
            "OAuthException",
            "Invalid OAuth access token - Cannot parse access token",
            None,
            None,
        );
    };
    if let Some((code, subcode, message)) = &seed.failure {
        let user = (*subcode == Some(459)).then_some((
            "Please log into www.facebook.com",
            "You must log in to Facebook and follow the instructions given.",
        ));
        return reply::graph_error(400, *code, *subcode, "OAuthException", message, user, None);
    }
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(acc) = segments.first().and_then(|s| s.strip_prefix("act_"))
        && (!w.accounts.contains_key(acc) || !seed.accounts.iter().any(|a| a == acc))
    {
        return reply::missing(method, segments.first().copied().unwrap_or_default());
    }
    if method != "GET" && !seed.scopes.iter().any(|s| s == "ads_management") {
        return reply::graph_error(
            400,
            200,
            None,
            "OAuthException",
            "(#200) Ad account owner has NOT grant ads_management or ads_read permission",
            None,
            None,
        );
    }
    let req = Req {
        version,
        path,
        segments,
        params,
        token: seed,
        page_token_of,
    };
    match method {
        "GET" => reads::get(w, &req),
        "POST" => creates::post(w, &req),
        "DELETE" => creates::delete(w, &req),
        _ => reply::graph_error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) Unsupported method",
            None,
            None,
        ),
    }
}
