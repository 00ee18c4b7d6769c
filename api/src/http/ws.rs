//! `/graphql/ws`: GraphQL over WebSocket, with both the graphql-transport-ws
//! protocol and the legacy graphql-ws (subscriptions-transport-ws) one.
//!
//! The token arrives in the `connection_init` payload (`authorization:
//! "Bearer …"`, or `token`). It is checked here, before async-graphql sees
//! the socket, because a refused token must close the socket with 4403
//! (graphql-transport-ws), which async-graphql's own init hook cannot do.

use std::{net::SocketAddr, time::Duration};

use async_graphql::{
    Data,
    http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols},
};
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

use super::{
    AppState, WS_KEEPALIVE,
    ws_guard::{Limits, MESSAGE_TOO_BIG, ProtocolGuard, Verdict, is_too_big},
};
use crate::{
    auth::{Caller, ClientAddr, tokens::bearer},
    graphql::fanout::{Member, SharedSubscriptions, Viewer},
};

/// Read buffer reserved per socket.
const WS_READ_BUFFER: usize = 4 * 1024;
/// Bytes written to a socket's buffer before they are flushed.
const WS_WRITE_BUFFER: usize = 8 * 1024;

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
    let transport_ws = is_transport_ws(&headers);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        // Sized for many idle dashboards: tungstenite reserves its read
        // buffer up front (128 KiB by default); GraphQL messages are small,
        // and a larger one is read in more steps.
        .read_buffer_size(WS_READ_BUFFER)
        .write_buffer_size(WS_WRITE_BUFFER)
        .max_message_size(max)
        .on_upgrade(move |socket| serve(state, socket, protocol, transport_ws, client))
}

/// Whether the negotiated subprotocol is graphql-transport-ws (chosen the
/// way async-graphql chooses: the first one offered that it speaks).
fn is_transport_ws(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
        })
        == Some(WebSocketProtocols::GraphQLWS)
}

async fn serve(
    state: AppState,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    transport_ws: bool,
    client: ClientAddr,
) {
    let (mut sink, mut incoming) = socket.split();
    let first = match tokio::time::timeout(INIT_TIMEOUT, incoming.next()).await {
        Ok(Some(Ok(message))) => message,
        Ok(Some(Err(error))) if is_too_big(&error) => {
            let _ = sink.send(close(MESSAGE_TOO_BIG, "Message too big")).await;
            return;
        }
        Ok(_) => return,
        Err(_) => {
            let _ = sink
                .send(close(4408, "Connection initialisation timeout"))
                .await;
            return;
        }
    };
    let (caller, expires, token) = match &first {
        Message::Text(text) => match init_token(text.as_str()) {
            Some(token) => match state.services.identity.authenticate(&token).await {
                Ok(caller) => (
                    caller,
                    state.services.identity.token_expiry(&token),
                    Some(token),
                ),
                Err(e) => {
                    tracing::error!(error = %e, "authenticating a WebSocket");
                    let _ = sink.send(close(1011, "Internal error")).await;
                    return;
                }
            },
            None => (Caller::Anonymous, None, None),
        },
        _ => (Caller::Anonymous, None, None),
    };
    if let Caller::Rejected(why) = caller {
        let _ = sink.send(close(4403, &format!("Forbidden: {why}"))).await;
        return;
    }

    let signed_in = match (&caller, token) {
        (Caller::User(principal), Some(token)) => Some((principal.clone(), token)),
        _ => None,
    };
    // Subscriptions of a signed-in caller join the group of identical
    // ones for callers who see the same rows.
    let member = match &signed_in {
        Some((principal, _)) => Some(Member {
            principal: principal.clone(),
            viewer: Viewer::of(&state.services.authz, principal).await,
            authz: state.services.authz.clone(),
        }),
        None => None,
    };
    let executor = SharedSubscriptions {
        schema: state.schema.clone(),
        fanout: state.fanout.clone(),
        member,
    };
    let mut data = Data::default();
    data.insert(caller);
    data.insert(client);
    // async-graphql writes into a channel that we forward to the socket, so
    // this function keeps the socket and can close it itself when the token
    // runs out (4403) or the server stops.
    let (outgoing, mut to_socket) = mpsc::channel::<Message>(16);
    // Hand async-graphql the socket with the init message put back in front,
    // through the protocol guard (graphql-transport-ws's close codes, which
    // async-graphql does not all send).
    let limits = Limits {
        per_socket: state.config.http.max_subscriptions_per_socket,
        user: signed_in
            .as_ref()
            .map(|(principal, _)| (state.subscriptions.clone(), principal.user_id)),
    };
    let guard = ProtocolGuard::new(transport_ws, limits);
    let replies = outgoing.clone();
    let replayed = stream::once(async move { Ok(first) })
        .chain(incoming)
        .map({
            let guard = guard.clone();
            move |message| (guard.judge(&message), message)
        })
        .take_while(|(verdict, _)| std::future::ready(!matches!(verdict, Verdict::Close)))
        .filter_map(move |(verdict, message)| {
            let mut replies = replies.clone();
            async move {
                match verdict {
                    Verdict::Pass => Some(message),
                    // Answered here (a bound was reached); async-graphql
                    // never sees it.
                    Verdict::Answer(reply) => {
                        let _ = replies.send(reply).await;
                        None
                    }
                    Verdict::Close => None,
                }
            }
        });
    let connection = GraphQLWebSocket::new_with_pair(outgoing, replayed, executor, protocol)
        .on_connection_init(move |_| async move { Ok(data) })
        .keepalive_timeout(WS_KEEPALIVE)
        .serve();
    let forward = async {
        // The server pings idle sockets so that clients which answer pings
        // (graphql-ws does) are never closed for silence; legacy clients get
        // the `ka` keep-alive their protocol defines.
        let mut keepalive = tokio::time::interval(WS_KEEPALIVE / 3);
        keepalive.tick().await;
        let ping = if transport_ws {
            r#"{"type":"ping"}"#
        } else {
            r#"{"type":"ka"}"#
        };
        loop {
            let message = tokio::select! {
                message = to_socket.next() => match message {
                    Some(message) => message,
                    None => break,
                },
                _ = keepalive.tick() => Message::text(ping),
            };
            guard.saw_outgoing(&message);
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
    let recheck = recheck_user(&state, signed_in);
    let mut shutdown = state.shutdown.clone();
    let ending = tokio::select! {
        _ = futures_util::future::join(connection, forward) => guard.violation().map(|(code, reason)| close(code, &reason)),
        () = expiry => Some(close(4403, "Forbidden: your session has expired; sign in again.")),
        frame = recheck => Some(frame),
        _ = shutdown.wait_for(|stopping| *stopping) => Some(close(1001, "Server shutting down")),
    };
    if let Some(frame) = ending {
        let _ = sink.send(frame).await;
    }
}

/// Re-reads the socket's user every `http.ws_recheck` and answers the close
/// frame once the user is gone (deleted, moved) or changed role: the
/// principal the subscriptions run as is fixed at `connection_init`, so a
/// changed one must reconnect. A database hiccup keeps the socket open.
/// Never finishes for an anonymous socket.
async fn recheck_user(
    state: &AppState,
    signed_in: Option<(crate::auth::Principal, String)>,
) -> Message {
    let Some((principal, token)) = signed_in else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(state.config.http.ws_recheck);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        match state.services.identity.authenticate(&token).await {
            Ok(Caller::User(now)) if now == principal => {}
            Ok(Caller::User(_)) => {
                return close(4403, "Forbidden: your account changed; sign in again.");
            }
            Ok(Caller::Rejected(why)) => return close(4403, &format!("Forbidden: {why}")),
            Ok(Caller::Anonymous) => {}
            Err(e) => {
                tracing::warn!(error = %e, "re-checking a WebSocket's user failed; keeping it open")
            }
        }
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
