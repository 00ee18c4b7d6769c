//! `/graphql/ws`: GraphQL over WebSocket, with both the graphql-transport-ws
//! protocol and the legacy graphql-ws (subscriptions-transport-ws) one.
//!
//! The token arrives in the `connection_init` payload (`authorization:
//! "Bearer …"`, or `token`). It is checked here, before async-graphql sees
//! the socket, because a refused token must close the socket with 4403
//! (graphql-transport-ws), which async-graphql's own init hook cannot do.

use std::{net::SocketAddr, time::Duration};

use async_graphql::{Data, http::ALL_WEBSOCKET_PROTOCOLS};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{
        ConnectInfo, State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket},
    },
    response::Response,
};
use futures_channel::mpsc;
use futures_util::{SinkExt, StreamExt, stream};
use serde_json::Value;

use super::{AppState, WS_KEEPALIVE};
use crate::auth::{Caller, ClientAddr, tokens::bearer};

/// How long a client may take to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let client = ClientAddr(super::client::client_ip(
        peer,
        &headers,
        &state.config.trusted_proxies,
    ));
    let max = state.config.graphql.max_body_bytes;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(max)
        .on_upgrade(move |socket| serve(state, socket, protocol, client))
}

async fn serve(state: AppState, socket: WebSocket, protocol: GraphQLProtocol, client: ClientAddr) {
    let (mut sink, mut incoming) = socket.split();
    let first = match tokio::time::timeout(INIT_TIMEOUT, incoming.next()).await {
        Ok(Some(Ok(message))) => message,
        Ok(_) => return,
        Err(_) => {
            let _ = sink
                .send(close(4408, "Connection initialisation timeout"))
                .await;
            return;
        }
    };
    let (caller, expires) = match &first {
        Message::Text(text) => match init_token(text.as_str()) {
            Some(token) => match state.services.identity.authenticate(&token).await {
                Ok(caller) => (caller, state.services.identity.token_expiry(&token)),
                Err(e) => {
                    tracing::error!(error = %e, "authenticating a WebSocket");
                    let _ = sink.send(close(1011, "Internal error")).await;
                    return;
                }
            },
            None => (Caller::Anonymous, None),
        },
        _ => (Caller::Anonymous, None),
    };
    if let Caller::Rejected(why) = caller {
        let _ = sink.send(close(4403, &format!("Forbidden: {why}"))).await;
        return;
    }

    let mut data = Data::default();
    data.insert(caller);
    data.insert(client);
    // async-graphql writes into a channel that we forward to the socket, so
    // this function keeps the socket and can close it itself when the token
    // runs out (4403) or the server stops.
    let (outgoing, mut to_socket) = mpsc::channel::<Message>(16);
    // Hand async-graphql the socket with the init message put back in front.
    let replayed = stream::once(async move { Ok(first) }).chain(incoming);
    let connection =
        GraphQLWebSocket::new_with_pair(outgoing, replayed, state.schema.clone(), protocol)
            .on_connection_init(move |_| async move { Ok(data) })
            .keepalive_timeout(WS_KEEPALIVE)
            .serve();
    let forward = async {
        while let Some(message) = to_socket.next().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
    };
    let expiry = async {
        match expires {
            Some(at) => tokio::time::sleep(at).await,
            None => std::future::pending().await,
        }
    };
    let mut shutdown = state.shutdown.clone();
    let ending = tokio::select! {
        _ = futures_util::future::join(connection, forward) => None,
        () = expiry => Some(close(4403, "Forbidden: your session has expired; sign in again.")),
        _ = shutdown.wait_for(|stopping| *stopping) => Some(close(1001, "Server shutting down")),
    };
    if let Some(frame) = ending {
        let _ = sink.send(frame).await;
    }
}

/// The bearer token of a `connection_init` message, if it carries one.
fn init_token(text: &str) -> Option<String> {
    let message: Value = serde_json::from_str(text).ok()?;
    if message.get("type")?.as_str()? != "connection_init" {
        return None;
    }
    let payload = message.get("payload")?;
    ["authorization", "Authorization"]
        .iter()
        .find_map(|k| {
            payload
                .get(*k)?
                .as_str()
                .and_then(bearer)
                .map(str::to_owned)
        })
        .or_else(|| payload.get("token")?.as_str().map(str::to_owned))
        .filter(|t| !t.is_empty())
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}
