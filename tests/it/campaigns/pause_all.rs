//! `pauseAllCampaigns`: every running campaign of the caller (or of a
//! tenant, or of everyone, for the chief architect) paused platform-first,
//! with every outcome reported — one the platform refuses included.

use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, settled, traffic_input, verified_sandbox},
};
use serde_json::{Value, json};

both_backends!(
    pause_all_stops_every_running_campaign_and_reports_each_outcome,
    only_the_chief_architect_pauses_other_tenants
);

const CREDITS: &[(&str, &str)] = &[("LEADFORGE_SIGNUP_CREDITS", "50")];

const PAUSE_ALL: &str = "mutation($t: ID, $e: Boolean) { pauseAllCampaigns(tenantId: $t, everyTenant: $e) { \
    paused alreadyPaused launching failed outcomes { campaign { id status } result message } } }";

async fn running(app: &TestApp, who: &Account, integration: &str, name: &str) -> String {
    let images = creatives(app, who, 1, name.len() as u32).await;
    let mut input = traffic_input(integration, &images);
    input["campaignName"] = json!(name);
    let id = create(app, who, input).await;
    app.graphql_as(&who.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(app, who, &id).await["status"], "ACTIVE");
    id
}

async fn status(app: &TestApp, who: &Account, id: &str) -> Value {
    app.graphql_as(
        &who.token,
        "query($id: ID!) { campaign(id: $id) { status } }",
        json!({ "id": id }),
    )
    .await
    .data()["campaign"]["status"]
        .clone()
}

fn outcome<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["campaign"]["id"] == id)
        .unwrap_or_else(|| panic!("an outcome for {id}: {report}"))
}

async fn pause_all_stops_every_running_campaign_and_reports_each_outcome(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let first = verified_sandbox(&app, &ann, "1001").await;
    let second = verified_sandbox(&app, &ann, "1002").await;
    let a = running(&app, &ann, &first, "Alpha").await;
    let b = running(&app, &ann, &first, "Bravo").await;
    let c = running(&app, &ann, &first, "Charlie").await;
    let d = running(&app, &ann, &second, "Delta").await;
    let bobs = running(
        &app,
        &bob,
        &verified_sandbox(&app, &bob, "2001").await,
        "Bob's",
    )
    .await;
    let draft = create(
        &app,
        &ann,
        traffic_input(&first, &creatives(&app, &ann, 1, 99).await),
    )
    .await;
    app.graphql_as(
        &ann.token,
        "mutation($id: ID!) { pauseCampaign(id: $id) { status } }",
        json!({ "id": c }),
    )
    .await
    .data();
    // The platform stops accepting the second account's token.
    app.graphql_as(
        &ann.token,
        "mutation { saveIntegration(provider: SANDBOX, accessToken: \"expired\", adAccountId: \"1002\") { id } }",
        json!({}),
    )
    .await
    .data();

    let r = app.graphql_as(&ann.token, PAUSE_ALL, json!({})).await;
    let report = &r.data()["pauseAllCampaigns"];
    assert_eq!(
        (
            &report["paused"],
            &report["alreadyPaused"],
            &report["failed"],
            &report["launching"]
        ),
        (&json!(2), &json!(1), &json!(1), &json!(0)),
        "{report}"
    );
    assert_eq!(
        report["outcomes"].as_array().unwrap().len(),
        4,
        "drafts and other tenants are not touched"
    );
    for id in [&a, &b] {
        assert_eq!(outcome(report, id)["result"], "PAUSED");
        assert_eq!(outcome(report, id)["campaign"]["status"], "PAUSED");
        assert_eq!(status(&app, &ann, id).await, "PAUSED");
    }
    assert_eq!(outcome(report, &c)["result"], "ALREADY_PAUSED");
    let failed = outcome(report, &d);
    assert_eq!(failed["result"], "FAILED");
    assert!(
        failed["message"].as_str().unwrap().contains("expired"),
        "the platform's words: {failed}"
    );
    assert_eq!(
        status(&app, &ann, &d).await,
        "ACTIVE",
        "not paused, so not shown paused"
    );
    assert_eq!(status(&app, &ann, &draft).await, "DRAFT");
    assert_eq!(status(&app, &bob, &bobs).await, "ACTIVE");

    // Again at once: the pause/resume throttle does not hold it back.
    let r = app.graphql_as(&ann.token, PAUSE_ALL, json!({})).await;
    let report = &r.data()["pauseAllCampaigns"];
    assert_eq!(
        (&report["alreadyPaused"], &report["failed"]),
        (&json!(3), &json!(1))
    );
}

async fn only_the_chief_architect_pauses_other_tenants(backend: Backend) {
    let app = TestApp::spawn_with(backend, CREDITS).await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let anns = running(
        &app,
        &ann,
        &verified_sandbox(&app, &ann, "1001").await,
        "Ann's",
    )
    .await;
    let bobs = running(
        &app,
        &bob,
        &verified_sandbox(&app, &bob, "2001").await,
        "Bob's",
    )
    .await;

    for vars in [json!({ "e": true }), json!({ "t": bob.tenant_id })] {
        let r = app.graphql_as(&ann.token, PAUSE_ALL, vars).await;
        assert_eq!(r.error_codes(), ["FORBIDDEN"], "{}", r.body);
    }
    let r = app
        .graphql_as(
            &chief.token,
            PAUSE_ALL,
            json!({ "t": bob.tenant_id, "e": true }),
        )
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);

    let r = app
        .graphql_as(&chief.token, PAUSE_ALL, json!({ "t": bob.tenant_id }))
        .await;
    assert_eq!(r.data()["pauseAllCampaigns"]["paused"], 1);
    assert_eq!(status(&app, &bob, &bobs).await, "PAUSED");
    assert_eq!(status(&app, &ann, &anns).await, "ACTIVE");
    let r = app
        .graphql_as(&chief.token, PAUSE_ALL, json!({ "e": true }))
        .await;
    let report = &r.data()["pauseAllCampaigns"];
    assert_eq!(
        (&report["paused"], &report["alreadyPaused"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(status(&app, &ann, &anns).await, "PAUSED");
}
