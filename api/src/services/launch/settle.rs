//! How a launch ends: `ACTIVE` with one `COMMIT`, or `ERROR` with one
//! `REFUND` — and an `ERROR` only once nothing the launch switched on can
//! deliver. Every write is fenced by the job's lease.

use adapters::ad_platform::{RemoteId, RemoteStatus, launch::LaunchProgress};
use chrono::Utc;
use entities::{
    CampaignStatus, CreditEntryKind, RowScope, TenantScoped, ad_campaign, credit_ledger,
    user_integration,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr,
};

use super::{
    Launcher, WORKER_ACTOR, ledger_key,
    stop::{Stop, backoff},
};
use crate::{
    error::AppError,
    jobs::{Lease, Outcome},
    services::{audit::AuditEntry, credits::Movement},
};

impl Launcher {
    /// Fails the launch with `words` (what the user sees): first pauses
    /// everything it may have switched on; if that does not succeed, the
    /// failure is recorded and the job tries again (nothing is refunded,
    /// and the campaign is not shown as settled, while something may spend).
    pub(super) async fn fail(
        &self,
        campaign: &ad_campaign::Model,
        launch_key: &str,
        lease: &Lease,
        words: String,
        attempt: i32,
    ) -> Outcome {
        match self.pause_launched(campaign).await {
            Ok(()) => {
                self.settle(campaign, launch_key, lease, Some(words), attempt)
                    .await
            }
            Err(why) => {
                tracing::warn!(campaign = %campaign.id, error = %why, "a failed launch could not pause what it created; trying again");
                // Remembered, so the next run winds down instead of launching.
                if let Err(e) = self
                    .remember_failure(campaign, launch_key, lease, &words)
                    .await
                {
                    tracing::warn!(campaign = %campaign.id, error = %e, "could not record a launch's failure");
                }
                Outcome::Retry {
                    after: backoff(attempt, None),
                    error: format!("pausing after a failed launch: {why}"),
                    uses_attempt: false,
                }
            }
        }
    }

    /// Pauses every object the launch may have switched on (none if it
    /// never started activating: everything is created PAUSED), the
    /// campaign first, which stops delivery at once.
    async fn pause_launched(&self, campaign: &ad_campaign::Model) -> Result<(), String> {
        // The journal's latest save, not the run's memory: it also covers a
        // run that stopped before reaching the platform.
        let fresh = ad_campaign::Entity::unscoped_by_id(campaign.id)
            .one(&self.db)
            .await
            .map_err(|e| e.to_string())?;
        let progress: LaunchProgress = fresh
            .and_then(|c| c.launch_progress)
            .and_then(|p| serde_json::from_value(p).ok())
            .unwrap_or_default();
        if !progress.activating {
            return Ok(());
        }
        let ids: Vec<RemoteId> = progress
            .campaign_id
            .iter()
            .chain(progress.ad_set_id.iter())
            .chain(progress.ad_ids.iter().flatten())
            .cloned()
            .collect();
        let owner = RowScope::Own {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
        };
        let integration = user_integration::Entity::by_id(owner, campaign.integration_id)
            .one(&self.db)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the campaign's integration was deleted, so its objects cannot be paused")?;
        let (platform, creds) = self.open(&integration).map_err(|stop| match stop {
            Stop::Fail(words) | Stop::Infra(words) => words,
            other => format!("{other:?}"),
        })?;
        let mut failures = Vec::new();
        for id in ids {
            if let Err(e) = platform.set_status(&creds, &id, RemoteStatus::Paused).await {
                failures.push(format!("{id}: {e}"));
            }
        }
        if failures.is_empty() {
            Ok(())
        } else {
            Err(failures.join("; "))
        }
    }

    /// Records the failure a run decided while the launch winds down.
    async fn remember_failure(
        &self,
        campaign: &ad_campaign::Model,
        launch_key: &str,
        lease: &Lease,
        words: &str,
    ) -> Result<(), AppError> {
        ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::ErrorMessage,
                Expr::value(Some(words.to_owned())),
            )
            .filter(still_launching(campaign, launch_key))
            .filter(lease.holds(self.db.get_database_backend()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Ends the launch: `ACTIVE` and `COMMIT`, or `ERROR` with `error` and
    /// `REFUND`, in one transaction guarded by the launch still running and
    /// the lease still held.
    pub(super) async fn settle(
        &self,
        campaign: &ad_campaign::Model,
        launch_key: &str,
        lease: &Lease,
        error: Option<String>,
        attempt: i32,
    ) -> Outcome {
        match self.settle_once(campaign, launch_key, lease, error).await {
            Ok(true) => Outcome::Done,
            Ok(false) => Outcome::LostLease,
            Err(e) => {
                tracing::warn!(campaign = %campaign.id, error = %e, "settling a launch failed; it will be retried");
                Outcome::Retry {
                    after: backoff(attempt, None),
                    error: e.to_string(),
                    uses_attempt: false,
                }
            }
        }
    }

    async fn settle_once(
        &self,
        campaign: &ad_campaign::Model,
        launch_key: &str,
        lease: &Lease,
        error: Option<String>,
    ) -> Result<bool, AppError> {
        let (status, kind) = match &error {
            None => (CampaignStatus::Active, CreditEntryKind::Commit),
            Some(_) => (CampaignStatus::Error, CreditEntryKind::Refund),
        };
        let cost = entities::agent::Entity::find_by_id(entities::MEDIA_BUYER_AGENT_KEY.to_owned())
            .one(&self.db)
            .await?
            .map_or(0, |a| i64::from(a.credit_cost));
        // The reservation's own amount is what goes back (the registry's
        // cost may have changed since).
        let reserved = credit_ledger::Entity::find()
            .filter(credit_ledger::Column::IdempotencyKey.eq(ledger_key(
                campaign.id,
                launch_key,
                CreditEntryKind::Reserve,
            )))
            .one(&self.db)
            .await?
            .map_or(cost, |r| -r.delta);
        let txn = self.db.begin().await?;
        let updated = ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::Status, Expr::value(status))
            .col_expr(
                ad_campaign::Column::ErrorMessage,
                Expr::value(error.clone()),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(still_launching(campaign, launch_key))
            .filter(lease.holds(txn.get_database_backend()))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Ok(false);
        }
        Movement {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
            campaign: campaign.id,
            kind,
            cost: reserved,
            key: ledger_key(campaign.id, launch_key, kind),
        }
        .apply(&txn)
        .await?;
        let mut entry = AuditEntry {
            tenant_id: Some(campaign.tenant_id),
            actor: None,
            action: "campaign.launch_finished",
            target: Some(format!("campaign:{}", campaign.id)),
            outcome: entities::AuditOutcome::Success,
            detail: Some(serde_json::json!({
                "actor": WORKER_ACTOR,
                "subject": campaign.user_id.to_string(),
                "status": if error.is_none() { "active" } else { "error" },
            })),
        };
        if let Some(why) = &error {
            entry.outcome = entities::AuditOutcome::Failure;
            // Told once per launch, with the same words the campaign shows.
            crate::services::notifications::raise(
                &txn,
                crate::services::notifications::NewNotification {
                    tenant: campaign.tenant_id,
                    user: campaign.user_id,
                    kind: entities::NotificationKind::LaunchFailed,
                    title: format!("“{}” did not launch", campaign.campaign_name),
                    body: format!(
                        "{}{} The {reserved} credits it reserved were returned; fix the campaign and launch it again.",
                        why.trim_end(),
                        if why.trim_end().ends_with(['.', '!', '?']) { "" } else { "." }
                    ),
                    campaign: Some(campaign.id),
                    integration: Some(campaign.integration_id),
                    dedupe_key: Some(format!("launch_failed:{}:{launch_key}", campaign.id)),
                },
            )
            .await?;
        }
        self.audit.record(&txn, entry).await?;
        txn.commit().await?;
        let _ = self
            .events
            .send(crate::events::CampaignChange::of(campaign));
        Ok(true)
    }
}

/// The campaign is still in this launch.
fn still_launching(campaign: &ad_campaign::Model, launch_key: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(ad_campaign::Column::Id.eq(campaign.id))
        .add(ad_campaign::Column::Status.eq(CampaignStatus::Launching))
        .add(ad_campaign::Column::IdempotencyKey.eq(launch_key))
}
