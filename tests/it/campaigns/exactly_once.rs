//! The launch against a less kind platform: a create applied and then
//! answered with a 5xx while listings lag, activations refused until the
//! launch gives up, a late retry of an earlier key, and a launch whose job
//! is gone. Each ends ACTIVE or ERROR — never LAUNCHING with no job — with
//! no remote object created twice, nothing left ACTIVE behind an ERROR,
//! and exactly one charge or one refund.

use std::time::Duration;

use adapters::stand_in::{Fault, FaultAction, Match, MetaFixture, MetaStandIn};
use entities::{CampaignStatus, JobStatus, ad_campaign, job};
use leadforge_e2e::{
    Backend, TestApp, both_backends,
    campaigns::{
        LAUNCH, create, creatives, ledger, settled, traffic_input, verified_meta, verified_sandbox,
    },
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

both_backends!(
    a_create_applied_then_answered_5xx_is_adopted_once_the_listing_shows_it,
    a_launch_that_runs_out_of_attempts_pauses_what_it_switched_on_and_refunds_once,
    a_late_retry_of_an_earlier_key_is_a_conflict_and_moves_nothing,
    a_launch_whose_job_is_gone_is_found_and_finished,
    the_copy_the_dry_run_showed_is_the_copy_that_launches,
    an_error_campaign_switched_on_remotely_is_paused_before_delete_or_relaunch
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

fn count(meta: &MetaStandIn, kind: &str) -> usize {
    meta.object_ids(kind).len()
}

/// Graph's answer under load: code 2, `is_transient`, HTTP 500 — after the
/// write was applied.
fn applied_then_500() -> FaultAction {
    FaultAction::ApplyThen(Box::new(FaultAction::Error {
        http_status: 500,
        code: 2,
        subcode: None,
        message: "An unexpected error has occurred. Please retry your request later.".into(),
        user_message: None,
        is_transient: Some(true),
        retry_delay_secs: None,
    }))
}

async fn a_create_applied_then_answered_5xx_is_adopted_once_the_listing_shows_it(backend: Backend) {
    let (meta, f, app) = meta_app(backend).await;
    // The lookup waits 1 s (the tests' LEADFORGE_LAUNCH_LOOKUP_DELAY_SECS);
    // the listing shows a new object after half of that.
    meta.set_listing_lag(Duration::from_millis(500));
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    // "/ads" also matches "/adsets": the second match is the ad.
    let steps = [
        ("/campaigns", 1),
        ("/adsets", 1),
        ("/adcreatives", 1),
        ("/ads", 2),
    ];
    for (n, (path, nth)) in steps.into_iter().enumerate() {
        let mut input = traffic_input(&integration, &images);
        input["campaignName"] = json!(format!("Under load {n}"));
        let id = create(&app, &ann, input).await;
        meta.inject(Fault::nth(Match::on("POST", path), applied_then_500(), nth));
        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
            .await
            .data();
        let end = settled(&app, &ann, &id).await;
        assert_eq!(end["status"], "ACTIVE", "{path}: {end}");
        for kind in ["campaign", "adset", "adcreative", "ad"] {
            assert_eq!(count(&meta, kind), n + 1, "{path}: one {kind} per launch");
        }
    }
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 100 - 5 * 4);
    assert_eq!(kinds.iter().filter(|k| *k == "COMMIT").count(), 4);
    assert!(!kinds.contains(&"REFUND".to_owned()));
}

async fn a_launch_that_runs_out_of_attempts_pauses_what_it_switched_on_and_refunds_once(
    backend: Backend,
) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = create(&app, &ann, traffic_input(&integration, &images)).await;
    // The ad is switched on; every activation after it is throttled, on
    // every attempt, until the launch gives up. Pauses go through.
    let mut throttled = Fault::times(
        Match::on("POST", "/120").with_param("status", "ACTIVE"),
        Fault::graph_error(17, Some(2_446_079), "User request limit reached"),
        10_000,
    );
    throttled.skip = 1;
    meta.inject(throttled);
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ERROR", "{end}");
    let words = end["errorMessage"].as_str().unwrap();
    assert!(words.contains("gave up"), "{words}");
    assert!(!words.contains("ad_set:"), "no internals: {words}");
    // Nothing is left delivering, and exactly one of each object exists.
    for kind in ["campaign", "adset", "ad"] {
        for remote in meta.object_ids(kind) {
            let o = meta.object(&remote).unwrap();
            assert_ne!(o.status, "ACTIVE", "{kind} {remote} left ACTIVE");
        }
        assert_eq!(count(&meta, kind), 1, "{kind}");
    }
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 100, "refunded");
    assert_eq!(kinds.iter().filter(|k| *k == "REFUND").count(), 1);
}

async fn a_late_retry_of_an_earlier_key_is_a_conflict_and_moves_nothing(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    // The Sandbox refuses this name for good.
    input["campaignName"] = json!("Spring #invalid");
    let id = create(&app, &ann, input).await;
    for key in ["first", "second"] {
        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": key }))
            .await
            .data();
        assert_eq!(settled(&app, &ann, &id).await["status"], "ERROR");
    }
    let before = ledger(&app, &ann).await;
    // A late retry of the first request.
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": "first" }))
        .await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "{}", r.body);
    let c = settled(&app, &ann, &id).await;
    assert_eq!(c["status"], "ERROR", "{c}");
    assert_eq!(ledger(&app, &ann).await, before, "nothing moved");
    // The campaign is not stranded: a fresh key launches it.
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": "third" }))
        .await;
    assert_eq!(r.data()["launchCampaign"]["status"], "LAUNCHING");
    assert_eq!(settled(&app, &ann, &id).await["status"], "ERROR");
    let db = app.db.connect().await;
    let jobs = job::Entity::find()
        .filter(job::Column::Kind.eq("launch_campaign"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(jobs.len(), 3, "one job per launch, none for the conflict");
}

async fn a_launch_whose_job_is_gone_is_found_and_finished(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = create(&app, &ann, traffic_input(&integration, &images)).await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": "k1" }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ACTIVE");

    // What an earlier release left behind: a campaign LAUNCHING whose job
    // ended (marked failed after a database error on its last attempt).
    let db = app.db.connect().await;
    let campaign_id: entities::CampaignId = id.parse().unwrap();
    ad_campaign::Entity::update_many()
        .col_expr(
            ad_campaign::Column::Status,
            Expr::value(CampaignStatus::Launching),
        )
        .filter(ad_campaign::Column::Id.eq(campaign_id))
        .exec(&db)
        .await
        .unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::Status, Expr::value(JobStatus::Failed))
        .filter(job::Column::Kind.eq("launch_campaign"))
        .exec(&db)
        .await
        .unwrap();

    let revived = leadforge::services::launch::sweep::once(&db, &app.services.queue)
        .await
        .unwrap();
    assert_eq!(revived, 1);
    app.services.queue.wake();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    // Settled once: one reservation, one charge.
    let (_, kinds) = ledger(&app, &ann).await;
    assert_eq!(kinds.iter().filter(|k| *k == "COMMIT").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "RESERVE").count(), 1);
    // A second sweep finds nothing to do.
    let again = leadforge::services::launch::sweep::once(&db, &app.services.queue)
        .await
        .unwrap();
    assert_eq!(again, 0);
}

/// The dry run of a draft without copy shows the copywriter's words and
/// saves them on the draft: the launch sends exactly those, and the
/// copywriter is asked once.
async fn the_copy_the_dry_run_showed_is_the_copy_that_launches(backend: Backend) {
    use adapters::stand_in::{GeminiAnswer, GeminiStandIn, STAND_IN_KEY, STAND_IN_MODEL};

    let meta = MetaStandIn::start().await.unwrap();
    let f = MetaFixture::seed(&meta);
    let gemini = GeminiStandIn::start().await.unwrap();
    let answer = |headline: &str| {
        GeminiAnswer::Text(
            json!([{ "headline": headline, "body": "Morning classes for every level.",
                "description": "", "callToAction": "LEARN_MORE" }])
            .to_string(),
        )
    };
    gemini.push_answer(answer("Previewed words"));
    gemini.push_answer(answer("Other words"));
    let mut settings = CREDITS.to_vec();
    settings.extend([
        ("META_GRAPH_URL", meta.base_url()),
        ("GEMINI_API_KEY", STAND_IN_KEY),
        ("GEMINI_MODEL", STAND_IN_MODEL),
        ("GEMINI_BASE_URL", gemini.base_url()),
    ]);
    let app = TestApp::spawn_with(backend, &settings).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = create(&app, &ann, traffic_input(&integration, &images)).await;

    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { previewLaunch(id: $id) { ok adCopy { headline } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.data()["previewLaunch"]["ok"], true, "{}", r.body);
    assert_eq!(
        r.data()["previewLaunch"]["adCopy"]["headline"],
        "Previewed words"
    );
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_eq!(end["adCopy"]["headline"], "Previewed words");
    let sent = meta
        .object_ids("adcreative")
        .into_iter()
        .filter_map(|c| meta.object(&c))
        .map(|c| c.fields["object_story_spec"].to_string())
        .collect::<Vec<_>>();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].contains("Previewed words"), "{sent:?}");
    assert_eq!(gemini.calls().len(), 1, "the copywriter was asked once");
}

/// A campaign left ERROR while switched on at the platform (as the sync
/// used to leave a campaign the platform stopped) is paused there before it
/// is deleted here, and before a relaunch under new settings creates new
/// objects beside it: nothing is orphaned that can spend.
async fn an_error_campaign_switched_on_remotely_is_paused_before_delete_or_relaunch(
    backend: Backend,
) {
    let (meta, f, app) = meta_app(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_meta(&app, &ann, &f).await;
    let images = creatives(&app, &ann, 1, 1).await;
    let db = app.db.connect().await;
    let mut live = Vec::new();
    for name in ["To delete", "To relaunch"] {
        let mut input = traffic_input(&integration, &images);
        input["campaignName"] = json!(name);
        let id = create(&app, &ann, input.clone()).await;
        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
            .await
            .data();
        let end = settled(&app, &ann, &id).await;
        assert_eq!(end["status"], "ACTIVE", "{end}");
        let remote = end["metaCampaignId"].as_str().unwrap().to_owned();
        let campaign_id: entities::CampaignId = id.parse().unwrap();
        ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::Status,
                Expr::value(CampaignStatus::Error),
            )
            .filter(ad_campaign::Column::Id.eq(campaign_id))
            .exec(&db)
            .await
            .unwrap();
        assert_eq!(meta.object(&remote).unwrap().status, "ACTIVE");
        live.push((id, remote, input));
    }

    let (id, remote, _) = &live[0];
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { deleteCampaign(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.data()["deleteCampaign"], true, "{}", r.body);
    assert_eq!(
        meta.object(remote).unwrap().status,
        "PAUSED",
        "paused before delete"
    );

    let (id, remote, input) = &live[1];
    let mut edited = input.clone();
    edited["campaignName"] = json!("To relaunch, edited");
    app.graphql_as(
        &ann.token,
        "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }",
        json!({ "id": id, "input": edited }),
    )
    .await
    .data();
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": "again" }))
        .await
        .data();
    let end = settled(&app, &ann, id).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_ne!(
        end["metaCampaignId"],
        remote.as_str(),
        "new settings, new objects"
    );
    assert_eq!(
        meta.object(remote).unwrap().status,
        "PAUSED",
        "the old remote campaign was paused before the relaunch"
    );
}
