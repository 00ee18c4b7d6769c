//! Live campaign updates for `campaignUpdated` subscriptions.
//!
//! Writers announce a campaign whose status (or numbers) changed on an
//! in-process channel; events carry its id, tenant and owner, never the
//! row. Each subscriber checks the campaign against its own scope,
//! authorized again at every event: first from the event (a campaign
//! outside the scope costs that subscriber no read), then on the row before
//! delivering it, so a member never receives a row outside their scope, and
//! a policy change applies to open subscriptions at the next event. The row
//! itself is read once per change for all subscribers ([`reads`]); identical
//! subscriptions are evaluated once ([`crate::graphql::fanout`]).
//!
//! A subscriber that falls behind the channel (or whose events may have been
//! lost, see [`crate::events`]) skips to the latest state:
//! one watching a single campaign re-reads it; one watching all of them
//! re-reads the campaigns of its scope changed since the last event it
//! received (a little before, for clock skew between instances), the most
//! recently changed [`RESYNC_LIMIT`] of them.

mod leads;
mod reads;

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use entities::{CampaignId, TenantId, ad_campaign::Model};
use futures_util::Stream;
use tokio::{
    sync::broadcast::{self, error::RecvError},
    time::Instant,
};

use self::reads::SharedReads;

use super::campaigns::CampaignsService;
use crate::events::{Delivery, EventBus};
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
};

/// Campaigns an "all" subscriber re-reads after it may have missed events.
pub const RESYNC_LIMIT: u64 = 200;
/// How far before its last event a resync looks, for instances whose
/// clocks disagree a little and writes that committed late.
const RESYNC_SLACK: chrono::Duration = chrono::Duration::seconds(5);

/// What a subscriber watches.
#[derive(Debug, Clone, Copy)]
pub enum Watch {
    /// One campaign: its current state first, then every change.
    One(CampaignId),
    /// Every campaign the caller may see (optionally one tenant's).
    All { tenant: Option<TenantId> },
}

#[derive(Clone)]
pub struct LiveService {
    pub(crate) campaigns: CampaignsService,
    pub(crate) bus: EventBus,
    pub(crate) leads: super::leads::LeadsService,
    reads: SharedReads,
}

impl LiveService {
    pub fn new(services: &super::Services, bus: &EventBus) -> Self {
        Self {
            campaigns: services.campaigns.clone(),
            bus: bus.clone(),
            leads: services.leads.clone(),
            reads: SharedReads::new(services.campaigns.db.clone()),
        }
    }

    /// The stream of campaign states for `watch`, authorized now (a foreign
    /// campaign is `NOT_FOUND`) and again at every event.
    pub async fn watch(
        &self,
        principal: Principal,
        watch: Watch,
    ) -> Result<impl Stream<Item = Model> + Send + use<>, AppError> {
        // Subscribe before the first read, so no change falls in between.
        let receiver = self.bus.subscribe();
        let first = match watch {
            Watch::One(id) => Some(self.campaigns.get(&principal, id, Action::Read).await?),
            Watch::All { .. } => {
                // Refuses a role that may read no campaign at all.
                self.campaigns
                    .authz
                    .authorize(&principal, Resource::Campaign, Action::Read)
                    .await?;
                None
            }
        };
        let state = Subscriber {
            campaigns: self.campaigns.clone(),
            reads: self.reads.clone(),
            principal,
            watch,
            receiver,
            first,
            since: Utc::now(),
            pending: VecDeque::new(),
        };
        Ok(futures_util::stream::unfold(state, Subscriber::next))
    }
}

struct Subscriber {
    campaigns: CampaignsService,
    reads: SharedReads,
    principal: Principal,
    watch: Watch,
    receiver: broadcast::Receiver<Delivery>,
    first: Option<Model>,
    /// When the last event (or the subscription) arrived.
    since: DateTime<Utc>,
    /// Re-read campaigns still to deliver after a resync.
    pending: VecDeque<Model>,
}

impl Subscriber {
    async fn next(mut self) -> Option<(Model, Self)> {
        if let Some(first) = self.first.take() {
            return Some((first, self));
        }
        loop {
            if let Some(row) = self.pending.pop_front() {
                return Some((row, self));
            }
            let received = self.receiver.recv().await;
            let now = Utc::now();
            let (id, whose, changed_at) = match received {
                Ok(Delivery::Changed(id, whose, at)) => (id, whose, at),
                Err(RecvError::Closed) => return None,
                // Events may be lost: one campaign is re-read, whatever
                // changed; "all" re-reads what changed since its last event.
                Ok(Delivery::Resync) | Err(RecvError::Lagged(_)) => match self.watch {
                    Watch::One(id) => (id, None, Instant::now()),
                    Watch::All { tenant } => {
                        let since = self.since - RESYNC_SLACK;
                        self.since = now;
                        match self
                            .campaigns
                            .changed_since(&self.principal, tenant, since, RESYNC_LIMIT)
                            .await
                        {
                            Ok(rows) => self.pending.extend(rows),
                            Err(e) => {
                                tracing::warn!(error = %e, "re-reading campaigns after missed events failed");
                            }
                        }
                        continue;
                    }
                },
            };
            self.since = now;
            let tenant = match self.watch {
                Watch::One(watched) if watched != id => continue,
                Watch::One(_) => None,
                Watch::All { tenant } => tenant,
            };
            let scope = match self
                .campaigns
                .authz
                .authorize(&self.principal, Resource::Campaign, Action::Read)
                .await
            {
                Ok(scope) => scope,
                Err(e) => {
                    tracing::debug!(error = %e, "a subscriber may no longer read campaigns");
                    continue;
                }
            };
            // Whose the campaign is came with the news: one outside the
            // scope is passed over before any read.
            if let Some((owner_tenant, owner)) = whose
                && (!scope.admits(owner_tenant, owner) || tenant.is_some_and(|t| t != owner_tenant))
            {
                continue;
            }
            let Some(row) = self.reads.unscoped_since(id, changed_at).await else {
                continue;
            };
            if scope.admits(row.tenant_id, row.user_id) && tenant.is_none_or(|t| row.tenant_id == t)
            {
                return Some((Model::clone(&row), self));
            }
        }
    }
}
