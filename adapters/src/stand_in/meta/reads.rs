//! GET routes of the Meta stand-in.

use serde_json::{Value, json};

use super::reply::{self, Reply};
use super::server::Req;
use super::world::{PageToken, World};

pub(super) fn page_of(w: &World, req: &Req<'_>, items: Vec<Value>) -> Reply {
    Reply::ok(reply::paged(
        items,
        req.params,
        &w.base_url,
        req.version,
        req.path,
        w.default_limit,
        w.empty_first_page,
    ))
}

/// Routes a GET.
pub fn get(w: &mut World, req: &Req<'_>) -> Reply {
    let s = req.segments.as_slice();
    match s {
        ["me"] => Reply::ok(json!({"id": req.token.user_id, "name": req.token.user_name})),
        ["me", "permissions"] => Reply::ok(json!({"data": req.token.scopes.iter()
            .map(|p| json!({"permission": p, "status": "granted"})).collect::<Vec<_>>()})),
        ["me", "accounts"] => me_accounts(w, req),
        ["debug_token"] => debug_token(w, req),
        ["me", "adaccounts"] => {
            let items = req.token.accounts.iter().filter_map(|n| w.accounts.get(n))
                .map(|a| json!({"id": format!("act_{}", a.number), "account_id": a.number, "name": a.name,
                    "account_status": a.status, "currency": a.currency, "timezone_name": a.timezone}))
                .collect();
            page_of(w, req, items)
        }
        ["search"] => search(w, req),
        [act, "minimum_budgets"] if act.starts_with("act_") => {
            let Some(a) = account(w, act) else {
                return reply::missing("GET", act);
            };
            let half = a.min_daily_budget;
            Reply::ok(
                json!({"data": [{"currency": a.currency, "min_daily_budget_imp": a.min_daily_budget,
                "min_daily_budget_high_freq": half * 5, "min_daily_budget_low_freq": half * 40,
                "min_daily_budget_video_views": half * 5}]}),
            )
        }
        [act, "adspixels"] if act.starts_with("act_") => {
            let n = act.trim_start_matches("act_");
            let items = w
                .pixels
                .iter()
                .filter(|(acc, _, _)| acc == n)
                .map(|(_, id, name)| json!({"id": id, "name": name}))
                .collect();
            page_of(w, req, items)
        }
        [act, "insights"] if act.starts_with("act_") => insights(w, req, act),
        [act, "dsa_recommendations"] if act.starts_with("act_") => {
            let Some(a) = account(w, act) else {
                return reply::missing("GET", act);
            };
            let items = w
                .dsa_recommendations
                .get(&a.number)
                .filter(|r| !r.is_empty())
                .map(|r| vec![json!({ "recommendations": r })])
                .unwrap_or_default();
            page_of(w, req, items)
        }
        [act, edge] if act.starts_with("act_") => list_objects(w, req, act, edge),
        [act] if act.starts_with("act_") => {
            let Some(a) = account(w, act) else {
                return reply::missing("GET", act);
            };
            let mut node = json!({"id": act, "name": a.name, "account_status": a.status,
                "currency": a.currency, "timezone_name": a.timezone, "amount_spent": "0",
                "disable_reason": 0});
            // Unset defaults are left out, as Graph leaves out empty fields.
            if let Some((beneficiary, payor)) = w.dsa_defaults.get(&a.number) {
                for (key, value) in [
                    ("default_dsa_beneficiary", beneficiary),
                    ("default_dsa_payor", payor),
                ] {
                    if let Some(v) = value {
                        node[key] = json!(v);
                    }
                }
            }
            Reply::ok(node)
        }
        [page, "leadgen_forms"] => leadgen_forms(w, req, page),
        [ad, "leads"] => super::leads::of_ad(w, req, ad),
        [id] => node(w, req, id),
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

fn has_scope(req: &Req<'_>, scope: &str) -> bool {
    req.token.scopes.iter().any(|s| s == scope)
}

fn wants(req: &Req<'_>, field: &str) -> bool {
    req.params
        .get("fields")
        .is_some_and(|f| f.split(',').any(|x| x.trim() == field))
}

/// `me/accounts`: the Pages the person has a role on, with `tasks` and a Page access token
/// when asked for. Without `pages_show_list` the list is empty (an assumption: Meta's
/// exact answer is not documented in the reference).
fn me_accounts(w: &mut World, req: &Req<'_>) -> Reply {
    if !has_scope(req, "pages_show_list") {
        return page_of(w, req, Vec::new());
    }
    let Some(user_token) = req.params.get("access_token").cloned() else {
        return page_of(w, req, Vec::new());
    };
    let mut items = Vec::new();
    for id in &req.token.pages {
        let Some(page) = w.pages.get(id).cloned() else {
            continue;
        };
        let tasks = w.tasks_on(&req.token, id);
        let mut item = json!({"id": page.id, "name": page.name});
        if wants(req, "tasks") {
            item["tasks"] = json!(tasks);
        }
        if wants(req, "access_token") && !tasks.is_empty() {
            let page_token = format!("EAAPage{}For{}", page.id, req.token.user_id);
            w.page_tokens.insert(
                page_token.clone(),
                PageToken {
                    page_id: page.id.clone(),
                    user_token: user_token.clone(),
                },
            );
            item["access_token"] = json!(page_token);
        }
        items.push(item);
    }
    page_of(w, req, items)
}

/// `GET /{page}/leadgen_forms`: a Page access token of that Page (a user token gets 190,
/// as Meta answers), the ADVERTISE task and the Page permissions of lead ads. The texts of
/// the task and permission refusals are the stand-in's own.
fn leadgen_forms(w: &World, req: &Req<'_>, page: &str) -> Reply {
    let Some(p) = w.pages.get(page) else {
        return reply::missing("GET", page);
    };
    if req.page_token_of.as_deref() != Some(page) {
        return reply::graph_error(
            400,
            190,
            None,
            "OAuthException",
            "(#190) This method must be called with a Page Access Token",
            None,
            None,
        );
    }
    if !w
        .tasks_on(&req.token, page)
        .iter()
        .any(|t| t == "ADVERTISE")
    {
        return reply::graph_error(
            403,
            200,
            None,
            "OAuthException",
            "(#200) The user must be able to perform the ADVERTISE task on the Page",
            None,
            None,
        );
    }
    for scope in ["pages_manage_ads", "pages_read_engagement"] {
        if !has_scope(req, scope) {
            return reply::graph_error(
                403,
                200,
                None,
                "OAuthException",
                &format!("(#200) This endpoint requires the '{scope}' permission"),
                None,
                None,
            );
        }
    }
    let items = p
        .forms
        .iter()
        .map(|(id, name)| json!({"id": id, "name": name, "status": "ACTIVE"}))
        .collect();
    page_of(w, req, items)
}

fn account<'w>(w: &'w World, act: &str) -> Option<&'w super::world::AccountSeed> {
    w.accounts.get(act.trim_start_matches("act_"))
}

fn search(w: &World, req: &Req<'_>) -> Reply {
    let q = req
        .params
        .get("q")
        .map(|q| q.to_lowercase())
        .unwrap_or_default();
    match req.params.get("type").map(String::as_str) {
        Some("adinterest") => {
            let data: Vec<Value> = w.interests.iter().filter(|(_, n)| n.to_lowercase().contains(&q))
                .map(|(id, name)| json!({"id": id, "name": name, "audience_size_lower_bound": 1_000_000,
                    "audience_size_upper_bound": 2_000_000, "path": ["Interests", name], "topic": "Stand-in"}))
                .collect();
            Reply::ok(json!({"data": data}))
        }
        Some("adgeolocation") => {
            let types: Vec<String> = req
                .params
                .get("location_types")
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or_default();
            let country = req.params.get("country_code");
            let data: Vec<Value> = w
                .geos
                .iter()
                .filter(|(_, n, t, c)| {
                    n.to_lowercase().contains(&q)
                        && (types.is_empty() || types.contains(t))
                        && country.is_none_or(|cc| cc == c)
                })
                .map(|(k, n, t, c)| json!({"key": k, "name": n, "type": t, "country_code": c}))
                .collect();
            Reply::ok(json!({"data": data}))
        }
        _ => reply::invalid(
            "Param type must be one of {adinterest, adgeolocation, …}",
            None,
            Some("type"),
            None,
        ),
    }
}

fn kind_of_edge(edge: &str) -> Option<&'static str> {
    match edge {
        "campaigns" => Some("campaign"),
        "adsets" => Some("adset"),
        "adcreatives" => Some("adcreative"),
        "ads" => Some("ad"),
        _ => None,
    }
}

/// One condition of `filtering`, as far as the stand-in understands them.
enum Condition {
    NameContains(String),
    IdIn(Vec<String>),
    CampaignIdIn(Vec<String>),
}

/// The `effective_status` values an edge's filter takes (reference §3.8):
/// each level has its own list, and the campaign and ad set edges refuse the
/// others.
fn statuses_of(kind: &str) -> &'static [&'static str] {
    const CAMPAIGN: &[&str] = &[
        "ACTIVE",
        "PAUSED",
        "DELETED",
        "ARCHIVED",
        "IN_PROCESS",
        "WITH_ISSUES",
    ];
    const AD_SET: &[&str] = &[
        "ACTIVE",
        "PAUSED",
        "DELETED",
        "ARCHIVED",
        "IN_PROCESS",
        "WITH_ISSUES",
        "CAMPAIGN_PAUSED",
    ];
    match kind {
        "campaign" => CAMPAIGN,
        "adset" => AD_SET,
        _ => super::world::AD_STATUSES,
    }
}

/// Parses `filtering=[{"field":…,"operator":…,"value":…}]`: `name CONTAIN`
/// and `id IN`; anything else is refused, as Graph refuses unknown fields.
fn conditions(req: &Req<'_>) -> Result<Vec<Condition>, Reply> {
    let Some(f) = req.params.get("filtering") else {
        return Ok(Vec::new());
    };
    let refuse = |why: &str| reply::invalid(why, None, Some("filtering"), None);
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(f) else {
        return Err(refuse("Param filtering must be a JSON array"));
    };
    items
        .iter()
        .map(|c| match (c["field"].as_str(), c["operator"].as_str()) {
            (Some("name"), Some("CONTAIN")) => c["value"]
                .as_str()
                .map(|v| Condition::NameContains(v.to_owned()))
                .ok_or_else(|| refuse("Filter value must be a string for CONTAIN")),
            (Some(field @ ("id" | "campaign.id")), Some("IN")) => c["value"]
                .as_array()
                .map(|ids| {
                    let ids = ids
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect();
                    if field == "id" {
                        Condition::IdIn(ids)
                    } else {
                        Condition::CampaignIdIn(ids)
                    }
                })
                .ok_or_else(|| refuse("Filter value must be an array for IN")),
            _ => Err(refuse("Filter field or operator is not supported")),
        })
        .collect()
}

/// The `effective_status` list a listing asks for; without one, Graph leaves
/// out archived and deleted objects.
fn wanted_statuses(req: &Req<'_>, kind: &str) -> Result<Option<Vec<String>>, Reply> {
    let Some(raw) = req.params.get("effective_status") else {
        return Ok(None);
    };
    match serde_json::from_str::<Vec<String>>(raw) {
        Ok(list) if list.iter().all(|s| statuses_of(kind).contains(&s.as_str())) => Ok(Some(list)),
        // As answered for ad-level values on the campaign edge
        // (facebook-python-business-sdk #388).
        Ok(_) => Err(reply::invalid(
            "Run Status not valid",
            Some(1_487_561),
            Some("effective_status"),
            Some((
                "Run Status not valid",
                "Only certain values may be specified for run status",
            )),
        )),
        Err(_) => Err(reply::invalid(
            "Param effective_status must be a JSON array of strings",
            None,
            Some("effective_status"),
            None,
        )),
    }
}

/// Listing with optional `filtering` (name CONTAIN, id IN) and
/// `effective_status`; `fields` picks `effective_status` and `issues_info`.
fn list_objects(w: &World, req: &Req<'_>, act: &str, edge: &str) -> Reply {
    let Some(kind) = kind_of_edge(edge) else {
        return reply::graph_error(
            400,
            2500,
            None,
            "OAuthException",
            &format!("Unknown path components: /{edge}"),
            None,
            None,
        );
    };
    let n = act.trim_start_matches("act_");
    let conditions = match conditions(req) {
        Ok(c) => c,
        Err(reply) => return reply,
    };
    let statuses = match wanted_statuses(req, kind) {
        Ok(s) => s,
        Err(reply) => return reply,
    };
    let fields = req.params.get("fields").map(String::as_str).unwrap_or("");
    let want = |f: &str| fields.split(',').any(|x| x.trim() == f);
    let items = w
        .objects
        .iter()
        .filter(|(_, o)| o.kind == kind && o.account == n)
        .filter(|(id, o)| match &statuses {
            Some(list) => list.iter().any(|s| s == w.effective_status(id)),
            None => o.status != "DELETED" && o.status != "ARCHIVED",
        })
        // A filtered listing trails the writes by the configured lag.
        .filter(|(_, o)| conditions.is_empty() || o.created.elapsed() >= w.listing_lag)
        .filter(|(id, o)| {
            conditions.iter().all(|c| match c {
                Condition::NameContains(f) => o.str("name").is_some_and(|name| name.contains(f)),
                Condition::IdIn(ids) => ids.iter().any(|x| x == *id),
                Condition::CampaignIdIn(ids) => w
                    .campaign_of(id)
                    .is_some_and(|c| ids.iter().any(|x| x == c)),
            })
        })
        .map(|(id, o)| {
            let mut item = json!({"id": id, "name": o.str("name"), "status": o.status});
            let effective = w.effective_status(id);
            if want("effective_status") {
                item["effective_status"] = json!(effective);
            }
            if want("campaign_id") && kind != "campaign" {
                item["campaign_id"] = json!(w.campaign_of(id));
            }
            // Review feedback exists on ads only, and only once reviewed.
            if want("ad_review_feedback")
                && kind == "ad"
                && effective == "DISAPPROVED"
                && let Some(summary) = o.verdict.as_ref().and_then(|v| v.summary.as_ref())
            {
                item["ad_review_feedback"] =
                    json!({ "global": { "Advertising Policies": summary } });
            }
            if want("issues_info") {
                let issues: Vec<Value> = o
                    .verdict
                    .iter()
                    .filter(|_| effective != o.status)
                    .filter_map(|v| v.summary.as_ref())
                    .map(|summary| {
                        json!({"level": "AD", "error_code": 1_815_694, "error_summary": summary, "error_message": summary})
                    })
                    .collect();
                if !issues.is_empty() {
                    item["issues_info"] = Value::Array(issues);
                }
            }
            item
        })
        .collect();
    page_of(w, req, items)
}

fn node(w: &World, req: &Req<'_>, id: &str) -> Reply {
    if let Some(lead) = w.leads.get(id) {
        return super::leads::read(w, req, lead);
    }
    if let Some(p) = w
        .pages
        .get(id)
        .filter(|_| req.token.pages.iter().any(|x| x == id))
    {
        return Reply::ok(json!({"id": p.id, "name": p.name}));
    }
    match w.objects.get(id) {
        Some(o) if req.token.accounts.contains(&o.account) => Reply::ok(json!({
            "id": id, "name": o.str("name"), "status": o.status, "effective_status": w.effective_status(id),
        })),
        _ => reply::missing("GET", id),
    }
}

fn insights(w: &World, req: &Req<'_>, act: &str) -> Reply {
    let Some(a) = account(w, act) else {
        return reply::missing("GET", act);
    };
    // Strict: Graph answers little without explicit fields, so the stand-in demands them.
    let Some(fields) = req.params.get("fields") else {
        return reply::invalid(
            "The parameter fields is required by this stand-in",
            None,
            Some("fields"),
            None,
        );
    };
    if req.params.get("level").map(String::as_str) != Some("campaign") {
        return reply::invalid(
            "Param level must be campaign for this call",
            None,
            Some("level"),
            None,
        );
    }
    type Day = Option<chrono::NaiveDate>;
    let range: Option<(Day, Day)> =
        match (req.params.get("time_range"), req.params.get("date_preset")) {
            (Some(tr), _) => serde_json::from_str::<Value>(tr).ok().and_then(|v| {
                let d = |k: &str| {
                    v[k].as_str()
                        .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                };
                match (d("since"), d("until")) {
                    (Some(s), Some(u)) if s <= u => Some((Some(s), Some(u))),
                    _ => None,
                }
            }),
            (None, Some(_)) => Some((None, None)),
            (None, None) => None,
        };
    let Some((since, until)) = range else {
        return reply::invalid(
            "Param time_range must be {\"since\":\"YYYY-MM-DD\",\"until\":\"YYYY-MM-DD\"}",
            None,
            Some("time_range"),
            None,
        );
    };
    let in_range = |day: Day| match (day, since, until) {
        (Some(d), Some(s), Some(u)) => s <= d && d <= u,
        _ => true,
    };
    let ids: Vec<String> = req
        .params
        .get("filtering")
        .and_then(|f| serde_json::from_str::<Value>(f).ok())
        .and_then(|v| v.as_array().cloned())
        .into_iter()
        .flatten()
        .filter(|c| c["field"] == "campaign.id" && c["operator"] == "IN")
        .flat_map(|c| c["value"].as_array().cloned().unwrap_or_default())
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    let want = |f: &str| fields.split(',').any(|x| x.trim() == f);
    let rows: Vec<Value> = ids
        .iter()
        .filter_map(|id| {
            let seed = w.insights.get(id).filter(|s| in_range(s.day))?;
            let mut row =
                json!({"campaign_id": id, "date_start": "2026-01-01", "date_stop": "2026-01-31"});
            let obj = row.as_object_mut()?;
            if want("impressions") {
                obj.insert("impressions".into(), json!(seed.impressions.to_string()));
            }
            if want("clicks") {
                obj.insert("clicks".into(), json!(seed.clicks.to_string()));
            }
            if want("inline_link_clicks") {
                obj.insert(
                    "inline_link_clicks".into(),
                    json!(seed.inline_link_clicks.to_string()),
                );
            }
            if want("spend") {
                obj.insert("spend".into(), json!(seed.spend));
            }
            if want("account_currency") {
                obj.insert("account_currency".into(), json!(a.currency));
            }
            if want("actions") {
                let mut actions =
                    vec![json!({"action_type": "lead", "value": seed.leads.to_string()})];
                actions.extend(
                    seed.lead_subtypes
                        .iter()
                        .map(|(t, v)| json!({"action_type": t, "value": v.to_string()})),
                );
                obj.insert("actions".into(), Value::Array(actions));
            }
            Some(row)
        })
        .collect();
    page_of(w, req, rows)
}

/// `GET /debug_token?input_token=…`: what Meta says of a token. Only the token
/// itself (or an app token, which the stand-in does not issue) may inspect it.
fn debug_token(w: &World, req: &Req<'_>) -> Reply {
    let Some(input) = req.params.get("input_token") else {
        return reply::invalid(
            "(#100) The parameter input_token is required",
            None,
            None,
            None,
        );
    };
    let Some(seed) = w.tokens.get(input) else {
        return Reply::ok(
            json!({"data": {"is_valid": false, "error": {"code": 190, "message": "Invalid OAuth access token."}}}),
        );
    };
    if seed.user_id != req.token.user_id {
        return reply::invalid(
            "(#100) You must provide an app access token, or a user access token that is an owner or developer of the app",
            None,
            None,
            None,
        );
    }
    let (expires_at, data_access) = w
        .token_expiry
        .get(input)
        .copied()
        .unwrap_or_else(|| (0, chrono::Utc::now().timestamp() + 90 * 24 * 3600));
    Reply::ok(json!({"data": {
        "app_id": "1000000000000001",
        "type": "USER",
        "application": "Leadforge",
        "expires_at": expires_at,
        "data_access_expires_at": data_access,
        "is_valid": true,
        "scopes": seed.scopes,
        "user_id": seed.user_id,
    }}))
}
