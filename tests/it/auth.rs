//! Sign-up, sign-in, tokens over HTTP and WebSocket, throttling, and secrets
//! kept out of responses and logs.

use leadforge_e2e::{
    Backend, PASSWORD, TestApp, both_backends, logs,
    ws::{Protocol, WsClient},
};
use serde_json::json;

both_backends!(
    sign_up_sign_in_and_me,
    sign_up_rejects_bad_input_and_duplicates,
    sign_up_grants_welcome_credits_and_enables_the_media_buyer
);

const ME: &str = "{ me { id email role tenant { id name slug } } }";

async fn sign_up_sign_in_and_me(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let alice = app.sign_up("Alice@Example.com", "Acme Widgets").await;
    let me = app.graphql_as(&alice.token, ME, json!({})).await;
    let me = &me.data()["me"];
    assert_eq!(me["id"], alice.user_id.as_str());
    assert_eq!(me["email"], "alice@example.com", "e-mail is normalised");
    assert_eq!(me["role"], "MEMBER");
    assert_eq!(me["tenant"]["slug"], "acme-widgets");

    let again = app.sign_in("ALICE@example.com ").await;
    assert_eq!(again.user_id, alice.user_id);

    // Unknown e-mail and wrong password fail alike.
    let unknown = app
        .graphql(
            "mutation { signIn(email: \"nobody@example.com\", password: \"whatever-password\") { token } }",
            json!({}),
        )
        .await;
    let wrong = app
        .graphql(
            "mutation { signIn(email: \"alice@example.com\", password: \"wrong-password-1\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(unknown.error_codes(), vec!["UNAUTHENTICATED"]);
    assert_eq!(wrong.error_codes(), vec!["UNAUTHENTICATED"]);
    assert_eq!(unknown.first_message(), wrong.first_message());

    let anonymous = app.query(ME).await;
    assert_eq!(anonymous.error_codes(), vec!["UNAUTHENTICATED"]);
}

async fn sign_up_rejects_bad_input_and_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_up("bob@example.com", "Bob's Boats").await;
    let sign_up = "mutation($e: String!, $p: String!, $t: String!) { signUp(email: $e, password: $p, tenantName: $t) { token } }";
    for (email, password, tenant, field) in [
        ("not-an-email", PASSWORD, "Acme", "email"),
        ("carol@example.com", "short", "Acme", "password"),
        ("carol@example.com", "aaaaaaaaaaaaaaa", "Acme", "password"),
        ("carol@example.com", PASSWORD, " ", "tenantName"),
    ] {
        let r = app
            .graphql(sign_up, json!({ "e": email, "p": password, "t": tenant }))
            .await;
        assert_eq!(
            r.error_codes(),
            vec!["BAD_USER_INPUT"],
            "{email} {tenant}: {}",
            r.body
        );
        assert_eq!(r.body["errors"][0]["extensions"]["field"], field);
    }
    let dup = app
        .graphql(
            sign_up,
            json!({ "e": "BOB@example.com", "p": PASSWORD, "t": "Other" }),
        )
        .await;
    assert_eq!(dup.error_codes(), vec!["CONFLICT"]);
    // Nothing was half-created: only the platform tenant and Bob's exist.
    use sea_orm::{ConnectionTrait, Statement};
    let db = app.db.connect().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM tenants".to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.try_get::<i64>("", "n").unwrap(), 2);
}

async fn sign_up_grants_welcome_credits_and_enables_the_media_buyer(backend: Backend) {
    use entities::{
        CreditEntryKind, TenantId, UserId, credit_account, credit_ledger, tenant_agent_provider,
    };
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let app = TestApp::spawn_with(backend, &[("LEADFORGE_SIGNUP_CREDITS", "7")]).await;
    let dana = app.sign_up("dana@example.com", "Dana Digital").await;
    let user: UserId = dana.user_id.parse().unwrap();
    let tenant: TenantId = dana.tenant_id.parse().unwrap();
    let db = app.db.connect().await;
    let account = credit_account::Entity::find_by_id(user)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.balance, 7);
    let grants = credit_ledger::Entity::find()
        .filter(credit_ledger::Column::UserId.eq(user))
        .filter(credit_ledger::Column::Kind.eq(CreditEntryKind::Grant))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(grants.iter().map(|g| g.delta).collect::<Vec<_>>(), vec![7]);
    let providers = tenant_agent_provider::Entity::find()
        .filter(tenant_agent_provider::Column::TenantId.eq(tenant))
        .count(&db)
        .await
        .unwrap();
    assert_eq!(providers, 2);
}

#[tokio::test]
async fn forged_expired_and_foreign_tokens_are_refused() {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let app = TestApp::spawn(Backend::Sqlite).await;
    let erin = app.sign_up("erin@example.com", "Erin Co").await;
    let parts: Vec<&str> = erin.token.split('.').collect();

    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let tampered_payload = {
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        claims["exp"] = json!(4_000_000_000u64);
        URL_SAFE_NO_PAD.encode(claims.to_string())
    };
    for token in [
        format!("{none_header}.{}.", parts[1]),
        format!("{}.{}.{}", parts[0], tampered_payload, parts[2]),
        format!("{}.{}.{}", parts[0], parts[1], "AAAA"),
        "not-a-jwt".to_owned(),
    ] {
        let r = app.graphql_as(&token, ME, json!({})).await;
        assert_eq!(r.error_codes(), vec!["UNAUTHENTICATED"], "{token}");
    }

    // A token from another installation (another signing secret).
    let other = TestApp::spawn(Backend::Sqlite).await;
    let foreign = other.sign_up("erin@example.com", "Erin Co").await;
    let r = app.graphql_as(&foreign.token, ME, json!({})).await;
    assert_eq!(r.error_codes(), vec!["UNAUTHENTICATED"]);

    // An expired token (signed with the server's own secret) says so.
    let secret = "a-test-signing-secret-of-at-least-32-bytes";
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_JWT_SECRET", secret)]).await;
    let frank = app.sign_up("frank@example.com", "Frank Co").await;
    let now = chrono::Utc::now().timestamp();
    let sign = |claims: serde_json::Value| {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let claims = |iat: i64, exp: i64, aud: &str| json!({ "sub": frank.user_id, "tid": frank.tenant_id, "iat": iat, "exp": exp, "iss": "leadforge", "aud": aud });
    let valid = sign(claims(now, now + 600, "leadforge-api"));
    app.graphql_as(&valid, ME, json!({})).await.data();
    let expired = sign(claims(now - 7200, now - 3600, "leadforge-api"));
    let r = app.graphql_as(&expired, ME, json!({})).await;
    assert_eq!(r.error_codes(), vec!["UNAUTHENTICATED"]);
    assert!(
        r.first_message().contains("expired"),
        "{}",
        r.first_message()
    );
    let wrong_audience = sign(claims(now, now + 600, "another-api"));
    let r = app.graphql_as(&wrong_audience, ME, json!({})).await;
    assert_eq!(r.error_codes(), vec!["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn the_same_token_authenticates_the_websocket_and_bad_ones_close_it_with_4403() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let gina = app.sign_up("gina@example.com", "Gina Co").await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    for protocol in [Protocol::TransportWs, Protocol::LegacyWs] {
        let mut client = WsClient::connect(
            &url,
            protocol,
            json!({ "authorization": format!("Bearer {}", gina.token) }),
        )
        .await
        .unwrap();
        let r = client.request(ME, json!({})).await.unwrap();
        assert_eq!(
            r["data"]["me"]["id"],
            gina.user_id.as_str(),
            "{protocol:?}: {r}"
        );
    }
    // Anonymous sockets work for anonymous operations only.
    let mut anonymous = WsClient::connect(&url, Protocol::TransportWs, json!({}))
        .await
        .unwrap();
    let r = anonymous.request(ME, json!({})).await.unwrap();
    assert_eq!(
        r["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{r}"
    );

    let err = WsClient::connect(
        &url,
        Protocol::TransportWs,
        json!({ "authorization": "Bearer forged.token.here" }),
    )
    .await
    .err()
    .expect("a forged token is refused");
    assert!(err.contains("4403"), "{err}");
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_with_a_retry_after() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.sign_up("hank@example.com", "Hank Co").await;
    let attempt = || {
        app.graphql(
            "mutation { signIn(email: \"hank@example.com\", password: \"not-the-password\") { token } }",
            json!({}),
        )
    };
    let mut codes = Vec::new();
    let mut retry_after = None;
    for _ in 0..20 {
        let r = attempt().await;
        let code = r.error_codes()[0].clone();
        if code == "RATE_LIMITED" {
            retry_after = r.body["errors"][0]["extensions"]["retryAfterSeconds"].as_u64();
        }
        codes.push(code);
    }
    assert_eq!(codes[..5], ["UNAUTHENTICATED"; 5], "{codes:?}");
    assert!(codes[5..].iter().all(|c| c == "RATE_LIMITED"), "{codes:?}");
    assert!(retry_after.unwrap() >= 1);

    // The right password from the same address is throttled too (the limit
    // is on attempts), but another account is not affected at all.
    app.sign_up("ivy@example.com", "Ivy Co").await;
    app.sign_in("ivy@example.com").await;
}

#[tokio::test]
async fn passwords_and_tokens_never_reach_logs_or_errors() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let secret_password = "unique-pass-7c1f-4b2e-secret";
    let sign_up = app
        .graphql(
            "mutation($p: String!) { signUp(email: \"jay@example.com\", password: $p, tenantName: \"Jay Co\") { token } }",
            json!({ "p": secret_password }),
        )
        .await;
    let token = sign_up.data()["signUp"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_password = "wrong-pass-9d3a-secret";
    let failed = app
        .graphql(
            "mutation($p: String!) { signIn(email: \"jay@example.com\", password: $p) { token } }",
            json!({ "p": wrong_password }),
        )
        .await;
    assert!(!failed.body.to_string().contains(wrong_password));
    app.graphql_as(&token, ME, json!({})).await.data();
    app.graphql_as(&format!("{token}x"), ME, json!({})).await;

    // A password typed into the e-mail field is not kept either.
    let typed_in_email = "pasted-pass-5e2b-secret";
    app.graphql(
        "mutation($e: String!) { signIn(email: $e, password: \"whatever-password\") { token } }",
        json!({ "e": typed_in_email }),
    )
    .await;

    let logs = logs::captured();
    assert!(
        logs.contains("sign-in refused"),
        "the refusal itself is logged"
    );
    assert!(logs.contains("path=\"/graphql\""), "requests are logged");
    for secret in [
        secret_password,
        wrong_password,
        typed_in_email,
        token.as_str(),
    ] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    // The audit trail holds the attempt but not the password.
    let db = app.db.connect().await;
    use sea_orm::{ConnectionTrait, Statement};
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT action, outcome, detail FROM audit_events".to_owned(),
        ))
        .await
        .unwrap();
    let dump = format!("{rows:?}");
    assert!(rows.len() >= 2, "sign-up and failed sign-in are audited");
    assert!(!dump.contains(secret_password) && !dump.contains(wrong_password));
    assert!(!dump.contains(typed_in_email), "{dump}");
}

/// Behind a trusted proxy the throttle keys on the forwarded client address;
/// from anyone else the header is ignored (it is trivially forged).
#[tokio::test]
async fn the_throttle_sees_clients_through_trusted_proxies_only() {
    async fn wrong_sign_in(app: &TestApp, forwarded_for: &str) -> String {
        let r = app
            .http
            .post(app.url("/graphql"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({ "query": "mutation { signIn(email: \"kim@example.com\", password: \"not-the-password\") { token } }" }))
            .send()
            .await
            .unwrap();
        leadforge_e2e::GqlResponse::read(r).await.error_codes()[0].clone()
    }

    let behind_proxy = TestApp::spawn_with(
        Backend::Sqlite,
        &[("LEADFORGE_TRUSTED_PROXIES", "127.0.0.0/8")],
    )
    .await;
    behind_proxy.sign_up("kim@example.com", "Kim Co").await;
    for _ in 0..5 {
        assert_eq!(
            wrong_sign_in(&behind_proxy, "198.51.100.1").await,
            "UNAUTHENTICATED"
        );
    }
    assert_eq!(
        wrong_sign_in(&behind_proxy, "198.51.100.1").await,
        "RATE_LIMITED"
    );
    // Another client of the same proxy is not affected.
    assert_eq!(
        wrong_sign_in(&behind_proxy, "198.51.100.2").await,
        "UNAUTHENTICATED"
    );

    let direct = TestApp::spawn(Backend::Sqlite).await;
    direct.sign_up("kim@example.com", "Kim Co").await;
    for i in 0..5 {
        assert_eq!(
            wrong_sign_in(&direct, &format!("198.51.100.{i}")).await,
            "UNAUTHENTICATED"
        );
    }
    // Forged, changing headers do not buy more guesses.
    assert_eq!(wrong_sign_in(&direct, "203.0.113.77").await, "RATE_LIMITED");
}

#[tokio::test]
async fn sign_ups_are_limited_per_address() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_SIGNUPS_PER_HOUR", "3")]).await;
    for i in 0..3 {
        app.sign_up(&format!("burst{i}@example.com"), "Burst Co")
            .await;
    }
    let r = app
        .graphql(
            "mutation($p: String!) { signUp(email: \"burst9@example.com\", password: $p, tenantName: \"Burst Co\") { token } }",
            json!({ "p": PASSWORD }),
        )
        .await;
    assert_eq!(r.error_codes(), vec!["RATE_LIMITED"]);
    assert!(
        r.body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
}

both_backends!(concurrent_sign_ups_with_one_organisation_name_all_succeed);

async fn concurrent_sign_ups_with_one_organisation_name_all_succeed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let sign_ups = (0..5).map(|i| {
        let app = &app;
        async move {
            app.graphql(
                "mutation($e: String!, $p: String!) { signUp(email: $e, password: $p, tenantName: \"Same Name\") { user { tenant { slug } } } }",
                json!({ "e": format!("same{i}@example.com"), "p": PASSWORD }),
            )
            .await
        }
    });
    let answers = futures_util::future::join_all(sign_ups).await;
    let slugs: std::collections::BTreeSet<String> = answers
        .iter()
        .map(|r| {
            r.data()["signUp"]["user"]["tenant"]["slug"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(slugs.len(), 5, "{slugs:?}");
    assert!(slugs.contains("same-name"));
}

#[tokio::test]
async fn a_websocket_closes_with_4403_when_its_token_expires() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_JWT_TTL_SECS", "2")]).await;
    let lou = app.sign_up("lou@example.com", "Lou Co").await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut client = WsClient::connect(
        &url,
        Protocol::TransportWs,
        json!({ "authorization": format!("Bearer {}", lou.token) }),
    )
    .await
    .unwrap();
    let r = client.request(ME, json!({})).await.unwrap();
    assert_eq!(r["data"]["me"]["id"], lou.user_id.as_str());
    let closed = client.receive().await.unwrap_err();
    assert!(closed.contains("4403"), "{closed}");
}

#[tokio::test]
async fn audit_rows_carry_the_request_id_of_their_request() {
    use entities::audit_event;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("x-request-id", "trace-signup-42")
        .json(&json!({
            "query": "mutation($p: String!) { signUp(email: \"rid@example.com\", password: $p, tenantName: \"Rid Co\") { token } }",
            "variables": { "p": PASSWORD },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "trace-signup-42");
    let db = app.db.connect().await;
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("auth.sign_up"))
        .all(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].request_id.as_deref(), Some("trace-signup-42"));
}
