//! `/graphql/ws` speaks graphql-transport-ws and the legacy graphql-ws.

use leadforge_e2e::{
    Backend, TestApp,
    ws::{Protocol, WsClient},
};
use serde_json::json;

#[tokio::test]
async fn both_subprotocols_run_operations() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    for protocol in [Protocol::TransportWs, Protocol::LegacyWs] {
        let mut client = WsClient::connect(&url, protocol, json!({})).await.unwrap();
        let result = client
            .request("{ serverStatus { __typename } }", json!({}))
            .await
            .unwrap();
        assert_eq!(
            result["data"]["serverStatus"]["__typename"], "ServerStatus",
            "{protocol:?}: {result}"
        );
    }
}

#[tokio::test]
async fn limits_apply_over_the_socket_too() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_MAX_ALIASES", "1")]).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut client = WsClient::connect(&url, Protocol::TransportWs, json!({}))
        .await
        .unwrap();
    let result = client
        .request(
            "{ a: serverStatus { version } b: serverStatus { version } }",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(
        result["errors"][0]["extensions"]["code"], "LIMIT_EXCEEDED",
        "{result}"
    );
}

#[tokio::test]
async fn an_unknown_subprotocol_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let r = app
        .http
        .get(app.url("/graphql/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("sec-websocket-protocol", "chat")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

/// graphql-transport-ws's close codes, each provoked with a raw client.
#[tokio::test]
async fn graphql_transport_ws_close_codes() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let init = r#"{"type":"connection_init","payload":{}}"#;
    let subscribe = r#"{"type":"subscribe","id":"1","payload":{"query":"{ __typename }"}}"#;
    let watch = r#"{"type":"subscribe","id":"w","payload":{"query":"subscription { campaignUpdated { id } }"}}"#;
    let cases: [(&str, &[&str], u16); 6] = [
        ("malformed after init", &[init, "not json"], 4400),
        ("unknown type", &[init, r#"{"type":"hello"}"#], 4400),
        (
            "subscribe without a query",
            &[init, r#"{"type":"subscribe","id":"1","payload":{}}"#],
            4400,
        ),
        ("subscribe before init", &[subscribe], 4401),
        ("a second init", &[init, init], 4429),
        (
            "forged token",
            &[r#"{"type":"connection_init","payload":{"authorization":"Bearer forged"}}"#],
            4403,
        ),
    ];
    for (name, messages, code) in cases {
        let mut socket = WsClient::open(&url, Protocol::TransportWs).await.unwrap();
        for m in messages {
            socket.send_text(m).await.unwrap();
        }
        let (got, reason) = socket
            .closed_with()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got, code, "{name}: {reason}");
    }

    // A duplicate id of a running subscription: 4409. A signed-in caller
    // keeps a subscription open (anonymous ones are refused at once).
    let who = app.sign_up("dup@ws.test", "Dup Co").await;
    let mut socket = WsClient::open(&url, Protocol::TransportWs).await.unwrap();
    socket
        .send_text(&format!(
            r#"{{"type":"connection_init","payload":{{"authorization":"Bearer {}"}}}}"#,
            who.token
        ))
        .await
        .unwrap();
    assert_eq!(socket.receive().await.unwrap()["type"], "connection_ack");
    socket.send_text(watch).await.unwrap();
    socket.send_text(watch).await.unwrap();
    let (got, reason) = socket.closed_with().await.unwrap();
    assert_eq!(got, 4409, "{reason}");

    // ping → pong, and `complete` from the client frees the id for reuse.
    let mut socket = WsClient::open(&url, Protocol::TransportWs).await.unwrap();
    socket
        .send_text(&format!(
            r#"{{"type":"connection_init","payload":{{"authorization":"Bearer {}"}}}}"#,
            who.token
        ))
        .await
        .unwrap();
    assert_eq!(socket.receive().await.unwrap()["type"], "connection_ack");
    socket.send_text(r#"{"type":"ping"}"#).await.unwrap();
    socket.send_text(watch).await.unwrap();
    socket
        .send_text(r#"{"type":"complete","id":"w"}"#)
        .await
        .unwrap();
    socket.send_text(watch).await.unwrap();
    let r = socket.request("{ __typename }", json!({})).await.unwrap();
    assert_eq!(r["data"]["__typename"], "Query", "{r}");
}

/// A client that sends no `connection_init` is closed with 4408.
#[tokio::test]
async fn a_missing_connection_init_closes_with_4408() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let mut socket = WsClient::open(&url, Protocol::TransportWs).await.unwrap();
    let (code, _) = socket.closed_with().await.unwrap();
    assert_eq!(code, 4408);
}

/// A socket re-reads its user: deleting the user, or changing their role,
/// ends the socket's subscriptions with 4403 (the principal they run as is
/// fixed at `connection_init`), on both engines.
async fn a_socket_ends_when_its_user_goes_or_changes(backend: Backend) {
    use sea_orm::ConnectionTrait;

    let app = TestApp::spawn_with(backend, &[("LEADFORGE_WS_RECHECK_SECS", "1")]).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let watch = "subscription { campaignUpdated { id } }";
    let db = app.db.connect().await;
    for (email, change) in [
        (
            "gone@ws.test",
            "DELETE FROM users WHERE email = 'gone@ws.test'",
        ),
        (
            "promoted@ws.test",
            "UPDATE users SET role = 'chief_architect' WHERE email = 'promoted@ws.test'",
        ),
    ] {
        let who = app.sign_up(email, "Recheck Co").await;
        let auth = json!({ "authorization": format!("Bearer {}", who.token) });
        let mut socket = WsClient::connect(&url, Protocol::TransportWs, auth)
            .await
            .unwrap();
        socket.start(watch, json!({})).await.unwrap();
        db.execute_unprepared(change)
            .await
            .unwrap_or_else(|e| panic!("{change}: {e}"));
        let (code, reason) = socket.closed_with().await.unwrap();
        assert_eq!(code, 4403, "{email}: {reason}");
        assert!(reason.starts_with("Forbidden: "), "{reason}");
    }
}

#[tokio::test]
async fn a_socket_ends_when_its_user_goes_or_changes_sqlite() {
    a_socket_ends_when_its_user_goes_or_changes(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_socket_ends_when_its_user_goes_or_changes_postgres() {
    a_socket_ends_when_its_user_goes_or_changes(Backend::Postgres).await;
}

/// Subscriptions are bounded per socket and per user: one more is answered
/// with an `error` (`LIMIT_EXCEEDED`) for its id, the socket stays open and
/// its other operations run; a completed one frees a place.
#[tokio::test]
async fn subscriptions_are_bounded_per_socket_and_per_user() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("LEADFORGE_MAX_SUBSCRIPTIONS_PER_SOCKET", "3"),
            ("LEADFORGE_MAX_SUBSCRIPTIONS_PER_USER", "4"),
        ],
    )
    .await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let watch = "subscription { campaignUpdated { id } }";
    let who = app.sign_up("many@ws.test", "Many Co").await;
    let auth = json!({ "authorization": format!("Bearer {}", who.token) });
    for protocol in [Protocol::TransportWs, Protocol::LegacyWs] {
        let mut first = WsClient::connect(&url, protocol, auth.clone())
            .await
            .unwrap();
        for _ in 0..3 {
            first.start(watch, json!({})).await.unwrap();
        }
        let refused = first.first(watch, json!({})).await.unwrap();
        let code = match protocol {
            Protocol::TransportWs => &refused["errors"][0]["extensions"]["code"],
            Protocol::LegacyWs => &refused["errors"]["extensions"]["code"],
        };
        assert_eq!(code, "LIMIT_EXCEEDED", "{protocol:?}: {refused}");
        // The socket is open: once one subscription completes, it answers
        // (a query is an operation too).
        let stop = match protocol {
            Protocol::TransportWs => "complete",
            Protocol::LegacyWs => "stop",
        };
        first
            .send(json!({ "id": "1", "type": stop }))
            .await
            .unwrap();
        let answered = first.request("{ __typename }", json!({})).await.unwrap();
        assert_eq!(answered["data"]["__typename"], "Query", "{answered}");

        // Another socket of the same user has two places left (4 - 2: one
        // completed, the query done).
        let mut second = WsClient::connect(&url, protocol, auth.clone())
            .await
            .unwrap();
        second.start(watch, json!({})).await.unwrap();
        second.start(watch, json!({})).await.unwrap();
        let refused = second.first(watch, json!({})).await.unwrap();
        assert!(
            refused.to_string().contains("LIMIT_EXCEEDED"),
            "{protocol:?}: {refused}"
        );
        // Closing the first socket gives its places back.
        drop(first);
        let mut admitted = None;
        for _ in 0..50 {
            let mut third = WsClient::connect(&url, protocol, auth.clone())
                .await
                .unwrap();
            third.start(watch, json!({})).await.unwrap();
            let probe =
                tokio::time::timeout(std::time::Duration::from_millis(300), third.receive()).await;
            if probe.is_err() {
                admitted = Some(third);
                break;
            }
        }
        assert!(
            admitted.is_some(),
            "{protocol:?}: places were not given back"
        );
        drop(second);
        drop(admitted);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

/// A message over the size bound closes the socket with 1009 (Message Too
/// Big), as graphql-transport-ws clients expect, rather than dropping the
/// connection (1006): after `connection_init`, as the first message, and on
/// the legacy protocol too.
#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_MAX_BODY_BYTES", "4096")]).await;
    let url = format!("ws://{}/graphql/ws", app.addr);
    let init = r#"{"type":"connection_init","payload":{}}"#;
    let big = format!(
        r#"{{"type":"subscribe","id":"1","payload":{{"query":"{{ __typename }}","variables":{{"pad":"{}"}}}}}}"#,
        "x".repeat(8192)
    );
    for (protocol, messages) in [
        (Protocol::TransportWs, vec![init, big.as_str()]),
        (Protocol::TransportWs, vec![big.as_str()]),
        (Protocol::LegacyWs, vec![init, big.as_str()]),
    ] {
        let mut socket = WsClient::open(&url, protocol).await.unwrap();
        for m in &messages {
            socket.send_text(m).await.unwrap();
        }
        let (code, reason) = socket
            .closed_with()
            .await
            .unwrap_or_else(|e| panic!("{protocol:?} after {} messages: {e}", messages.len()));
        assert_eq!(code, 1009, "{reason}");
    }
    // Under the bound, the same socket works.
    let mut socket = WsClient::open(&url, Protocol::TransportWs).await.unwrap();
    socket.send_text(init).await.unwrap();
    let small = socket
        .request("{ __typename }", serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!(small["data"]["__typename"], "Query");
}
