//! One database read per campaign change, shared by every subscriber that
//! heard of it. A thousand dashboards watching one campaign used to re-read
//! it a thousand times per change (and queue on the pool); now the first
//! subscriber to handle a change starts the read and the others await the
//! same result, then each checks it against its own scope in memory.
//!
//! Freshness: a read may be shared with a subscriber only if it started at
//! or after the instant the change was delivered, so it sees the change.
//! A lagging subscriber may receive a newer read than its event, which is
//! what it wants (the latest state).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use entities::{CampaignId, TenantScoped, ad_campaign};
use futures_util::{
    FutureExt,
    future::{BoxFuture, Shared},
};
use sea_orm::DatabaseConnection;
use tokio::time::{Duration, Instant};

/// A shared read: the row, or `None` when it is gone or the read failed
/// (logged once, by whoever ran it).
type Read = Shared<BoxFuture<'static, Option<Arc<ad_campaign::Model>>>>;

/// Entries older than this are dropped when the map grows.
const KEEP: Duration = Duration::from_secs(10);
/// The map is swept once it holds this many campaigns.
const SWEEP_AT: usize = 1024;

#[derive(Clone)]
pub struct SharedReads {
    db: DatabaseConnection,
    latest: Arc<Mutex<HashMap<CampaignId, (Instant, Read)>>>,
}

impl SharedReads {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            latest: Arc::default(),
        }
    }

    /// The campaign as of a read that started at or after `changed_at`,
    /// whoever owns it: the caller checks the scope. Unscoped on purpose;
    /// it is only ever handed to a scope check.
    pub async fn unscoped_since(
        &self,
        id: CampaignId,
        changed_at: Instant,
    ) -> Option<Arc<ad_campaign::Model>> {
        let read = {
            let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
            match latest.get(&id) {
                Some((started, read)) if *started >= changed_at => read.clone(),
                _ => {
                    let now = Instant::now();
                    if latest.len() >= SWEEP_AT {
                        latest.retain(|_, (started, _)| now.duration_since(*started) < KEEP);
                    }
                    let read = self.start(id);
                    latest.insert(id, (now, read.clone()));
                    read
                }
            }
        };
        read.await
    }

    fn start(&self, id: CampaignId) -> Read {
        let db = self.db.clone();
        async move {
            match ad_campaign::Entity::unscoped_by_id(id).one(&db).await {
                Ok(row) => row.map(Arc::new),
                Err(e) => {
                    tracing::warn!(campaign = %id, error = %e, "re-reading a campaign for subscribers failed");
                    None
                }
            }
        }
        .boxed()
        .shared()
    }
}
