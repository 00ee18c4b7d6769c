//! DataLoaders for nested fields, built for each request (each subscription
//! over a WebSocket) and for its caller only.
//!
//! Every loader carries the caller's principal, and the service behind it
//! filters its batched statement by the caller's row scope: a batch never
//! mixes callers, a loader keeps no cache, and a key that names another
//! tenant's row finds nothing, whoever asked for it. A page of N rows
//! costs one statement per loader, not one per row; the batches run when
//! the request is waiting on nothing else (see [`batch`]).

mod batch;
pub mod campaigns;
pub mod users;

use std::{any::TypeId, pin::pin, sync::Arc};

use async_graphql::{
    Request, Response, ServerResult,
    dataloader::DataLoader,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextRequest,
        NextSubscribe,
    },
    futures_util::stream::BoxStream,
};
use futures_util::StreamExt;

use self::{
    batch::{BatchQueue, Driver},
    campaigns::{
        CreativesByCampaign, IntegrationById, LeadsReceivedByCampaign, SnapshotsByCampaign,
    },
    users::{TenantById, UserById},
};
use crate::{
    auth::{Caller, Principal},
    services::Services,
};

/// Every loader of one request.
pub struct Loaders {
    pub tenant_by_id: DataLoader<TenantById>,
    pub user_by_id: DataLoader<UserById>,
    pub creatives_by_campaign: DataLoader<CreativesByCampaign>,
    pub integration_by_id: DataLoader<IntegrationById>,
    pub snapshots_by_campaign: DataLoader<SnapshotsByCampaign>,
    pub leads_received_by_campaign: DataLoader<LeadsReceivedByCampaign>,
}

/// How loaders group their keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// One statement per loader and request level (always, outside tests).
    Batched,
    /// One statement per key: the N+1 that loaders exist to prevent, kept
    /// so the statement-count test can show that it would notice.
    Unbatched,
}

impl Loaders {
    fn new(
        services: &Services,
        caller: &Principal,
        queue: &Arc<BatchQueue>,
        batching: Batching,
    ) -> Self {
        fn loader<T: Send + Sync + 'static>(
            inner: T,
            queue: &Arc<BatchQueue>,
            batching: Batching,
        ) -> DataLoader<T> {
            // No delay: the driver starts a batch only once every field
            // that could join it has asked.
            let loader = DataLoader::new(inner, queue.spawner()).delay(std::time::Duration::ZERO);
            match batching {
                Batching::Batched => loader,
                Batching::Unbatched => loader.max_batch_size(1),
            }
        }
        let directory = &services.directory;
        let campaigns = &services.campaigns;
        Self {
            tenant_by_id: loader(
                TenantById {
                    directory: directory.clone(),
                    caller: caller.clone(),
                },
                queue,
                batching,
            ),
            user_by_id: loader(
                UserById {
                    directory: directory.clone(),
                    caller: caller.clone(),
                },
                queue,
                batching,
            ),
            creatives_by_campaign: loader(
                CreativesByCampaign {
                    campaigns: campaigns.clone(),
                    caller: caller.clone(),
                },
                queue,
                batching,
            ),
            integration_by_id: loader(
                IntegrationById {
                    campaigns: campaigns.clone(),
                    caller: caller.clone(),
                },
                queue,
                batching,
            ),
            snapshots_by_campaign: loader(
                SnapshotsByCampaign {
                    campaigns: campaigns.clone(),
                    caller: caller.clone(),
                },
                queue,
                batching,
            ),
            leads_received_by_campaign: loader(
                LeadsReceivedByCampaign {
                    leads: services.leads.clone(),
                    caller: caller.clone(),
                },
                queue,
                batching,
            ),
        }
    }
}

/// The schema extension that gives each request of a signed-in caller its
/// [`Loaders`] and runs their batches. An anonymous request gets none: the
/// fields that need them answer `UNAUTHENTICATED`.
pub struct RequestLoaders(pub Batching);

impl ExtensionFactory for RequestLoaders {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(LoadersOfOneRequest {
            batching: self.0,
            queue: Arc::default(),
        })
    }
}

/// Created by async-graphql for every request and every subscription.
struct LoadersOfOneRequest {
    batching: Batching,
    queue: Arc<BatchQueue>,
}

/// The caller of `request`: in its own data over HTTP, in the
/// connection's data over a WebSocket.
fn caller_of<'a>(request: &'a Request, ctx: &ExtensionContext<'a>) -> Option<&'a Caller> {
    request
        .data
        .get(&TypeId::of::<Caller>())
        .and_then(|d| d.downcast_ref::<Caller>())
        .or_else(|| ctx.data_opt::<Caller>())
}

#[async_trait::async_trait]
impl Extension for LoadersOfOneRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let principal = match caller_of(&request, ctx) {
            Some(Caller::User(principal)) => Some(principal.clone()),
            _ => None,
        };
        let request = match (principal, ctx.data_opt::<Services>()) {
            (Some(principal), Some(services)) => request.data(Loaders::new(
                services,
                &principal,
                &self.queue,
                self.batching,
            )),
            _ => request,
        };
        next.run(ctx, request).await
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut request = pin!(next.run(ctx));
        let mut driver = Driver::new(Arc::clone(&self.queue));
        std::future::poll_fn(|cx| driver.poll(cx, |cx| request.as_mut().poll(cx))).await
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let mut stream = next.run(ctx, stream);
        let mut driver = Driver::new(Arc::clone(&self.queue));
        futures_util::stream::poll_fn(move |cx| driver.poll(cx, |cx| stream.poll_next_unpin(cx)))
            .boxed()
    }
}
