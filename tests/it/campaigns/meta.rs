//! Launches against the strict Meta stand-in: each objective's shape on the
//! wire, images uploaded once per ad account, and faults at each create
//! step ending live or failed — never with a duplicate, never with anything
//! left delivering after a failure, one charge or one refund.

use adapters::stand_in::{Fault, FaultAction, Match, MetaFixture, MetaStandIn};
use leadforge_e2e::{
    Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, ledger, settled, traffic_input, verified_meta},
};
use serde_json::{Value, json};

both_backends!(
    each_objective_launches_with_its_shape_and_images_upload_once,
    faults_at_each_create_step_end_live_or_failed_without_duplicates,
    a_failed_launch_relaunched_reuses_its_objects_unless_the_draft_changed
);

const CREDITS: &[(&str, &str)] = &[("LEADFORGE_SIGNUP_CREDITS", "100")];

async fn meta_app(backend: Backend) -> (MetaStandIn, MetaFixture, TestApp) {
    let meta = MetaStandIn::start().await.unwrap();
    let fixture = MetaFixture::seed(&meta);
    let mut settings = CREDITS.to_vec();
    settings.push(("META_GRAPH_URL", meta.base_url()));
    let app = TestApp::spawn_with(backend, &settings).await;
    (meta, fixture, app)
}

/// The stand-in's objects of a kind, with their stored fields.
fn objects(meta: &MetaStandIn, kind: &str) -> Vec<adapters::stand_in::Stored> {
    meta.object_ids(kind)
        .into_iter()
        .filter_map(|id| meta.object(&id))
        .collect()
}

fn field(o: &adapters::stand_in::Stored, key: &str) -> Value {
    o.fields.get(key).cloned().unwrap_or(Value::Null)
}

async fn each_objective_launches_with_its_shape_and_images_upload_once(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 2, 1).await;

    let cases = [
        (
            "LEADS",
            Some(f.form_id.clone()),
            None,
            "OUTCOME_LEADS",
            "LEAD_GENERATION",
        ),
        (
            "LEADS",
            None,
            Some(f.pixel_id.clone()),
            "OUTCOME_LEADS",
            "OFFSITE_CONVERSIONS",
        ),
        (
            "CONVERSIONS",
            None,
            Some(f.pixel_id.clone()),
            "OUTCOME_SALES",
            "OFFSITE_CONVERSIONS",
        ),
        ("TRAFFIC", None, None, "OUTCOME_TRAFFIC", "LINK_CLICKS"),
    ];
    for (n, (objective, form, pixel, outcome, goal)) in cases.iter().enumerate() {
        let mut input = traffic_input(&integration, &images);
        input["campaignName"] = json!(format!("Meta {objective} {n}"));
        input["objective"] = json!(objective);
        input["leadFormId"] = json!(form);
        input["pixelId"] = json!(pixel);
        input["dailyBudgetCents"] = json!(2500);
        let id = create(&app, &ann, input).await;

        // The dry run first: Meta validates the campaign without creating
        // it, nothing is uploaded and no credit moves.
        let before = meta.call_lines().len();
        let (balance, _) = ledger(&app, &ann).await;
        let r = app
            .graphql_as(
                &ann.token,
                "mutation($id: ID!) { previewLaunch(id: $id) { ok checks { name ok message } adCopy { headline } } }",
                json!({ "id": id }),
            )
            .await;
        let preview = &r.data()["previewLaunch"];
        assert_eq!(preview["ok"], true, "{objective}: {preview}");
        let sent: Vec<String> = meta.call_lines()[before..].to_vec();
        assert!(
            sent.iter().any(|l| l == "POST /act_1001/campaigns"),
            "validated on the platform: {sent:?}"
        );
        assert!(
            !sent.iter().any(|l| l.ends_with("/adimages")
                || l.ends_with("/adsets")
                || l.ends_with("/adcreatives")
                || l.ends_with("/ads")),
            "{sent:?}"
        );
        assert_eq!(
            objects(&meta, "campaign").len(),
            n,
            "the dry run created nothing"
        );
        assert_eq!(
            ledger(&app, &ann).await.0,
            balance,
            "the dry run moved no credit"
        );

        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
            .await
            .data();
        let live = settled(&app, &ann, &id).await;
        assert_eq!(live["status"], "ACTIVE", "{objective}: {live}");

        // Exactly one more campaign and ad set, two creatives and ads, all live.
        let campaigns = objects(&meta, "campaign");
        assert_eq!(campaigns.len(), n + 1, "{objective}");
        let campaign = meta
            .object(live["metaCampaignId"].as_str().unwrap())
            .expect("the launched campaign");
        assert_eq!(campaign.str("objective"), Some(*outcome));
        assert_eq!(campaign.status, "ACTIVE");
        let ad_set = meta.object(live["metaAdsetId"].as_str().unwrap()).unwrap();
        assert_eq!(ad_set.str("optimization_goal"), Some(*goal), "{objective}");
        assert_eq!(ad_set.status, "ACTIVE");
        assert_eq!(
            field(&ad_set, "daily_budget").to_string().trim_matches('"'),
            "2500"
        );
        assert_eq!(field(&ad_set, "targeting")["age_min"], 25);
        for ad in live["remoteAds"].as_array().unwrap() {
            let remote = meta.object(ad["remoteAdId"].as_str().unwrap()).unwrap();
            assert_eq!(remote.status, "ACTIVE");
            assert!(
                meta.object(ad["remoteCreativeId"].as_str().unwrap())
                    .is_some()
            );
        }
        assert_eq!(objects(&meta, "adset").len(), n + 1);
        assert_eq!(objects(&meta, "adcreative").len(), 2 * (n + 1));
        assert_eq!(objects(&meta, "ad").len(), 2 * (n + 1));
    }
    // Two images, four campaigns: two uploads.
    let uploads = meta
        .call_lines()
        .iter()
        .filter(|l| l.starts_with("POST") && l.ends_with("/adimages"))
        .count();
    assert_eq!(uploads, 2);
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 80);
    assert_eq!(kinds.iter().filter(|k| *k == "COMMIT").count(), 4);
    // The copy was written by the agent (the drafts had none).
    let creative = &objects(&meta, "adcreative")[0];
    assert!(creative.fields.contains_key("object_story_spec"));
}

async fn faults_at_each_create_step_end_live_or_failed_without_duplicates(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;

    let transient = || FaultAction::Error {
        http_status: 500,
        code: 2,
        subcode: None,
        message: "An unexpected error has occurred. Please retry your request later.".into(),
        user_message: None,
        is_transient: Some(true),
        retry_delay_secs: None,
    };
    let throttled = || Fault::graph_error(17, None, "User request limit reached");
    // "/ads" also matches the ad set's "/adsets": twice, it hits the ad
    // set's create and then the ad's.
    let recovering: Vec<(&str, FaultAction, u32)> = vec![
        ("/campaigns", throttled(), 1),
        ("/campaigns", FaultAction::Http500, 1),
        ("/adsets", transient(), 1),
        ("/adsets", FaultAction::Drop { apply: true }, 1),
        ("/adcreatives", FaultAction::Drop { apply: true }, 1),
        ("/adcreatives", FaultAction::Drop { apply: false }, 1),
        ("/ads", FaultAction::Drop { apply: true }, 2),
        (
            "/campaigns",
            FaultAction::Slow(std::time::Duration::from_secs(45)),
            1,
        ),
    ];
    let mut launched = 0;
    for (n, (path, action, times)) in recovering.into_iter().enumerate() {
        let mut input = traffic_input(&integration, &images);
        input["campaignName"] = json!(format!("Recovers {n}"));
        let id = create(&app, &ann, input).await;
        meta.inject(Fault::times(Match::on("POST", path), action.clone(), times));
        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
            .await
            .data();
        let end = settled(&app, &ann, &id).await;
        assert_eq!(end["status"], "ACTIVE", "{path} {action:?}: {end}");
        launched += 1;
        // One of each object per launch, never a duplicate.
        assert_eq!(
            objects(&meta, "campaign").len(),
            launched,
            "{path} {action:?}"
        );
        assert_eq!(objects(&meta, "adset").len(), launched, "{path} {action:?}");
        assert_eq!(
            objects(&meta, "adcreative").len(),
            launched,
            "{path} {action:?}"
        );
        assert_eq!(objects(&meta, "ad").len(), launched, "{path} {action:?}");
    }
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 100 - 5 * launched as i64);
    assert!(!kinds.contains(&"REFUND".to_owned()));

    // Permanent refusals fail at once, in Meta's words, with one refund,
    // and nothing created is left delivering.
    let failing: Vec<(&str, FaultAction, &str)> = vec![
        (
            "/adsets",
            FaultAction::Error {
                http_status: 400,
                code: 100,
                subcode: Some(1_885_272),
                message: "Invalid parameter".into(),
                user_message: Some("Your budget is too low.".into()),
                is_transient: None,
                retry_delay_secs: None,
            },
            "Your budget is too low.",
        ),
        (
            "/adcreatives",
            Fault::graph_error(
                190,
                Some(463),
                "Error validating access token: Session has expired",
            ),
            "expired",
        ),
    ];
    for (n, (path, action, words)) in failing.into_iter().enumerate() {
        let mut input = traffic_input(&integration, &images);
        input["campaignName"] = json!(format!("Fails {n}"));
        let id = create(&app, &ann, input).await;
        meta.inject(Fault::once(Match::on("POST", path), action.clone()));
        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
            .await
            .data();
        let end = settled(&app, &ann, &id).await;
        assert_eq!(end["status"], "ERROR", "{path}: {end}");
        let message = end["errorMessage"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
        for kind in ["campaign", "adset", "ad"] {
            for o in objects(&meta, kind) {
                if o.str("name")
                    .unwrap_or_default()
                    .contains(&format!("Fails {n}"))
                {
                    assert_ne!(o.status, "ACTIVE", "{kind} left delivering after {path}");
                }
            }
        }
    }
    let (after, kinds) = ledger(&app, &ann).await;
    assert_eq!(after, balance, "each failure refunded");
    assert_eq!(kinds.iter().filter(|k| *k == "REFUND").count(), 2);
    // No token in any response, log line or audit row.
    let db = app.db.connect().await;
    use sea_orm::EntityTrait;
    for e in entities::audit_event::Entity::find()
        .all(&db)
        .await
        .unwrap()
    {
        assert!(!format!("{:?}", e).contains(&f.token));
    }
    assert!(!leadforge_e2e::logs::captured().contains(&f.token));
}

const UPDATE: &str = "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id status } }";

/// Launched again as it was, a failed campaign adopts what its first
/// attempt created; edited, it gets objects of its own (the old ones stay
/// paused), never the old settings' objects.
async fn a_failed_launch_relaunched_reuses_its_objects_unless_the_draft_changed(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    input["campaignName"] = json!("Second chance");
    let id = create(&app, &ann, input.clone()).await;

    // The creative is refused once: the campaign and the ad set exist.
    meta.inject(Fault::once(
        Match::on("POST", "/adcreatives"),
        Fault::graph_error(100, None, "Invalid parameter"),
    ));
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ERROR");
    let made = |kind: &str| objects(&meta, kind).len();
    let after_failure = (made("campaign"), made("adset"));
    assert_eq!(after_failure, (1, 1));

    // Launched again unchanged: nothing is created twice.
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": "again" }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_eq!(
        made("campaign"),
        after_failure.0,
        "the campaign was adopted"
    );
    assert_eq!(made("ad"), 1);

    // Edited after another failure: fresh objects under a new tag.
    let other = {
        let mut input = input.clone();
        input["campaignName"] = json!("Third chance");
        create(&app, &ann, input).await
    };
    meta.inject(Fault::once(
        Match::on("POST", "/adsets"),
        Fault::graph_error(100, Some(1_885_272), "Budget too low"),
    ));
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": other }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &other).await["status"], "ERROR");
    let campaigns_before = made("campaign");
    let mut fixed = input.clone();
    fixed["campaignName"] = json!("Third chance");
    fixed["dailyBudgetCents"] = json!(5000);
    app.graphql_as(&ann.token, UPDATE, json!({ "id": other, "input": fixed }))
        .await
        .data();
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": other, "k": "fixed" }))
        .await
        .data();
    let end = settled(&app, &ann, &other).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_eq!(
        made("campaign"),
        campaigns_before + 1,
        "a campaign of its own"
    );
    let ad_set = meta.object(end["metaAdsetId"].as_str().unwrap()).unwrap();
    assert_eq!(
        field(&ad_set, "daily_budget").to_string().trim_matches('"'),
        "5000"
    );
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 90);
    assert_eq!(kinds.iter().filter(|k| *k == "REFUND").count(), 2);
}
