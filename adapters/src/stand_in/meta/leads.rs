//! Leads on the stand-in: `GET /{leadgen_id}` as Meta answers it (reference
//! §10.8, §10.1), and the signed `leadgen` webhook delivery Meta POSTs to an
//! app's callback (§10.6, §10.7).

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::reply::{self, Reply};
use super::server::Req;
use super::world::{LeadSeed, World};

/// `GET /{leadgen_id}`. Readable with a Page token of the lead's Page, or a
/// user token of someone on the Page; the person needs the ADVERTISE task.
/// Without `leads_retrieval` Meta returns the ad fields only, never
/// `field_data`.
pub fn read(w: &World, req: &Req<'_>, lead: &LeadSeed) -> Reply {
    let on_page = match &req.page_token_of {
        Some(page) => page == &lead.page_id,
        None => req.token.pages.iter().any(|p| p == &lead.page_id),
    };
    if !on_page {
        return reply::missing("GET", &lead.id);
    }
    if !w
        .tasks_on(&req.token, &lead.page_id)
        .iter()
        .any(|t| t == "ADVERTISE")
    {
        return reply::graph_error(
            403,
            200,
            None,
            "OAuthException",
            "(#200) The user must be an advertiser on the Page to read its leads",
            None,
            None,
        );
    }
    let Some(fields) = req.params.get("fields") else {
        return Reply::ok(json!({"id": lead.id, "created_time": lead.created_time}));
    };
    let retrieval = req.token.scopes.iter().any(|s| s == "leads_retrieval");
    let mut out = serde_json::Map::new();
    for field in fields.split(',').map(str::trim) {
        let value = match field {
            "id" => json!(lead.id),
            "created_time" => json!(lead.created_time),
            "ad_id" => lead.ad_id.as_ref().map_or(Value::Null, |a| json!(a)),
            "form_id" => json!(lead.form_id),
            "field_data" if retrieval => json!(
                lead.field_data
                    .iter()
                    .map(|(name, values)| json!({"name": name, "values": values}))
                    .collect::<Vec<_>>()
            ),
            "field_data" => continue,
            other => {
                return reply::graph_error(
                    400,
                    100,
                    None,
                    "OAuthException",
                    &format!(
                        "(#100) Tried accessing nonexisting field ({other}) on node type (LeadgenLead)"
                    ),
                    None,
                    None,
                );
            }
        };
        if !value.is_null() {
            out.insert(field.to_owned(), value);
        }
    }
    Reply::ok(Value::Object(out))
}

/// One `time_created` condition of `filtering` (reference §10.9).
enum TimeCondition {
    After(i64),
    AtOrAfter(i64),
    Before(i64),
}

impl TimeCondition {
    fn admits(&self, t: i64) -> bool {
        match self {
            Self::After(v) => t > *v,
            Self::AtOrAfter(v) => t >= *v,
            Self::Before(v) => t < *v,
        }
    }
}

/// `filtering=[{"field":"time_created","operator":…,"value":<unix>}]`;
/// any other field or operator is refused, as Graph refuses them.
fn time_conditions(req: &Req<'_>) -> Result<Vec<TimeCondition>, Reply> {
    let Some(raw) = req.params.get("filtering") else {
        return Ok(Vec::new());
    };
    let refuse = |why: &str| reply::invalid(why, None, Some("filtering"), None);
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) else {
        return Err(refuse("Param filtering must be a JSON array"));
    };
    items
        .iter()
        .map(|c| {
            if c["field"] != "time_created" {
                return Err(refuse("Filter field is not supported on leads"));
            }
            let value = c["value"]
                .as_i64()
                .or_else(|| c["value"].as_str().and_then(|v| v.parse().ok()))
                .ok_or_else(|| refuse("Filter value must be a Unix time for time_created"))?;
            match c["operator"].as_str() {
                Some("GREATER_THAN") => Ok(TimeCondition::After(value)),
                Some("GREATER_THAN_OR_EQUAL") => Ok(TimeCondition::AtOrAfter(value)),
                Some("LESS_THAN") => Ok(TimeCondition::Before(value)),
                _ => Err(refuse("Filter operator is not supported on time_created")),
            }
        })
        .collect()
}

fn unix_of(meta_time: &str) -> i64 {
    chrono::DateTime::parse_from_str(meta_time, "%Y-%m-%dT%H:%M:%S%z")
        .map(|t| t.timestamp())
        .unwrap_or(0)
}

/// `GET /{ad_id}/leads` (reference §10.9): the ad's leads, each as
/// `GET /{leadgen_id}` answers it (same token rules, same fields), filtered
/// by `time_created`, paged.
pub fn of_ad(w: &World, req: &Req<'_>, ad: &str) -> Reply {
    if w.objects.get(ad).is_none_or(|o| o.kind != "ad") {
        return reply::missing("GET", ad);
    }
    let conditions = match time_conditions(req) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let mut items = Vec::new();
    let mut leads: Vec<&LeadSeed> = w
        .leads
        .values()
        .filter(|l| l.ad_id.as_deref() == Some(ad))
        .filter(|l| {
            let t = unix_of(&l.created_time);
            conditions.iter().all(|c| c.admits(t))
        })
        .collect();
    // Newest first, as Graph lists leads.
    leads.sort_by(|a, b| {
        unix_of(&b.created_time)
            .cmp(&unix_of(&a.created_time))
            .then(b.id.cmp(&a.id))
    });
    for lead in leads {
        let one = read(w, req, lead);
        if !one.status.is_success() {
            return one;
        }
        items.push(one.body);
    }
    super::reads::page_of(w, req, items)
}

/// The body Meta POSTs for one new lead (ids only, never answers), ids as
/// strings as Meta's sample sends them.
pub fn leadgen_delivery(lead: &LeadSeed) -> Vec<u8> {
    let mut value = json!({
        "leadgen_id": lead.id,
        "page_id": lead.page_id,
        "form_id": lead.form_id,
        "created_time": 1_765_000_000,
    });
    if let Some(ad) = &lead.ad_id {
        value["ad_id"] = json!(ad);
        value["adgroup_id"] = json!(ad);
    }
    json!({
        "object": "page",
        "entry": [{
            "id": lead.page_id,
            "time": 1_765_000_000,
            "changes": [{"field": "leadgen", "value": value}],
        }],
    })
    .to_string()
    .into_bytes()
}

/// `sha256=<hex>` of `body` under `app_secret`: Meta's `X-Hub-Signature-256`.
pub fn signature(app_secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}
