//! `leadReceived`: new leads, live. A stored lead announces its campaign on
//! the event bus (ids only, as every change does); a subscriber then reads
//! that campaign's leads received in the last [`WINDOW`] within its own
//! scope, authorized again at every event, and sends those it has not sent.
//! After missed events it reads the window of everything it watches.
//!
//! Leads kept aside (no campaign) are not announced: they reach the chief
//! architect's inbox, not this stream.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use entities::{CampaignId, LeadId, TenantId, lead::Model};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};

use super::LiveService;
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
    events::Delivery,
    services::leads::LeadsService,
};

/// How far back an event makes a subscriber look: far more than the time
/// from a lead's commit to its event, even across instances.
const WINDOW: chrono::Duration = chrono::Duration::seconds(60);
/// Leads one read sends at most.
const READ_LIMIT: u64 = 200;
/// How long before a subscription started its reads look: a lead's time is
/// taken before its transaction commits (and on another instance's clock),
/// so one committed just after the start can carry an earlier time.
const START_SLACK: chrono::Duration = chrono::Duration::seconds(5);

impl LiveService {
    /// New leads the caller may see (of one campaign, or all; `tenant`
    /// narrows the chief architect's), those received since `since` first.
    /// A campaign outside the caller's scope is `NOT_FOUND`.
    pub async fn watch_leads(
        &self,
        principal: Principal,
        campaign: Option<CampaignId>,
        tenant: Option<TenantId>,
        since: Option<DateTime<Utc>>,
    ) -> Result<impl Stream<Item = Model> + Send + use<>, AppError> {
        // Start the clock, then subscribe, then read: no lead falls in between.
        let started = Utc::now() - START_SLACK;
        let receiver = self.bus.subscribe();
        if let Some(id) = campaign {
            self.campaigns.get(&principal, id, Action::Read).await?;
        }
        self.leads
            .authz
            .authorize(&principal, Resource::Lead, Action::Read)
            .await?;
        let mut state = LeadSubscriber {
            leads: self.leads.clone(),
            principal,
            campaign,
            tenant,
            receiver,
            started,
            sent: HashMap::new(),
            pending: VecDeque::new(),
        };
        if let Some(since) = since {
            let rows = state
                .leads
                .received_since(&state.principal, tenant, campaign, since, READ_LIMIT)
                .await?;
            state.take(rows);
        }
        Ok(futures_util::stream::unfold(state, LeadSubscriber::next))
    }
}

struct LeadSubscriber {
    leads: LeadsService,
    principal: Principal,
    campaign: Option<CampaignId>,
    tenant: Option<TenantId>,
    receiver: broadcast::Receiver<Delivery>,
    started: DateTime<Utc>,
    /// Leads sent recently (by when they were received), so a lead read by
    /// two events goes out once.
    sent: HashMap<LeadId, DateTime<Utc>>,
    pending: VecDeque<Model>,
}

impl LeadSubscriber {
    fn take(&mut self, rows: Vec<Model>) {
        for row in rows {
            if self.sent.insert(row.id, row.received_at).is_none() {
                self.pending.push_back(row);
            }
        }
    }

    async fn next(mut self) -> Option<(Model, Self)> {
        loop {
            if let Some(row) = self.pending.pop_front() {
                return Some((row, self));
            }
            let campaign = match self.receiver.recv().await {
                Ok(Delivery::Changed(id, _, _)) => {
                    if self.campaign.is_some_and(|watched| watched != id) {
                        continue;
                    }
                    Some(id)
                }
                // Events may be lost: read everything watched.
                Ok(Delivery::Resync) | Err(RecvError::Lagged(_)) => self.campaign,
                Err(RecvError::Closed) => return None,
            };
            let now = Utc::now();
            let from = std::cmp::max(self.started, now - WINDOW);
            match self
                .leads
                .received_since(&self.principal, self.tenant, campaign, from, READ_LIMIT)
                .await
            {
                Ok(rows) => self.take(rows),
                Err(e) => tracing::debug!(error = %e, "a lead subscriber could not read new leads"),
            }
            let horizon = now - WINDOW - WINDOW;
            self.sent.retain(|_, at| *at >= horizon);
        }
    }
}
