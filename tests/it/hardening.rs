//! The attack corpus, round two (issue 17): what a pen test against the
//! release build found, each asserting the fixed answer.

use leadforge_e2e::{
    Backend, GqlResponse, METRICS_TOKEN, PASSWORD, TestApp, both_backends, campaigns, images,
    ws::{Protocol, WsClient},
};
use reqwest::StatusCode;
use serde_json::{Value, json};

both_backends!(
    a_colour_profile_bomb_is_refused,
    a_file_mapped_onto_a_string_is_refused,
    short_access_tokens_are_refused,
    e_mail_addresses_have_one_spelling,
    internal_destinations_are_refused,
);

/// A 100 × 100 PNG whose `iCCP` profile inflates to 600 MB.
async fn a_colour_profile_bomb_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@bomb.test", "Ada Co").await;
    let bomb = images::png_with_iccp_bomb(100, 100, 600 * 1024 * 1024);
    assert!(bomb.len() < 8 * 1024 * 1024, "{} bytes", bomb.len());
    let r = app.upload_creative(&ada.token, "bomb.png", bomb).await;
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "file");
    assert!(r.first_message().contains("metadata"), "{}", r.body);
    // Nothing was stored, and the server still serves.
    let gallery = app
        .graphql_as(&ada.token, "{ creatives { totalCount } }", json!({}))
        .await;
    assert_eq!(gallery.data()["creatives"]["totalCount"], 0);
}

/// `saveIntegration(accessToken: $t)` with a file part mapped onto `$t`
/// would store `#__graphql_file__:0` as the token.
async fn a_file_mapped_onto_a_string_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bo = app.sign_up("bo@map.test", "Bo Co").await;
    let operations = json!({
        "query": "mutation($t: String!) { saveIntegration(provider: SANDBOX, accessToken: $t, adAccountId: \"1001\") { id tokenLast4 } }",
        "variables": { "t": null },
    });
    let r = multipart(&app, &bo.token, operations, json!({ "0": ["variables.t"] })).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
    assert_eq!(r.body["errors"][0]["extensions"]["field"], "t");
    assert!(r.first_message().contains("Upload"), "{}", r.body);
    let list = app
        .graphql_as(&bo.token, "{ integrations { id } }", json!({}))
        .await;
    assert_eq!(list.data()["integrations"], json!([]));
    // An undeclared variable is no place for a file either.
    let operations = json!({
        "query": "mutation($file: Upload!) { uploadCreative(file: $file) { id } }",
        "variables": { "file": null, "other": null },
    });
    let r = multipart(
        &app,
        &bo.token,
        operations,
        json!({ "0": ["variables.other"] }),
    )
    .await;
    assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
}

/// Sends a multipart request with one small file part `0`.
async fn multipart(app: &TestApp, token: &str, operations: Value, map: Value) -> GqlResponse {
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", map.to_string())
        .part(
            "0",
            reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("token.txt"),
        );
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(token)
        .header("apollo-require-preflight", "true")
        .multipart(form)
        .send()
        .await
        .unwrap();
    GqlResponse::read(response).await
}

#[tokio::test]
async fn multipart_operations_and_map_obey_the_body_limit() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let cy = app.sign_up("cy@parts.test", "Cy Co").await;
    let padding = "x".repeat(2 << 20);
    let big_operations = json!({
        "query": format!("mutation($file: Upload!) {{ uploadCreative(file: $file) {{ id }} }} # {padding}"),
        "variables": { "file": null },
    });
    let r = multipart(
        &app,
        &cy.token,
        big_operations,
        json!({ "0": ["variables.file"] }),
    )
    .await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);
    assert!(r.first_message().contains("operations"), "{}", r.body);

    let operations = json!({
        "query": "mutation($file: Upload!) { uploadCreative(file: $file) { id } }",
        "variables": { "file": null },
    });
    let big_map = json!({ "0": ["variables.file"], "padding": [padding] });
    let r = multipart(&app, &cy.token, operations.clone(), big_map).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.first_message().contains("map"), "{}", r.body);

    // Files before the map are refused, not spooled.
    let form = reqwest::multipart::Form::new()
        .part(
            "0",
            reqwest::multipart::Part::bytes(vec![0u8; 1024]).file_name("a.png"),
        )
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string());
    let r = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&cy.token)
        .header("apollo-require-preflight", "true")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let r = GqlResponse::read(r).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["BAD_REQUEST"]);
}

#[tokio::test]
async fn client_errors_have_client_codes_and_plain_words() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let send = |accept: &'static str, body: String| {
        let request = app
            .http
            .post(app.url("/graphql"))
            .header("accept", accept)
            .header("content-type", "application/json")
            .body(body);
        async move { GqlResponse::read(request.send().await.unwrap()).await }
    };
    let subscription = json!({ "query": "subscription { campaignUpdated(id: \"x\") { id } }" });
    let r = send(
        "application/graphql-response+json",
        subscription.to_string(),
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["BAD_REQUEST"]);
    assert!(r.first_message().contains("WebSocket"), "{}", r.body);
    let r = send("application/json", subscription.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["BAD_REQUEST"]);

    // A batch over the limit under application/json: 200, as for any
    // well-formed request refused before execution.
    let batch = Value::Array(vec![json!({ "query": "{ __typename }" }); 11]);
    let r = send("application/json", batch.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.error_codes(), vec!["LIMIT_EXCEEDED"]);

    // Neither serde's nor Rust's words reach the client.
    let nested = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"x\":{}{}}}}}",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    for body in [
        "{\"nope\": 1}".to_owned(),
        "[1, 2]".to_owned(),
        "{\"query\": ".to_owned(),
        nested,
    ] {
        let r = send("application/graphql-response+json", body.clone()).await;
        assert_eq!(r.status, 400, "{}", r.body);
        // An object without `query` is an empty document.
        let codes = r.error_codes();
        assert!(
            codes == ["BAD_REQUEST"] || codes == ["GRAPHQL_PARSE_FAILED"],
            "{codes:?}"
        );
        let text = r.body.to_string();
        for leak in [
            "untagged",
            "BatchRequest",
            "recursion limit",
            "enum",
            "struct",
        ] {
            assert!(!text.contains(leak), "`{leak}` in {text}");
        }
    }
}

async fn short_access_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let di = app.sign_up("di@tokens.test", "Di Co").await;
    let save = "mutation($p: Provider!, $t: String!, $a: String!) { saveIntegration(provider: $p, accessToken: $t, adAccountId: $a) { tokenLast4 } }";
    for (provider, token) in [
        ("SANDBOX", "abcd"),
        ("SANDBOX", "x"),
        ("META_ADS", "EAA1234567"),
    ] {
        let r = app
            .graphql_as(
                &di.token,
                save,
                json!({ "p": provider, "t": token, "a": "1001" }),
            )
            .await;
        assert_eq!(
            r.error_codes(),
            vec!["BAD_USER_INPUT"],
            "{token}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["extensions"]["field"], "accessToken");
        assert!(!r.body.to_string().contains(token) || token.len() == 1);
    }
    // The Sandbox's documented test token still works.
    let r = app
        .graphql_as(
            &di.token,
            save,
            json!({ "p": "SANDBOX", "t": "sandbox-token", "a": "1001" }),
        )
        .await;
    assert_eq!(r.data()["saveIntegration"]["tokenLast4"], "oken");
}

async fn e_mail_addresses_have_one_spelling(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_up("alice@a.test", "Alice Co").await;
    let sign_up = "mutation($e: String!, $p: String!, $t: String!) { signUp(email: $e, password: $p, tenantName: $t) { token } }";
    // Full-width `ａ` and capitals are the same address.
    for twin in [
        "\u{ff41}lice@a.test",
        "ALICE@A.TEST",
        "\u{ff41}lice\u{ff20}a.test",
    ] {
        let r = app
            .graphql(sign_up, json!({ "e": twin, "p": PASSWORD, "t": "Twin Co" }))
            .await;
        assert_eq!(r.error_codes(), vec!["CONFLICT"], "{twin}: {}", r.body);
        // The answer does not say the address has an account.
        let message = r.first_message().to_lowercase();
        assert!(
            !message.contains("exist") && !message.contains("taken"),
            "{message}"
        );
    }
    // Signing in with the full-width spelling reaches Alice's account.
    let r = app
        .graphql(
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { user { email } } }",
            json!({ "e": "\u{ff41}lice@a.test", "p": PASSWORD }),
        )
        .await;
    assert_eq!(r.data()["signIn"]["user"]["email"], "alice@a.test");
    // A new full-width address is stored in its one spelling.
    let r = app
        .graphql(
            "mutation($e: String!, $p: String!, $t: String!) { signUp(email: $e, password: $p, tenantName: $t) { user { email } } }",
            json!({ "e": "\u{ff22}ob@a.test", "p": PASSWORD, "t": "Bob Co" }),
        )
        .await;
    assert_eq!(r.data()["signUp"]["user"]["email"], "bob@a.test");
    // Passwords refuse control characters.
    for password in ["correct horse\u{0}battery", "correct\nhorse battery"] {
        let r = app
            .graphql(
                sign_up,
                json!({ "e": "carol@a.test", "p": password, "t": "Carol Co" }),
            )
            .await;
        assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{}", r.body);
        assert_eq!(r.body["errors"][0]["extensions"]["field"], "password");
    }
}

async fn internal_destinations_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ed = app.sign_up("ed@dest.test", "Ed Co").await;
    let integration = campaigns::verified_sandbox(&app, &ed, "1001").await;
    let creatives = campaigns::creatives(&app, &ed, 1, 40).await;
    for url in [
        "https://localhost/offer",
        "https://127.0.0.1/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/",
        "https://[::1]/",
        "https://metadata.google.internal/",
        "https://user:pass@example.com/offer",
    ] {
        let mut input = campaigns::traffic_input(&integration, &creatives);
        input["destinationUrl"] = json!(url);
        let r = app
            .graphql_as(&ed.token, campaigns::CREATE, json!({ "input": input }))
            .await;
        assert_eq!(r.error_codes(), vec!["BAD_USER_INPUT"], "{url}: {}", r.body);
        assert_eq!(
            r.body["errors"][0]["extensions"]["field"], "destinationUrl",
            "{url}: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn request_ids_are_bounded() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let get = |id: String| {
        let request = app.http.get(app.url("/healthz")).header("x-request-id", id);
        async move { request.send().await.unwrap() }
    };
    let echoed = |r: &reqwest::Response| {
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let r = get("trace-42.a:b".to_owned()).await;
    assert_eq!(echoed(&r), "trace-42.a:b");
    for bad in [
        "x".repeat(64 * 1024),
        "a b".to_owned(),
        "<script>".to_owned(),
    ] {
        let r = get(bad.clone()).await;
        let id = echoed(&r);
        assert_ne!(id, bad);
        assert!(!id.is_empty() && id.len() <= 64, "{id}");
    }
}

#[tokio::test]
async fn legacy_graphql_ws_wants_connection_init_first() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut socket = WsClient::open(&url, Protocol::LegacyWs).await.unwrap();
    socket
        .send(json!({ "type": "start", "id": "1", "payload": { "query": "{ __typename }" } }))
        .await
        .unwrap();
    let (code, _) = socket.closed_with().await.unwrap();
    assert_eq!(code, 4401);
}

#[tokio::test]
async fn graphql_answers_are_not_cached_or_sniffed() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app
        .http
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers().get("strict-transport-security").is_none());
    let r = app
        .http
        .get(app.url("/graphql?query=%7B__typename%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store");

    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("LEADFORGE_PUBLIC_URL", "https://ads.example.com")],
    )
    .await;
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age="),
    );
}

#[tokio::test]
async fn metrics_and_status_details_are_not_public() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("wrong-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    let status = "{ serverStatus { version database pendingMigrations } }";
    let anonymous = app.query(status).await;
    assert_eq!(
        anonymous.data()["serverStatus"],
        json!({ "version": null, "database": null, "pendingMigrations": null })
    );
    let member = app.sign_up("fay@status.test", "Fay Co").await;
    let r = app.graphql_as(&member.token, status, json!({})).await;
    assert_eq!(r.data()["serverStatus"]["version"], Value::Null);
    let chief = app.chief_architect("chief@status.test").await;
    let r = app.graphql_as(&chief.token, status, json!({})).await;
    assert_eq!(r.data()["serverStatus"]["database"], "sqlite");
    assert!(r.data()["serverStatus"]["version"].is_string());

    // Without a token configured, there are no metrics at all.
    let app = app.restart_with(&[("LEADFORGE_METRICS_TOKEN", "")]).await;
    let r = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
