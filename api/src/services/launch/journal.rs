//! Where a running launch records its progress: the campaign's
//! `launch_progress` (the whole [`LaunchProgress`]), `launch_step`, the
//! remote ids on the campaign and its creative links. Called before every
//! create, before activation and after every step, so a crash loses nothing
//! that was sent.
//!
//! Each save is fenced: it writes only while the campaign is in this launch
//! and the job's lease holds (on the database's clock), and a refused save
//! stops the run before its next remote call.

use adapters::ad_platform::launch::{JournalStop, LaunchJournal, LaunchProgress};
use async_trait::async_trait;
use chrono::Utc;
use entities::{CampaignId, CampaignStatus, CreativeId, ad_campaign, campaign_creative, job};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr,
};
use tokio::sync::watch;

use crate::jobs::Lease;

pub struct DbJournal {
    pub db: DatabaseConnection,
    pub campaign: CampaignId,
    pub launch_key: String,
    /// The campaign's creatives, in the request's image order.
    pub creatives: Vec<CreativeId>,
    pub stop: watch::Receiver<bool>,
    saved: LaunchProgress,
    lease: Lease,
    /// The launch's tag, saved with the progress it belongs to.
    tag: String,
    /// When the lease was last seen to hold (a save or a check).
    confirmed: std::time::Instant,
}

/// How long a confirmation of the lease counts for a send: a send this
/// long after the last save or check re-checks the lease first.
const FRESH: std::time::Duration = std::time::Duration::from_millis(500);

impl DbJournal {
    pub fn new(
        db: DatabaseConnection,
        campaign: CampaignId,
        launch_key: String,
        creatives: Vec<CreativeId>,
        stop: watch::Receiver<bool>,
        lease: Lease,
        tag: String,
    ) -> Self {
        Self {
            db,
            campaign,
            launch_key,
            creatives,
            stop,
            saved: LaunchProgress::default(),
            lease,
            tag,
            confirmed: std::time::Instant::now(),
        }
    }
}

/// The last step the progress shows completed.
pub fn step_name(p: &LaunchProgress) -> Option<&'static str> {
    fn all<T>(list: &[Option<T>]) -> bool {
        !list.is_empty() && list.iter().all(Option::is_some)
    }
    if p.activated {
        Some("activated")
    } else if all(&p.ad_ids) {
        Some("ads")
    } else if all(&p.creative_ids) {
        Some("creatives")
    } else if p.ad_set_id.is_some() {
        Some("ad_set")
    } else if p.campaign_id.is_some() {
        Some("campaign")
    } else if all(&p.image_hashes) {
        Some("images")
    } else {
        None
    }
}

#[async_trait]
impl LaunchJournal for DbJournal {
    async fn save(&mut self, progress: &LaunchProgress) -> Result<(), JournalStop> {
        let failed =
            |what: &str, e: &dyn std::fmt::Display| JournalStop::Failed(format!("{what}: {e}"));
        let mut json =
            serde_json::to_value(progress).map_err(|e| failed("encoding launch progress", &e))?;
        if let Some(object) = json.as_object_mut() {
            object.insert("tag".to_owned(), serde_json::Value::from(self.tag.as_str()));
        }
        let first_ad = progress.ad_ids.iter().flatten().next().map(|a| a.0.clone());
        let updated = ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::LaunchProgress, Expr::value(Some(json)))
            .col_expr(
                ad_campaign::Column::LaunchStep,
                Expr::value(step_name(progress).map(str::to_owned)),
            )
            .col_expr(
                ad_campaign::Column::MetaCampaignId,
                Expr::value(progress.campaign_id.as_ref().map(|c| c.0.clone())),
            )
            .col_expr(
                ad_campaign::Column::MetaAdsetId,
                Expr::value(progress.ad_set_id.as_ref().map(|c| c.0.clone())),
            )
            .col_expr(ad_campaign::Column::MetaAdId, Expr::value(first_ad))
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(self.campaign))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::Launching))
            .filter(ad_campaign::Column::IdempotencyKey.eq(self.launch_key.as_str()))
            .filter(self.lease.holds(self.db.get_database_backend()))
            .exec(&self.db)
            .await
            .map_err(|e| failed("saving launch progress", &e))?;
        if updated.rows_affected == 0 {
            return Err(JournalStop::NotOurs);
        }
        self.confirmed = std::time::Instant::now();
        for (i, creative) in self.creatives.iter().enumerate() {
            let remote_creative = progress.creative_ids.get(i).cloned().flatten();
            let remote_ad = progress.ad_ids.get(i).cloned().flatten();
            let before = (
                self.saved.creative_ids.get(i).cloned().flatten(),
                self.saved.ad_ids.get(i).cloned().flatten(),
            );
            if before == (remote_creative.clone(), remote_ad.clone()) {
                continue;
            }
            campaign_creative::Entity::update_many()
                .col_expr(
                    campaign_creative::Column::RemoteCreativeId,
                    Expr::value(remote_creative.map(|c| c.0)),
                )
                .col_expr(
                    campaign_creative::Column::RemoteAdId,
                    Expr::value(remote_ad.map(|c| c.0)),
                )
                .filter(campaign_creative::Column::CampaignId.eq(self.campaign))
                .filter(campaign_creative::Column::CreativeId.eq(*creative))
                .exec(&self.db)
                .await
                .map_err(|e| failed("saving remote ids", &e))?;
        }
        self.saved = progress.clone();
        // Saved first: whatever was sent is on record before we stop.
        if *self.stop.borrow() {
            return Err(JournalStop::Stopping);
        }
        Ok(())
    }

    async fn before_send(&mut self) -> Result<(), JournalStop> {
        if self.confirmed.elapsed() < FRESH {
            return Ok(());
        }
        let holds = job::Entity::find()
            .filter(self.lease.holds_condition(self.db.get_database_backend()))
            .count(&self.db)
            .await
            .map_err(|e| JournalStop::Failed(format!("checking the launch's lease: {e}")))?;
        if holds == 0 {
            return Err(JournalStop::NotOurs);
        }
        self.confirmed = std::time::Instant::now();
        Ok(())
    }
}
