//! Identical subscriptions share one evaluation per event.
//!
//! A hundred dashboards open on one campaign used to run a hundred copies of
//! the same subscription: at every change, each resolved its selection on
//! its own (the nested fields' reads included). Subscriptions that are the
//! same operation (query text, operation name, variables) for callers who
//! see the same rows now form one group: the group runs the operation once,
//! as its first member, and every member receives the same response.
//!
//! Who sees the same rows is decided by the authorization gate, not
//! guessed: a caller's [`Viewer`] is their role, tenant, and the row scope
//! of every resource for reading (chief architects: all rows; a member:
//! their own), plus the policy's generation. Two members of one tenant are
//! two viewers (each sees only their own campaigns), so they never share.
//! When the policy is reloaded, every member is checked again at its next
//! response and a member whose view changed is ended with `FORBIDDEN`
//! (it subscribes again into a group of its own view).
//!
//! A group that watches one campaign keeps its latest response, which a
//! member joining later receives first (the campaign's current state, as
//! when subscribing alone). Queries and mutations over the socket, and
//! anonymous callers, run as before, unshared.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError, Weak},
};

use async_graphql::{
    Data, Executor, Request, Response, ServerError,
    parser::types::{DocumentOperations, OperationType, Selection},
};
use entities::{RowScope, TenantId, UserId};
use futures_util::{StreamExt, stream::BoxStream};
use tokio::{sync::broadcast, task::AbortHandle};

use super::AppSchema;
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    metrics::Metrics,
};

/// Responses a member may fall behind its group before it skips ahead.
const MEMBER_BUFFER: usize = 256;
/// The registry is swept of finished groups once it holds this many.
const SWEEP_AT: usize = 64;

/// What a caller may read, as far as any response could show: callers with
/// equal viewers get equal responses to equal operations.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Viewer {
    role: entities::Role,
    tenant: TenantId,
    reads: Vec<Reach>,
    policy: u64,
}

/// One resource's row scope for reading (`None`: may not read it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Reach {
    None,
    All,
    Tenant(TenantId),
    Own(TenantId, UserId),
}

impl From<RowScope> for Reach {
    fn from(scope: RowScope) -> Self {
        match scope {
            RowScope::All => Self::All,
            RowScope::Tenant(tenant) => Self::Tenant(tenant),
            RowScope::Own { tenant, user } => Self::Own(tenant, user),
        }
    }
}

impl Viewer {
    /// `principal`'s viewer under the policy in force now.
    pub async fn of(authz: &Authorizer, principal: &Principal) -> Self {
        let policy = authz.generation();
        let mut reads = Vec::with_capacity(Resource::ALL.len());
        for resource in Resource::ALL {
            let reach = match authz.authorize(principal, resource, Action::Read).await {
                Ok(scope) => Reach::from(scope),
                Err(_) => Reach::None,
            };
            reads.push(reach);
        }
        Self {
            role: principal.role,
            tenant: principal.tenant_id,
            reads,
            policy,
        }
    }

    /// Whether this viewer sees what `other` sees (policy generations aside).
    fn sees_as(&self, other: &Self) -> bool {
        self.role == other.role && self.tenant == other.tenant && self.reads == other.reads
    }
}

/// Who runs a socket's subscriptions: the caller and their viewer.
#[derive(Clone)]
pub struct Member {
    pub principal: Principal,
    pub viewer: Viewer,
    pub authz: Authorizer,
}

/// Identical subscriptions and their groups; one per process.
#[derive(Clone, Default)]
pub struct Fanout {
    groups: Arc<Mutex<HashMap<GroupKey, Weak<Group>>>>,
    metrics: Option<Metrics>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    query: String,
    operation: Option<String>,
    /// The variables as JSON, keys sorted.
    variables: String,
    viewer: Viewer,
}

/// What a group sends its members.
#[derive(Clone)]
enum Event {
    Next(Arc<Response>),
    End,
}

struct Group {
    shared: Arc<Shared>,
    pump: AbortHandle,
}

struct Shared {
    state: Mutex<State>,
    events: broadcast::Sender<Event>,
    /// Whether a member joining late gets the latest response first.
    replays: bool,
}

#[derive(Default)]
struct State {
    latest: Option<Arc<Response>>,
    ended: bool,
}

impl Drop for Group {
    /// The last member left: the operation stops.
    fn drop(&mut self) {
        self.pump.abort();
    }
}

impl Fanout {
    pub fn new(metrics: Option<Metrics>) -> Self {
        Self {
            groups: Arc::default(),
            metrics,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<GroupKey, Weak<Group>>> {
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The responses of `request` for `member`: from the group of its
    /// identical subscriptions, which is started when there is none.
    fn join(
        &self,
        schema: &AppSchema,
        member: &Member,
        request: Request,
        session: Option<Arc<Data>>,
        replays: bool,
    ) -> BoxStream<'static, Response> {
        // Variables that cannot be written down cannot be compared: run alone.
        let Ok(variables) = serde_json::to_value(&request.variables) else {
            return Executor::execute_stream(schema, request, session);
        };
        let key = GroupKey {
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: variables.to_string(),
            viewer: member.viewer.clone(),
        };
        let (group, receiver, first) = {
            let mut groups = self.lock();
            let existing = groups.get(&key).and_then(Weak::upgrade);
            let joined = existing.and_then(|group| {
                // Subscribed under the state's lock: no response falls
                // between the latest one and the first one received.
                let state = group.shared.lock();
                if state.ended {
                    return None;
                }
                let first = state.latest.clone();
                let receiver = group.shared.events.subscribe();
                drop(state);
                Some((group, receiver, first))
            });
            match joined {
                Some(joined) => joined,
                None => {
                    if groups.len() >= SWEEP_AT {
                        groups.retain(|_, group| group.strong_count() > 0);
                    }
                    let group = self.start(schema, request, session, replays);
                    let receiver = group.shared.events.subscribe();
                    groups.insert(key.clone(), Arc::downgrade(&group));
                    (group, receiver, None)
                }
            }
        };
        let metrics = self.metrics.clone();
        let viewer = key.viewer;
        futures_util::stream::unfold(
            Membership {
                group,
                receiver,
                first,
                viewer,
                member: member.clone(),
                metrics,
            },
            Membership::next,
        )
        .boxed()
    }

    fn start(
        &self,
        schema: &AppSchema,
        request: Request,
        session: Option<Arc<Data>>,
        replays: bool,
    ) -> Arc<Group> {
        let (events, _) = broadcast::channel(MEMBER_BUFFER);
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            events,
            replays,
        });
        let mut responses = Executor::execute_stream(schema, request, session);
        let pump = tokio::spawn({
            let shared = shared.clone();
            let metrics = self.metrics.clone();
            async move {
                while let Some(response) = responses.next().await {
                    if let Some(metrics) = &metrics {
                        metrics.record_live_evaluation();
                    }
                    let response = Arc::new(response);
                    let mut state = shared.lock();
                    if shared.replays {
                        state.latest = Some(response.clone());
                    }
                    let _ = shared.events.send(Event::Next(response));
                }
                shared.lock().ended = true;
                let _ = shared.events.send(Event::End);
            }
        })
        .abort_handle();
        Arc::new(Group { shared, pump })
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One member's place in a group.
struct Membership {
    group: Arc<Group>,
    receiver: broadcast::Receiver<Event>,
    first: Option<Arc<Response>>,
    /// The viewer the member joined as.
    viewer: Viewer,
    member: Member,
    metrics: Option<Metrics>,
}

impl Membership {
    async fn next(mut self) -> Option<(Response, Self)> {
        let response = match self.first.take() {
            Some(first) => first,
            None => loop {
                match self.receiver.recv().await {
                    Ok(Event::Next(response)) => break response,
                    Ok(Event::End) | Err(broadcast::error::RecvError::Closed) => return None,
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::warn!(
                            missed,
                            "a subscriber fell behind its group; skipping ahead"
                        );
                        if let Some(latest) = self.group.shared.lock().latest.clone() {
                            break latest;
                        }
                    }
                }
            },
        };
        // The policy was reloaded since the member joined: its view is
        // checked again before anything more reaches it.
        if self.member.authz.generation() != self.viewer.policy {
            let now = Viewer::of(&self.member.authz, &self.member.principal).await;
            if !now.sees_as(&self.viewer) {
                self.first = None;
                let ended = forbidden();
                self.receiver = closed_receiver();
                return Some((ended, self));
            }
            self.viewer.policy = now.policy;
        }
        if let Some(metrics) = &self.metrics {
            metrics.record_live_delivery();
        }
        Some((copy(&response), self))
    }
}

/// A receiver that reports the end at once (after a member was ended).
fn closed_receiver() -> broadcast::Receiver<Event> {
    let (sender, receiver) = broadcast::channel(1);
    let _ = sender.send(Event::End);
    receiver
}

fn forbidden() -> Response {
    let mut error = ServerError::new(
        "Your access changed; subscribe again to receive updates.",
        None,
    );
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", "FORBIDDEN");
    error.extensions = Some(extensions);
    Response::from_errors(vec![error])
}

/// A member's own copy of the group's response (async-graphql writes each
/// socket's messages from a response it owns).
fn copy(response: &Response) -> Response {
    let mut copy = Response::new(response.data.clone());
    copy.errors = response.errors.clone();
    copy.extensions = response.extensions.clone();
    copy
}

/// The executor a socket's messages run on: the schema, with subscriptions
/// of a signed-in caller shared through the [`Fanout`].
#[derive(Clone)]
pub struct SharedSubscriptions {
    pub schema: AppSchema,
    pub fanout: Fanout,
    /// `None` for an anonymous socket (nothing is shared).
    pub member: Option<Member>,
}

impl Executor for SharedSubscriptions {
    async fn execute(&self, request: Request) -> Response {
        self.schema.execute(request).await
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let Some(member) = &self.member else {
            return Executor::execute_stream(&self.schema, request, session_data);
        };
        let Some(replays) = shareable(&request) else {
            return Executor::execute_stream(&self.schema, request, session_data);
        };
        let (fanout, schema, mut member) =
            (self.fanout.clone(), self.schema.clone(), member.clone());
        // The socket's viewer was decided at `connection_init`; after a
        // policy reload it is decided again before joining a group.
        futures_util::stream::once(async move {
            if member.authz.generation() != member.viewer.policy {
                member.viewer = Viewer::of(&member.authz, &member.principal).await;
            }
            fanout.join(&schema, &member, request, session_data, replays)
        })
        .flatten()
        .boxed()
    }
}

/// `Some(replays)` when `request` is a subscription that may be shared:
/// nothing but its text, operation name and variables decides its result.
/// `replays`: it watches one campaign, so its latest response is that
/// campaign's current state, which a member joining later receives first.
fn shareable(request: &Request) -> Option<bool> {
    if !request.uploads.is_empty() || !request.extensions.is_empty() {
        return None;
    }
    let document = async_graphql::parser::parse_query(&request.query).ok()?;
    let operation = match (&document.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name)?,
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()?
        }
        _ => return None,
    };
    if operation.node.ty != OperationType::Subscription {
        return None;
    }
    // `campaignUpdated(id: …)` with an id: one campaign's states.
    let mut variables: HashMap<&str, async_graphql::Value> = request
        .variables
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    for definition in &operation.node.variable_definitions {
        if let Some(default) = &definition.node.default_value {
            variables
                .entry(definition.node.name.node.as_str())
                .or_insert_with(|| default.node.clone());
        }
    }
    let replays = operation
        .node
        .selection_set
        .node
        .items
        .iter()
        .any(|selection| match &selection.node {
            Selection::Field(field) => {
                field.node.name.node == "campaignUpdated"
                    && field.node.arguments.iter().any(|(name, value)| {
                        let given = value.node.clone().into_const_with(|variable| {
                            Ok::<_, std::convert::Infallible>(
                                variables
                                    .get(variable.as_str())
                                    .cloned()
                                    .unwrap_or(async_graphql::Value::Null),
                            )
                        });
                        name.node == "id" && !matches!(given, Ok(async_graphql::Value::Null))
                    })
            }
            _ => false,
        });
    Some(replays)
}
