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
//!
//! On both protocols it also bounds how many subscriptions run: per socket,
//! and per user over all of their sockets in this process. One more is
//! answered with an `error` message for its id (`LIMIT_EXCEEDED`) and never
//! reaches async-graphql; the socket and its other operations go on.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex, MutexGuard},
};

use axum::extract::ws::Message;
use entities::UserId;
use serde_json::{Value, json};

/// What becomes of a client message.
#[derive(Debug)]
pub enum Verdict {
    /// Hand it to async-graphql.
    Pass,
    /// Answer it with this message instead; the socket goes on.
    Answer(Message),
    /// A protocol violation: close with [`ProtocolGuard::violation`].
    Close,
}

/// The subscriptions each user runs in this process, against a bound.
#[derive(Debug, Clone)]
pub struct UserBudget {
    limit: usize,
    running: Arc<Mutex<HashMap<UserId, usize>>>,
}

impl UserBudget {
    pub fn new(limit: usize) -> Self {
        Self {
            limit,
            running: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, usize>> {
        self.running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn take(&self, user: UserId) -> bool {
        let mut running = self.lock();
        let count = running.entry(user).or_default();
        if *count >= self.limit {
            return false;
        }
        *count += 1;
        true
    }

    fn give_back(&self, user: UserId, n: usize) {
        let mut running = self.lock();
        if let Some(count) = running.get_mut(&user) {
            *count = count.saturating_sub(n);
            if *count == 0 {
                running.remove(&user);
            }
        }
    }
}

/// How many subscriptions a socket may run, and whose budget it draws on.
#[derive(Debug, Clone)]
pub struct Limits {
    pub per_socket: usize,
    /// The signed-in user's budget (anonymous sockets have only the
    /// per-socket bound).
    pub user: Option<(UserBudget, UserId)>,
}

#[derive(Clone)]
pub struct ProtocolGuard {
    transport_ws: bool,
    state: Arc<Mutex<State>>,
}

struct State {
    initialised: bool,
    /// Operations started and not yet completed by either side.
    running: HashSet<String>,
    violation: Option<(u16, String)>,
    limits: Limits,
}

impl Drop for State {
    // The socket is gone: its user's budget gets its operations back.
    fn drop(&mut self) {
        if let Some((budget, user)) = &self.limits.user {
            budget.give_back(*user, self.running.len());
        }
    }
}

/// The WebSocket close code for a message over the size bound (RFC 6455).
pub const MESSAGE_TOO_BIG: u16 = 1009;

/// Whether a read failed because the message is over the size bound.
/// tungstenite says so only in its error's text ("Space limit exceeded:
/// Message too long: … > …"); axum's error keeps that text.
pub fn is_too_big(error: &axum::Error) -> bool {
    error.to_string().contains("Message too long")
}

impl ProtocolGuard {
    pub fn new(transport_ws: bool, limits: Limits) -> Self {
        Self {
            transport_ws,
            state: Arc::new(Mutex::new(State {
                initialised: false,
                running: HashSet::new(),
                violation: None,
                limits,
            })),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What becomes of a client message. On [`Verdict::Close`] the close
    /// code is kept for [`Self::violation`] and the client's stream ends.
    pub fn judge(&self, message: &Result<Message, axum::Error>) -> Verdict {
        // Past the size bound the socket cannot go on (the rest of the
        // message is unread); the client is told why, as both protocols'
        // clients expect, instead of seeing the connection drop.
        if let Err(error) = message
            && is_too_big(error)
        {
            self.refuse(MESSAGE_TOO_BIG, "Message too big");
            return Verdict::Close;
        }
        if !self.transport_ws {
            if !self.admit_legacy(message) {
                return Verdict::Close;
            }
            return self.judge_legacy(message);
        }
        if !self.admit(message) {
            return Verdict::Close;
        }
        // A subscribe that passed the protocol rules: within the bounds?
        if let Ok(Message::Text(text)) = message
            && let Ok(m) = serde_json::from_str::<Value>(text.as_str())
            && m.get("type").and_then(Value::as_str) == Some("subscribe")
            && let Some(id) = m.get("id").and_then(Value::as_str)
            && let Err(why) = self.start(id)
        {
            self.state().running.remove(id);
            return Verdict::Answer(Message::text(
                json!({ "id": id, "type": "error", "payload": [
                    { "message": why, "extensions": { "code": "LIMIT_EXCEEDED" } }
                ]})
                .to_string(),
            ));
        }
        Verdict::Pass
    }

    /// The legacy protocol: only the bounds (`start` / `stop`).
    fn judge_legacy(&self, message: &Result<Message, axum::Error>) -> Verdict {
        let Ok(Message::Text(text)) = message else {
            return Verdict::Pass;
        };
        let Ok(m) = serde_json::from_str::<Value>(text.as_str()) else {
            return Verdict::Pass;
        };
        let Some(id) = m.get("id").and_then(Value::as_str) else {
            return Verdict::Pass;
        };
        match m.get("type").and_then(Value::as_str) {
            Some("start") => {
                let full = {
                    let state = self.state();
                    if state.running.contains(id) {
                        return Verdict::Pass;
                    }
                    state.running.len() >= state.limits.per_socket
                };
                if full {
                    return legacy_error(id, &self.per_socket_words());
                }
                if let Err(why) = self.take_user(id) {
                    return legacy_error(id, &why);
                }
                self.state().running.insert(id.to_owned());
                Verdict::Pass
            }
            Some("stop") => {
                self.finished(id);
                Verdict::Pass
            }
            _ => Verdict::Pass,
        }
    }

    /// Counts operation `id` (already in `running`) against the bounds.
    fn start(&self, id: &str) -> Result<(), String> {
        let over_socket = {
            let state = self.state();
            state.running.len() > state.limits.per_socket
        };
        if over_socket {
            return Err(self.per_socket_words());
        }
        self.take_user(id)
    }

    fn per_socket_words(&self) -> String {
        format!(
            "This connection runs {} subscriptions already, the most one connection may; complete one first.",
            self.state().limits.per_socket
        )
    }

    fn take_user(&self, _id: &str) -> Result<(), String> {
        let user = self.state().limits.user.clone();
        match user {
            Some((budget, user)) if !budget.take(user) => Err(format!(
                "You run {} subscriptions already, the most one user may; complete one first.",
                budget.limit
            )),
            _ => Ok(()),
        }
    }

    /// Operation `id` ended: its place in both bounds is free again.
    fn finished(&self, id: &str) {
        let mut state = self.state();
        if state.running.remove(id)
            && let Some((budget, user)) = &state.limits.user
        {
            budget.give_back(*user, 1);
        }
    }

    /// The graphql-transport-ws rules alone.
    fn admit(&self, message: &Result<Message, axum::Error>) -> bool {
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
                    self.finished(id);
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
            self.finished(id);
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

fn legacy_error(id: &str, why: &str) -> Verdict {
    Verdict::Answer(Message::text(
        json!({ "id": id, "type": "error", "payload": { "message": why, "extensions": { "code": "LIMIT_EXCEEDED" } } })
            .to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(guard: &ProtocolGuard, json: &str) -> bool {
        guard.admit(&Ok(Message::text(json)))
    }

    fn unbounded() -> Limits {
        Limits {
            per_socket: usize::MAX,
            user: None,
        }
    }

    fn judged(guard: &ProtocolGuard, json: &str) -> Verdict {
        guard.judge(&Ok(Message::text(json)))
    }

    fn subscribe(id: u32) -> String {
        format!(
            r#"{{"type":"subscribe","id":"{id}","payload":{{"query":"subscription {{ a }}"}}}}"#
        )
    }

    fn refused_for_limit(verdict: Verdict) -> bool {
        matches!(verdict, Verdict::Answer(Message::Text(t)) if t.as_str().contains("LIMIT_EXCEEDED"))
    }

    #[test]
    fn a_socket_runs_at_most_its_share_of_subscriptions() {
        let g = ProtocolGuard::new(
            true,
            Limits {
                per_socket: 2,
                user: None,
            },
        );
        assert!(text(&g, r#"{"type":"connection_init"}"#));
        assert!(matches!(judged(&g, &subscribe(1)), Verdict::Pass));
        assert!(matches!(judged(&g, &subscribe(2)), Verdict::Pass));
        assert!(refused_for_limit(judged(&g, &subscribe(3))));
        // Refused, not running: the id may be used again, and the socket
        // is open.
        assert!(g.violation().is_none());
        assert!(text(&g, r#"{"type":"complete","id":"1"}"#));
        assert!(matches!(judged(&g, &subscribe(3)), Verdict::Pass));
    }

    #[test]
    fn a_user_runs_at_most_their_share_over_all_sockets() {
        let budget = UserBudget::new(3);
        let user = UserId::generate();
        let socket = || {
            let g = ProtocolGuard::new(
                true,
                Limits {
                    per_socket: 100,
                    user: Some((budget.clone(), user)),
                },
            );
            assert!(text(&g, r#"{"type":"connection_init"}"#));
            g
        };
        let (a, b) = (socket(), socket());
        assert!(matches!(judged(&a, &subscribe(1)), Verdict::Pass));
        assert!(matches!(judged(&a, &subscribe(2)), Verdict::Pass));
        assert!(matches!(judged(&b, &subscribe(1)), Verdict::Pass));
        assert!(refused_for_limit(judged(&b, &subscribe(2))));
        // The server completed one: a place is free.
        a.saw_outgoing(&Message::text(r#"{"type":"complete","id":"1"}"#));
        assert!(matches!(judged(&b, &subscribe(2)), Verdict::Pass));
        // A socket that closes gives its places back.
        drop(a);
        let c = socket();
        assert!(matches!(judged(&c, &subscribe(1)), Verdict::Pass));
        // Legacy sockets draw on the same budget.
        let legacy = ProtocolGuard::new(
            false,
            Limits {
                per_socket: 100,
                user: Some((budget.clone(), user)),
            },
        );
        assert!(matches!(
            judged(&legacy, r#"{"type":"connection_init"}"#),
            Verdict::Pass
        ));
        assert!(refused_for_limit(judged(
            &legacy,
            r#"{"type":"start","id":"9","payload":{"query":"subscription { a }"}}"#
        )));
    }

    #[test]
    fn transport_ws_rules() {
        let g = ProtocolGuard::new(true, unbounded());
        assert!(!text(
            &g,
            r#"{"type":"subscribe","id":"1","payload":{"query":"{a}"}}"#
        ));
        assert_eq!(g.violation().unwrap().0, 4401);

        let g = ProtocolGuard::new(true, unbounded());
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

        let g = ProtocolGuard::new(true, unbounded());
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
            let g = ProtocolGuard::new(true, unbounded());
            assert!(text(&g, r#"{"type":"connection_init"}"#));
            assert!(!text(&g, bad), "{bad}");
            assert_eq!(g.violation().unwrap().0, 4400, "{bad}");
        }
    }

    #[test]
    fn legacy_messages_pass_after_connection_init() {
        let g = ProtocolGuard::new(false, unbounded());
        assert!(matches!(
            judged(&g, r#"{"type":"start","id":"1","payload":{"query":"{a}"}}"#),
            Verdict::Close
        ));
        assert_eq!(g.violation().unwrap().0, 4401);

        let g = ProtocolGuard::new(false, unbounded());
        assert!(matches!(
            judged(&g, r#"{"type":"connection_init"}"#),
            Verdict::Pass
        ));
        assert!(matches!(
            judged(&g, r#"{"type":"start","id":"1","payload":{"query":"{a}"}}"#),
            Verdict::Pass
        ));
        assert!(matches!(judged(&g, "nope"), Verdict::Pass));
        assert!(g.violation().is_none());
    }
}
