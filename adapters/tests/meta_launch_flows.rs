//! The four launch flows on the Meta adapter against the stand-in, asserting the exact
//! call sequence and the key parameters of each call; then crash recovery.

// This whole crate is test code; helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use adapters::ad_platform::launch::{self, LaunchJournal, LaunchProgress, NoJournal};
use adapters::ad_platform::*;
use adapters::stand_in::{Fault, FaultAction, Match, MetaStandIn, RecordedCall};
use serde_json::{Value, json};

fn json_param(call: &RecordedCall, key: &str) -> Value {
    serde_json::from_str(
        call.params
            .get(key)
            .unwrap_or_else(|| panic!("{key} missing in {}", call.line())),
    )
    .unwrap_or_else(|e| panic!("{key} is not JSON: {e}"))
}

fn post<'c>(calls: &'c [RecordedCall], path: &str) -> Vec<&'c RecordedCall> {
    calls
        .iter()
        .filter(|c| c.method == "POST" && c.path == path)
        .collect()
}

/// The sequence every flow shares: verify, images, campaign, ad set, creative+ad per
/// image, then activation bottom-up.
fn expected_sequence(
    progress: &LaunchProgress,
    images: usize,
    dsa_lookups: &[&str],
) -> Vec<String> {
    let mut lines: Vec<String> = [
        "GET /me",
        "GET /me/permissions",
        "GET /act_1001",
        "GET /act_1001/minimum_budgets",
    ]
    .map(String::from)
    .to_vec();
    lines.extend(dsa_lookups.iter().map(|l| (*l).to_owned()));
    lines.extend((0..images).map(|_| "POST /act_1001/adimages".to_owned()));
    lines.push("POST /act_1001/campaigns".into());
    lines.push("POST /act_1001/adsets".into());
    for _ in 0..images {
        lines.push("POST /act_1001/adcreatives".into());
        lines.push("POST /act_1001/ads".into());
    }
    for ad in progress.ad_ids.iter().flatten() {
        lines.push(format!("POST /{ad}"));
    }
    lines.push(format!(
        "POST /{}",
        progress.ad_set_id.as_ref().expect("ad set")
    ));
    lines.push(format!(
        "POST /{}",
        progress.campaign_id.as_ref().expect("campaign")
    ));
    lines
}

/// The calls of a launch: exactly the expected ones, in an order that
/// respects what depends on what. The ad set and the creatives go out
/// together, so their relative order is free; the ads wait for both, and
/// activation (ads, then the ad set, then the campaign) comes last.
fn assert_calls(lines: &[String], expected: Vec<String>) {
    let mut got = lines.to_vec();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want, "{lines:?}");
    let first = |l: &str| lines.iter().position(|x| x == l).expect(l);
    let last = |l: &str| lines.iter().rposition(|x| x == l).expect(l);
    let campaign = first("POST /act_1001/campaigns");
    assert!(campaign < first("POST /act_1001/adsets"), "{lines:?}");
    assert!(campaign < first("POST /act_1001/adcreatives"), "{lines:?}");
    let first_ad = first("POST /act_1001/ads");
    assert!(last("POST /act_1001/adsets") < first_ad, "{lines:?}");
    assert!(last("POST /act_1001/adcreatives") < first_ad, "{lines:?}");
    let n = lines.len();
    let ads = lines.iter().filter(|l| *l == "POST /act_1001/ads").count();
    assert_eq!(lines[n - 2..], expected[n - 2..], "{lines:?}");
    let mut activated = lines[n - 2 - ads..n - 2].to_vec();
    activated.sort();
    let mut activations = expected[n - 2 - ads..n - 2].to_vec();
    activations.sort();
    assert_eq!(activated, activations, "{lines:?}");
    assert!(last("POST /act_1001/ads") < n - 2 - ads, "{lines:?}");
}

async fn launch(
    meta: &MetaStandIn,
    env: &common::MetaEnv,
    req: &launch::LaunchRequest,
) -> (LaunchProgress, Vec<RecordedCall>) {
    meta.clear_calls();
    let mut progress = LaunchProgress::default();
    launch::run(
        env.adapter.as_ref(),
        &env.creds,
        req,
        &mut progress,
        &mut NoJournal,
    )
    .await
    .expect("launch");
    (progress, meta.calls())
}

/// Checks the campaign create, the activation and the ad calls common to every flow.
fn common_checks(calls: &[RecordedCall], progress: &LaunchProgress, odax: &str) {
    let campaign = post(calls, "/act_1001/campaigns")[0];
    assert_eq!(campaign.params["objective"], odax);
    assert_eq!(campaign.params["special_ad_categories"], "[]");
    assert_eq!(campaign.params["is_adset_budget_sharing_enabled"], "false");
    assert_eq!(campaign.params["status"], "PAUSED");
    assert!(campaign.params["name"].ends_with("[lf-0001]"));
    assert!(
        !campaign.params.contains_key("daily_budget"),
        "the budget sits on the ad set"
    );

    let ad_set = post(calls, "/act_1001/adsets")[0];
    assert_eq!(ad_set.params["daily_budget"], "2000");
    assert_eq!(ad_set.params["status"], "PAUSED");
    assert_eq!(ad_set.params["billing_event"], "IMPRESSIONS");
    let targeting = json_param(ad_set, "targeting");
    assert_eq!(targeting["targeting_automation"]["advantage_audience"], 0);
    assert_eq!(targeting["geo_locations"]["countries"], json!(["US"]));
    assert_eq!(
        (targeting["age_min"].as_i64(), targeting["age_max"].as_i64()),
        (Some(25), Some(54))
    );
    assert_eq!(
        targeting["flexible_spec"][0]["interests"][0]["id"],
        "6003107902433"
    );

    // The ads go out together, in any order: each runs one creative of its
    // own.
    let mut used: Vec<String> = Vec::new();
    for ad in post(calls, "/act_1001/ads") {
        assert_eq!(ad.params["status"], "PAUSED");
        assert_eq!(
            ad.params["adset_id"],
            progress.ad_set_id.as_ref().expect("ad set").as_str()
        );
        let creative = json_param(ad, "creative");
        used.push(
            creative["creative_id"]
                .as_str()
                .expect("creative id")
                .to_owned(),
        );
    }
    used.sort();
    let mut made: Vec<String> = progress
        .creative_ids
        .iter()
        .map(|c| c.as_ref().expect("creative").as_str().to_owned())
        .collect();
    made.sort();
    assert_eq!(used, made);
    for call in calls.iter().rev().take(2 + progress.ad_ids.len()) {
        assert_eq!(
            call.params["status"], "ACTIVE",
            "activation of {}",
            call.path
        );
    }
}

fn link_data(calls: &[RecordedCall], i: usize) -> Value {
    json_param(post(calls, "/act_1001/adcreatives")[i], "object_story_spec")
}

#[tokio::test]
async fn leads_with_an_instant_form() {
    let env = common::meta_env().await;
    let req = common::launch_request(
        Objective::Leads,
        Conversion::LeadForm {
            form_id: env.fixture.form_id.clone(),
        },
        &env.fixture.page_id,
        2,
    );
    let (progress, calls) = launch(&env.meta, &env, &req).await;
    let lines: Vec<String> = calls.iter().map(RecordedCall::line).collect();
    assert_calls(&lines, expected_sequence(&progress, 2, &[]));
    common_checks(&calls, &progress, "OUTCOME_LEADS");
    let ad_set = post(&calls, "/act_1001/adsets")[0];
    assert_eq!(ad_set.params["optimization_goal"], "LEAD_GENERATION");
    assert_eq!(ad_set.params["destination_type"], "ON_AD");
    assert_eq!(
        json_param(ad_set, "promoted_object"),
        json!({"page_id": "5001"})
    );
    let story = link_data(&calls, 0);
    assert_eq!(story["page_id"], "5001");
    assert_eq!(
        story["link_data"]["call_to_action"],
        json!({"type": "SIGN_UP", "value": {"lead_gen_form_id": "6001"}})
    );
    assert_eq!(story["link_data"]["name"], "Yoga that fits your day");
    assert_eq!(story["link_data"]["description"], "First week free");
    // Two images: two hashes, one creative each, in order.
    let hashes: Vec<&str> = progress
        .image_hashes
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    assert_eq!(hashes.len(), 2);
    assert_eq!(link_data(&calls, 1)["link_data"]["image_hash"], hashes[1]);
    assert_eq!(env.meta.object_ids("ad").len(), 2);
    for call in calls.iter().filter(|c| c.method == "POST") {
        assert!(
            !call.query.contains("access_token"),
            "POSTs carry the token in the form body: {}",
            call.line()
        );
        assert_eq!(call.params.get("access_token"), Some(&env.fixture.token));
    }
}

#[tokio::test]
async fn leads_with_a_website_pixel() {
    let env = common::meta_env().await;
    let req = common::launch_request(
        Objective::Leads,
        Conversion::Pixel {
            pixel_id: env.fixture.pixel_id.clone(),
        },
        &env.fixture.page_id,
        1,
    );
    let (progress, calls) = launch(&env.meta, &env, &req).await;
    assert_calls(
        &calls.iter().map(RecordedCall::line).collect::<Vec<_>>(),
        expected_sequence(&progress, 1, &[]),
    );
    common_checks(&calls, &progress, "OUTCOME_LEADS");
    let ad_set = post(&calls, "/act_1001/adsets")[0];
    assert_eq!(ad_set.params["optimization_goal"], "OFFSITE_CONVERSIONS");
    assert_eq!(ad_set.params["destination_type"], "WEBSITE");
    assert_eq!(
        json_param(ad_set, "promoted_object"),
        json!({"pixel_id": "7001", "custom_event_type": "LEAD"})
    );
    let cta = &link_data(&calls, 0)["link_data"]["call_to_action"];
    assert_eq!(cta["value"]["link"], req.link_url);
}

#[tokio::test]
async fn conversions_with_a_purchase_pixel() {
    let env = common::meta_env().await;
    let mut req = common::launch_request(
        Objective::Conversions,
        Conversion::Pixel {
            pixel_id: env.fixture.pixel_id.clone(),
        },
        &env.fixture.page_id,
        1,
    );
    req.copy.call_to_action = CallToAction::ShopNow;
    let (progress, calls) = launch(&env.meta, &env, &req).await;
    assert_calls(
        &calls.iter().map(RecordedCall::line).collect::<Vec<_>>(),
        expected_sequence(&progress, 1, &[]),
    );
    common_checks(&calls, &progress, "OUTCOME_SALES");
    let ad_set = post(&calls, "/act_1001/adsets")[0];
    assert_eq!(ad_set.params["optimization_goal"], "OFFSITE_CONVERSIONS");
    assert_eq!(
        json_param(ad_set, "promoted_object")["custom_event_type"],
        "PURCHASE"
    );
    assert_eq!(
        link_data(&calls, 0)["link_data"]["call_to_action"]["type"],
        "SHOP_NOW"
    );
}

fn eu_traffic_request(env: &common::MetaEnv) -> launch::LaunchRequest {
    let mut req = common::launch_request(
        Objective::Traffic,
        Conversion::LinkClicks,
        &env.fixture.page_id,
        1,
    );
    req.copy.call_to_action = CallToAction::LearnMore;
    // The EU is reached through a city only: the DSA rule must still apply.
    req.audience.cities = vec![GeoRef {
        key: "819827".into(),
        name: "Munich".into(),
        country_code: Some("DE".into()),
    }];
    req
}

fn dsa_sent(calls: &[RecordedCall]) -> (String, String) {
    let ad_set = post(calls, "/act_1001/adsets")[0];
    (
        ad_set.params["dsa_beneficiary"].clone(),
        ad_set.params["dsa_payor"].clone(),
    )
}

#[tokio::test]
async fn traffic_to_a_website_in_the_eu_names_the_accounts_dsa_defaults() {
    let env = common::meta_env().await;
    env.meta
        .set_dsa_defaults("1001", Some("Acme Yoga GmbH"), Some("Acme Agency"));
    let req = eu_traffic_request(&env);
    let (progress, calls) = launch(&env.meta, &env, &req).await;
    assert_calls(
        &calls.iter().map(RecordedCall::line).collect::<Vec<_>>(),
        expected_sequence(&progress, 1, &["GET /act_1001"]),
    );
    common_checks(&calls, &progress, "OUTCOME_TRAFFIC");
    let lookup = calls
        .iter()
        .filter(|c| c.line() == "GET /act_1001")
        .find(|c| {
            c.params
                .get("fields")
                .is_some_and(|f| f.contains("default_dsa"))
        })
        .expect("the DSA defaults are read");
    assert_eq!(
        lookup.params["fields"],
        "default_dsa_beneficiary,default_dsa_payor"
    );
    let ad_set = post(&calls, "/act_1001/adsets")[0];
    assert_eq!(ad_set.params["optimization_goal"], "LINK_CLICKS");
    assert_eq!(ad_set.params["destination_type"], "WEBSITE");
    assert!(!ad_set.params.contains_key("promoted_object"));
    assert_eq!(
        dsa_sent(&calls),
        ("Acme Yoga GmbH".to_owned(), "Acme Agency".to_owned())
    );
    assert_eq!(
        json_param(ad_set, "targeting")["geo_locations"]["cities"],
        json!([{"key": "819827"}])
    );
}

#[tokio::test]
async fn dsa_parties_come_from_the_request_then_defaults_then_recommendations() {
    let env = common::meta_env().await;
    env.meta
        .set_dsa_recommendations("1001", &["Acme Predicted"]);
    // Only a payor by default: the beneficiary is Meta's recommendation.
    env.meta.set_dsa_defaults("1001", None, Some("Acme Agency"));
    let mut req = eu_traffic_request(&env);
    req.tag = "lf-dsa-1".into();
    let (progress, calls) = launch(&env.meta, &env, &req).await;
    assert_calls(
        &calls.iter().map(RecordedCall::line).collect::<Vec<_>>(),
        expected_sequence(
            &progress,
            1,
            &["GET /act_1001", "GET /act_1001/dsa_recommendations"],
        ),
    );
    assert_eq!(
        dsa_sent(&calls),
        ("Acme Predicted".to_owned(), "Acme Agency".to_owned())
    );

    // The advertiser's own names win and nothing is looked up.
    req.tag = "lf-dsa-2".into();
    req.dsa = Some(DsaParties {
        beneficiary: "Yoga Client SA".into(),
        payor: "Agency SARL".into(),
    });
    let (progress, calls) = launch(&env.meta, &env, &req).await;
    assert_calls(
        &calls.iter().map(RecordedCall::line).collect::<Vec<_>>(),
        expected_sequence(&progress, 1, &[]),
    );
    assert_eq!(
        dsa_sent(&calls),
        ("Yoga Client SA".to_owned(), "Agency SARL".to_owned())
    );
}

#[tokio::test]
async fn an_eu_launch_nobody_names_dsa_parties_for_creates_nothing() {
    let env = common::meta_env().await;
    let req = eu_traffic_request(&env);
    env.meta.clear_calls();
    let mut progress = LaunchProgress::default();
    let err = launch::run(
        env.adapter.as_ref(),
        &env.creds,
        &req,
        &mut progress,
        &mut NoJournal,
    )
    .await
    .expect_err("no DSA parties");
    let PlatformError::Invalid(inv) = err.platform().expect("platform error") else {
        panic!("{err:?}")
    };
    assert_eq!(inv.field.as_deref(), Some("dsa_beneficiary"));
    assert!(env.meta.call_lines().iter().all(|l| l.starts_with("GET ")));
    assert!(env.meta.object_ids("campaign").is_empty());
}

#[tokio::test]
async fn a_housing_launch_declares_its_category_and_countries() {
    let env = common::meta_env().await;
    let mut req = common::launch_request(
        Objective::Leads,
        Conversion::LeadForm {
            form_id: env.fixture.form_id.clone(),
        },
        &env.fixture.page_id,
        1,
    );
    req.special_ad_category = SpecialAdCategory::Housing;
    req.audience.age_min = 18;
    req.audience.age_max = 65;
    req.audience.cities = vec![GeoRef {
        key: "2418779".into(),
        name: "Austin".into(),
        country_code: Some("US".into()),
    }];
    env.meta.add_geo("2418779", "Austin", "city", "US");
    let (_, calls) = launch(&env.meta, &env, &req).await;
    let campaign = post(&calls, "/act_1001/campaigns")[0];
    assert_eq!(
        json_param(campaign, "special_ad_categories"),
        json!(["HOUSING"])
    );
    assert_eq!(
        json_param(campaign, "special_ad_category_country"),
        json!(["US"])
    );
    let ad_set = post(&calls, "/act_1001/adsets")[0];
    let t = json_param(ad_set, "targeting");
    assert_eq!(
        (t["age_min"].clone(), t["age_max"].clone()),
        (json!(18), json!(65))
    );
    assert_eq!(
        t["geo_locations"]["cities"],
        json!([{"key": "2418779", "radius": 15, "distance_unit": "mile"}])
    );
}

#[tokio::test]
async fn narrowed_ages_under_a_category_and_taiwan_create_nothing() {
    let env = common::meta_env().await;
    let base = common::launch_request(
        Objective::Traffic,
        Conversion::LinkClicks,
        &env.fixture.page_id,
        1,
    );
    let mut housing = base.clone();
    housing.special_ad_category = SpecialAdCategory::Housing;
    housing.audience.age_min = 25;
    let mut taiwan = base.clone();
    taiwan.audience.countries = vec!["US".into(), "TW".into()];
    for (what, req) in [("housing ages", housing), ("Taiwan", taiwan)] {
        env.meta.clear_calls();
        let err = launch::run(
            env.adapter.as_ref(),
            &env.creds,
            &req,
            &mut LaunchProgress::default(),
            &mut NoJournal,
        )
        .await
        .expect_err(what);
        let PlatformError::Invalid(inv) = err.platform().expect("platform error") else {
            panic!("{what}: {err:?}")
        };
        assert_eq!(inv.field.as_deref(), Some("targeting"), "{what}");
        assert!(env.meta.call_lines().is_empty(), "{what}: nothing is sent");
    }
    assert!(env.meta.object_ids("campaign").is_empty());
}

#[tokio::test]
async fn eu_audience_without_dsa_is_rejected_by_the_stand_in() {
    let env = common::meta_env().await;
    // Send the raw ad set ourselves, without DSA fields, to prove the stand-in enforces them.
    let campaign = env
        .adapter
        .create_campaign(
            &env.creds,
            &CampaignSpec {
                name: "EU".into(),
                tag: "eu".into(),
                objective: Objective::Traffic,
                campaign_daily_budget: None,
                special_ad_category: SpecialAdCategory::None,
                category_countries: Vec::new(),
            },
            CreateMode::Create,
        )
        .await
        .expect("campaign");
    let spec = AdSetSpec {
        name: "EU".into(),
        tag: "eu-s".into(),
        campaign_id: campaign,
        objective: Objective::Traffic,
        conversion: Conversion::LinkClicks,
        page_id: env.fixture.page_id.clone(),
        daily_budget: Some(500),
        audience: Audience {
            countries: vec!["FR".into()],
            ..common::us_audience()
        },
        dsa: Some(DsaParties {
            beneficiary: " ".into(),
            payor: " ".into(),
        }),
        special_ad_category: SpecialAdCategory::None,
    };
    let err = env
        .adapter
        .create_ad_set(&env.creds, &spec, CreateMode::Create)
        .await
        .expect_err("dsa");
    let PlatformError::Invalid(inv) = err else {
        panic!("{err:?}")
    };
    assert_eq!(inv.field.as_deref(), Some("dsa_beneficiary"));
}

/// A journal that records every save, like the launch job's database rows.
#[derive(Default)]
struct Recorder(Vec<LaunchProgress>);

#[async_trait::async_trait]
impl LaunchJournal for Recorder {
    async fn save(
        &mut self,
        progress: &LaunchProgress,
    ) -> Result<(), adapters::ad_platform::launch::JournalStop> {
        self.0.push(progress.clone());
        Ok(())
    }
}

/// Meta under load: a create applied, then answered with a 5xx Graph error
/// (or its answer lost on the way back), while filtered listings trail the
/// write. The run stops with the outcome unknown and the attempt on record;
/// the next run, after the lag, finds the object by its tag and adopts it.
#[tokio::test]
async fn an_applied_create_answered_with_a_failure_is_adopted_on_the_next_run() {
    let applied_then_500 = FaultAction::ApplyThen(Box::new(FaultAction::Error {
        http_status: 500,
        code: 2,
        subcode: None,
        message: "An unexpected error has occurred. Please retry your request later.".into(),
        user_message: None,
        is_transient: Some(true),
        retry_delay_secs: None,
    }));
    for (path, kind, fault) in [
        ("/adsets", "adset", applied_then_500.clone()),
        ("/adsets", "adset", FaultAction::Drop { apply: true }),
        ("/campaigns", "campaign", applied_then_500.clone()),
        ("/adcreatives", "adcreative", applied_then_500.clone()),
        ("/ads", "ad", applied_then_500),
    ] {
        let env = common::meta_env().await;
        let lag = std::time::Duration::from_millis(300);
        env.meta.set_listing_lag(lag);
        // "/ads" also matches "/adsets": the ad set passes, the ad fails.
        let nth = if path == "/ads" { 2 } else { 1 };
        env.meta
            .inject(Fault::nth(Match::on("POST", path), fault.clone(), nth));
        let req = common::launch_request(
            Objective::Traffic,
            Conversion::LinkClicks,
            &env.fixture.page_id,
            1,
        );
        let mut progress = LaunchProgress::default();
        let mut journal = Recorder::default();
        let err = launch::run(
            env.adapter.as_ref(),
            &env.creds,
            &req,
            &mut progress,
            &mut journal,
        )
        .await
        .expect_err("the outcome is unknown");
        assert!(
            err.platform().is_some_and(PlatformError::outcome_unknown),
            "{path} {fault:?}: {err:?}"
        );
        assert_eq!(env.meta.object_ids(kind).len(), 1, "{path}: applied");
        let lines = env.meta.call_lines();
        assert!(
            !lines.contains(&format!("GET /act_1001{path}")),
            "{path}: not looked up in the same instant: {lines:?}"
        );
        let mut stored = journal.0.last().cloned().expect("progress saved");
        assert!(!stored.attempted.is_empty(), "attempt journalled");

        tokio::time::sleep(lag).await;
        env.meta.clear_calls();
        launch::run(
            env.adapter.as_ref(),
            &env.creds,
            &req,
            &mut stored,
            &mut NoJournal,
        )
        .await
        .expect("resumed");
        let lines = env.meta.call_lines();
        assert!(
            lines.contains(&format!("GET /act_1001{path}")),
            "{path}: looked up by tag: {lines:?}"
        );
        for kind in ["campaign", "adset", "adcreative", "ad"] {
            assert_eq!(
                env.meta.object_ids(kind).len(),
                1,
                "{path} {fault:?}: exactly one {kind}"
            );
        }
        assert!(stored.activated);
    }
}

/// Creates sent side by side all finish and are journalled before one's
/// failure ends the run: the second creative, refused, does not cut off the
/// first, whose id is on record.
#[tokio::test]
async fn a_failing_sibling_does_not_drop_creates_in_flight() {
    let env = common::meta_env().await;
    // The first creative answers slowly; the second is refused at once.
    env.meta.inject(Fault::once(
        Match::on("POST", "/adcreatives"),
        FaultAction::Slow(std::time::Duration::from_millis(400)),
    ));
    env.meta.inject(Fault::nth(
        Match::on("POST", "/adcreatives"),
        Fault::graph_error(100, None, "Invalid parameter"),
        1,
    ));
    let req = common::launch_request(
        Objective::Traffic,
        Conversion::LinkClicks,
        &env.fixture.page_id,
        2,
    );
    let mut progress = LaunchProgress::default();
    let mut journal = Recorder::default();
    launch::run(
        env.adapter.as_ref(),
        &env.creds,
        &req,
        &mut progress,
        &mut journal,
    )
    .await
    .expect_err("refused");
    assert_eq!(env.meta.object_ids("adcreative").len(), 1);
    let last = journal.0.last().expect("saved");
    assert_eq!(
        last.creative_ids.iter().flatten().count(),
        1,
        "the slow creative's id was journalled: {last:?}"
    );
    assert!(last.ad_set_id.is_some());
}

#[tokio::test]
async fn a_restart_after_a_crash_resumes_without_duplicates() {
    let env = common::meta_env().await;
    let req = common::launch_request(
        Objective::Leads,
        Conversion::LeadForm {
            form_id: env.fixture.form_id.clone(),
        },
        &env.fixture.page_id,
        1,
    );
    // First run: a long rate limit on the creative stops the launch.
    env.meta.inject(Fault::once(
        Match::on("POST", "/adcreatives"),
        FaultAction::RateLimit {
            code: 613,
            regain_minutes: 5,
        },
    ));
    let mut journal = Recorder::default();
    let mut progress = LaunchProgress::default();
    let err = launch::run(
        env.adapter.as_ref(),
        &env.creds,
        &req,
        &mut progress,
        &mut journal,
    )
    .await
    .expect_err("rate limited");
    assert_eq!(
        err.platform().map(PlatformError::class),
        Some("rate_limited")
    );
    // Simulate a crash right after the creative was sent again but before its id was saved:
    // the stored progress says "attempted" and the object exists remotely.
    let mut stored = journal.0.last().cloned().expect("progress saved");
    assert!(
        stored.campaign_id.is_some()
            && stored.ad_set_id.is_some()
            && stored.creative_ids[0].is_none()
    );
    let creative = CreativeSpec {
        name: "Spring yoga · creative 1".into(),
        tag: "lf-0001-c0".into(),
        page_id: env.fixture.page_id.clone(),
        image_hash: stored.image_hashes[0].clone().expect("hash"),
        link_url: req.link_url.clone(),
        copy: req.copy.clone(),
        lead_form_id: Some(env.fixture.form_id.clone()),
    };
    env.adapter
        .create_creative(&env.creds, &creative, CreateMode::Create)
        .await
        .expect("applied before the crash");
    env.meta.clear_calls();
    launch::run(
        env.adapter.as_ref(),
        &env.creds,
        &req,
        &mut stored,
        &mut NoJournal,
    )
    .await
    .expect("resume");
    let lines = env.meta.call_lines();
    assert!(
        !lines.contains(&"POST /act_1001/adimages".to_owned()),
        "images are not uploaded twice"
    );
    assert!(!lines.contains(&"POST /act_1001/campaigns".to_owned()));
    assert!(
        !lines.contains(&"POST /act_1001/adcreatives".to_owned()),
        "the creative was adopted: {lines:?}"
    );
    assert!(lines.contains(&"GET /act_1001/adcreatives".to_owned()));
    assert_eq!(env.meta.object_ids("adcreative").len(), 1);
    assert_eq!(env.meta.object_ids("campaign").len(), 1);
    assert!(stored.activated);
}

#[tokio::test]
async fn an_inactive_account_stops_before_anything_is_created() {
    let env = common::meta_env().await;
    env.meta.add_account(adapters::stand_in::AccountSeed {
        number: "1001".into(),
        name: "Acme US".into(),
        currency: "USD".into(),
        timezone: "America/Los_Angeles".into(),
        status: 3,
        min_daily_budget: 100,
    });
    let req = common::launch_request(
        Objective::Traffic,
        Conversion::LinkClicks,
        &env.fixture.page_id,
        1,
    );
    let err = launch::run(
        env.adapter.as_ref(),
        &env.creds,
        &req,
        &mut LaunchProgress::default(),
        &mut NoJournal,
    )
    .await
    .expect_err("unsettled");
    assert!(err.to_string().contains("UNSETTLED"), "{err}");
    assert!(env.meta.call_lines().iter().all(|l| l.starts_with("GET ")));
}
