//! Integrations: credentials sealed at rest, "Test connection" against the
//! Sandbox and the Meta stand-in, platform reads, and deletion rules.

use adapters::stand_in::{AccountSeed, MetaFixture, MetaStandIn, TokenSeed};
use entities::user_integration;
use leadforge_e2e::{Account, Backend, TestApp, both_backends};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

both_backends!(
    save_keeps_only_ciphertext_and_shows_only_the_last_four,
    sandbox_connection_tests_report_each_failure_plainly,
    meta_connection_test_assets_and_targeting_through_the_stand_in,
    delete_is_refused_while_a_campaign_uses_the_integration,
    a_token_is_replaced_in_place_keeping_the_page
);

const SAVE: &str = "mutation($p: Provider!, $t: String!, $a: String!, $g: String) { \
    saveIntegration(provider: $p, accessToken: $t, adAccountId: $a, pageId: $g) { \
    id provider adAccountId tokenLast4 status pageId accountName } }";
const TEST: &str = "mutation($id: ID!) { testIntegration(id: $id) { ok message pages { id name } \
    integration { status accountName currency lastError lastVerifiedAt } } }";

async fn save(app: &TestApp, who: &Account, provider: &str, token: &str, account: &str) -> Value {
    let r = app
        .graphql_as(
            &who.token,
            SAVE,
            json!({ "p": provider, "t": token, "a": account }),
        )
        .await;
    r.data()["saveIntegration"].clone()
}

async fn save_keeps_only_ciphertext_and_shows_only_the_last_four(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ann = app.sign_up("ann@example.com", "Ann Ads").await;
    let token = "EAAG-plaintext-token-must-not-be-stored-9c41";
    let saved = save(&app, &ann, "SANDBOX", token, " 12345 ").await;
    assert_eq!(saved["adAccountId"], "act_12345");
    assert_eq!(saved["tokenLast4"], "9c41");
    assert_eq!(saved["status"], "UNVERIFIED");
    assert!(!saved.to_string().contains(token));

    // Saving again for the same account replaces, not duplicates.
    let again = save(&app, &ann, "SANDBOX", "EAAG-second-token-1111", "act_12345").await;
    assert_eq!(again["id"], saved["id"]);
    assert_eq!(again["tokenLast4"], "1111");

    let db = app.db.connect().await;
    let rows = user_integration::Entity::find().all(&db).await.unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let stored = [
        &row.credentials,
        &row.credentials_nonce,
        &row.wrapped_key,
        &row.wrapped_key_nonce,
    ];
    for bytes in stored {
        assert!(
            !String::from_utf8_lossy(bytes).contains("EAAG"),
            "plaintext in a sealed column"
        );
    }
    assert!(!format!("{row:?}").contains("EAAG"));
    if backend == Backend::Sqlite {
        // The database file itself holds no plaintext token either.
        let path = app
            .db
            .url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let mut raw = std::fs::read(&path).unwrap();
        raw.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
        let text = String::from_utf8_lossy(&raw);
        assert!(!text.contains("EAAG-second-token") && !text.contains(token));
    }

    let list = app
        .graphql_as(&ann.token, "{ integrations { id tokenLast4 } }", json!({}))
        .await;
    assert_eq!(list.data()["integrations"].as_array().unwrap().len(), 1);

    for (account, field) in [("acct-1", "adAccountId"), ("act_", "adAccountId")] {
        let r = app
            .graphql_as(
                &ann.token,
                SAVE,
                json!({ "p": "SANDBOX", "t": "sandbox-token", "a": account }),
            )
            .await;
        assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"]);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field);
    }
    let r = app
        .graphql_as(
            &ann.token,
            SAVE,
            json!({ "p": "SANDBOX", "t": "two words", "a": "1" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "accessToken");
    let r = app
        .graphql_as(
            &ann.token,
            SAVE,
            json!({ "p": "SANDBOX", "t": "sandbox-token", "a": "1", "g": "page-x" }),
        )
        .await;
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "pageId");
}

async fn sandbox_connection_tests_report_each_failure_plainly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bo = app.sign_up("bo@example.com", "Bo Ads").await;
    let test = |id: Value| {
        let app = &app;
        let token = bo.token.clone();
        async move { app.graphql_as(&token, TEST, json!({ "id": id })).await }
    };

    let good = save(&app, &bo, "SANDBOX", "sandbox-good-token", "1001").await;
    let r = test(good["id"].clone()).await;
    let t = &r.data()["testIntegration"];
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["integration"]["status"], "VERIFIED");
    assert_eq!(t["integration"]["currency"], "USD");
    assert!(t["integration"]["lastVerifiedAt"].is_string());
    assert!(!t["pages"].as_array().unwrap().is_empty());

    let expired = save(&app, &bo, "SANDBOX", "expired", "1002").await;
    let r = test(expired["id"].clone()).await;
    let t = &r.data()["testIntegration"];
    let mut messages = std::collections::BTreeSet::new();
    messages.insert(t["message"].as_str().unwrap().to_owned());
    assert_eq!(t["ok"], false);
    assert_eq!(t["integration"]["status"], "INVALID");
    assert!(
        t["message"]
            .as_str()
            .unwrap()
            .contains("no longer accepts this access token"),
        "{t}"
    );
    assert_eq!(t["integration"]["lastError"], t["message"]);

    let blocked = save(&app, &bo, "SANDBOX", "blocked", "1003").await;
    let t = test(blocked["id"].clone()).await.data()["testIntegration"].clone();
    assert!(t["message"].as_str().unwrap().contains("blocked"), "{t}");
    messages.insert(t["message"].as_str().unwrap().to_owned());

    // A transient failure says so and leaves the status alone.
    let flaky = save(&app, &bo, "SANDBOX", "sandbox-good-token", "5031").await;
    let t = test(flaky["id"].clone()).await.data()["testIntegration"].clone();
    assert_eq!(t["ok"], false);
    assert!(
        t["message"].as_str().unwrap().contains("Could not reach"),
        "{t}"
    );
    assert_eq!(t["integration"]["status"], "UNVERIFIED");
    messages.insert(t["message"].as_str().unwrap().to_owned());
    assert_eq!(
        messages.len(),
        3,
        "each failure has its own message: {messages:?}"
    );
}

async fn meta_connection_test_assets_and_targeting_through_the_stand_in(backend: Backend) {
    let meta = MetaStandIn::start().await.unwrap();
    let fixture = MetaFixture::seed(&meta);
    meta.add_account(AccountSeed {
        number: "3001".into(),
        name: "Closed Co".into(),
        currency: "EUR".into(),
        timezone: "Europe/Berlin".into(),
        status: 2,
        min_daily_budget: 100,
    });
    meta.add_token(
        "EAAclosedaccount0003",
        TokenSeed {
            user_id: "9003".into(),
            user_name: "Closed Owner".into(),
            scopes: vec!["ads_management".into(), "ads_read".into()],
            accounts: vec!["3001".into()],
            pages: vec![],
            failure: None,
        },
    );
    let app = TestApp::spawn_with(backend, &[("META_GRAPH_URL", meta.base_url())]).await;
    let cy = app.sign_up("cy@example.com", "Cy Ads").await;

    let good = save(&app, &cy, "META_ADS", &fixture.token, &fixture.account).await;
    let r = app
        .graphql_as(&cy.token, TEST, json!({ "id": good["id"] }))
        .await;
    let t = &r.data()["testIntegration"];
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["integration"]["accountName"], "Acme US");
    assert_eq!(t["pages"][0]["id"], fixture.page_id.as_str());
    assert!(
        !t["message"].as_str().unwrap().contains("cannot"),
        "every permission granted: {t}"
    );
    // The stand-in saw the token, and the API never sent it back.
    assert!(!r.body.to_string().contains(&fixture.token));

    let assets = app
        .graphql_as(
            &cy.token,
            "query($id: ID!) { platformAssets(integrationId: $id) { pages { id name } pixels { id } leadForms { id pageId } } }",
            json!({ "id": good["id"] }),
        )
        .await;
    let a = &assets.data()["platformAssets"];
    assert_eq!(a["leadForms"][0]["id"], fixture.form_id.as_str());
    assert_eq!(a["leadForms"][0]["pageId"], fixture.page_id.as_str());
    assert!(
        a["pixels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == fixture.pixel_id.as_str())
    );

    let found = app
        .graphql_as(
            &cy.token,
            "query($id: ID!) { searchTargeting(integrationId: $id, kind: INTEREST, query: \"yoga\") { id name kind } }",
            json!({ "id": good["id"] }),
        )
        .await;
    let options = found.data()["searchTargeting"].as_array().unwrap().clone();
    assert!(
        options
            .iter()
            .any(|o| o["name"] == "Yoga" && o["kind"] == "INTEREST"),
        "{options:?}"
    );
    let bad = app
        .graphql_as(
            &cy.token,
            "query($id: ID!) { searchTargeting(integrationId: $id, kind: CITY, query: \"x\", countryCode: \"Germany\") { id } }",
            json!({ "id": good["id"] }),
        )
        .await;
    assert_eq!(bad.error_codes(), vec!["BAD_USER_INPUT"]);

    // A disabled account, an account the token cannot reach, a revoked token.
    let closed = save(&app, &cy, "META_ADS", "EAAclosedaccount0003", "act_3001").await;
    let t = app
        .graphql_as(&cy.token, TEST, json!({ "id": closed["id"] }))
        .await
        .data()["testIntegration"]
        .clone();
    assert_eq!(t["ok"], false);
    assert!(t["message"].as_str().unwrap().contains("DISABLED"), "{t}");

    let foreign = save(&app, &cy, "META_ADS", &fixture.token, "act_999999").await;
    let t = app
        .graphql_as(&cy.token, TEST, json!({ "id": foreign["id"] }))
        .await
        .data()["testIntegration"]
        .clone();
    assert_eq!(t["ok"], false);
    assert!(
        t["message"]
            .as_str()
            .unwrap()
            .contains("cannot reach this ad account"),
        "{t}"
    );
    assert_eq!(t["integration"]["status"], "INVALID");

    meta.add_token(
        "EAArevoked-token-0002",
        TokenSeed {
            user_id: "9002".into(),
            user_name: "Revoked".into(),
            scopes: vec!["ads_management".into()],
            accounts: vec!["2392".into()],
            pages: vec![],
            failure: Some((
                190,
                Some(460),
                "The session has been invalidated because the user changed their password.".into(),
            )),
        },
    );
    let revoked = save(
        &app,
        &cy,
        "META_ADS",
        "EAArevoked-token-0002",
        &fixture.jpy_account,
    )
    .await;
    let t = app
        .graphql_as(&cy.token, TEST, json!({ "id": revoked["id"] }))
        .await
        .data()["testIntegration"]
        .clone();
    assert!(
        t["message"]
            .as_str()
            .unwrap()
            .contains("changed their password"),
        "the platform's own words: {t}"
    );
}

#[tokio::test]
async fn meta_test_connection_names_missing_page_permissions_and_tasks() {
    let meta = MetaStandIn::start().await.unwrap();
    let fixture = MetaFixture::seed(&meta);
    meta.add_token(
        "EAAtrafficonly0004",
        TokenSeed {
            user_id: "9004".into(),
            user_name: "Traffic Only".into(),
            scopes: vec!["ads_management".into(), "ads_read".into()],
            accounts: vec!["1001".into()],
            pages: vec![fixture.page_id.clone()],
            failure: None,
        },
    );
    let app = TestApp::spawn_with(Backend::Sqlite, &[("META_GRAPH_URL", meta.base_url())]).await;
    let gil = app.sign_up("gil@example.com", "Gil Ads").await;

    // Campaigns work; instant forms and leads do not, and each missing permission is named.
    let traffic = save(
        &app,
        &gil,
        "META_ADS",
        "EAAtrafficonly0004",
        &fixture.account,
    )
    .await;
    let t = app
        .graphql_as(&gil.token, TEST, json!({ "id": traffic["id"] }))
        .await
        .data()["testIntegration"]
        .clone();
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["integration"]["status"], "VERIFIED");
    let message = t["message"].as_str().unwrap();
    assert!(
        message.contains("Can launch traffic and website campaigns")
            && message.contains("cannot use instant forms (lead ads)")
            && message.contains("cannot receive the leads from instant forms"),
        "{message}"
    );
    for permission in [
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_ads",
        "leads_retrieval",
    ] {
        assert!(message.contains(permission), "{permission}: {message}");
    }
    assert!(!message.contains("ads_management"), "{message}");

    // Every permission, but no ADVERTISE task on the Page: the Page is named.
    meta.set_page_tasks(&fixture.token, &fixture.page_id, &["ANALYZE"]);
    let full = save(&app, &gil, "META_ADS", &fixture.token, &fixture.account).await;
    let r = app
        .graphql_as(&gil.token, TEST, json!({ "id": full["id"] }))
        .await;
    let t = &r.data()["testIntegration"];
    assert_eq!(t["ok"], true, "{t}");
    let message = t["message"].as_str().unwrap();
    assert!(
        message.contains("cannot use instant forms") && message.contains("ADVERTISE"),
        "{message}"
    );
    assert!(message.contains(&fixture.page_name), "{message}");
    // No token, user or Page, is ever sent back.
    let body = r.body.to_string();
    assert!(
        !body.contains(&fixture.token) && !body.contains("EAAPage"),
        "{body}"
    );
}

#[tokio::test]
async fn an_unreachable_platform_is_a_network_failure_not_a_bad_token() {
    // Nothing listens on port 9 of loopback.
    let app =
        TestApp::spawn_with(Backend::Sqlite, &[("META_GRAPH_URL", "http://127.0.0.1:9")]).await;
    let di = app.sign_up("di@example.com", "Di Ads").await;
    let saved = save(&app, &di, "META_ADS", "EAAsometoken-0123456789", "act_1").await;
    let t = app
        .graphql_as(&di.token, TEST, json!({ "id": saved["id"] }))
        .await
        .data()["testIntegration"]
        .clone();
    assert_eq!(t["ok"], false);
    assert!(
        t["message"]
            .as_str()
            .unwrap()
            .starts_with("Could not reach Meta"),
        "{t}"
    );
    assert_eq!(t["integration"]["status"], "UNVERIFIED");
}

async fn delete_is_refused_while_a_campaign_uses_the_integration(backend: Backend) {
    use entities::{CampaignStatus, IntegrationId};

    let app = TestApp::spawn(backend).await;
    let ed = app.sign_up("ed@example.com", "Ed Ads").await;
    let other = app.sign_up("fay@example.com", "Fay Ads").await;
    let kept = save(&app, &ed, "SANDBOX", "sandbox-good-token", "1001").await;
    let free = save(&app, &ed, "SANDBOX", "sandbox-good-token", "1002").await;

    let db = app.db.connect().await;
    let integration: IntegrationId = kept["id"].as_str().unwrap().parse().unwrap();
    leadforge_e2e::fixtures::insert_campaign(
        &db,
        &ed,
        integration,
        "Spring",
        CampaignStatus::Draft,
    )
    .await;

    let delete = "mutation($id: ID!) { deleteIntegration(id: $id) }";
    let r = app
        .graphql_as(&ed.token, delete, json!({ "id": kept["id"] }))
        .await;
    assert_eq!(r.error_codes(), vec!["CONFLICT"]);
    // Another member cannot even see it.
    let r = app
        .graphql_as(&other.token, delete, json!({ "id": free["id"] }))
        .await;
    assert_eq!(r.error_codes(), vec!["NOT_FOUND"]);
    let r = app
        .graphql_as(&ed.token, delete, json!({ "id": free["id"] }))
        .await;
    assert_eq!(r.data()["deleteIntegration"], true);
    let r = app
        .graphql_as(&ed.token, delete, json!({ "id": free["id"] }))
        .await;
    assert_eq!(r.error_codes(), vec!["NOT_FOUND"]);
    let left = user_integration::Entity::find().all(&db).await.unwrap();
    assert_eq!(left.len(), 1);
}

both_backends!(master_key_rotation_rewraps_secrets_and_the_old_key_can_then_go);

/// Secrets sealed under `old` are re-wrapped under `new` by the rotation;
/// a server holding only `new` then still opens them.
async fn master_key_rotation_rewraps_secrets_and_the_old_key_can_then_go(backend: Backend) {
    use base64::{Engine, engine::general_purpose::STANDARD};
    let old = format!("old:{}", STANDARD.encode([1u8; 32]));
    let new = format!("new:{}", STANDARD.encode([2u8; 32]));

    let app = TestApp::spawn_with(backend, &[("LEADFORGE_MASTER_KEY", &old)]).await;
    let gus = app.sign_up("gus@example.com", "Gus Ads").await;
    let saved = save(&app, &gus, "SANDBOX", "sandbox-good-token", "1001").await;

    // Deploy with the new key first and the old one still listed, then rotate.
    let both = format!("{new},{old}");
    let app = app.restart_with(&[("LEADFORGE_MASTER_KEY", &both)]).await;
    let vault = leadforge::vault::Vault::from_setting(&both.clone().into()).unwrap();
    let db = app.db.connect().await;
    let report = leadforge::vault::rotate(&db, &vault).await.unwrap();
    assert_eq!((report.rewrapped, report.still_old), (1, 0));
    assert!(report.unreadable.is_empty());
    let again = leadforge::vault::rotate(&db, &vault).await.unwrap();
    assert_eq!(again.rewrapped, 0, "rotation is idempotent");

    // Drop the old key: the secret still opens.
    let app = app.restart_with(&[("LEADFORGE_MASTER_KEY", &new)]).await;
    let t = app
        .graphql_as(&gus.token, TEST, json!({ "id": saved["id"] }))
        .await;
    assert_eq!(t.data()["testIntegration"]["ok"], true, "{}", t.body);
}

both_backends!(concurrent_saves_of_one_account_end_in_one_row);

async fn concurrent_saves_of_one_account_end_in_one_row(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let hal = app.sign_up("hal@example.com", "Hal Ads").await;
    let saves = (0..6).map(|i| {
        let app = &app;
        let token = hal.token.clone();
        async move {
            app.graphql_as(
                &token,
                SAVE,
                json!({ "p": "SANDBOX", "t": format!("sandbox-token-{i}"), "a": "777" }),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(saves).await;
    let ids: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|r| {
            r.data()["saveIntegration"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every save answered with the one row");
    let db = app.db.connect().await;
    assert_eq!(
        user_integration::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .len(),
        1
    );
}

const UPDATE: &str = "mutation($id: ID!, $t: String!) { updateIntegration(id: $id, accessToken: $t) { \
    ok message integration { id status tokenLast4 pageId lastError } } }";

/// An expired token is replaced in place: same integration, same Page,
/// tested at once; nothing else has to be set up again.
async fn a_token_is_replaced_in_place_keeping_the_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bo = app.sign_up("bo@example.com", "Bo Ads").await;
    let first = save(&app, &bo, "SANDBOX", "sandbox-good-token", "1004").await;
    let r = app
        .graphql_as(&bo.token, TEST, json!({ "id": first["id"] }))
        .await;
    let page = r.data()["testIntegration"]["pages"][0]["id"].clone();
    let r = app
        .graphql_as(
            &bo.token,
            SAVE,
            json!({ "p": "SANDBOX", "t": "sandbox-good-token", "a": "1004", "g": page }),
        )
        .await;
    let id = r.data()["saveIntegration"]["id"].clone();
    assert_eq!(id, first["id"]);

    // The token expired: replacing it with another expired one says so.
    let r = app
        .graphql_as(&bo.token, UPDATE, json!({ "id": id, "t": "expired" }))
        .await;
    let t = &r.data()["updateIntegration"];
    assert_eq!(t["ok"], false, "{t}");
    assert_eq!(t["integration"]["status"], "INVALID");
    assert_eq!(t["integration"]["tokenLast4"], "ired");
    assert_eq!(t["integration"]["pageId"], page, "the Page stays");

    // A good one: verified at once, same row, same Page.
    let r = app
        .graphql_as(
            &bo.token,
            UPDATE,
            json!({ "id": id, "t": "sandbox-fresh-token" }),
        )
        .await;
    let t = &r.data()["updateIntegration"];
    assert_eq!(t["ok"], true, "{t}");
    assert_eq!(t["integration"]["id"], id);
    assert_eq!(t["integration"]["status"], "VERIFIED");
    assert_eq!(t["integration"]["tokenLast4"], "oken");
    assert_eq!(t["integration"]["pageId"], page);
    assert_eq!(t["integration"]["lastError"], Value::Null);
    assert!(!r.body.to_string().contains("sandbox-fresh-token"));

    let r = app
        .graphql_as(&bo.token, UPDATE, json!({ "id": id, "t": "  " }))
        .await;
    assert_eq!(r.error_codes(), ["BAD_USER_INPUT"], "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "accessToken");
    let other = app.sign_up("cy@example.com", "Cy Ads").await;
    let r = app
        .graphql_as(
            &other.token,
            UPDATE,
            json!({ "id": id, "t": "sandbox-fresh-token" }),
        )
        .await;
    assert_eq!(r.error_codes(), ["NOT_FOUND"], "{}", r.body);
}
