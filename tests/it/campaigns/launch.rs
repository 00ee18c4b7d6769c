//! The launch pipeline on the Sandbox: live with one charge, faults retried
//! or failed with one refund, the same key moving nothing, concurrent
//! launches never overdrawing, pause and resume, the agent's switches.

use entities::{audit_event, creative_platform_asset};
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, ledger, settled, traffic_input, verified_sandbox},
};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait};
use serde_json::json;

both_backends!(
    a_traffic_launch_goes_live_with_agent_copy_and_one_charge,
    platform_faults_are_retried_or_fail_with_one_refund,
    ten_launches_at_once_on_credits_for_three,
    a_disabled_agent_or_provider_refuses_the_launch,
    pause_and_resume_change_the_platform_first,
    a_sandbox_campaign_can_be_paused_and_resumed_after_a_restart,
    a_preview_reports_each_check_and_moves_nothing,
    fix_and_relaunch_sends_what_the_user_edited,
    a_waiting_launch_says_why_and_until_when
);

const CREDITS: &[(&str, &str)] = &[("LEADFORGE_SIGNUP_CREDITS", "50")];

async fn draft(
    app: &TestApp,
    who: &Account,
    integration: &str,
    images: &[String],
    name: &str,
) -> String {
    let mut input = traffic_input(integration, images);
    input["campaignName"] = json!(name);
    create(app, who, input).await
}

async fn a_traffic_launch_goes_live_with_agent_copy_and_one_charge(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 2, 1).await;
    let id = draft(&app, &ann, &integration, &images, "Open day").await;

    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": "first" }))
        .await;
    assert_eq!(r.data()["launchCampaign"]["status"], "LAUNCHING");
    let live = settled(&app, &ann, &id).await;
    assert_eq!(live["status"], "ACTIVE", "{live}");
    assert!(live["metaCampaignId"].is_string() && live["metaAdsetId"].is_string());
    // The agent wrote the copy, and one creative and one ad exist per image.
    assert!(!live["adCopy"]["headline"].as_str().unwrap().is_empty());
    let ads = live["remoteAds"].as_array().unwrap();
    assert_eq!(ads.len(), 2);
    assert!(
        ads.iter()
            .all(|a| a["remoteCreativeId"].is_string() && a["remoteAdId"].is_string())
    );
    assert_eq!(live["metaAdId"], ads[0]["remoteAdId"]);
    assert_eq!(
        ledger(&app, &ann).await,
        (45, vec!["COMMIT".into(), "RESERVE".into(), "GRANT".into()])
    );

    // The same key again, or none while it runs: the same campaign, nothing moves.
    for key in [json!("first"), json!(null), json!("another")] {
        let r = app
            .graphql_as(&ann.token, LAUNCH, json!({ "id": id, "k": key }))
            .await;
        assert_eq!(r.data()["launchCampaign"]["status"], "ACTIVE");
    }
    assert_eq!(ledger(&app, &ann).await.0, 45);

    // A second campaign on the same account reuses the uploaded images.
    let again = draft(&app, &ann, &integration, &images, "Open day, again").await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": again }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &again).await["status"], "ACTIVE");
    let db = app.db.connect().await;
    assert_eq!(
        creative_platform_asset::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        2
    );
    assert_eq!(ledger(&app, &ann).await.0, 40);

    // Every remote call is in the audit trail, never with the token.
    let audited = audit_event::Entity::find().all(&db).await.unwrap();
    let platform: Vec<_> = audited
        .iter()
        .filter(|e| e.action.starts_with("platform."))
        .collect();
    assert!(
        platform
            .iter()
            .any(|e| e.action == "platform.create_campaign")
    );
    assert!(platform.iter().any(|e| e.action == "platform.upload_image"));
    for e in &audited {
        let text = format!("{:?} {:?}", e.target, e.detail);
        assert!(!text.contains("sandbox-token"), "{text}");
    }
}

async fn platform_faults_are_retried_or_fail_with_one_refund(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;

    // Retried, then live, with one reservation and one charge each.
    for fault in ["#transient", "#lost"] {
        let id = draft(
            &app,
            &ann,
            &integration,
            &images,
            &format!("Spring {fault}"),
        )
        .await;
        app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
            .await
            .data();
        let end = settled(&app, &ann, &id).await;
        assert_eq!(end["status"], "ACTIVE", "{fault}: {end}");
    }
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 40);
    assert_eq!(kinds.iter().filter(|k| *k == "COMMIT").count(), 2);
    assert!(!kinds.contains(&"REFUND".to_owned()));

    // A permanent refusal fails at once, in the platform's words, refunded once.
    let id = draft(&app, &ann, &integration, &images, "Spring #invalid").await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ERROR", "{end}");
    assert!(
        end["errorMessage"].as_str().unwrap().contains("refused"),
        "{end}"
    );
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 40);
    assert_eq!(kinds[0], "REFUND");
    assert_eq!(kinds.iter().filter(|k| *k == "REFUND").count(), 1);
    // The owner is told once, in the same words, with the refund.
    let r = app
        .graphql_as(
            &ann.token,
            "{ notifications { edges { node { kind campaignId body } } } }",
            json!({}),
        )
        .await;
    let told: Vec<&serde_json::Value> = r.data()["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .filter(|n| n["kind"] == "LAUNCH_FAILED")
        .collect();
    assert_eq!(told.len(), 1, "{}", r.body);
    assert_eq!(told[0]["campaignId"], id.as_str());
    let body = told[0]["body"].as_str().unwrap();
    assert!(
        body.contains("refused") && body.contains("5 credits"),
        "{body}"
    );

    // A failed campaign can be fixed and launched again.
    let mut input = traffic_input(&integration, &images);
    input["campaignName"] = json!("Spring, fixed");
    app.graphql_as(
        &ann.token,
        "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { id } }",
        json!({ "id": id, "input": input }),
    )
    .await
    .data();
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ACTIVE");
    assert_eq!(ledger(&app, &ann).await.0, 35);
}

async fn ten_launches_at_once_on_credits_for_three(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "15")]).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut drafts = Vec::new();
    for n in 0..10 {
        drafts.push(draft(&app, &ann, &integration, &images, &format!("Rush {n}")).await);
    }
    let answers = futures_util::future::join_all(
        drafts
            .iter()
            .map(|id| app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))),
    )
    .await;
    let mut accepted = Vec::new();
    let mut refused = 0;
    for (r, id) in answers.iter().zip(&drafts) {
        if r.body.get("errors").is_none() {
            accepted.push(id.clone());
            continue;
        }
        assert_eq!(r.error_codes(), ["INSUFFICIENT_CREDITS"], "{}", r.body);
        let ext = &r.body["errors"][0]["extensions"];
        assert_eq!(ext["cost"], 5);
        assert!(ext["balance"].as_i64().unwrap() < 5);
        refused += 1;
    }
    assert_eq!((accepted.len(), refused), (3, 7));
    for id in &accepted {
        assert_eq!(settled(&app, &ann, id).await["status"], "ACTIVE");
    }
    let (balance, kinds) = ledger(&app, &ann).await;
    assert_eq!(balance, 0);
    assert_eq!(kinds.iter().filter(|k| *k == "RESERVE").count(), 3);
    assert_eq!(kinds.iter().filter(|k| *k == "COMMIT").count(), 3);
    let r = app
        .graphql_as(
            &ann.token,
            "{ campaigns(status: DRAFT) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        r.data()["campaigns"]["totalCount"],
        7,
        "refused launches leave drafts"
    );
}

async fn a_disabled_agent_or_provider_refuses_the_launch(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = draft(&app, &ann, &integration, &images, "Switches").await;
    let set = "mutation($t: ID!, $e: Boolean!, $p: [Provider!]!) { setTenantAgent(tenantId: $t, agentKey: \"media-buyer\", enabled: $e, providers: $p) { enabled } }";

    app.graphql_as(
        &chief.token,
        set,
        json!({ "t": ann.tenant_id, "e": true, "p": ["META_ADS"] }),
    )
    .await
    .data();
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    assert!(
        r.first_message().contains("Sandbox"),
        "{}",
        r.first_message()
    );

    app.graphql_as(
        &chief.token,
        set,
        json!({ "t": ann.tenant_id, "e": false, "p": ["SANDBOX"] }),
    )
    .await
    .data();
    let r = app
        .graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await;
    assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    assert!(
        r.first_message().contains("not enabled"),
        "{}",
        r.first_message()
    );
    assert_eq!(ledger(&app, &ann).await.0, 50, "nothing reserved");
}

const PAUSE: &str = "mutation($id: ID!) { pauseCampaign(id: $id) { status } }";
const RESUME: &str = "mutation($id: ID!) { resumeCampaign(id: $id) { status } }";

async fn pause_and_resume_change_the_platform_first(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = draft(&app, &ann, &integration, &images, "Pausable").await;

    let r = app.graphql_as(&ann.token, PAUSE, json!({ "id": id })).await;
    assert_eq!(r.error_codes(), ["CONFLICT"], "a draft cannot be paused");
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ACTIVE");

    let r = app.graphql_as(&bob.token, PAUSE, json!({ "id": id })).await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"]);
    let r = app.graphql_as(&ann.token, PAUSE, json!({ "id": id })).await;
    assert_eq!(r.data()["pauseCampaign"]["status"], "PAUSED");
    let r = app
        .graphql_as(&ann.token, RESUME, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["resumeCampaign"]["status"], "ACTIVE");

    // A platform that refuses leaves the status as it was: the token was
    // replaced by one the platform no longer accepts.
    app.graphql_as(
        &ann.token,
        "mutation { saveIntegration(provider: SANDBOX, accessToken: \"expired\", adAccountId: \"1001\") { id } }",
        json!({}),
    )
    .await
    .data();
    let r = app.graphql_as(&ann.token, PAUSE, json!({ "id": id })).await;
    assert_eq!(r.error_codes(), ["INTEGRATION_INVALID"], "{}", r.body);
    assert!(
        r.first_message().contains("expired"),
        "{}",
        r.first_message()
    );
    let r = app
        .graphql_as(
            &ann.token,
            "query($id: ID!) { campaign(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(r.data()["campaign"]["status"], "ACTIVE");
}

const PREVIEW: &str = "mutation($id: ID!) { previewLaunch(id: $id) { ok creditCost creditBalance \
    checks { name ok message } adCopy { headline body callToAction } } }";

async fn a_preview_reports_each_check_and_moves_nothing(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "5")]).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = draft(&app, &ann, &integration, &images, "Preview me").await;

    let r = app
        .graphql_as(&ann.token, PREVIEW, json!({ "id": id }))
        .await;
    let preview = r.data()["previewLaunch"].clone();
    assert_eq!(preview["ok"], true, "{preview}");
    assert_eq!(
        (
            preview["creditCost"].as_i64(),
            preview["creditBalance"].as_i64()
        ),
        (Some(5), Some(5))
    );
    let names: Vec<&str> = preview["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for name in [
        "status",
        "agent",
        "credits",
        "creatives",
        "copy",
        "credentials",
        "budget",
        "platform",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    assert!(
        preview["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["message"].as_str().unwrap().is_empty())
    );
    // The draft had no copy: the agent wrote it, and it is saved on the
    // draft, so these are the words the launch sends.
    let headline = preview["adCopy"]["headline"].as_str().unwrap().to_owned();
    assert!(!headline.is_empty());

    // Nothing moved: no credits, no remote objects, no upload, no job.
    assert_eq!(ledger(&app, &ann).await, (5, vec!["GRANT".into()]));
    let r = app
        .graphql_as(
            &ann.token,
            "query($id: ID!) { campaign(id: $id) { status metaCampaignId adCopy { headline } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        r.data()["campaign"],
        json!({ "status": "DRAFT", "metaCampaignId": null, "adCopy": { "headline": headline } })
    );
    let db = app.db.connect().await;
    assert_eq!(
        creative_platform_asset::Entity::find()
            .count(&db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(entities::job::Entity::find().count(&db).await.unwrap(), 0);
    let audited = audit_event::Entity::find().all(&db).await.unwrap();
    assert!(
        !audited
            .iter()
            .any(|e| e.action.starts_with("platform.create"))
    );

    // Failing checks say why: the provider switched off, and no credits left.
    app.graphql_as(
        &chief.token,
        "mutation($t: ID!) { setTenantAgent(tenantId: $t, agentKey: \"media-buyer\", enabled: true, providers: [META_ADS]) { key } }",
        json!({ "t": ann.tenant_id }),
    )
    .await
    .data();
    let r = app
        .graphql_as(&ann.token, PREVIEW, json!({ "id": id }))
        .await;
    let preview = r.data()["previewLaunch"].clone();
    assert_eq!(preview["ok"], false);
    let failed: Vec<(String, String)> = preview["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, "agent");
    assert!(failed[0].1.contains("Sandbox"), "{failed:?}");
    assert_eq!(ledger(&app, &ann).await.0, 5);
}

/// The Sandbox keeps its objects in the data dir: a campaign launched
/// before a restart is still there to pause and resume after it.
async fn a_sandbox_campaign_can_be_paused_and_resumed_after_a_restart(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let id = draft(&app, &ann, &integration, &images, "Survivor").await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ACTIVE");

    let app = app.restart_with(CREDITS).await;
    let r = app.graphql_as(&ann.token, PAUSE, json!({ "id": id })).await;
    assert_eq!(r.data()["pauseCampaign"]["status"], "PAUSED", "{}", r.body);
    let r = app
        .graphql_as(&ann.token, RESUME, json!({ "id": id }))
        .await;
    assert_eq!(r.data()["resumeCampaign"]["status"], "ACTIVE", "{}", r.body);
    // A second launch after the restart reuses the image uploaded before it.
    let again = draft(&app, &ann, &integration, &images, "Survivor, again").await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": again }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &again).await["status"], "ACTIVE");
}

const SHOW: &str = "query($id: ID!) { campaign(id: $id) { status campaignName niche \
    adCopy { headline body description callToAction writtenBy } } }";
const EDIT: &str = "mutation($id: ID!, $input: CreateCampaignInput!) { updateCampaign(id: $id, input: $input) { \
    campaignName adCopy { headline body description callToAction writtenBy } } }";
const PREVIEW_COPY: &str = "mutation($id: ID!) { previewLaunch(id: $id) { adCopy { headline body description callToAction writtenBy } } }";

/// After a refused launch, "Fix and relaunch": the agent-written copy of
/// the failed attempt (which names the refused name) is shown on the
/// draft, sent back unchanged by the editor, and dropped by the rename, so
/// the next dry run writes fresh copy and the relaunch sends that; copy
/// the user edited is kept through the same kind of edit.
async fn fix_and_relaunch_sends_what_the_user_edited(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    let mut input = traffic_input(&integration, &images);
    input["campaignName"] = json!("Spring #invalid");
    input["niche"] = serde_json::Value::Null;
    let id = create(&app, &ann, input.clone()).await;

    // The dry run writes the copy (from the name), the launch is refused.
    let r = app
        .graphql_as(&ann.token, PREVIEW_COPY, json!({ "id": id }))
        .await;
    let previewed = r.data()["previewLaunch"]["adCopy"].clone();
    assert_eq!(previewed["writtenBy"], "TEMPLATE", "{previewed}");
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ERROR");
    let failed = app.graphql_as(&ann.token, SHOW, json!({ "id": id })).await;
    let saved = failed.data()["campaign"]["adCopy"].clone();
    assert_eq!(saved, previewed, "the draft shows the copy that was tried");
    assert!(
        saved.to_string().contains("#invalid"),
        "the agent wrote the refused name into the copy: {saved}"
    );

    // The editor sends the copy back as it loaded it, with the fixed name.
    let mut fixed = input.clone();
    fixed["campaignName"] = json!("Spring open day");
    let mut sent_back = saved.clone();
    sent_back.as_object_mut().unwrap().remove("writtenBy");
    fixed["adCopy"] = sent_back.clone();
    let r = app
        .graphql_as(&ann.token, EDIT, json!({ "id": id, "input": fixed }))
        .await;
    assert_eq!(
        r.data()["updateCampaign"]["adCopy"],
        serde_json::Value::Null,
        "the agent's copy of the old name is dropped: {}",
        r.body
    );
    let r = app
        .graphql_as(&ann.token, PREVIEW_COPY, json!({ "id": id }))
        .await;
    let fresh = r.data()["previewLaunch"]["adCopy"].clone();
    assert!(!fresh.to_string().contains("#invalid"), "{fresh}");
    assert!(fresh.to_string().contains("Spring open day"), "{fresh}");
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let end = settled(&app, &ann, &id).await;
    assert_eq!(end["status"], "ACTIVE", "{end}");
    assert_eq!(end["adCopy"]["headline"], fresh["headline"], "{end}");

    // Copy the user edited is theirs: a rename keeps it.
    let mut own = input;
    own["campaignName"] = json!("Autumn #invalid");
    let other = create(&app, &ann, own.clone()).await;
    let r = app
        .graphql_as(&ann.token, PREVIEW_COPY, json!({ "id": other }))
        .await;
    let mut edited = r.data()["previewLaunch"]["adCopy"].clone();
    edited.as_object_mut().unwrap().remove("writtenBy");
    edited["headline"] = json!("Autumn classes, any level");
    own["adCopy"] = edited;
    let r = app
        .graphql_as(
            &ann.token,
            EDIT,
            json!({ "id": other, "input": own.clone() }),
        )
        .await;
    assert_eq!(
        r.data()["updateCampaign"]["adCopy"]["writtenBy"],
        serde_json::Value::Null,
        "{}",
        r.body
    );
    own["campaignName"] = json!("Autumn open day");
    let r = app
        .graphql_as(&ann.token, EDIT, json!({ "id": other, "input": own }))
        .await;
    assert_eq!(
        r.data()["updateCampaign"]["adCopy"]["headline"],
        "Autumn classes, any level",
        "{}",
        r.body
    );
}

const WAIT: &str = "query($id: ID!) { campaign(id: $id) { status launchFailure \
    launchWait { reason retryAt attempts maxAttempts } } }";

/// A launch the platform rate-limits says so with the time of its next
/// attempt, then goes live by itself; a launch that gave up on temporary
/// failures is told apart from one the platform refused.
async fn a_waiting_launch_says_why_and_until_when(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let images = creatives(&app, &ann, 1, 1).await;
    // The Sandbox rate-limits "#rate-limit" once and asks for 60 seconds.
    let id = draft(&app, &ann, &integration, &images, "Spring #rate-limit").await;
    let started = chrono::Utc::now();
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    let mut wait = serde_json::Value::Null;
    for _ in 0..400 {
        let r = app.graphql_as(&ann.token, WAIT, json!({ "id": id })).await;
        wait = r.data()["campaign"]["launchWait"].clone();
        if !wait.is_null() {
            assert_eq!(r.data()["campaign"]["status"], "LAUNCHING");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(wait["reason"], "RATE_LIMITED", "{wait}");
    assert_eq!(wait["attempts"], 1, "{wait}");
    assert_eq!(wait["maxAttempts"], 6, "{wait}");
    let retry_at: chrono::DateTime<chrono::Utc> =
        wait["retryAt"].as_str().unwrap().parse().unwrap();
    let ahead = retry_at - started;
    assert!(
        ahead >= chrono::Duration::seconds(59) && ahead <= chrono::Duration::seconds(75),
        "the platform asked for a minute: {ahead}"
    );

    // Failures: the platform's refusal needs a fix, giving up on temporary
    // failures does not.
    let db = app.db.connect().await;
    let refused = draft(&app, &ann, &integration, &images, "Spring #invalid").await;
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": refused }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &refused).await["status"], "ERROR");
    let r = app
        .graphql_as(&ann.token, WAIT, json!({ "id": refused }))
        .await;
    assert_eq!(
        r.data()["campaign"]["launchFailure"],
        "REFUSED",
        "{}",
        r.body
    );
    assert_eq!(r.data()["campaign"]["launchWait"], serde_json::Value::Null);
    let gave_up = draft(&app, &ann, &integration, &images, "Spring").await;
    entities::ad_campaign::ActiveModel {
        id: sea_orm::ActiveValue::Set(gave_up.parse().unwrap()),
        status: sea_orm::ActiveValue::Set(entities::CampaignStatus::Error),
        error_message: sea_orm::ActiveValue::Set(Some(
            leadforge::services::launch::stop::exhausted(
                leadforge::services::integrations::provider_name(entities::Provider::Sandbox),
            ),
        )),
        ..Default::default()
    }
    .update(&db)
    .await
    .unwrap();
    let r = app
        .graphql_as(&ann.token, WAIT, json!({ "id": gave_up }))
        .await;
    assert_eq!(
        r.data()["campaign"]["launchFailure"],
        "TEMPORARY",
        "{}",
        r.body
    );
    let r = app.graphql_as(&ann.token, WAIT, json!({ "id": id })).await;
    assert_eq!(
        r.data()["campaign"]["launchFailure"],
        serde_json::Value::Null
    );
}
