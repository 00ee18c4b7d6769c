//! A local lead webhook receiver, as a business would run one: it checks
//! `Leadforge-Signature` (HMAC-SHA256 over "<t>.<body>" with the secret it
//! was given, timestamp fresh), keeps each `Leadforge-Delivery-Id` once,
//! and can be told to answer 500 for the first tries of every delivery, or
//! to hold the very first request before answering 500 (a server killed
//! while it waits).

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::post,
};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Seen {
    pub delivery_id: String,
    pub signature_ok: bool,
    /// What it answered.
    pub status: u16,
    pub body: Value,
}

#[derive(Default)]
struct Inner {
    secret: Option<String>,
    fail_first: usize,
    hold_first: Option<Duration>,
    held: bool,
    print: Option<fn(&Seen)>,
    tries: HashMap<String, usize>,
    seen: Vec<Seen>,
}

/// The receiver; stops when dropped.
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Starts on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Starts on `port` of 127.0.0.1 (0: any free one).
    pub async fn start_on(port: u16) -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the receiver");
        let addr = listener.local_addr().expect("receiver address");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, inner, task }
    }

    /// The URL to register as a destination.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The secret signatures are checked with.
    pub fn set_secret(&self, secret: &str) {
        self.lock().secret = Some(secret.to_owned());
    }

    /// Calls `print` with every request as it is answered.
    pub fn on_request(&self, print: fn(&Seen)) {
        self.lock().print = Some(print);
    }

    /// Answer 500 to the first `n` tries of every delivery (test deliveries excepted).
    pub fn fail_first(&self, n: usize) {
        self.lock().fail_first = n;
    }

    /// Hold the very first request for `hold`, then answer 500.
    pub fn hold_first(&self, hold: Duration) {
        self.lock().hold_first = Some(hold);
    }

    /// Whether the first request is being held now (or was).
    pub fn holding(&self) -> bool {
        self.lock().held
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Delivery ids accepted (answered 2xx with a good signature), with how
    /// often each was.
    pub fn accepted(&self) -> HashMap<String, usize> {
        let mut out = HashMap::new();
        for s in self.seen() {
            if s.signature_ok && (200..300).contains(&s.status) {
                *out.entry(s.delivery_id).or_insert(0) += 1;
            }
        }
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Checks `t=<unix>,v1=<hex>` over "<t>.<body>", and that `t` is within five minutes.
pub fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok()
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let delivery_id = header("leadforge-delivery-id");
    let signature = header("leadforge-signature");
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let hold = {
        let mut state = inner.lock().unwrap_or_else(|e| e.into_inner());
        match state.hold_first {
            Some(hold) if !state.held => {
                state.held = true;
                Some(hold)
            }
            _ => None,
        }
    };
    if let Some(hold) = hold {
        tokio::time::sleep(hold).await;
    }
    let mut state = inner.lock().unwrap_or_else(|e| e.into_inner());
    let signature_ok = state
        .secret
        .as_deref()
        .is_some_and(|s| verify(s, &signature, &body))
        && parsed["deliveryId"] == delivery_id.as_str();
    let tries = state.tries.entry(delivery_id.clone()).or_insert(0);
    *tries += 1;
    let tries = *tries;
    let status = if !signature_ok {
        StatusCode::UNAUTHORIZED
    } else if hold.is_some() || (!delivery_id.starts_with("test_") && tries <= state.fail_first) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    if let Some(print) = state.print {
        print(&Seen {
            delivery_id: delivery_id.clone(),
            signature_ok,
            status: status.as_u16(),
            body: parsed.clone(),
        });
    }
    state.seen.push(Seen {
        delivery_id,
        signature_ok,
        status: status.as_u16(),
        body: parsed,
    });
    status
}
