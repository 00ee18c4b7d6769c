//! The Meta stand-in itself is strict: raw requests that real Meta rejects (per the
//! reference) are rejected here with Graph's envelope, so adapter tests mean something.

// This whole crate is test code; helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use adapters::stand_in::{MetaFixture, MetaStandIn};
use base64::Engine as _;
use serde_json::{Value, json};

struct Raw {
    meta: MetaStandIn,
    fixture: MetaFixture,
    http: reqwest::Client,
}

impl Raw {
    async fn new() -> Self {
        let meta = MetaStandIn::start().await.expect("start");
        let fixture = MetaFixture::seed(&meta);
        Self {
            meta,
            fixture,
            http: reqwest::Client::new(),
        }
    }

    async fn post(&self, path: &str, params: &[(&str, String)]) -> (u16, Value) {
        let mut form: Vec<(&str, String)> = params.to_vec();
        form.push(("access_token", self.fixture.token.clone()));
        let r = self
            .http
            .post(format!("{}/v27.0/{path}", self.meta.base_url()))
            .form(&form)
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json"))
    }

    async fn get(&self, path_and_query: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}/v27.0/{path_and_query}", self.meta.base_url()))
            .send()
            .await
            .expect("send");
        let status = r.status().as_u16();
        (status, r.json().await.expect("json"))
    }

    /// `path_and_query` (which has a query already) with the fixture's token.
    fn authed(&self, path_and_query: &str) -> String {
        format!("{path_and_query}&access_token={}", self.fixture.token)
    }

    async fn campaign(&self) -> String {
        let (s, v) = self.post("act_1001/campaigns", &good_campaign()).await;
        assert_eq!(s, 200, "{v}");
        v["id"].as_str().expect("id").to_owned()
    }

    async fn image(&self) -> String {
        let bytes = base64::engine::general_purpose::STANDARD.encode(b"png-bytes");
        let (_, v) = self.post("act_1001/adimages", &[("bytes", bytes)]).await;
        v["images"]["bytes"]["hash"]
            .as_str()
            .expect("hash")
            .to_owned()
    }
}

fn good_campaign() -> Vec<(&'static str, String)> {
    vec![
        ("name", "Raw".into()),
        ("objective", "OUTCOME_TRAFFIC".into()),
        ("status", "PAUSED".into()),
        ("special_ad_categories", "[]".into()),
        ("is_adset_budget_sharing_enabled", "false".into()),
    ]
}

fn without(mut params: Vec<(&'static str, String)>, key: &str) -> Vec<(&'static str, String)> {
    params.retain(|(k, _)| *k != key);
    params
}

fn with(
    mut params: Vec<(&'static str, String)>,
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    params.retain(|(k, _)| *k != key);
    params.push((key, value.to_owned()));
    params
}

fn assert_graph_error(status: u16, body: &Value, code: i64, subcode: Option<i64>) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["error_subcode"].as_i64(), subcode, "{body}");
    assert!(body["error"]["fbtrace_id"].is_string() && body["error"]["message"].is_string());
}

fn ad_set(campaign: &str, targeting: Value) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Raw set".into()),
        ("campaign_id", campaign.to_owned()),
        ("status", "PAUSED".into()),
        ("optimization_goal", "LINK_CLICKS".into()),
        ("billing_event", "IMPRESSIONS".into()),
        ("destination_type", "WEBSITE".into()),
        ("daily_budget", "1000".into()),
        ("targeting", targeting.to_string()),
    ]
}

fn targeting() -> Value {
    json!({"geo_locations": {"countries": ["US"]}, "age_min": 18, "age_max": 65, "targeting_automation": {"advantage_audience": 0}})
}

#[tokio::test]
async fn campaign_rules() {
    let raw = Raw::new().await;
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &with(good_campaign(), "objective", "LEAD_GENERATION"),
        )
        .await;
    assert_graph_error(s, &v, 100, None);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("objective")
    );
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &without(good_campaign(), "special_ad_categories"),
        )
        .await;
    assert_graph_error(s, &v, 100, None);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("special_ad_categories")
    );
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &without(good_campaign(), "is_adset_budget_sharing_enabled"),
        )
        .await;
    assert_graph_error(s, &v, 100, Some(4_834_011));
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &with(good_campaign(), "daily_budget", "10.50"),
        )
        .await;
    assert_graph_error(s, &v, 100, None);
    let (s, v) = raw
        .post("act_1001/campaigns", &without(good_campaign(), "status"))
        .await;
    assert_graph_error(s, &v, 100, None);
    // A bare account number addresses another object: 100/33.
    let (s, v) = raw.post("1001/campaigns", &good_campaign()).await;
    assert_graph_error(s, &v, 100, Some(33));
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &with(good_campaign(), "execution_options", r#"["validate_only"]"#),
        )
        .await;
    assert_eq!((s, v), (200, json!({"success": true})));
    assert!(raw.meta.object_ids("campaign").is_empty());
}

#[tokio::test]
async fn ad_set_rules() {
    let raw = Raw::new().await;
    let c = raw.campaign().await;
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, targeting())).await;
    assert_eq!(s, 200, "{v}");
    for (age_min, age_max) in [(16, 40), (18, 70), (40, 30)] {
        let t = json!({"geo_locations": {"countries": ["US"]}, "age_min": age_min, "age_max": age_max, "targeting_automation": {"advantage_audience": 0}});
        let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
        assert_graph_error(s, &v, 100, None);
    }
    // A well-formed code that names no country is refused like a malformed one.
    for country in ["ZZ", "USA", "us"] {
        let t = json!({"geo_locations": {"countries": [country]}, "age_min": 18, "age_max": 65, "targeting_automation": {"advantage_audience": 0}});
        let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
        assert_graph_error(s, &v, 100, None);
        assert!(
            v.to_string().contains("Invalid country code"),
            "{country}: {v}"
        );
    }
    // Advantage+ audience left at its v23 default forbids an age maximum below 65.
    let t = json!({"geo_locations": {"countries": ["US"]}, "age_min": 18, "age_max": 40});
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
    assert_graph_error(s, &v, 100, None);
    let t = json!({"geo_locations": {"countries": ["US"]}, "targeting_automation": {"advantage_audience": 0}, "flexible_spec": [{"interests": [{"id": "42", "name": "Unknown"}]}]});
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
    assert_graph_error(s, &v, 100, None);
    let (s, v) = raw
        .post(
            "act_1001/adsets",
            &with(ad_set(&c, targeting()), "daily_budget", "12.5"),
        )
        .await;
    assert_graph_error(s, &v, 100, None);
    let (s, v) = raw
        .post(
            "act_1001/adsets",
            &with(
                ad_set(&c, targeting()),
                "optimization_goal",
                "LEAD_GENERATION",
            ),
        )
        .await;
    assert_graph_error(s, &v, 100, Some(2_490_408));
    assert_eq!(
        v["error"]["error_data"],
        json!(r#"{"blame_field_specs":[["optimization_goal"]]}"#)
    );
    let (s, v) = raw
        .post(
            "act_1001/adsets",
            &with(ad_set(&c, targeting()), "destination_type", "ON_AD"),
        )
        .await;
    assert_graph_error(s, &v, 100, Some(1_815_715));
    let (s, v) = raw
        .post(
            "act_1001/adsets",
            &with(ad_set(&c, targeting()), "daily_budget", "99"),
        )
        .await;
    assert_graph_error(s, &v, 100, Some(1_885_272));
    // Budget on both levels.
    let cbo = raw
        .post(
            "act_1001/campaigns",
            &with(
                without(good_campaign(), "is_adset_budget_sharing_enabled"),
                "daily_budget",
                "5000",
            ),
        )
        .await;
    let cbo_id = cbo.1["id"].as_str().expect("id").to_owned();
    let (s, v) = raw
        .post("act_1001/adsets", &ad_set(&cbo_id, targeting()))
        .await;
    assert_graph_error(s, &v, 100, Some(1_885_621));
    // Sales without a pixel promoted object.
    let sales = raw
        .post(
            "act_1001/campaigns",
            &with(good_campaign(), "objective", "OUTCOME_SALES"),
        )
        .await
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (s, v) = raw
        .post(
            "act_1001/adsets",
            &with(
                ad_set(&sales, targeting()),
                "optimization_goal",
                "OFFSITE_CONVERSIONS",
            ),
        )
        .await;
    assert_graph_error(s, &v, 100, None);
    assert_eq!(v["error"]["error_user_title"], "Promoted Object Is Missing");
}

#[tokio::test]
async fn creative_and_ad_rules() {
    let raw = Raw::new().await;
    let hash = raw.image().await;
    let story = |hash: &str, link: &str| {
        json!({"page_id": "5001", "link_data": {"image_hash": hash, "link": link, "message": "m",
        "call_to_action": {"type": "LEARN_MORE", "value": {"link": link}}}})
        .to_string()
    };
    let (s, v) = raw
        .post(
            "act_1001/adcreatives",
            &[
                ("name", "c".into()),
                ("object_story_spec", story("deadbeef", "https://a.example/")),
            ],
        )
        .await;
    assert_graph_error(s, &v, 100, Some(2_446_386));
    let (s, v) = raw
        .post(
            "act_1001/adcreatives",
            &[
                ("name", "c".into()),
                ("object_story_spec", story(&hash, "https://a.example/a b")),
            ],
        )
        .await;
    assert_graph_error(s, &v, 100, Some(1_815_166));
    let (s, v) = raw
        .post(
            "act_1001/adcreatives",
            &[
                ("name", "c".into()),
                ("object_story_spec", story(&hash, "")),
            ],
        )
        .await;
    assert_graph_error(s, &v, 100, Some(2_061_015));
    let (s, v) = raw
        .post(
            "act_1001/adcreatives",
            &[
                ("name", "c".into()),
                ("object_story_spec", story(&hash, "https://a.example/")),
            ],
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let creative = v["id"].as_str().expect("id").to_owned();
    // An ad without a lead form under a lead-form ad set: 3390001.
    let leads = raw
        .post(
            "act_1001/campaigns",
            &with(good_campaign(), "objective", "OUTCOME_LEADS"),
        )
        .await
        .1["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let mut set = with(
        ad_set(&leads, targeting()),
        "optimization_goal",
        "LEAD_GENERATION",
    );
    set = with(set, "destination_type", "ON_AD");
    set = with(set, "promoted_object", r#"{"page_id":"5001"}"#);
    let (s, v) = raw.post("act_1001/adsets", &set).await;
    assert_eq!(s, 200, "{v}");
    let ad_set_id = v["id"].as_str().expect("id").to_owned();
    let ad = [
        ("name", "a".to_owned()),
        ("adset_id", ad_set_id),
        ("status", "PAUSED".into()),
        ("creative", json!({"creative_id": creative}).to_string()),
    ];
    let (s, v) = raw.post("act_1001/ads", &ad).await;
    assert_graph_error(s, &v, 100, Some(3_390_001));
}

#[tokio::test]
async fn tokens_and_versions() {
    let raw = Raw::new().await;
    let (s, v) = raw.get("me").await;
    assert_graph_error(s, &v, 104, None);
    let (s, v) = raw.get("me?access_token=nope").await;
    assert_graph_error(s, &v, 190, None);
    assert_eq!(v["error"]["type"], "OAuthException");
    let r = raw
        .http
        .get(format!(
            "{}/me?access_token={}",
            raw.meta.base_url(),
            raw.fixture.token
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.json::<Value>().await.expect("json")["error"]["code"],
        2500,
        "a URL without a version is an unknown path"
    );
    // v24.0 ended 2026-11-10: a read whose endpoint did not change is answered on v25.0,
    // the oldest version served, and says so; a create (changed since) answers 2635.
    let r = raw
        .http
        .get(format!(
            "{}/v24.0/me?access_token={}",
            raw.meta.base_url(),
            raw.fixture.token
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["facebook-api-version"], "v25.0");
    let warning = r.headers()["x-ad-api-version-warning"]
        .to_str()
        .expect("ascii");
    assert!(
        warning.contains("v24.0") && warning.contains("v25.0"),
        "{warning}"
    );
    let r = raw
        .http
        .post(format!("{}/v24.0/act_1001/campaigns", raw.meta.base_url()))
        .form(&[("access_token", raw.fixture.token.clone())])
        .send()
        .await
        .expect("send");
    let v: Value = r.json().await.expect("json");
    assert_graph_error(400, &v, 2635, None);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("latest version: v27.0")),
        "{v}"
    );

    // A served version names itself; near its end it also warns.
    raw.meta
        .set_today(chrono::NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"));
    for (version, warns) in [("v25.0", true), ("v26.0", false), ("v27.0", false)] {
        let r = raw
            .http
            .get(format!(
                "{}/{version}/me?access_token={}",
                raw.meta.base_url(),
                raw.fixture.token
            ))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 200, "{version}");
        assert_eq!(r.headers()["facebook-api-version"], version);
        assert_eq!(
            r.headers().contains_key("x-ad-api-version-warning"),
            warns,
            "{version}"
        );
    }
    // A version after the latest does not exist.
    let r = raw
        .http
        .get(format!(
            "{}/v28.0/me?access_token={}",
            raw.meta.base_url(),
            raw.fixture.token
        ))
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.json::<Value>().await.expect("json")["error"]["code"],
        2500
    );
}

#[tokio::test]
async fn page_edges_need_the_pages_token_task_and_permissions() {
    let raw = Raw::new().await;
    let t = &raw.fixture.token;
    let page = &raw.fixture.page_id;
    // Meta: leadgen_forms "requires a Page access token"; a user token gets 190.
    let (s, v) = raw
        .get(&format!("{page}/leadgen_forms?access_token={t}"))
        .await;
    assert_graph_error(s, &v, 190, None);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("must be called with a Page Access Token")),
        "{v}"
    );
    // The Page token comes from me/accounts, with the person's tasks.
    let (s, v) = raw
        .get(&format!(
            "me/accounts?fields=id,name,access_token,tasks&access_token={t}"
        ))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"][0]["id"], page.as_str());
    assert!(
        v["data"][0]["tasks"]
            .as_array()
            .is_some_and(|t| t.iter().any(|x| x == "ADVERTISE"))
    );
    let page_token = v["data"][0]["access_token"]
        .as_str()
        .expect("page token")
        .to_owned();
    let (s, v) = raw
        .get(&format!("{page}/leadgen_forms?access_token={page_token}"))
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["data"][0]["id"], raw.fixture.form_id.as_str());
    // Another Page's edge with this Page's token is refused the same way.
    raw.meta.add_page(adapters::stand_in::PageSeed {
        id: "5002".into(),
        name: "Other".into(),
        forms: vec![],
    });
    let (s, v) = raw
        .get(&format!("5002/leadgen_forms?access_token={page_token}"))
        .await;
    assert_graph_error(s, &v, 190, None);
    // Without the ADVERTISE task, or without the Page permissions of lead ads: 200.
    raw.meta.set_page_tasks(t, page, &["ANALYZE"]);
    let (s, v) = raw
        .get(&format!("{page}/leadgen_forms?access_token={page_token}"))
        .await;
    assert_eq!((s, v["error"]["code"].as_i64()), (403, Some(200)), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ADVERTISE")
    );
    raw.meta.add_token(
        "EAAnopageperms",
        adapters::stand_in::TokenSeed {
            user_id: "9100".into(),
            user_name: "No Page perms".into(),
            scopes: vec!["ads_management".into(), "pages_show_list".into()],
            accounts: vec!["1001".into()],
            pages: vec![page.clone()],
            failure: None,
        },
    );
    let (_, v) = raw
        .get("me/accounts?fields=id,access_token&access_token=EAAnopageperms")
        .await;
    let weak = v["data"][0]["access_token"].as_str().expect("token");
    let (s, v) = raw
        .get(&format!("{page}/leadgen_forms?access_token={weak}"))
        .await;
    assert_eq!((s, v["error"]["code"].as_i64()), (403, Some(200)), "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pages_manage_ads")
    );
    // Without pages_show_list no Page is listed, so no Page token is handed out.
    raw.meta.add_token(
        "EAAnopagelist",
        adapters::stand_in::TokenSeed {
            user_id: "9101".into(),
            user_name: "No list".into(),
            scopes: vec!["ads_management".into()],
            accounts: vec!["1001".into()],
            pages: vec![page.clone()],
            failure: None,
        },
    );
    let (s, v) = raw
        .get("me/accounts?fields=id,access_token&access_token=EAAnopagelist")
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["data"].as_array().map(Vec::len), Some(0), "{v}");
}

#[tokio::test]
async fn appsecret_proof_is_read_from_the_query_string_only() {
    let raw = Raw::new().await;
    raw.meta.require_app_secret("s3cret");
    let proof = {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cret").expect("key");
        mac.update(raw.fixture.token.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    let mut in_body = good_campaign();
    in_body.push(("appsecret_proof", proof.clone()));
    let (s, v) = raw.post("act_1001/campaigns", &in_body).await;
    assert_graph_error(s, &v, 100, None);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("require an appsecret_proof")
    );
    let r = raw
        .http
        .post(format!(
            "{}/v27.0/act_1001/campaigns?appsecret_proof={proof}",
            raw.meta.base_url(),
        ))
        .form(&{
            let mut form = good_campaign();
            form.push(("access_token", raw.fixture.token.clone()));
            form
        })
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
}

fn housing_campaign(countries: &str) -> Vec<(&'static str, String)> {
    with(
        with(good_campaign(), "special_ad_categories", r#"["HOUSING"]"#),
        "special_ad_category_country",
        countries,
    )
}

fn blamed(body: &Value) -> String {
    body["error"]["error_data"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_special_category_needs_its_countries() {
    let raw = Raw::new().await;
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &without(housing_campaign(r#"["US"]"#), "special_ad_category_country"),
        )
        .await;
    assert_graph_error(s, &v, 100, None);
    assert!(blamed(&v).contains("special_ad_category_country"), "{v}");
    for wrong in ["[]", r#"["usa"]"#, "US"] {
        let (s, v) = raw
            .post("act_1001/campaigns", &housing_campaign(wrong))
            .await;
        assert_graph_error(s, &v, 100, None);
        assert!(
            blamed(&v).contains("special_ad_category_country"),
            "{wrong}: {v}"
        );
    }
    let (s, v) = raw
        .post("act_1001/campaigns", &housing_campaign(r#"["US"]"#))
        .await;
    assert_eq!(s, 200, "{v}");
    // NONE needs no country.
    let (s, v) = raw
        .post(
            "act_1001/campaigns",
            &with(good_campaign(), "special_ad_categories", r#"["NONE"]"#),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn a_special_category_limits_the_targeting() {
    let raw = Raw::new().await;
    let (_, v) = raw
        .post("act_1001/campaigns", &housing_campaign(r#"["US"]"#))
        .await;
    let c = v["id"].as_str().expect("id").to_owned();
    let base = || targeting();
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, base())).await;
    assert_eq!(s, 200, "the full adult range passes: {v}");
    let mut narrowed = base();
    narrowed["age_min"] = json!(25);
    let mut capped = base();
    capped["age_max"] = json!(50);
    let mut gendered = base();
    gendered["genders"] = json!([2]);
    let mut excluded = base();
    excluded["exclusions"] = json!({"interests": [{"id": "6003", "name": "Yoga"}]});
    let mut zips = base();
    zips["geo_locations"] = json!({"zips": [{"key": "US:94304"}]});
    let mut small_radius = base();
    small_radius["geo_locations"] = json!({"custom_locations": [{"latitude": 37.4, "longitude": -122.1, "radius": 10, "distance_unit": "mile"}]});
    let mut other_country = base();
    other_country["geo_locations"] = json!({"countries": ["CA"]});
    for (what, t) in [
        ("age_min", narrowed),
        ("age_max", capped),
        ("genders", gendered),
        ("exclusions", excluded),
        ("zips", zips),
        ("radius", small_radius),
        ("country not declared", other_country),
    ] {
        let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
        assert_graph_error(s, &v, 100, None);
        assert!(v["error"]["message"].is_string(), "{what}: {v}");
    }
    let mut wide = base();
    wide["geo_locations"] = json!({"custom_locations": [{"latitude": 37.4, "longitude": -122.1, "radius": 25, "distance_unit": "kilometer"}], "countries": ["US"]});
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, wide)).await;
    assert_eq!(s, 200, "25 km is 15.5 miles: {v}");
    // Without a category the same narrowed ages are fine.
    let plain = raw.campaign().await;
    let mut narrowed = base();
    narrowed["age_min"] = json!(25);
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&plain, narrowed)).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn eu_territories_and_worldwide_need_dsa_parties() {
    let raw = Raw::new().await;
    let c = raw.campaign().await;
    let with_dsa = |params: Vec<(&'static str, String)>| {
        with(
            with(params, "dsa_beneficiary", "Acme Yoga Ltd"),
            "dsa_payor",
            "Acme Agency",
        )
    };
    for geo in [
        json!({"countries": ["DE"]}),
        json!({"countries": ["US", "RE"]}),
        json!({"countries": ["GP"]}),
        json!({"countries": ["YT"]}),
        json!({"country_groups": ["worldwide"]}),
    ] {
        let mut t = targeting();
        t["geo_locations"] = geo.clone();
        let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t.clone())).await;
        assert_graph_error(s, &v, 100, None);
        assert!(blamed(&v).contains("dsa_beneficiary"), "{geo}: {v}");
        let (s, v) = raw.post("act_1001/adsets", &with_dsa(ad_set(&c, t))).await;
        assert_eq!(s, 200, "{geo}: {v}");
    }
    // Outside the EU nothing is asked.
    let mut t = targeting();
    t["geo_locations"] = json!({"countries": ["CH", "GB"]});
    let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn taiwan_and_singapore_need_a_verified_identity() {
    let raw = Raw::new().await;
    let c = raw.campaign().await;
    for country in ["TW", "SG"] {
        let mut t = targeting();
        t["geo_locations"] = json!({"countries": ["US", country]});
        let (s, v) = raw.post("act_1001/adsets", &ad_set(&c, t)).await;
        assert_graph_error(s, &v, 100, None);
        assert!(blamed(&v).contains("regional_regulation_identities"), "{v}");
    }
}

#[tokio::test]
async fn the_account_serves_its_dsa_defaults_and_recommendations() {
    let raw = Raw::new().await;
    let (_, v) = raw
        .get(&raw.authed("act_1001?fields=default_dsa_beneficiary,default_dsa_payor"))
        .await;
    assert!(
        v.get("default_dsa_beneficiary").is_none(),
        "unset is absent: {v}"
    );
    let (_, v) = raw
        .get(&raw.authed("act_1001/dsa_recommendations?x=1"))
        .await;
    assert_eq!(v["data"], json!([]));
    raw.meta
        .set_dsa_defaults("act_1001", Some("Acme Yoga Ltd"), Some("Acme Agency"));
    raw.meta.set_dsa_recommendations("1001", &["Acme Guess"]);
    let (_, v) = raw
        .get(&raw.authed("act_1001?fields=default_dsa_beneficiary,default_dsa_payor"))
        .await;
    assert_eq!(v["default_dsa_beneficiary"], "Acme Yoga Ltd");
    assert_eq!(v["default_dsa_payor"], "Acme Agency");
    let (_, v) = raw
        .get(&raw.authed("act_1001/dsa_recommendations?x=1"))
        .await;
    assert_eq!(v["data"][0]["recommendations"], json!(["Acme Guess"]));
}
