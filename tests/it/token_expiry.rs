//! Token expiry: Test connection reads Meta's `debug_token` dates, and the
//! daily check warns the owner 7 days before reading stops and loudly once
//! it has (numbers frozen, campaigns still running) — once per token and
//! date, however often it runs.

use adapters::stand_in::{MetaFixture, MetaStandIn};
use chrono::{Duration, Utc};
use leadforge_e2e::{Backend, TestApp, both_backends};
use serde_json::{Value, json};

both_backends!(an_expiring_and_an_expired_token_each_warn_their_owner_once);

const SAVE: &str = "mutation($t: String!, $a: String!, $g: String) { \
    saveIntegration(provider: META_ADS, accessToken: $t, adAccountId: $a, pageId: $g) { id } }";
const TEST: &str = "mutation($id: ID!) { testIntegration(id: $id) { ok message \
    integration { tokenExpiresAt dataAccessExpiresAt tokenWarning } } }";
const NOTES: &str =
    "{ notifications(first: 10) { edges { node { kind title body integrationId } } } }";

async fn notes(app: &TestApp, token: &str) -> Vec<Value> {
    app.graphql_as(token, NOTES, json!({})).await.data()["notifications"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

async fn an_expiring_and_an_expired_token_each_warn_their_owner_once(backend: Backend) {
    let meta = MetaStandIn::start().await.unwrap();
    let f = MetaFixture::seed(&meta);
    let app = TestApp::spawn_with(backend, &[("META_GRAPH_URL", meta.base_url())]).await;
    let ann = app.sign_up("ann@example.com", "Ann Ads").await;
    let id = app
        .graphql_as(
            &ann.token,
            SAVE,
            json!({ "t": f.token, "a": f.account, "g": f.page_id }),
        )
        .await
        .data()["saveIntegration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A long-lived token: dates stored, nothing to warn about.
    let r = app.graphql_as(&ann.token, TEST, json!({ "id": id })).await;
    let t = &r.data()["testIntegration"];
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(
        t["integration"]["tokenExpiresAt"],
        Value::Null,
        "never expires"
    );
    assert!(t["integration"]["dataAccessExpiresAt"].is_string(), "{t}");
    assert_eq!(t["integration"]["tokenWarning"], Value::Null);
    let report = app.services.integrations.check_tokens().await.unwrap();
    assert_eq!((report.checked, report.expiring, report.expired), (1, 0, 0));
    assert!(notes(&app, &ann.token).await.is_empty());

    // Three days left: Test connection says so, and the check warns once.
    meta.set_token_expiry(&f.token, Some(Utc::now() + Duration::days(3)), None);
    let r = app.graphql_as(&ann.token, TEST, json!({ "id": id })).await;
    let t = &r.data()["testIntegration"];
    assert!(t["message"].as_str().unwrap().contains("expires on"), "{t}");
    assert!(
        t["integration"]["tokenWarning"]
            .as_str()
            .unwrap()
            .contains("freeze"),
        "{t}"
    );
    for _ in 0..2 {
        let report = app.services.integrations.check_tokens().await.unwrap();
        assert_eq!(report.expiring, 1, "{report:?}");
    }
    let found = notes(&app, &ann.token).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["kind"], "TOKEN_EXPIRING");
    assert_eq!(found[0]["integrationId"], id.as_str());

    // Data access ended (the token itself is still valid): loud, once.
    meta.set_token_expiry(&f.token, None, Some(Utc::now() - Duration::hours(1)));
    for _ in 0..2 {
        let report = app.services.integrations.check_tokens().await.unwrap();
        assert_eq!(report.expired, 1, "{report:?}");
    }
    let found = notes(&app, &ann.token).await;
    assert_eq!(found.len(), 2, "{found:?}");
    let expired = found.iter().find(|n| n["kind"] == "TOKEN_EXPIRED").unwrap();
    let body = expired["body"].as_str().unwrap();
    assert!(
        body.contains("frozen")
            && body.contains("still running")
            && body.contains("Replace the token"),
        "{body}"
    );

    // A token Meta now refuses as expired is reported the same way, at once.
    meta.fail_token(
        &f.token,
        190,
        Some(463),
        "Error validating access token: Session has expired",
    );
    let report = app.services.integrations.check_tokens().await.unwrap();
    assert_eq!(report.expired, 1, "{report:?}");
    // Another member sees none of it.
    let bob = app.sign_up("bob@example.com", "Bob Ads").await;
    assert!(notes(&app, &bob.token).await.is_empty());
}
