//! POST and DELETE routes of the Meta stand-in, with the request checks the reference
//! describes (each rejection uses the code, subcode and text the reference gives, or a
//! Graph-shaped invented text where the reference has none).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::reply::{self, Reply};
use super::server::Req;
use super::world::{Stored, World};
use super::{validate_adset, validate_creative};

/// ODAX objectives, the only ones accepted for new campaigns since v17.
pub const ODAX: &[&str] = &[
    "OUTCOME_APP_PROMOTION",
    "OUTCOME_AWARENESS",
    "OUTCOME_ENGAGEMENT",
    "OUTCOME_LEADS",
    "OUTCOME_SALES",
    "OUTCOME_TRAFFIC",
];
const SPECIAL_AD_CATEGORIES: &[&str] = &[
    "CREDIT",
    "EMPLOYMENT",
    "FINANCIAL_PRODUCTS_SERVICES",
    "HOUSING",
    "ISSUES_ELECTIONS_POLITICS",
    "NONE",
    "ONLINE_GAMBLING_AND_GAMING",
];

/// Routes a POST.
pub fn post(w: &mut World, req: &Req<'_>) -> Reply {
    match req.segments.as_slice() {
        [act, edge] if act.starts_with("act_") => {
            let n = act.trim_start_matches("act_").to_owned();
            let validate_only = match req.params.get("execution_options") {
                None => false,
                Some(eo) => match serde_json::from_str::<Vec<String>>(eo) {
                    Ok(opts) => opts.iter().any(|o| o == "validate_only"),
                    Err(_) => {
                        return reply::invalid(
                            "Param execution_options must be a JSON array",
                            None,
                            Some("execution_options"),
                            None,
                        );
                    }
                },
            };
            let checked = match *edge {
                "adimages" => return image(w, &n, req.params),
                "campaigns" => campaign(req.params),
                "adsets" => validate_adset::check(w, &n, req),
                "adcreatives" => validate_creative::creative(w, &n, req),
                "ads" => validate_creative::ad(w, &n, req.params),
                other => {
                    return reply::graph_error(
                        400,
                        2500,
                        None,
                        "OAuthException",
                        &format!("Unknown path components: /{other}"),
                        None,
                        None,
                    );
                }
            };
            let kind = match checked {
                Ok(kind) => kind,
                Err(r) => return r,
            };
            if validate_only {
                return Reply::ok(json!({"success": true}));
            }
            let id = w.new_id();
            let fields: BTreeMap<String, Value> = req
                .params
                .iter()
                .filter(|(k, _)| *k != "access_token" && *k != "appsecret_proof")
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::from_str(v).unwrap_or_else(|_| json!(v)),
                    )
                })
                .collect();
            // Strings that happen to parse as JSON numbers (names, ids) stay strings.
            let fields = fields
                .into_iter()
                .map(|(k, v)| match (&v, req.params.get(&k)) {
                    (Value::Number(_) | Value::Bool(_), Some(raw))
                        if k == "name" || k.ends_with("_id") =>
                    {
                        (k, json!(raw))
                    }
                    _ => (k, v),
                })
                .collect();
            let status = req
                .params
                .get("status")
                .cloned()
                .unwrap_or_else(|| "PAUSED".to_owned());
            w.objects.insert(
                id.clone(),
                Stored {
                    kind,
                    account: n,
                    fields,
                    status,
                    verdict: None,
                    created: std::time::Instant::now(),
                },
            );
            Reply::ok(json!({"id": id}))
        }
        [id] => update(w, req, id),
        // Graph answers a create on something that is not an `act_` account (a bare
        // account number, say) with "object does not exist": 100/33.
        [id, _] => reply::missing("POST", id),
        _ => reply::graph_error(
            400,
            2500,
            None,
            "OAuthException",
            &format!("Unknown path components: {}", req.path),
            None,
            None,
        ),
    }
}

/// Routes a DELETE.
pub fn delete(w: &mut World, req: &Req<'_>) -> Reply {
    match req.segments.as_slice() {
        [id] => match w.objects.get_mut(*id) {
            Some(o) if req.token.accounts.contains(&o.account) && o.status != "DELETED" => {
                o.status = "DELETED".to_owned();
                Reply::ok(json!({"success": true}))
            }
            _ => reply::missing("POST", id),
        },
        _ => reply::graph_error(
            400,
            2500,
            None,
            "OAuthException",
            &format!("Unknown path components: {}", req.path),
            None,
            None,
        ),
    }
}

fn update(w: &mut World, req: &Req<'_>, id: &str) -> Reply {
    let Some(o) = w
        .objects
        .get_mut(id)
        .filter(|o| req.token.accounts.contains(&o.account) && o.status != "DELETED")
    else {
        return reply::missing("POST", id);
    };
    if let Some(status) = req.params.get("status") {
        if !["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"].contains(&status.as_str()) {
            return reply::invalid(
                "Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}",
                None,
                Some("status"),
                None,
            );
        }
        o.status = status.clone();
    }
    Reply::ok(json!({"success": true}))
}

/// Whether a budget parameter is a plain non-negative integer.
pub fn is_integer(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c.is_ascii_digit())
}

pub fn require<'p>(params: &'p BTreeMap<String, String>, key: &str) -> Result<&'p str, Reply> {
    params
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            reply::invalid(
                &format!("The parameter {key} is required"),
                None,
                Some(key),
                None,
            )
        })
}

pub fn status_param(params: &BTreeMap<String, String>) -> Result<(), Reply> {
    // Strict: Leadforge always sends status explicitly; only ACTIVE/PAUSED on create.
    let s = require(params, "status")?;
    if s == "ACTIVE" || s == "PAUSED" {
        Ok(())
    } else {
        Err(reply::invalid(
            "Param status must be one of {ACTIVE, PAUSED} on create",
            None,
            Some("status"),
            None,
        ))
    }
}

fn image(w: &mut World, n: &str, params: &BTreeMap<String, String>) -> Reply {
    let bytes = params
        .get("bytes")
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        return reply::invalid(
            "Error processing image",
            Some(1_487_197),
            Some("bytes"),
            Some((
                "Error processing image",
                "There was a problem processing the image for the ad.",
            )),
        );
    };
    let hash = hex::encode(&Sha256::digest(&bytes)[..16]);
    if !w.images.iter().any(|(a, h)| a == n && *h == hash) {
        w.images.push((n.to_owned(), hash.clone()));
    }
    let url = format!("{}/stand-in-images/{hash}.png", w.base_url);
    Reply::ok(json!({"images": {"bytes": {"hash": hash, "url": url}}}))
}

/// A campaign with a special ad category must say which countries it is
/// declared for (`special_ad_category_country`, a JSON array of ISO codes).
fn category_countries(params: &BTreeMap<String, String>) -> Result<(), Reply> {
    let bad = |msg: &str| {
        reply::invalid(
            msg,
            None,
            Some("special_ad_category_country"),
            Some((
                "Country required for special ad category",
                "Choose the countries where your special ad category ads will run.",
            )),
        )
    };
    let Some(raw) = params.get("special_ad_category_country") else {
        return Err(bad(
            "The parameter special_ad_category_country is required when special_ad_categories is set",
        ));
    };
    match serde_json::from_str::<Vec<String>>(raw) {
        Ok(list)
            if !list.is_empty()
                && list
                    .iter()
                    .all(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase())) =>
        {
            Ok(())
        }
        _ => Err(bad(
            "Param special_ad_category_country must be an array of ISO 3166 country codes",
        )),
    }
}

fn campaign(params: &BTreeMap<String, String>) -> Result<&'static str, Reply> {
    require(params, "name")?;
    let objective = require(params, "objective")?;
    if !ODAX.contains(&objective) {
        return Err(reply::invalid(
            &format!("Param objective must be one of {{{}}}", ODAX.join(", ")),
            None,
            Some("objective"),
            Some((
                "Invalid objective",
                "This objective is no longer available for new campaigns. Choose one of the outcome-based objectives.",
            )),
        ));
    }
    status_param(params)?;
    let Some(sac) = params.get("special_ad_categories") else {
        return Err(reply::invalid(
            "The parameter special_ad_categories is required",
            None,
            Some("special_ad_categories"),
            None,
        ));
    };
    let categories = match serde_json::from_str::<Vec<String>>(sac) {
        Ok(list)
            if list
                .iter()
                .all(|c| SPECIAL_AD_CATEGORIES.contains(&c.as_str())) =>
        {
            list
        }
        _ => {
            return Err(reply::invalid(
                "Param special_ad_categories must be an array of special ad categories",
                None,
                Some("special_ad_categories"),
                None,
            ));
        }
    };
    if categories.iter().any(|c| c != "NONE") {
        category_countries(params)?;
    }
    let budget = params
        .get("daily_budget")
        .or_else(|| params.get("lifetime_budget"));
    if let Some(b) = budget
        && !is_integer(b)
    {
        return Err(reply::invalid(
            "Param daily_budget must be an integer in the account currency's minor unit",
            None,
            Some("daily_budget"),
            None,
        ));
    }
    if budget.is_none() {
        match params
            .get("is_adset_budget_sharing_enabled")
            .map(String::as_str)
        {
            Some("true" | "false") => {}
            _ => {
                return Err(reply::invalid(
                    "Must specify True or False in is_adset_budget_sharing_enabled field",
                    Some(4_834_011),
                    Some("is_adset_budget_sharing_enabled"),
                    Some((
                        "Budget sharing not specified",
                        "You must specify True or False in the field is_adset_budget_sharing_enabled when the budget is set on the ad sets.",
                    )),
                ));
            }
        }
    }
    Ok("campaign")
}
