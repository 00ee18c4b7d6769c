//! The check that no launch is forgotten: a campaign `LAUNCHING` whose job
//! ended (or was never written, as a stranded launch from before this
//! check could be) gets its job back. A launch that is queued or running
//! is left alone, so the check is safe on every instance at once.

use std::time::Duration;

use entities::{CampaignStatus, TenantScoped, ad_campaign};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QuerySelect};
use tokio::sync::watch;

use super::launch_job;
use crate::{error::AppError, jobs::JobQueue};

/// How often every instance looks.
pub const EVERY: Duration = Duration::from_secs(60);

/// Campaigns looked at per sweep (the oldest changes first).
const BATCH: u64 = 500;

/// Revives the job of every launch left without one; the number revived.
pub async fn once(db: &DatabaseConnection, queue: &JobQueue) -> Result<usize, AppError> {
    let launching: Vec<(entities::CampaignId, entities::TenantId, Option<String>)> =
        ad_campaign::Entity::unscoped()
            .select_only()
            .column(ad_campaign::Column::Id)
            .column(ad_campaign::Column::TenantId)
            .column(ad_campaign::Column::IdempotencyKey)
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::Launching))
            .limit(BATCH)
            .into_tuple()
            .all(db)
            .await?;
    let mut revived = 0;
    for (id, tenant, key) in launching {
        let Some(key) = key else { continue };
        if queue.revive(launch_job(id, tenant, &key)?).await? {
            tracing::warn!(campaign = %id, "a launch had no live job; it was put back in the queue");
            revived += 1;
        }
    }
    if revived > 0 {
        queue.announce().await;
    }
    Ok(revived)
}

/// Sweeps at once, then every [`EVERY`], until `shutdown`.
pub async fn run(db: DatabaseConnection, queue: JobQueue, mut shutdown: watch::Receiver<bool>) {
    while !*shutdown.borrow() {
        if let Err(e) = once(&db, &queue).await {
            tracing::warn!(error = %e, "checking for launches without a job failed");
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            _ = shutdown.changed() => {}
        }
    }
}
