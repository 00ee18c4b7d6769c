//! Prometheus metrics, rendered in the text exposition format at `/metrics`.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Instant,
};

use async_graphql::{
    Response, ServerResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
    },
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};
use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};

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
    live_evaluations: Counter,
    live_deliveries: Counter,
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
            "GraphQL operations served, by root field (`multiple` when several, `rejected` when never executed) and outcome",
            requests.clone(),
        );
        let latency = Family::<OperationNameLabel, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
        });
        registry.register(
            "graphql_request_duration_seconds",
            "Time to answer a GraphQL operation, by root field",
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
        let live_evaluations = Counter::default();
        registry.register(
            "live_evaluations",
            "Subscription responses resolved: one per event for each group of identical subscriptions",
            live_evaluations.clone(),
        );
        let live_deliveries = Counter::default();
        registry.register(
            "live_deliveries",
            "Subscription responses delivered to subscribers",
            live_deliveries.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry,
                requests,
                latency,
                db_statements,
                db_latency,
                live_evaluations,
                live_deliveries,
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

    /// Counts one subscription response resolved for a group of subscribers.
    pub fn record_live_evaluation(&self) {
        self.inner.live_evaluations.inc();
    }

    /// Counts one subscription response handed to one subscriber.
    pub fn record_live_delivery(&self) {
        self.inner.live_deliveries.inc();
    }

    fn record(&self, operation: String, ok: bool, seconds: f64) {
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
}

impl ExtensionFactory for Metrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(OperationMetrics {
            metrics: self.clone(),
            labels: Mutex::new(Vec::new()),
            chosen: Mutex::new(None),
        })
    }
}

/// Per request: the label of each operation of the document, and the one
/// that executed.
///
/// Operations are labelled by their root field, not by the name the client
/// gave them: names are the client's to choose, so labelling by them lets
/// anyone grow the registry without bound. A label is recorded only for an
/// operation that passed validation, whose root fields the schema defines,
/// so the number of series is fixed by the schema.
struct OperationMetrics {
    metrics: Metrics,
    labels: Mutex<Vec<(Option<String>, String)>>,
    chosen: Mutex<Option<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[async_trait::async_trait]
impl Extension for OperationMetrics {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let response = next.run(ctx).await;
        let label = lock(&self.chosen)
            .take()
            .unwrap_or_else(|| "rejected".to_owned());
        self.metrics.record(
            label,
            response.errors.is_empty(),
            started.elapsed().as_secs_f64(),
        );
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        *lock(&self.labels) = doc
            .operations
            .iter()
            .map(|(name, op)| {
                (
                    name.map(|n| n.as_str().to_owned()),
                    root_label(&doc, &op.node.selection_set.node),
                )
            })
            .collect();
        Ok(doc)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let label = {
            let labels = lock(&self.labels);
            match operation_name {
                Some(wanted) => labels
                    .iter()
                    .find(|(name, _)| name.as_deref() == Some(wanted))
                    .map(|(_, label)| label.clone()),
                None => labels.first().map(|(_, label)| label.clone()),
            }
        };
        *lock(&self.chosen) = label;
        next.run(ctx, operation_name).await
    }
}

/// The root field an operation selects (`__typename` aside; every
/// introspection field as `introspection`), or `multiple`. Each fragment is
/// looked at once, whatever the document.
fn root_label(doc: &ExecutableDocument, set: &SelectionSet) -> String {
    let mut found: Option<&str> = None;
    let mut several = false;
    let mut seen_fragments = HashSet::new();
    let mut pending = vec![set];
    while let Some(set) = pending.pop() {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    let name = match name {
                        "__typename" => continue,
                        "__schema" | "__type" => "introspection",
                        other => other,
                    };
                    match found {
                        None => found = Some(name),
                        Some(seen) if seen != name => several = true,
                        Some(_) => {}
                    }
                }
                Selection::InlineFragment(frag) => pending.push(&frag.node.selection_set.node),
                Selection::FragmentSpread(spread) => {
                    let name = spread.node.fragment_name.node.as_str();
                    if seen_fragments.insert(name)
                        && let Some(fragment) = doc.fragments.get(name)
                    {
                        pending.push(&fragment.node.selection_set.node);
                    }
                }
            }
        }
    }
    if several {
        "multiple".to_owned()
    } else {
        found.unwrap_or("__typename").to_owned()
    }
}
