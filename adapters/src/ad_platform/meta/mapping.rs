//! Neutral specs → Graph form parameters. Every nested object is sent as a JSON string,
//! `status` is always explicit, and `special_ad_categories` is always present.

use serde_json::{Value, json};

use crate::ad_platform::types::{
    AdSetSpec, AdSpec, Audience, CampaignSpec, Conversion, CreateMode, CreativeSpec, Objective,
    SpecialAdCategory, tagged_name,
};

/// The smallest radius around a city a special ad category allows (Meta:
/// 15 miles).
pub const SPECIAL_CATEGORY_CITY_RADIUS_MILES: u32 = 15;

/// Form parameters of one call.
pub type Params = Vec<(String, String)>;

/// The ODAX objective of a Leadforge goal (legacy objectives are refused by Meta since v17).
pub fn odax_objective(objective: Objective) -> &'static str {
    match objective {
        Objective::Leads => "OUTCOME_LEADS",
        Objective::Conversions => "OUTCOME_SALES",
        Objective::Traffic => "OUTCOME_TRAFFIC",
    }
}

/// Ad-set delivery settings valid for one objective and conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `optimization_goal`.
    pub optimization_goal: &'static str,
    /// `billing_event`.
    pub billing_event: &'static str,
    /// `destination_type`.
    pub destination_type: &'static str,
    /// `promoted_object`, when the goal needs one.
    pub promoted_object: Option<Value>,
}

/// The pixel event a conversion ad set optimises for.
pub fn pixel_event(objective: Objective) -> &'static str {
    match objective {
        Objective::Conversions => "PURCHASE",
        Objective::Leads | Objective::Traffic => "LEAD",
    }
}

/// Delivery settings for the spec (the mapping table of the reference).
pub fn delivery(spec: &AdSetSpec) -> Delivery {
    match &spec.conversion {
        Conversion::LeadForm { .. } => Delivery {
            optimization_goal: "LEAD_GENERATION",
            billing_event: "IMPRESSIONS",
            destination_type: "ON_AD",
            promoted_object: Some(json!({ "page_id": spec.page_id })),
        },
        Conversion::Pixel { pixel_id } => Delivery {
            optimization_goal: "OFFSITE_CONVERSIONS",
            billing_event: "IMPRESSIONS",
            destination_type: "WEBSITE",
            promoted_object: Some(json!({
                "pixel_id": pixel_id,
                "custom_event_type": pixel_event(spec.objective),
            })),
        },
        Conversion::LinkClicks => Delivery {
            optimization_goal: "LINK_CLICKS",
            billing_event: "IMPRESSIONS",
            destination_type: "WEBSITE",
            promoted_object: None,
        },
    }
}

/// The `targeting` object. Advantage+ audience is switched off explicitly: since v23 it is
/// on by default and then forbids an age maximum below 65. Under a special ad category a
/// city is reached with the smallest radius the category allows.
pub fn targeting(audience: &Audience, category: SpecialAdCategory) -> Value {
    let mut geo = serde_json::Map::new();
    if !audience.countries.is_empty() {
        geo.insert("countries".into(), json!(audience.countries));
    }
    if !audience.regions.is_empty() {
        let keys: Vec<Value> = audience
            .regions
            .iter()
            .map(|r| json!({ "key": r.key }))
            .collect();
        geo.insert("regions".into(), Value::Array(keys));
    }
    if !audience.cities.is_empty() {
        let keys: Vec<Value> = audience
            .cities
            .iter()
            .map(|c| {
                if category.is_special() {
                    json!({
                        "key": c.key,
                        "radius": SPECIAL_CATEGORY_CITY_RADIUS_MILES,
                        "distance_unit": "mile",
                    })
                } else {
                    json!({ "key": c.key })
                }
            })
            .collect();
        geo.insert("cities".into(), Value::Array(keys));
    }
    let mut t = json!({
        "geo_locations": geo,
        "age_min": audience.age_min,
        "age_max": audience.age_max,
        "targeting_automation": { "advantage_audience": 0 },
    });
    if !audience.interests.is_empty()
        && let Some(obj) = t.as_object_mut()
    {
        let interests: Vec<Value> = audience
            .interests
            .iter()
            .map(|i| json!({ "id": i.id, "name": i.name }))
            .collect();
        obj.insert("flexible_spec".into(), json!([{ "interests": interests }]));
    }
    t
}

fn push(params: &mut Params, key: &str, value: impl Into<String>) {
    params.push((key.to_owned(), value.into()));
}

fn push_mode(params: &mut Params, mode: CreateMode) {
    if mode == CreateMode::ValidateOnly {
        push(params, "execution_options", r#"["validate_only"]"#);
    }
}

/// `POST /act_<id>/campaigns`.
pub fn campaign_params(spec: &CampaignSpec, mode: CreateMode) -> Params {
    let mut p = Params::new();
    push(&mut p, "name", tagged_name(&spec.name, &spec.tag));
    push(&mut p, "objective", odax_objective(spec.objective));
    push(&mut p, "status", "PAUSED");
    // Required on every create (`[]` for none); a category also needs the
    // countries it is declared for.
    if spec.special_ad_category.is_special() {
        push(
            &mut p,
            "special_ad_categories",
            json!([spec.special_ad_category.as_str()]).to_string(),
        );
        push(
            &mut p,
            "special_ad_category_country",
            json!(spec.category_countries).to_string(),
        );
    } else {
        push(&mut p, "special_ad_categories", "[]");
    }
    push(&mut p, "buying_type", "AUCTION");
    match spec.campaign_daily_budget {
        Some(budget) => {
            push(&mut p, "daily_budget", budget.to_string());
            push(&mut p, "bid_strategy", "LOWEST_COST_WITHOUT_CAP");
        }
        // Since v24 a campaign whose budget sits on its ad sets must say whether they share.
        None => push(&mut p, "is_adset_budget_sharing_enabled", "false"),
    }
    push_mode(&mut p, mode);
    p
}

/// `POST /act_<id>/adsets`. `dsa` holds the EU beneficiary/payor when the audience needs it.
pub fn ad_set_params(spec: &AdSetSpec, dsa: Option<(&str, &str)>, mode: CreateMode) -> Params {
    let d = delivery(spec);
    let mut p = Params::new();
    push(&mut p, "name", tagged_name(&spec.name, &spec.tag));
    push(&mut p, "campaign_id", spec.campaign_id.as_str());
    push(&mut p, "status", "PAUSED");
    push(&mut p, "optimization_goal", d.optimization_goal);
    push(&mut p, "billing_event", d.billing_event);
    push(&mut p, "destination_type", d.destination_type);
    if let Some(budget) = spec.daily_budget {
        push(&mut p, "daily_budget", budget.to_string());
        push(&mut p, "bid_strategy", "LOWEST_COST_WITHOUT_CAP");
    }
    if let Some(po) = d.promoted_object {
        push(&mut p, "promoted_object", po.to_string());
    }
    push(
        &mut p,
        "targeting",
        targeting(&spec.audience, spec.special_ad_category).to_string(),
    );
    if let Some((beneficiary, payor)) = dsa {
        push(&mut p, "dsa_beneficiary", beneficiary);
        push(&mut p, "dsa_payor", payor);
    }
    push_mode(&mut p, mode);
    p
}

/// `POST /act_<id>/adcreatives` with `object_story_spec.link_data`.
pub fn creative_params(spec: &CreativeSpec, mode: CreateMode) -> Params {
    let cta_value = match &spec.lead_form_id {
        Some(form) => json!({ "lead_gen_form_id": form }),
        None => json!({ "link": spec.link_url }),
    };
    let mut link_data = json!({
        "image_hash": spec.image_hash,
        "link": spec.link_url,
        "message": spec.copy.body,
        "name": spec.copy.headline,
        "call_to_action": { "type": spec.copy.call_to_action.as_str(), "value": cta_value },
    });
    if !spec.copy.description.is_empty()
        && let Some(obj) = link_data.as_object_mut()
    {
        obj.insert("description".into(), json!(spec.copy.description));
    }
    let story = json!({ "page_id": spec.page_id, "link_data": link_data });
    let mut p = Params::new();
    push(&mut p, "name", tagged_name(&spec.name, &spec.tag));
    push(&mut p, "object_story_spec", story.to_string());
    push_mode(&mut p, mode);
    p
}

/// `POST /act_<id>/ads`.
pub fn ad_params(spec: &AdSpec, mode: CreateMode) -> Params {
    let mut p = Params::new();
    push(&mut p, "name", tagged_name(&spec.name, &spec.tag));
    push(&mut p, "adset_id", spec.ad_set_id.as_str());
    push(
        &mut p,
        "creative",
        json!({ "creative_id": spec.creative_id }).to_string(),
    );
    push(&mut p, "status", "PAUSED");
    push_mode(&mut p, mode);
    p
}
