//! Prometheus metrics, rendered in the text exposition format at `/metrics`.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Instant,
};

use async_graphql::{
    Response,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextRequest},
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};

/// Operation names are chosen by clients; past this many distinct names the
/// rest are counted as `other`, so a client cannot grow the registry forever.
const MAX_OPERATION_NAMES: usize = 200;
const MAX_OPERATION_NAME_LEN: usize = 64;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationNameLabel {
    operation: String,
}

/// Every metric of the process, cheap to clone.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

struct Inner {
    registry: Registry,
    requests: Family<OperationLabels, Counter>,
    latency: Family<OperationNameLabel, Histogram>,
    db_statements: Family<OutcomeLabel, Counter>,
    db_latency: Histogram,
    known_names: Mutex<HashSet<String>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("leadforge");
        let requests = Family::<OperationLabels, Counter>::default();
        registry.register(
            "graphql_requests",
            "GraphQL operations served, by operation name and outcome",
            requests.clone(),
        );
        let latency = Family::<OperationNameLabel, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        registry.register(
            "graphql_request_duration_seconds",
            "Time to answer a GraphQL operation, by operation name",
            latency.clone(),
        );
        let db_statements = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "db_statements",
            "SQL statements run, by outcome",
            db_statements.clone(),
        );
        let db_latency = Histogram::new([
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]);
        registry.register(
            "db_statement_duration_seconds",
            "Time a SQL statement took",
            db_latency.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                db_statements,
                db_latency,
                known_names: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.inner.registry);
        out
    }

    /// Counts one SQL statement (the database connection's metric hook).
    pub fn record_statement(&self, seconds: f64, failed: bool) {
        self.inner
            .db_statements
            .get_or_create(&OutcomeLabel {
                outcome: if failed { "error" } else { "ok" },
            })
            .inc();
        self.inner.db_latency.observe(seconds);
    }

    fn record(&self, operation: Option<&str>, ok: bool, seconds: f64) {
        let operation = self.label_for(operation);
        self.inner
            .requests
            .get_or_create(&OperationLabels {
                operation: operation.clone(),
                outcome: if ok { "ok" } else { "error" },
            })
            .inc();
        self.inner
            .latency
            .get_or_create(&OperationNameLabel { operation })
            .observe(seconds);
    }

    fn label_for(&self, operation: Option<&str>) -> String {
        let Some(name) = operation else {
            return "anonymous".to_owned();
        };
        let well_formed = name.len() <= MAX_OPERATION_NAME_LEN
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !well_formed {
            return "other".to_owned();
        }
        let mut known = match self.inner.known_names.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if known.contains(name) || known.len() < MAX_OPERATION_NAMES {
            known.insert(name.to_owned());
            name.to_owned()
        } else {
            "other".to_owned()
        }
    }
}

impl ExtensionFactory for Metrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationMetrics {
            metrics: self.clone(),
            operation: Mutex::new(None),
        })
    }
}

/// Per-request: remembers the operation's name once it is known.
struct OperationMetrics {
    metrics: Metrics,
    operation: Mutex<Option<String>>,
}

#[async_trait::async_trait]
impl Extension for OperationMetrics {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let response = next.run(ctx).await;
        let name = match self.operation.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        let name = name
            .as_deref()
            .or(Some("rejected"))
            .filter(|n| !n.is_empty());
        self.metrics.record(
            name,
            response.errors.is_empty(),
            started.elapsed().as_secs_f64(),
        );
        response
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Ok(mut guard) = self.operation.lock() {
            *guard = Some(operation_name.unwrap_or_default().to_owned());
        }
        next.run(ctx, operation_name).await
    }
}
