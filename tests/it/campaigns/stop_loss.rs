//! Stop-loss rules: a member's default copied to a new campaign, judged
//! after each sync on the numbers just stored, acting exactly once (two
//! instances syncing side by side), pausing platform-first and telling the
//! owner why; a preview that agrees with what the rule did.

use entities::{AuditOutcome, audit_event};
use leadforge::services::insights::InsightsSync;
use leadforge_e2e::{
    Account, Backend, TestApp, both_backends,
    campaigns::{LAUNCH, create, creatives, settled, traffic_input, verified_sandbox},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

both_backends!(
    a_rule_pauses_a_campaign_that_spends_without_leads_once_and_says_why,
    rules_are_checked_and_scoped
);

const ADD: &str = "mutation($input: AddStopLossRuleInput!) { addStopLossRule(input: $input) { \
    id campaignId kind currency thresholdCents minSpendCents description firedAt } }";
const RULES: &str =
    "query($c: ID) { stopLossRules(campaignId: $c) { id campaignId kind description firedAt } }";
const PREVIEW: &str = "query($c: ID!, $k: StopLossKind!, $t: Int!) { previewStopLossRule(campaignId: $c, kind: $k, thresholdCents: $t) { snapshots wouldFireAt spendCents leads } }";
const NOTIFICATIONS: &str = "{ unreadNotificationCount notifications(first: 10) { totalCount edges { node { id kind title body campaignId readAt } } } }";

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

async fn a_rule_pauses_a_campaign_that_spends_without_leads_once_and_says_why(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "50")]).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;

    // A default of Ann's: any spend at all without a lead pauses.
    let r = app
        .graphql_as(
            &ann.token,
            ADD,
            json!({ "input": { "kind": "SPEND_WITHOUT_LEADS", "currency": "usd", "thresholdCents": 1 } }),
        )
        .await;
    let default = r.data()["addStopLossRule"].clone();
    assert_eq!(default["campaignId"], Value::Null);
    assert_eq!(
        default["description"],
        "spend reached 0.01 USD with no lead"
    );

    // A traffic campaign (no leads) with a budget that spends quickly.
    let images = creatives(&app, &ann, 1, 5).await;
    let mut input = traffic_input(&integration, &images);
    input["dailyBudgetCents"] = json!(1_000_000);
    let id = create(&app, &ann, input).await;
    let r = app.graphql_as(&ann.token, RULES, json!({ "c": id })).await;
    let rules = r.data()["stopLossRules"].as_array().unwrap().clone();
    assert_eq!(rules.len(), 1, "the default was copied: {rules:?}");
    assert_eq!(rules[0]["campaignId"], id.as_str());
    assert_eq!(rules[0]["firedAt"], Value::Null);
    app.graphql_as(&ann.token, LAUNCH, json!({ "id": id }))
        .await
        .data();
    assert_eq!(settled(&app, &ann, &id).await["status"], "ACTIVE");

    // Two instances sync side by side, cycle after cycle, until the Sandbox
    // has spend to report (it spends with the clock).
    let instance = |db| InsightsSync::of(&app.services, db, std::time::Duration::from_millis(200));
    let (a, b) = (
        instance(app.db.connect().await),
        instance(app.db.connect().await),
    );
    for _ in 0..100 {
        let (ra, rb) = tokio::join!(a.run_once(), b.run_once());
        ra.unwrap();
        rb.unwrap();
        if status(&app, &ann, &id).await == "PAUSED" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        status(&app, &ann, &id).await,
        "PAUSED",
        "the rule paused it"
    );
    // More cycles: the fired rule acts no more.
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let (ra, rb) = tokio::join!(a.run_once(), b.run_once());
        ra.unwrap();
        rb.unwrap();
    }

    let r = app.graphql_as(&ann.token, RULES, json!({ "c": id })).await;
    let fired_at = r.data()["stopLossRules"][0]["firedAt"].clone();
    assert!(fired_at.is_string(), "{}", r.body);

    // Told once, with the rule and the numbers.
    let r = app.graphql_as(&ann.token, NOTIFICATIONS, json!({})).await;
    let data = r.data();
    assert_eq!(data["unreadNotificationCount"], 1, "{data}");
    let note = &data["notifications"]["edges"][0]["node"];
    assert_eq!(note["kind"], "RULE_FIRED");
    assert_eq!(note["campaignId"], id.as_str());
    let body = note["body"].as_str().unwrap();
    assert!(
        body.contains("spend reached 0.01 USD with no lead") && body.contains("0 leads"),
        "{body}"
    );

    // One pause, by the rule, audited with the numbers that tripped it.
    let pauses: Vec<_> = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("campaign.pause"))
        .filter(audit_event::Column::Outcome.eq(AuditOutcome::Success))
        .all(&app.db.connect().await)
        .await
        .unwrap();
    assert_eq!(pauses.len(), 1, "{pauses:?}");
    let detail = pauses[0].detail.clone().unwrap();
    assert_eq!(detail["actor"], "system:stop-loss");
    assert_eq!(detail["why"]["leads"], 0);
    let spent = detail["why"]["spendMinor"].as_i64().unwrap();
    assert!(spent >= 1, "{detail}");

    // The preview replays the same judgement over the stored snapshots: it
    // would have fired on the numbers the rule fired on.
    let r = app
        .graphql_as(
            &ann.token,
            PREVIEW,
            json!({ "c": id, "k": "SPEND_WITHOUT_LEADS", "t": 1 }),
        )
        .await;
    let preview = &r.data()["previewStopLossRule"];
    assert!(preview["snapshots"].as_i64().unwrap() >= 1, "{preview}");
    assert_eq!(preview["spendCents"].as_i64(), Some(spent), "{preview}");
    assert_eq!(preview["leads"], 0);
    assert!(preview["wouldFireAt"].as_str().unwrap() <= fired_at.as_str().unwrap());
    let r = app
        .graphql_as(
            &ann.token,
            PREVIEW,
            json!({ "c": id, "k": "LIFETIME_SPEND", "t": 100_000_000 }),
        )
        .await;
    assert_eq!(r.data()["previewStopLossRule"]["wouldFireAt"], Value::Null);

    // Read, it is no longer counted.
    let r = app
        .graphql_as(
            &ann.token,
            "mutation { markNotificationsRead(all: true) }",
            json!({}),
        )
        .await;
    assert_eq!(r.data()["markNotificationsRead"], 1);
    let r = app.graphql_as(&ann.token, NOTIFICATIONS, json!({})).await;
    assert_eq!(r.data()["unreadNotificationCount"], 0);
}

async fn rules_are_checked_and_scoped(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@a.test", "Ann Ads").await;
    let bob = app.sign_up("bob@b.test", "Bob Ads").await;
    let integration = verified_sandbox(&app, &ann, "1001").await;
    let id = create(
        &app,
        &ann,
        traffic_input(&integration, &creatives(&app, &ann, 1, 2).await),
    )
    .await;

    for (input, field) in [
        (
            json!({ "kind": "LIFETIME_SPEND", "thresholdCents": 100 }),
            "currency",
        ),
        (
            json!({ "campaignId": id, "kind": "LIFETIME_SPEND", "thresholdCents": 0 }),
            "thresholdCents",
        ),
        (
            json!({ "campaignId": id, "kind": "LIFETIME_SPEND", "thresholdCents": 100, "minSpendCents": 5 }),
            "minSpendCents",
        ),
        (
            json!({ "campaignId": id, "kind": "LIFETIME_SPEND", "currency": "EUR", "thresholdCents": 100 }),
            "currency",
        ),
    ] {
        let r = app
            .graphql_as(&ann.token, ADD, json!({ "input": input }))
            .await;
        assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], field,
            "{}",
            r.body
        );
    }
    let r = app
        .graphql_as(
            &ann.token,
            ADD,
            json!({ "input": { "campaignId": id, "kind": "COST_PER_LEAD_ABOVE", "thresholdCents": 2000, "minSpendCents": 5000 } }),
        )
        .await;
    let rule = r.data()["addStopLossRule"].clone();
    assert_eq!(rule["currency"], "USD");
    assert_eq!(
        rule["description"],
        "cost per lead above 20.00 USD after spend reached 50.00 USD"
    );

    // Another tenant's member sees and touches none of it.
    let r = app.graphql_as(&bob.token, RULES, json!({ "c": id })).await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);
    let r = app
        .graphql_as(
            &bob.token,
            ADD,
            json!({ "input": { "campaignId": id, "kind": "LIFETIME_SPEND", "thresholdCents": 1 } }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);
    let r = app
        .graphql_as(
            &bob.token,
            "mutation($id: ID!) { deleteStopLossRule(id: $id) }",
            json!({ "id": rule["id"] }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);
    let r = app
        .graphql_as(
            &ann.token,
            "mutation($id: ID!) { deleteStopLossRule(id: $id) }",
            json!({ "id": rule["id"] }),
        )
        .await;
    assert_eq!(r.data()["deleteStopLossRule"], true);
    let r = app.graphql_as(&ann.token, RULES, json!({ "c": id })).await;
    assert_eq!(r.data()["stopLossRules"], json!([]));
}
