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
            .request("{ serverStatus { database } }", json!({}))
            .await
            .unwrap();
        assert_eq!(
            result["data"]["serverStatus"]["database"], "sqlite",
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
