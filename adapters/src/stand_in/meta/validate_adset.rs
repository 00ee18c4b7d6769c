//! The ad-set checks of the Meta stand-in: objective × goal × billing × destination,
//! promoted object, budget placement and minimum, targeting (geo, ages, interests,
//! Advantage+ audience), the limits of a special ad category, the EU's DSA fields and
//! the regions that need a verified advertiser (Taiwan, Singapore).

use serde_json::Value;

use super::creates::is_integer;
use super::reply::{self, Reply};
use super::server::Req;
use super::world::World;
use crate::ad_platform::countries::is_targetable_country;
use crate::ad_platform::money::format_minor;
use crate::ad_platform::regions::{group_needs_dsa, needs_dsa, needs_verified_identity};

/// Goals allowed per ODAX objective (the reference's third-party table).
fn goals(objective: &str) -> &'static [&'static str] {
    match objective {
        "OUTCOME_AWARENESS" => &["REACH", "IMPRESSIONS", "AD_RECALL_LIFT", "THRUPLAY"],
        "OUTCOME_TRAFFIC" => &["LANDING_PAGE_VIEWS", "LINK_CLICKS", "IMPRESSIONS", "REACH"],
        "OUTCOME_LEADS" => &[
            "LEAD_GENERATION",
            "QUALITY_LEAD",
            "QUALITY_CALL",
            "OFFSITE_CONVERSIONS",
            "LINK_CLICKS",
        ],
        "OUTCOME_SALES" => &[
            "OFFSITE_CONVERSIONS",
            "VALUE",
            "CONVERSATIONS",
            "LINK_CLICKS",
            "IMPRESSIONS",
            "REACH",
        ],
        "OUTCOME_APP_PROMOTION" => &[
            "APP_INSTALLS",
            "APP_INSTALLS_AND_OFFSITE_CONVERSIONS",
            "VALUE",
        ],
        _ => &[
            "POST_ENGAGEMENT",
            "PAGE_LIKES",
            "THRUPLAY",
            "CONVERSATIONS",
            "IMPRESSIONS",
            "REACH",
        ],
    }
}

fn pixel_events(objective: &str) -> &'static [&'static str] {
    match objective {
        "OUTCOME_LEADS" => &[
            "LEAD",
            "COMPLETE_REGISTRATION",
            "CONTACT",
            "SUBMIT_APPLICATION",
            "SCHEDULE",
        ],
        _ => &[
            "PURCHASE",
            "ADD_TO_CART",
            "INITIATED_CHECKOUT",
            "ADD_PAYMENT_INFO",
        ],
    }
}

fn req<'p>(r: &'p Req<'_>, key: &str) -> Result<&'p str, Reply> {
    r.params
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

/// Checks `POST /act_<n>/adsets`.
pub fn check(w: &World, n: &str, r: &Req<'_>) -> Result<&'static str, Reply> {
    req(r, "name")?;
    let status = req(r, "status")?;
    if status != "ACTIVE" && status != "PAUSED" {
        return Err(reply::invalid(
            "Param status must be one of {ACTIVE, PAUSED} on create",
            None,
            Some("status"),
            None,
        ));
    }
    let cid = req(r, "campaign_id")?;
    let campaign = w
        .objects
        .get(cid)
        .filter(|o| o.kind == "campaign" && o.account == n && o.status != "DELETED")
        .ok_or_else(|| reply::missing("POST", cid))?;
    let objective = campaign.str("objective").unwrap_or_default();
    let goal = req(r, "optimization_goal")?;
    if !goals(objective).contains(&goal) {
        return Err(reply::invalid(
            "Performance goal isn't available with the objective you selected",
            Some(2_490_408),
            Some("optimization_goal"),
            Some((
                "Performance goal not available",
                "The performance goal you chose isn't available with this campaign objective.",
            )),
        ));
    }
    let billing = req(r, "billing_event")?;
    let billing_ok =
        billing == "IMPRESSIONS" || (billing == "LINK_CLICKS" && goal == "LINK_CLICKS");
    if !billing_ok {
        return Err(reply::invalid(
            "The specified billing event is not a valid option for the optimisation goal provided",
            None,
            Some("billing_event"),
            None,
        ));
    }
    let destination = r.params.get("destination_type").map(String::as_str);
    if destination == Some("ON_AD") && objective != "OUTCOME_LEADS" {
        return Err(reply::invalid(
            "Destination type ON_AD is only available for lead campaigns",
            Some(1_815_715),
            Some("destination_type"),
            None,
        ));
    }
    budget(
        w,
        n,
        r,
        campaign.fields.contains_key("daily_budget")
            || campaign.fields.contains_key("lifetime_budget"),
    )?;
    promoted_object(w, n, r, objective, goal)?;
    let reach = targeting(w, r)?;
    special_category(campaign, &reach)?;
    let reaches_eu = reach.countries.iter().any(|c| needs_dsa(c))
        || reach.groups.iter().any(|g| group_needs_dsa(g));
    if reaches_eu {
        let has = |k: &str| r.params.get(k).is_some_and(|v| !v.trim().is_empty());
        if !has("dsa_beneficiary") || !has("dsa_payor") {
            return Err(reply::invalid(
                "dsa_beneficiary and dsa_payor are required for ad sets that reach the European Union",
                None,
                Some("dsa_beneficiary"),
                Some((
                    "Beneficiary and payer required",
                    "Ads that reach people in the EU must say who benefits from and who pays for them.",
                )),
            ));
        }
    }
    // No public API lists the verified identities, so any ad set reaching these
    // regions without one is refused (the exact error is not documented).
    let verified = r
        .params
        .get("regional_regulation_identities")
        .is_some_and(|v| !v.trim().is_empty() && v.trim() != "{}");
    if let Some(region) = reach
        .countries
        .iter()
        .find_map(|c| needs_verified_identity(c))
        && !verified
    {
        return Err(reply::invalid(
            &format!(
                "Ads that reach {region} need a verified advertiser identity for {region} in regional_regulation_identities"
            ),
            None,
            Some("regional_regulation_identities"),
            Some((
                "Advertiser verification required",
                &format!(
                    "Ads shown in {region} need a beneficiary and payer verified for {region}."
                ),
            )),
        ));
    }
    Ok("adset")
}

fn budget(w: &World, n: &str, r: &Req<'_>, campaign_budget: bool) -> Result<(), Reply> {
    let own = r
        .params
        .get("daily_budget")
        .or_else(|| r.params.get("lifetime_budget"));
    match (campaign_budget, own) {
        (true, Some(_)) => Err(reply::invalid(
            "Budget cannot be set at both the campaign and the ad set level",
            Some(1_885_621),
            Some("daily_budget"),
            None,
        )),
        (false, None) => Err(reply::invalid(
            "The parameter daily_budget is required when the campaign has no budget",
            None,
            Some("daily_budget"),
            None,
        )),
        (false, Some(b)) if !is_integer(b) => Err(reply::invalid(
            "Param daily_budget must be an integer in the account currency's minor unit",
            None,
            Some("daily_budget"),
            None,
        )),
        (false, Some(b)) => {
            let account = w.accounts.get(n);
            let min = account.map_or(0, |a| a.min_daily_budget);
            let value: i64 = b.parse().unwrap_or(i64::MAX);
            if value < min {
                let currency = account.map_or("USD", |a| a.currency.as_str());
                let msg = format!(
                    "Your ad set budget must be more than {} or your ads may not be delivered.",
                    format_minor(min, currency)
                );
                return Err(reply::invalid(
                    "Budget too low",
                    Some(1_885_272),
                    Some("daily_budget"),
                    Some(("Budget too low", &msg)),
                ));
            }
            Ok(())
        }
        (true, None) => Ok(()),
    }
}

fn promoted_object(
    w: &World,
    n: &str,
    r: &Req<'_>,
    objective: &str,
    goal: &str,
) -> Result<(), Reply> {
    let needs = matches!(
        goal,
        "LEAD_GENERATION" | "QUALITY_LEAD" | "OFFSITE_CONVERSIONS" | "VALUE"
    );
    let po: Option<Value> = match r.params.get("promoted_object") {
        None => None,
        Some(raw) => Some(serde_json::from_str(raw).map_err(|_| {
            reply::invalid(
                "Param promoted_object must be a JSON object",
                None,
                Some("promoted_object"),
                None,
            )
        })?),
    };
    let missing = || {
        reply::invalid(
            "Promoted Object Is Missing",
            None,
            Some("promoted_object"),
            Some((
                "Promoted Object Is Missing",
                "You must select an object to promote that is related to your objective, for example a Page post, website URL, or app. Please add a promoted object and try again.",
            )),
        )
    };
    let Some(po) = po else {
        return if needs { Err(missing()) } else { Ok(()) };
    };
    if goal == "LEAD_GENERATION" || goal == "QUALITY_LEAD" {
        let page = po["page_id"].as_str().ok_or_else(missing)?;
        if !w.pages.contains_key(page) || !r.token.pages.iter().any(|p| p == page) {
            return Err(reply::missing("POST", page));
        }
    }
    if goal == "OFFSITE_CONVERSIONS" || goal == "VALUE" {
        let pixel = po["pixel_id"].as_str().ok_or_else(missing)?;
        if !w.pixels.iter().any(|(a, id, _)| a == n && id == pixel) {
            return Err(reply::missing("POST", pixel));
        }
        let event = po["custom_event_type"].as_str().unwrap_or_default();
        if !pixel_events(objective).contains(&event) {
            return Err(reply::invalid(
                "Conversion event unavailable",
                None,
                Some("promoted_object"),
                Some((
                    "Conversion event unavailable",
                    "This conversion event isn't available with the objective you selected.",
                )),
            ));
        }
    }
    Ok(())
}

/// What an ad set's targeting reaches, for the rules that depend on where and whom.
struct Reach {
    /// Countries, including those of its regions and cities.
    countries: Vec<String>,
    /// Meta's country groups (`worldwide`, `eu`, …).
    groups: Vec<String>,
    /// The whole targeting object.
    spec: Value,
}

/// Checks the targeting; returns what it reaches.
fn targeting(w: &World, r: &Req<'_>) -> Result<Reach, Reply> {
    let bad =
        |msg: &str, user: Option<(&str, &str)>| reply::invalid(msg, None, Some("targeting"), user);
    let raw = req(r, "targeting")?;
    let t: Value = serde_json::from_str(raw)
        .map_err(|_| bad("Param targeting must be a JSON object", None))?;
    let geo = t
        .get("geo_locations")
        .filter(|g| g.is_object())
        .ok_or_else(|| {
            bad(
                "Targeting spec must include geo_locations",
                Some(("Location required", "Choose at least one location.")),
            )
        })?;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let keys = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["key"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut countries = strings(&geo["countries"]);
    let groups = strings(&geo["country_groups"]);
    let regions = keys(&geo["regions"]);
    let cities = keys(&geo["cities"]);
    if countries.is_empty() && groups.is_empty() && regions.is_empty() && cities.is_empty() {
        return Err(bad(
            "Targeting spec must include geo_locations",
            Some(("Location required", "Choose at least one location.")),
        ));
    }
    // Meta knows its countries: a well-formed code that names none (ZZ)
    // is refused like a malformed one.
    if let Some(unknown) = countries.iter().find(|c| !is_targetable_country(c)) {
        return Err(bad(
            &format!("Invalid country code {unknown} in geo_locations"),
            Some((
                "Invalid Country",
                "One of the countries in your targeting is not valid.",
            )),
        ));
    }
    for (list, kind) in [(&regions, "region"), (&cities, "city")] {
        for key in list {
            let Some(geo) = w.geos.iter().find(|(k, _, t, _)| k == key && t == kind) else {
                return Err(bad(
                    &format!("Invalid {kind} key {key} in geo_locations"),
                    None,
                ));
            };
            countries.push(geo.3.clone());
        }
    }
    let age = |k: &str, default: i64| t.get(k).map_or(Some(default), Value::as_i64);
    let (Some(min), Some(max)) = (age("age_min", 18), age("age_max", 65)) else {
        return Err(bad("age_min and age_max must be integers", None));
    };
    if !(18..=65).contains(&min) || !(18..=65).contains(&max) || min > max {
        return Err(bad(
            &format!("Invalid age range {min}-{max}: ages must be between 18 and 65"),
            Some(("Invalid age", "Choose ages between 18 and 65.")),
        ));
    }
    // Since v23 Advantage+ audience is on unless switched off, and then age_max must be 65.
    let advantage = t
        .pointer("/targeting_automation/advantage_audience")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if advantage == 1 && max < 65 {
        return Err(bad(
            "Advantage+ audience is on: age_max must be 65, send targeting_automation.advantage_audience=0 to set a lower maximum",
            None,
        ));
    }
    let interests: Vec<String> = t
        .get("flexible_spec")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(std::iter::once(&t))
        .flat_map(|spec| spec["interests"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["id"].as_str().map(str::to_owned))
        .collect();
    if let Some(unknown) = interests
        .iter()
        .find(|id| !w.interests.iter().any(|(k, _)| k == *id))
    {
        return Err(bad(
            &format!("Invalid interest id {unknown}"),
            Some((
                "Interest unavailable",
                "One of the interests you chose is not available.",
            )),
        ));
    }
    Ok(Reach {
        countries,
        groups,
        spec: t,
    })
}

/// The limits of a special ad category (housing, employment, financial, political):
/// every adult (18–65+), no gender, no postcodes, at least 15 miles around a place, no
/// detailed-targeting exclusions, and only the countries the campaign declared.
fn special_category(campaign: &super::world::Stored, reach: &Reach) -> Result<(), Reply> {
    let categories: Vec<&str> = campaign
        .fields
        .get("special_ad_categories")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|c| *c != "NONE")
                .collect()
        })
        .unwrap_or_default();
    let Some(category) = categories.first() else {
        return Ok(());
    };
    let refuse = |what: &str| {
        reply::invalid(
            &format!("Targeting not allowed for ads in the special ad category {category}: {what}"),
            None,
            Some("targeting"),
            Some((
                "Audience selection not available",
                "Some audience selection options aren't available for ads about credit, employment, housing, social issues, elections or politics.",
            )),
        )
    };
    let t = &reach.spec;
    let age_min = t.get("age_min").and_then(Value::as_i64).unwrap_or(18);
    let age_max = t.get("age_max").and_then(Value::as_i64).unwrap_or(65);
    if age_min != 18 || age_max != 65 {
        return Err(refuse(&format!(
            "the age range must be 18-65, not {age_min}-{age_max}"
        )));
    }
    if t.get("genders")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty())
    {
        return Err(refuse("genders cannot be targeted"));
    }
    if t.get("exclusions")
        .is_some_and(|e| e.as_object().is_some_and(|o| !o.is_empty()))
    {
        return Err(refuse("detailed targeting exclusions are not allowed"));
    }
    let geo = &t["geo_locations"];
    if geo["zips"].as_array().is_some_and(|z| !z.is_empty()) {
        return Err(refuse("postcodes cannot be targeted"));
    }
    for place in ["cities", "custom_locations"] {
        for spot in geo[place].as_array().into_iter().flatten() {
            let radius = spot["radius"].as_f64().unwrap_or(0.0);
            let miles = if spot["distance_unit"].as_str() == Some("kilometer") {
                radius / 1.609_344
            } else {
                radius
            };
            if miles < 15.0 - 1e-9 {
                return Err(refuse(&format!(
                    "{place} need a radius of at least 15 miles (25 kilometers)"
                )));
            }
        }
    }
    let declared: Vec<&str> = campaign
        .fields
        .get("special_ad_category_country")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(other) = reach
        .countries
        .iter()
        .find(|c| !declared.contains(&c.as_str()))
    {
        return Err(reply::invalid(
            &format!(
                "The ad set targets {other}, which is not in the campaign's special_ad_category_country"
            ),
            None,
            Some("special_ad_category_country"),
            None,
        ));
    }
    Ok(())
}
