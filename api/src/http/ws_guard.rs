//! The graphql-transport-ws rules that async-graphql's implementation leaves
//! out, checked on each client message before async-graphql sees it:
//!
//! | the client sends                               | the socket closes with |
//! |------------------------------------------------|------------------------|
//! | something that is not a protocol message       | 4400 Invalid message   |
//! | `subscribe` before `connection_init`           | 4401 Unauthorized      |
//! | `subscribe` with the id of a running operation | 4409 Subscriber exists |
//!
//! (4403 for a refused token, 4408 for a late `connection_init` and 4429 for
//! a second one are sent elsewhere.) The legacy graphql-ws subprotocol has
//! no such codes; of its messages only a `start` before `connection_init`
//! is refused here, with the same 4401 (async-graphql would close with
//! 1011, a server error, for the client's mistake).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, MutexGuard},
};

use axum::extract::ws::Message;
use serde_json::Value;

#[derive(Clone)]
pub struct ProtocolGuard {
    transport_ws: bool,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    initialised: bool,
    /// Operations started and not yet completed by either side.
    running: HashSet<String>,
    violation: Option<(u16, String)>,
}

impl ProtocolGuard {
    pub fn new(transport_ws: bool) -> Self {
        Self {
            transport_ws,
            state: Arc::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a client message may pass; when not, the close code is kept
    /// for [`Self::violation`] and the client's stream should end.
    pub fn admit(&self, message: &Result<Message, axum::Error>) -> bool {
        if !self.transport_ws {
            return self.admit_legacy(message);
        }
        let text = match message {
            Ok(Message::Text(text)) => text.as_str(),
            // Control frames are the WebSocket layer's business.
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_)) | Err(_) => return true,
            Ok(Message::Binary(_)) => return self.refuse(4400, "Invalid message received"),
        };
        let Ok(message) = serde_json::from_str::<Value>(text) else {
            return self.refuse(4400, "Invalid message received");
        };
        let id = message.get("id").and_then(Value::as_str);
        match message.get("type").and_then(Value::as_str) {
            Some("connection_init") => {
                // A second one is async-graphql's 4429.
                self.state().initialised = true;
                true
            }
            Some("ping" | "pong") => true,
            Some("subscribe") => {
                let query = message
                    .get("payload")
                    .and_then(|p| p.get("query"))
                    .and_then(Value::as_str);
                let (Some(id), Some(_)) = (id, query) else {
                    return self.refuse(4400, "Invalid message received");
                };
                let mut state = self.state();
                if !state.initialised {
                    drop(state);
                    return self.refuse(4401, "Unauthorized");
                }
                if !state.running.insert(id.to_owned()) {
                    drop(state);
                    return self.refuse(4409, &format!("Subscriber for {id} already exists"));
                }
                true
            }
            Some("complete") => match id {
                Some(id) => {
                    self.state().running.remove(id);
                    true
                }
                None => self.refuse(4400, "Invalid message received"),
            },
            _ => self.refuse(4400, "Invalid message received"),
        }
    }

    /// The legacy graphql-ws rule: `connection_init` before any `start`.
    fn admit_legacy(&self, message: &Result<Message, axum::Error>) -> bool {
        let Ok(Message::Text(text)) = message else {
            return true;
        };
        let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else {
            // async-graphql answers a bad message with an error message.
            return true;
        };
        match message.get("type").and_then(Value::as_str) {
            Some("connection_init") => {
                self.state().initialised = true;
                true
            }
            Some("start") if !self.state().initialised => self.refuse(4401, "Unauthorized"),
            _ => true,
        }
    }

    /// Notes operations the server ended (`complete` or `error`), whose ids
    /// the client may use again.
    pub fn saw_outgoing(&self, message: &Message) {
        if !self.transport_ws {
            return;
        }
        let Message::Text(text) = message else {
            return;
        };
        // Cheap pre-check: most outgoing messages are `next`.
        let text = text.as_str();
        if !(text.contains("\"complete\"") || text.contains("\"error\"")) {
            return;
        }
        if let Ok(message) = serde_json::from_str::<Value>(text)
            && matches!(
                message.get("type").and_then(Value::as_str),
                Some("complete" | "error")
            )
            && let Some(id) = message.get("id").and_then(Value::as_str)
        {
            self.state().running.remove(id);
        }
    }

    /// The close code and reason of the rule the client broke, if any.
    pub fn violation(&self) -> Option<(u16, String)> {
        self.state().violation.clone()
    }

    fn refuse(&self, code: u16, reason: &str) -> bool {
        self.state().violation = Some((code, reason.to_owned()));
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(guard: &ProtocolGuard, json: &str) -> bool {
        guard.admit(&Ok(Message::text(json)))
    }

    #[test]
    fn transport_ws_rules() {
        let g = ProtocolGuard::new(true);
        assert!(!text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert_eq!(g.violation().unwrap().0, 4401);

        let g = ProtocolGuard::new(true);
        assert!(text(&g, r#"{"type":"connection_init"}"#));
        assert!(text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert!(!text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert_eq!(g.violation().unwrap().0, 4409);

        let g = ProtocolGuard::new(true);
        assert!(text(&g, r#"{"type":"connection_init"}"#));
        assert!(text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));
        g.saw_outgoing(&Message::text(r#"{"type":"complete","id":"1"}"#));
        assert!(text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert!(text(&g, r#"{"type":"complete","id":"1"}"#));
        assert!(text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));

        for bad in [
            "nope",
            r#"{"type":"what"}"#,
            r#"{"type":"subscribe","payload":{}}"#,
            "[]",
        ] {
            let g = ProtocolGuard::new(true);
            assert!(text(&g, r#"{"type":"connection_init"}"#));
            assert!(!text(&g, bad), "{bad}");
            assert_eq!(g.violation().unwrap().0, 4400, "{bad}");
        }
    }

    #[test]
    fn legacy_messages_pass_after_connection_init() {
        let g = ProtocolGuard::new(false);
        assert!(!text(
            &g,
            r#"{"type":"start","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert_eq!(g.violation().unwrap().0, 4401);

        let g = ProtocolGuard::new(false);
        assert!(text(&g, r#"{"type":"connection_init"}"#));
        assert!(text(
            &g,
            r#"{"type":"start","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert!(text(&g, "nope"));
        assert!(g.violation().is_none());
    }
}
