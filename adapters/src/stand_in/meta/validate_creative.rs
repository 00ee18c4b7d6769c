//! Checks of creatives and ads in the Meta stand-in.

use std::collections::BTreeMap;

use serde_json::Value;

use super::creates::{require, status_param};
use super::reply::{self, Reply};
use super::server::Req;
use super::world::World;

/// Call-to-action types the stand-in accepts (a subset of Meta's 103).
const CTA_TYPES: &[&str] = &[
    "LEARN_MORE",
    "SIGN_UP",
    "SHOP_NOW",
    "APPLY_NOW",
    "GET_QUOTE",
    "GET_A_QUOTE",
    "CONTACT_US",
    "SUBSCRIBE",
    "DOWNLOAD",
    "BOOK_TRAVEL",
    "BOOK_NOW",
    "ORDER_NOW",
    "CALL_NOW",
    "MESSAGE_PAGE",
    "WHATSAPP_MESSAGE",
    "GET_OFFER",
    "WATCH_MORE",
    "NO_BUTTON",
];

/// Checks `POST /act_<n>/adcreatives`.
pub fn creative(w: &World, n: &str, req: &Req<'_>) -> Result<&'static str, Reply> {
    let raw = require(req.params, "object_story_spec")?;
    let bad_spec = || {
        reply::invalid(
            "Invalid creative's object story spec, please check the format of your object story spec.",
            Some(1_815_166),
            Some("object_story_spec"),
            None,
        )
    };
    let spec: Value = serde_json::from_str(raw).map_err(|_| bad_spec())?;
    let page = spec["page_id"].as_str().ok_or_else(bad_spec)?;
    if !w.pages.contains_key(page) || !req.token.pages.iter().any(|p| p == page) {
        return Err(reply::missing("POST", page));
    }
    let ld = spec
        .get("link_data")
        .filter(|v| v.is_object())
        .ok_or_else(bad_spec)?;
    let link = ld["link"]
        .as_str()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| {
            reply::invalid(
                "The link field is required",
                Some(2_061_015),
                Some("link"),
                None,
            )
        })?;
    let link_ok = !link.contains(' ')
        && url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !link_ok {
        return Err(bad_spec());
    }
    let hash = ld["image_hash"]
        .as_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            reply::invalid(
                "Missing Image",
                Some(1_487_212),
                Some("image_hash"),
                Some((
                    "Missing Image",
                    "Please specify an image to run with this ad.",
                )),
            )
        })?;
    if !w.images.iter().any(|(a, h)| a == n && h == hash) {
        return Err(reply::invalid(
            "Image Not Found",
            Some(2_446_386),
            Some("image_hash"),
            Some((
                "Image Not Found",
                "The image you selected is not available.",
            )),
        ));
    }
    if let Some(cta) = ld.get("call_to_action") {
        let t = cta["type"].as_str().unwrap_or_default();
        if !CTA_TYPES.contains(&t) {
            return Err(reply::invalid(
                &format!(
                    "Param call_to_action[type] must be one of the call to action types, got {t:?}"
                ),
                None,
                Some("call_to_action"),
                None,
            ));
        }
        if let Some(form) = cta.pointer("/value/lead_gen_form_id") {
            let form = form.as_str().unwrap_or_default();
            let owned = w
                .pages
                .get(page)
                .is_some_and(|p| p.forms.iter().any(|(id, _)| id == form));
            if !owned {
                return Err(reply::invalid(
                    "Missing Lead Form",
                    Some(3_390_001),
                    Some("lead_gen_form_id"),
                    Some((
                        "Missing Lead Form",
                        "The lead form doesn't exist or doesn't belong to this Page.",
                    )),
                ));
            }
        }
    }
    Ok("adcreative")
}

/// Checks `POST /act_<n>/ads`.
pub fn ad(w: &World, n: &str, params: &BTreeMap<String, String>) -> Result<&'static str, Reply> {
    require(params, "name")?;
    status_param(params)?;
    let adset_id = require(params, "adset_id")?;
    let adset = w
        .objects
        .get(adset_id)
        .filter(|o| o.kind == "adset" && o.account == n && o.status != "DELETED")
        .ok_or_else(|| reply::missing("POST", adset_id))?;
    let creative: Value = serde_json::from_str(require(params, "creative")?).map_err(|_| {
        reply::invalid(
            "Param creative must be a JSON object {\"creative_id\": …}",
            None,
            Some("creative"),
            None,
        )
    })?;
    let cid = creative["creative_id"].as_str().unwrap_or_default();
    let c = w
        .objects
        .get(cid)
        .filter(|o| o.kind == "adcreative" && o.account == n)
        .ok_or_else(|| reply::missing("POST", cid))?;
    let has_form = c
        .fields
        .get("object_story_spec")
        .and_then(|s| s.pointer("/link_data/call_to_action/value/lead_gen_form_id"))
        .is_some();
    if adset.str("optimization_goal") == Some("LEAD_GENERATION") && !has_form {
        return Err(reply::invalid(
            "Missing Lead Form",
            Some(3_390_001),
            Some("creative"),
            Some((
                "Missing Lead Form",
                "Ads in a lead-generation ad set need a lead form.",
            )),
        ));
    }
    Ok("ad")
}
