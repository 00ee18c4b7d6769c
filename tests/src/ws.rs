//! A small GraphQL-over-WebSocket client speaking both subprotocols.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue},
};

/// The two subprotocols `/graphql/ws` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws` (the graphql-ws library).
    TransportWs,
    /// `graphql-ws` (the legacy subscriptions-transport-ws library).
    LegacyWs,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::LegacyWs => "graphql-ws",
        }
    }
}

pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
    protocol: Protocol,
    next_id: u64,
}

impl WsClient {
    /// Connects and completes `connection_init` with `payload`.
    pub async fn connect(url: &str, protocol: Protocol, payload: Value) -> Result<Self, String> {
        let mut client = Self::open(url, protocol).await?;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await?;
        let ack = client.receive().await?;
        if ack["type"] != "connection_ack" {
            return Err(format!("expected connection_ack, got {ack}"));
        }
        Ok(client)
    }

    /// Opens the socket with `protocol` and sends nothing yet.
    pub async fn open(url: &str, protocol: Protocol) -> Result<Self, String> {
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static(protocol.name()),
        );
        let (socket, response) = connect_async(request).await.map_err(|e| e.to_string())?;
        let chosen = response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if chosen != protocol.name() {
            return Err(format!("server chose subprotocol `{chosen}`"));
        }
        Ok(Self {
            socket,
            protocol,
            next_id: 1,
        })
    }

    /// Sends a raw text frame.
    pub async fn send_text(&mut self, text: &str) -> Result<(), String> {
        self.socket
            .send(Message::text(text))
            .await
            .map_err(|e| e.to_string())
    }

    /// Reads until the server closes the socket: its close code and reason.
    pub async fn closed_with(&mut self) -> Result<(u16, String), String> {
        loop {
            let frame =
                tokio::time::timeout(std::time::Duration::from_secs(15), self.socket.next())
                    .await
                    .map_err(|_| "the socket stayed open".to_owned())?
                    .ok_or_else(|| "the socket ended without a close frame".to_owned())?
                    .map_err(|e| e.to_string())?;
            if let Message::Close(frame) = frame {
                return frame
                    .map(|f| (u16::from(f.code), f.reason.to_string()))
                    .ok_or_else(|| "a close frame without a code".to_owned());
            }
        }
    }

    /// Starts an operation and returns its id.
    pub async fn start(&mut self, query: &str, variables: Value) -> Result<String, String> {
        let id = self.next_id.to_string();
        self.next_id += 1;
        let kind = match self.protocol {
            Protocol::TransportWs => "subscribe",
            Protocol::LegacyWs => "start",
        };
        self.send(json!({
            "id": id,
            "type": kind,
            "payload": { "query": query, "variables": variables },
        }))
        .await?;
        Ok(id)
    }

    /// Runs a query or mutation and returns its single result payload.
    pub async fn request(&mut self, query: &str, variables: Value) -> Result<Value, String> {
        let id = self.start(query, variables).await?;
        let mut result = None;
        loop {
            let message = self.receive().await?;
            if message["id"] != id.as_str() {
                continue;
            }
            match message["type"].as_str() {
                Some("next" | "data") => result = Some(message["payload"].clone()),
                Some("error") => return Ok(json!({ "errors": message["payload"] })),
                Some("complete") => break,
                _ => return Err(format!("unexpected message {message}")),
            }
        }
        result.ok_or_else(|| "completed without a result".to_owned())
    }

    /// Starts a subscription and returns its first result payload (or its
    /// errors), leaving it running.
    pub async fn first(&mut self, query: &str, variables: Value) -> Result<Value, String> {
        let id = self.start(query, variables).await?;
        loop {
            let message = self.receive().await?;
            if message["id"] != id.as_str() {
                continue;
            }
            return match message["type"].as_str() {
                Some("next" | "data") => Ok(message["payload"].clone()),
                Some("error") => Ok(json!({ "errors": message["payload"] })),
                _ => Err(format!("unexpected message {message}")),
            };
        }
    }

    pub async fn send(&mut self, message: Value) -> Result<(), String> {
        self.socket
            .send(Message::text(message.to_string()))
            .await
            .map_err(|e| e.to_string())
    }

    /// The `campaignUpdated` payloads of subscription `sub` until `done`
    /// holds for one, which it answers; other subscriptions' messages are
    /// passed over.
    pub async fn campaign_until(
        &mut self,
        sub: &str,
        done: impl Fn(&Value) -> bool,
    ) -> Result<Value, String> {
        loop {
            let message = self.receive().await?;
            if message["id"] != sub {
                continue;
            }
            if message["type"] != "next" {
                return Err(format!("subscription {sub} ended: {message}"));
            }
            let campaign = message["payload"]["data"]["campaignUpdated"].clone();
            if done(&campaign) {
                return Ok(campaign);
            }
        }
    }

    /// The next protocol message, skipping keep-alives and pings.
    pub async fn receive(&mut self) -> Result<Value, String> {
        loop {
            let frame =
                tokio::time::timeout(std::time::Duration::from_secs(10), self.socket.next())
                    .await
                    .map_err(|_| "no message within 10 s".to_owned())?
                    .ok_or_else(|| "socket closed".to_owned())?
                    .map_err(|e| e.to_string())?;
            match frame {
                Message::Text(text) => {
                    let value: Value =
                        serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
                    match value["type"].as_str() {
                        Some("ka" | "ping" | "pong") => continue,
                        _ => return Ok(value),
                    }
                }
                Message::Close(frame) => {
                    return Err(format!(
                        "closed: {}",
                        frame
                            .map(|f| format!("{} {}", f.code, f.reason))
                            .unwrap_or_default()
                    ));
                }
                _ => continue,
            }
        }
    }
}
