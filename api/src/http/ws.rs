//! `/graphql/ws`: GraphQL over WebSocket, with both the graphql-transport-ws
//! protocol and the legacy graphql-ws (subscriptions-transport-ws) one.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{State, WebSocketUpgrade},
    response::Response,
};

use super::{AppState, WS_KEEPALIVE};

pub async fn upgrade(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let max = state.config.graphql.max_body_bytes;
    let schema = state.schema.clone();
    let mut shutdown = state.shutdown.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(max)
        .on_upgrade(move |socket| async move {
            let connection = GraphQLWebSocket::new(socket, schema, protocol)
                .keepalive_timeout(WS_KEEPALIVE)
                .serve();
            // A server that is shutting down drops its sockets rather than
            // wait for clients that may never leave.
            tokio::select! {
                () = connection => {}
                _ = shutdown.wait_for(|stopping| *stopping) => {}
            }
        })
}
