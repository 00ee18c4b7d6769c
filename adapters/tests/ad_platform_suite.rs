//! One behaviour suite, run against the Sandbox and against the Meta adapter pointed at
//! the strict Meta stand-in. Both must agree on every observable behaviour here.

// This whole crate is test code; helpers outside #[test] functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use adapters::ad_platform::launch::{self, LaunchProgress, NoJournal};
use adapters::ad_platform::sandbox::Sandbox;
use adapters::ad_platform::*;
use adapters::stand_in::{InsightsSeed, MetaStandIn};

/// One implementation under test, with the ids of its world.
struct Env {
    platform: Arc<dyn AdPlatform>,
    creds: Credentials,
    page_id: String,
    form_id: String,
    pixel_id: String,
    sandbox: Option<Arc<Sandbox>>,
    meta: Option<MetaStandIn>,
}

impl Env {
    /// Makes a campaign deliver: the Sandbox's clock moves on; the stand-in gets seeded
    /// delivery (it has no simulator).
    fn deliver(&self, campaign: &RemoteId) {
        if let Some(s) = &self.sandbox {
            s.advance(Duration::from_secs(3 * 3600));
        }
        if let Some(m) = &self.meta {
            m.set_insights(
                campaign.as_str(),
                InsightsSeed {
                    impressions: 9_000,
                    clicks: 140,
                    inline_link_clicks: 120,
                    spend: "15.00".into(),
                    leads: 12,
                    ..InsightsSeed::default()
                },
            );
        }
    }
}

async fn sandbox() -> Env {
    let sandbox = Arc::new(Sandbox::with_manual_clock());
    let assets = sandbox
        .assets(&Credentials::new("token", "act_777"))
        .await
        .expect("assets");
    let page = &assets.pages[0];
    Env {
        platform: sandbox.clone(),
        creds: Credentials::new("token", "act_777"),
        page_id: page.id.clone(),
        form_id: page.lead_forms[0].id.clone(),
        pixel_id: assets.pixels[0].id.clone(),
        sandbox: Some(sandbox),
        meta: None,
    }
}

async fn meta() -> Env {
    let env = common::meta_env().await;
    Env {
        platform: env.adapter.clone(),
        creds: env.creds.clone(),
        page_id: env.fixture.page_id.clone(),
        form_id: env.fixture.form_id.clone(),
        pixel_id: env.fixture.pixel_id.clone(),
        sandbox: None,
        meta: Some(env.meta),
    }
}

async fn verify_reports_account(env: Env) {
    let check = env.platform.verify(&env.creds).await.expect("verify");
    assert_eq!(check.currency, "USD");
    assert!(check.account_status.is_active());
    assert_eq!(check.min_daily_budget, Some(100));
    assert!(
        check.missing_permissions.is_empty(),
        "{:?}",
        check.missing_permissions
    );
    assert!(!check.account_name.is_empty());
}

async fn assets_list_page_form_and_pixel(env: Env) {
    let assets = env.platform.assets(&env.creds).await.expect("assets");
    let page = assets
        .pages
        .iter()
        .find(|p| p.id == env.page_id)
        .expect("page listed");
    assert!(page.lead_forms.iter().any(|f| f.id == env.form_id));
    assert!(assets.pixels.iter().any(|p| p.id == env.pixel_id));
}

async fn search_finds_interests_and_places(env: Env) {
    let found = env
        .platform
        .search_targeting(&env.creds, TargetingKind::Interest, "yoga", None)
        .await
        .expect("search");
    assert!(
        found
            .iter()
            .any(|o| o.id == "6003107902433" && o.name == "Yoga"),
        "{found:?}"
    );
    let regions = env
        .platform
        .search_targeting(&env.creds, TargetingKind::Region, "cali", Some("US"))
        .await
        .expect("search");
    assert_eq!(
        regions.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        vec!["3847"]
    );
    let cities = env
        .platform
        .search_targeting(&env.creds, TargetingKind::City, "lisbon", None)
        .await
        .expect("search");
    assert!(
        cities
            .iter()
            .all(|c| c.kind == TargetingKind::City && c.country_code.as_deref() == Some("PT"))
    );
    assert!(!cities.is_empty());
}

async fn same_image_same_hash(env: Env) {
    let a = env
        .platform
        .upload_image(&env.creds, &common::png(1))
        .await
        .expect("upload");
    let b = env
        .platform
        .upload_image(&env.creds, &common::png(1))
        .await
        .expect("upload");
    let c = env
        .platform
        .upload_image(&env.creds, &common::png(2))
        .await
        .expect("upload");
    assert_eq!(a.hash, b.hash);
    assert_ne!(a.hash, c.hash);
}

async fn launch_find_pause_delete(env: Env) {
    let req = common::launch_request(Objective::Traffic, Conversion::LinkClicks, &env.page_id, 1);
    let mut progress = LaunchProgress::default();
    launch::run(
        env.platform.as_ref(),
        &env.creds,
        &req,
        &mut progress,
        &mut NoJournal,
    )
    .await
    .expect("launch");
    assert!(progress.activated);
    let campaign = progress.campaign_id.clone().expect("campaign id");
    let found = env
        .platform
        .find_by_tag(&env.creds, ObjectKind::Campaign, "lf-0001")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(found.id, campaign);
    assert_eq!(found.status, "ACTIVE");
    assert!(found.name.contains("Spring yoga"));
    // The ad set's tag extends the campaign's; a lookup must not confuse them.
    let ad_set = env
        .platform
        .find_by_tag(&env.creds, ObjectKind::AdSet, "lf-0001-s")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(Some(ad_set.id), progress.ad_set_id);
    env.platform
        .set_status(&env.creds, &campaign, RemoteStatus::Paused)
        .await
        .expect("pause");
    let paused = env
        .platform
        .find_by_tag(&env.creds, ObjectKind::Campaign, "lf-0001")
        .await
        .expect("find")
        .expect("found");
    assert_eq!(paused.status, "PAUSED");
    env.platform
        .delete(&env.creds, &campaign)
        .await
        .expect("delete");
    assert!(
        env.platform
            .find_by_tag(&env.creds, ObjectKind::Campaign, "lf-0001")
            .await
            .expect("find")
            .is_none()
    );
    let again = env
        .platform
        .set_status(&env.creds, &campaign, RemoteStatus::Active)
        .await
        .expect_err("deleted");
    assert_eq!(again.class(), "invalid");
}

fn expect_invalid(err: &launch::LaunchError) -> &InvalidRequest {
    match err.platform() {
        Some(PlatformError::Invalid(inv)) => inv,
        other => panic!("expected an invalid-request error, got {other:?}"),
    }
}

async fn rejects_ages_outside_18_to_65(env: Env) {
    let mut req =
        common::launch_request(Objective::Traffic, Conversion::LinkClicks, &env.page_id, 1);
    req.audience.age_max = 70;
    let err = launch::run(
        env.platform.as_ref(),
        &env.creds,
        &req,
        &mut LaunchProgress::default(),
        &mut NoJournal,
    )
    .await
    .expect_err("age");
    let inv = expect_invalid(&err);
    assert_eq!(inv.field.as_deref(), Some("targeting"));
    assert_eq!(inv.code, Some(100));
}

async fn rejects_goal_not_fitting_objective(env: Env) {
    let req = common::launch_request(
        Objective::Traffic,
        Conversion::LeadForm {
            form_id: env.form_id.clone(),
        },
        &env.page_id,
        1,
    );
    let err = launch::run(
        env.platform.as_ref(),
        &env.creds,
        &req,
        &mut LaunchProgress::default(),
        &mut NoJournal,
    )
    .await
    .expect_err("goal");
    let inv = expect_invalid(&err);
    assert_eq!(inv.subcode, Some(2_490_408));
    assert_eq!(inv.field.as_deref(), Some("optimization_goal"));
    assert!(inv.user_message.is_some());
}

async fn rejects_budget_below_minimum(env: Env) {
    let mut req =
        common::launch_request(Objective::Traffic, Conversion::LinkClicks, &env.page_id, 1);
    req.daily_budget = 50;
    let err = launch::run(
        env.platform.as_ref(),
        &env.creds,
        &req,
        &mut LaunchProgress::default(),
        &mut NoJournal,
    )
    .await
    .expect_err("budget");
    let inv = expect_invalid(&err);
    assert_eq!(inv.subcode, Some(1_885_272));
    assert!(
        inv.user_message
            .as_deref()
            .unwrap_or_default()
            .contains("1.00 USD"),
        "{inv:?}"
    );
}

async fn rejects_unknown_interest(env: Env) {
    let mut req =
        common::launch_request(Objective::Traffic, Conversion::LinkClicks, &env.page_id, 1);
    req.audience.interests.push(NamedRef {
        id: "999".into(),
        name: "Nope".into(),
    });
    let err = launch::run(
        env.platform.as_ref(),
        &env.creds,
        &req,
        &mut LaunchProgress::default(),
        &mut NoJournal,
    )
    .await
    .expect_err("interest");
    assert_eq!(expect_invalid(&err).field.as_deref(), Some("targeting"));
}

async fn rejects_unknown_image_hash(env: Env) {
    let spec = CreativeSpec {
        name: "c".into(),
        tag: "t1".into(),
        page_id: env.page_id.clone(),
        image_hash: "0123456789abcdef".into(),
        link_url: "https://acme.example/".into(),
        copy: common::copy(),
        lead_form_id: None,
    };
    let err = env
        .platform
        .create_creative(&env.creds, &spec, CreateMode::Create)
        .await
        .expect_err("hash");
    let PlatformError::Invalid(inv) = err else {
        panic!("expected invalid, got {err:?}")
    };
    assert_eq!(inv.subcode, Some(2_446_386));
}

async fn validate_only_creates_nothing(env: Env) {
    let spec = CampaignSpec {
        name: "Dry run".into(),
        tag: "dry-1".into(),
        objective: Objective::Leads,
        campaign_daily_budget: None,
        special_ad_category: SpecialAdCategory::None,
        category_countries: Vec::new(),
    };
    let id = env
        .platform
        .create_campaign(&env.creds, &spec, CreateMode::ValidateOnly)
        .await
        .expect("validate");
    assert!(id.as_str().is_empty());
    assert!(
        env.platform
            .find_by_tag(&env.creds, ObjectKind::Campaign, "dry-1")
            .await
            .expect("find")
            .is_none()
    );
}

/// A special ad category needs its countries and limits the ad set's ages;
/// Taiwan needs a verified advertiser. Both platforms refuse the same.
async fn special_category_and_regional_limits_hold(env: Env) {
    let spec = |countries: Vec<String>| CampaignSpec {
        name: "Homes".into(),
        tag: "homes-1".into(),
        objective: Objective::Traffic,
        campaign_daily_budget: None,
        special_ad_category: SpecialAdCategory::Housing,
        category_countries: countries,
    };
    let invalid = |e: PlatformError| match e {
        PlatformError::Invalid(inv) => inv.field.unwrap_or_default(),
        other => panic!("{other:?}"),
    };
    let err = env
        .platform
        .create_campaign(&env.creds, &spec(Vec::new()), CreateMode::Create)
        .await
        .expect_err("countries");
    assert_eq!(invalid(err), "special_ad_category_country");
    let campaign = env
        .platform
        .create_campaign(&env.creds, &spec(vec!["US".into()]), CreateMode::Create)
        .await
        .expect("campaign");
    let ad_set = |audience: Audience| AdSetSpec {
        name: "Homes".into(),
        tag: "homes-1-s".into(),
        campaign_id: campaign.clone(),
        objective: Objective::Traffic,
        conversion: Conversion::LinkClicks,
        page_id: env.page_id.clone(),
        daily_budget: Some(500),
        audience,
        dsa: None,
        special_ad_category: SpecialAdCategory::Housing,
    };
    let narrowed = common::us_audience();
    let taiwan = Audience {
        countries: vec!["TW".into()],
        age_min: 18,
        age_max: 65,
        ..common::us_audience()
    };
    for audience in [narrowed, taiwan] {
        let err = env
            .platform
            .create_ad_set(&env.creds, &ad_set(audience.clone()), CreateMode::Create)
            .await
            .expect_err("refused");
        assert!(
            invalid(err) != "daily_budget",
            "refused for its targeting: {audience:?}"
        );
    }
    let adults = Audience {
        age_min: 18,
        age_max: 65,
        ..common::us_audience()
    };
    env.platform
        .create_ad_set(&env.creds, &ad_set(adults), CreateMode::Create)
        .await
        .expect("every adult in the declared country");
}

async fn bad_token_is_auth(env: Env) {
    let creds = Credentials::new("invalid", &env.creds.ad_account_id);
    let err = env.platform.verify(&creds).await.expect_err("auth");
    assert_eq!(err.class(), "auth");
    assert!(!err.is_retryable());
}

/// Launches a one-creative lead-form campaign; its remote id.
async fn launched_lead_campaign(env: &Env) -> RemoteId {
    let req = common::launch_request(
        Objective::Leads,
        Conversion::LeadForm {
            form_id: env.form_id.clone(),
        },
        &env.page_id,
        1,
    );
    let mut progress = LaunchProgress::default();
    launch::run(
        env.platform.as_ref(),
        &env.creds,
        &req,
        &mut progress,
        &mut NoJournal,
    )
    .await
    .expect("launch");
    progress.campaign_id.clone().expect("campaign")
}

async fn insights_report_delivery(env: Env) {
    let campaign = launched_lead_campaign(&env).await;
    env.deliver(&campaign);
    let rows = env
        .platform
        .insights(
            &env.creds,
            std::slice::from_ref(&campaign),
            common::range_days(7),
        )
        .await
        .expect("insights");
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.campaign_id, campaign);
    assert!(
        row.impressions > 0 && row.spend_minor > 0 && row.leads > 0,
        "{row:?}"
    );
    assert!(row.clicks <= row.impressions && row.leads <= row.clicks);
    assert!(
        row.spend_minor <= 2_000,
        "spend above one day's budget: {row:?}"
    );
    assert!(env.platform.usage(&env.creds.ad_account_id).is_some());
}

async fn campaign_states_follow_status_changes(env: Env) {
    let campaign = launched_lead_campaign(&env).await;
    let unknown = RemoteId::from("120999999999999999");
    let state = |env: &Env| {
        let platform = env.platform.clone();
        let creds = env.creds.clone();
        let ids = vec![campaign.clone(), unknown.clone()];
        async move {
            let states = platform
                .campaign_states(&creds, &ids)
                .await
                .expect("states");
            assert!(states.len() <= 1, "only known campaigns: {states:?}");
            states.into_iter().next().map(|s| s.delivery)
        }
    };
    assert_eq!(state(&env).await, Some(RemoteDelivery::Running));
    env.platform
        .set_status(&env.creds, &campaign, RemoteStatus::Paused)
        .await
        .expect("pause");
    assert_eq!(state(&env).await, Some(RemoteDelivery::Paused));
    env.platform
        .set_status(&env.creds, &campaign, RemoteStatus::Archived)
        .await
        .expect("archive");
    assert_eq!(
        state(&env).await,
        Some(RemoteDelivery::Ended),
        "archived campaigns are still reported"
    );
    assert!(
        env.platform
            .campaign_states(&env.creds, &[])
            .await
            .expect("no ids")
            .is_empty()
    );
}

async fn ad_states_come_with_campaign_states(env: Env) {
    let campaign = launched_lead_campaign(&env).await;
    let states = env
        .platform
        .campaign_states(&env.creds, std::slice::from_ref(&campaign))
        .await
        .expect("states");
    let [state] = states.as_slice() else {
        panic!("{states:?}")
    };
    assert_eq!(state.delivery, RemoteDelivery::Running);
    assert_eq!(state.ads.len(), 1, "{state:?}");
    assert_eq!(state.ads[0].delivery, AdDelivery::Running);
    // A paused campaign pauses its ads (the parent's pause shows on them).
    env.platform
        .set_status(&env.creds, &campaign, RemoteStatus::Paused)
        .await
        .expect("pause");
    let states = env
        .platform
        .campaign_states(&env.creds, std::slice::from_ref(&campaign))
        .await
        .expect("states");
    assert_eq!(states[0].delivery, RemoteDelivery::Paused);
    assert_eq!(states[0].ads[0].delivery, AdDelivery::Paused);
}

/// Meta only: the stand-in's rules on delivery states (reference §3.8),
/// then the adapter reading them.
#[tokio::test]
async fn meta_review_states_live_on_ads() {
    let env = common::meta_env().await;
    let meta = &env.meta;
    let req = common::launch_request(
        Objective::Leads,
        Conversion::LeadForm {
            form_id: env.fixture.form_id.clone(),
        },
        &env.fixture.page_id,
        3,
    );
    let mut progress = LaunchProgress::default();
    launch::run(
        env.adapter.as_ref(),
        &env.creds,
        &req,
        &mut progress,
        &mut NoJournal,
    )
    .await
    .expect("launch");
    let campaign = progress.campaign_id.clone().expect("campaign");
    let ads: Vec<RemoteId> = progress.ad_ids.iter().flatten().cloned().collect();
    assert_eq!(ads.len(), 3);

    // Rule 1: the campaign edge refuses ad-level statuses.
    let http = reqwest::Client::new();
    let token = env.fixture.token.clone();
    let list = |edge: &str, statuses: &str| {
        http.get(format!(
            "{}/v27.0/{}/{edge}",
            meta.base_url(),
            env.creds.ad_account_id
        ))
        .query(&[
            ("access_token", token.as_str()),
            ("fields", "id,effective_status"),
            ("effective_status", statuses),
        ])
        .send()
    };
    let r = list("campaigns", r#"["ACTIVE","DISAPPROVED"]"#)
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], 100, "{body}");
    assert_eq!(body["error"]["error_subcode"], 1_487_561, "{body}");
    let r = list("adsets", r#"["PENDING_REVIEW"]"#).await.expect("send");
    assert_eq!(r.status().as_u16(), 400);
    let r = list("ads", r#"["ACTIVE","DISAPPROVED","ADSET_PAUSED"]"#)
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);

    // Rule 2: review verdicts exist only on ads.
    assert!(
        meta.set_verdict(campaign.as_str(), "DISAPPROVED", Some("x"))
            .is_err()
    );
    assert!(
        meta.set_verdict(campaign.as_str(), "PENDING_BILLING_INFO", None)
            .is_err()
    );
    let ad_set = progress.ad_set_id.clone().expect("ad set");
    assert!(
        meta.set_verdict(ad_set.as_str(), "PENDING_REVIEW", None)
            .is_err()
    );
    meta.set_verdict(
        ads[1].as_str(),
        "DISAPPROVED",
        Some("Your ad uses text in its image."),
    )
    .expect("an ad can be disapproved");

    // The adapter: one listing of campaigns, one of ads, each with its own
    // level's values; the rejection reaches the campaign without killing it.
    meta.clear_calls();
    let states = env
        .adapter
        .campaign_states(&env.creds, std::slice::from_ref(&campaign))
        .await
        .expect("states");
    let state = &states[0];
    assert_eq!(
        state.delivery,
        RemoteDelivery::Stopped {
            reason: "1 of 3 ads disapproved: Your ad uses text in its image.".into()
        }
    );
    let of = |id: &RemoteId| {
        state
            .ads
            .iter()
            .find(|a| &a.ad_id == id)
            .map(|a| a.delivery.clone())
    };
    assert_eq!(of(&ads[0]), Some(AdDelivery::Running));
    assert_eq!(
        of(&ads[1]),
        Some(AdDelivery::Disapproved {
            reason: "Your ad uses text in its image.".into()
        })
    );
    let lines = meta.call_lines();
    let account = &env.creds.ad_account_id;
    assert_eq!(
        lines,
        vec![
            format!("GET /{account}/campaigns"),
            format!("GET /{account}/ads")
        ]
        .into_iter()
        .filter(|l| lines.contains(l))
        .collect::<Vec<_>>()
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
    let ads_call = meta
        .calls()
        .into_iter()
        .find(|c| c.path.ends_with("/ads"))
        .expect("ads listing");
    assert!(ads_call.params["filtering"].contains("campaign.id"));

    // A billing hold on every ad, then cleared.
    meta.set_verdict(ads[1].as_str(), "ACTIVE", None)
        .expect("clear");
    for ad in &ads {
        meta.set_verdict(ad.as_str(), "PENDING_BILLING_INFO", None)
            .expect("hold");
    }
    let states = env
        .adapter
        .campaign_states(&env.creds, std::slice::from_ref(&campaign))
        .await
        .expect("states");
    assert!(
        matches!(&states[0].delivery, RemoteDelivery::Stopped { reason } if reason.starts_with("3 of 3 ads held for billing")),
        "{states:?}"
    );
    assert!(matches!(
        states[0].ads[0].delivery,
        AdDelivery::BillingHold { .. }
    ));
    for ad in &ads {
        meta.set_verdict(ad.as_str(), "ACTIVE", None)
            .expect("clear");
    }
    let states = env
        .adapter
        .campaign_states(&env.creds, std::slice::from_ref(&campaign))
        .await
        .expect("states");
    assert_eq!(states[0].delivery, RemoteDelivery::Running);
}

macro_rules! suite {
    ($env:ident) => {
        mod $env {
            macro_rules! case {
                ($name:ident) => {
                    #[tokio::test]
                    async fn $name() {
                        super::$name(super::$env().await).await
                    }
                };
            }
            case!(verify_reports_account);
            case!(assets_list_page_form_and_pixel);
            case!(search_finds_interests_and_places);
            case!(same_image_same_hash);
            case!(launch_find_pause_delete);
            case!(rejects_ages_outside_18_to_65);
            case!(rejects_goal_not_fitting_objective);
            case!(rejects_budget_below_minimum);
            case!(rejects_unknown_interest);
            case!(rejects_unknown_image_hash);
            case!(validate_only_creates_nothing);
            case!(special_category_and_regional_limits_hold);
            case!(bad_token_is_auth);
            case!(insights_report_delivery);
            case!(campaign_states_follow_status_changes);
            case!(ad_states_come_with_campaign_states);
        }
    };
}

suite!(sandbox);
suite!(meta);

#[tokio::test]
async fn sandbox_scripted_failures() {
    let s = Sandbox::with_manual_clock();
    let creds = Credentials::new("token", "act_777");
    let rl = Credentials::new("token", "act_429001");
    assert_eq!(
        s.verify(&rl).await.expect_err("rate").class(),
        "rate_limited"
    );
    assert_eq!(
        s.verify(&Credentials::new("blocked", "act_777"))
            .await
            .expect_err("blocked")
            .class(),
        "blocked"
    );
    let spec = |name: &str, tag: &str| CampaignSpec {
        name: name.into(),
        tag: tag.into(),
        objective: Objective::Traffic,
        campaign_daily_budget: None,
        special_ad_category: SpecialAdCategory::None,
        category_countries: Vec::new(),
    };
    let err = s
        .create_campaign(&creds, &spec("A #transient", "t1"), CreateMode::Create)
        .await
        .expect_err("first");
    assert!(err.is_retryable() && !err.outcome_unknown());
    s.create_campaign(&creds, &spec("A #transient", "t1"), CreateMode::Create)
        .await
        .expect("second succeeds");
    let lost = s
        .create_campaign(&creds, &spec("B #lost", "t2"), CreateMode::Create)
        .await
        .expect_err("lost");
    assert!(lost.outcome_unknown());
    assert!(
        s.find_by_tag(&creds, ObjectKind::Campaign, "t2")
            .await
            .expect("find")
            .is_some(),
        "the lost create was applied"
    );
    assert_eq!(
        s.create_campaign(&creds, &spec("C #invalid", "t3"), CreateMode::Create)
            .await
            .expect_err("invalid")
            .class(),
        "invalid"
    );
}

#[tokio::test]
async fn sandbox_delivery_grows_only_while_active() {
    let s = Sandbox::with_manual_clock();
    let creds = Credentials::new("token", "act_777");
    let page = s.assets(&creds).await.expect("assets").pages[0].id.clone();
    let req = common::launch_request(Objective::Traffic, Conversion::LinkClicks, &page, 1);
    let mut progress = LaunchProgress::default();
    launch::run(&s, &creds, &req, &mut progress, &mut NoJournal)
        .await
        .expect("launch");
    let id = progress.campaign_id.clone().expect("campaign");
    let ids = [id.clone()];
    s.advance(Duration::from_secs(600));
    let first = s
        .insights(&creds, &ids, common::range_days(1))
        .await
        .expect("insights")[0]
        .clone();
    s.advance(Duration::from_secs(600));
    let second = s
        .insights(&creds, &ids, common::range_days(1))
        .await
        .expect("insights")[0]
        .clone();
    assert!(second.impressions > first.impressions && second.spend_minor >= first.spend_minor);
    assert_eq!(second.leads, 0, "traffic campaigns bring no leads");
    s.set_status(&creds, &id, RemoteStatus::Paused)
        .await
        .expect("pause");
    s.advance(Duration::from_secs(3600));
    assert_eq!(
        s.insights(&creds, &ids, common::range_days(1))
            .await
            .expect("insights")[0],
        second,
        "a paused campaign does not deliver"
    );
}
