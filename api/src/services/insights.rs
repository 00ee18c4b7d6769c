//! The insights sync: every `LEADFORGE_INSIGHTS_INTERVAL_SECS`, the delivery
//! numbers of every live (`ACTIVE` or `PAUSED`) campaign are read from its
//! platform — one batched call per integration, that is per ad account —
//! and each campaign whose numbers changed gets its `performance`, a
//! snapshot for the charts, and an event for the dashboards' subscriptions.
//!
//! Numbers are read for the campaign's whole life (from its creation day to
//! today) each cycle, because platforms revise recent days; the totals then
//! replace what was stored. An ad account whose usage headers say to slow
//! down is skipped for this cycle; the others go on. One account's failure
//! (an expired token, an outage) is logged and leaves the others alone.
//!
//! The same cycle reads where each campaign and its ads stand on the
//! platform (`effective_status`: one batched listing of campaigns and one of
//! their ads per account), so a campaign paused in Ads Manager becomes
//! `PAUSED`, and an archived or deleted one `COMPLETED`. Review, rejection
//! and billing holds exist only on ads: each ad's state is stored on its
//! `campaign_creatives` row (see [`super::ad_delivery`]), and the campaign's
//! summary of them ("1 of 3 ads disapproved: …") becomes its reason. One the
//! platform holds back (with issues, disapproved ads, billing hold) stays
//! `ACTIVE` — it is still switched on there and delivers again
//! once the issue clears — with the platform's reason as its
//! `errorMessage`, so it stays in the sync, can be paused, and comes back
//! to plain `ACTIVE` when the platform says it runs. The change is written
//! only if the campaign is still as the cycle read it (same `updated_at`),
//! so a pause or resume made through Leadforge meanwhile wins.
//!
//! Several instances on one database sync each account once per cycle: each
//! account's sync of a cycle is a job of the queue (its own queue name, so
//! the launch workers never take it), enqueued under the dedupe key
//! `(account, cycle)` by whichever instance comes first and claimed by key
//! with a lease; the instance whose claim wins syncs the account and
//! finishes the job, the others leave the account to it.

use std::{collections::HashMap, time::Duration};

use adapters::ad_platform::{CampaignState, DateRange, InsightsRow, RemoteDelivery, RemoteId};
use chrono::Utc;
use entities::{
    CampaignStatus, IntegrationId, JobId, JobStatus, ad_campaign, job, json::Performance,
    performance_snapshot, user_integration,
};
use futures_util::StreamExt;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    TransactionTrait, sea_query::Expr,
};
use tokio::sync::{broadcast, watch};

use crate::{
    error::AppError,
    jobs::{JobQueue, NewJob},
    services::{
        Services, ad_delivery,
        audit::{AuditEntry, AuditService},
        integrations::IntegrationsService,
    },
};

/// The actor name the sync records in the audit trail.
pub const SYNC_ACTOR: &str = "system:insights-sync";

/// Ad accounts synced at the same time.
const PARALLEL_ACCOUNTS: usize = 4;
/// The `jobs` rows that claim an account's sync for a cycle.
const CLAIM_QUEUE: &str = "insights";
const CLAIM_KIND: &str = "insights-claim";

/// What one cycle did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SyncReport {
    /// Ad accounts asked (one platform call each, plus paging).
    pub accounts: usize,
    /// Accounts skipped because their usage says to slow down.
    pub slowed: usize,
    /// Accounts whose call failed.
    pub failed: usize,
    /// Accounts another instance syncs this cycle.
    pub elsewhere: usize,
    /// Campaigns whose numbers changed.
    pub updated: usize,
    /// Campaigns whose status followed a change made on the platform.
    pub restatused: usize,
}

#[derive(Clone)]
pub struct InsightsSync {
    pub db: DatabaseConnection,
    /// The job queue the per-account claims go through.
    pub queue: JobQueue,
    /// This instance's name on the claims.
    pub worker: String,
    /// The cycle length; cycles are numbered from the Unix epoch, so every
    /// instance agrees on which cycle it is.
    pub interval: Duration,
    pub integrations: IntegrationsService,
    pub events: broadcast::Sender<crate::events::CampaignChange>,
    pub audit: AuditService,
    /// Judges the campaigns' stop-loss rules on the numbers just stored
    /// (none in the benchmark, which measures the sync alone).
    pub rules: Option<super::stop_loss::StopLoss>,
}

impl InsightsSync {
    /// The sync of an app's services, on `db` (the services' own pool, or
    /// another instance's in tests).
    pub fn of(services: &Services, db: DatabaseConnection, interval: Duration) -> Self {
        Self {
            queue: JobQueue::new(db.clone()),
            worker: format!(
                "insights-{}",
                &uuid::Uuid::now_v7().simple().to_string()[..12]
            ),
            rules: Some(super::stop_loss::StopLoss {
                db: db.clone(),
                ..services.stop_loss.clone()
            }),
            db,
            interval,
            integrations: services.integrations.clone(),
            events: services.events.clone(),
            audit: services.audit.clone(),
        }
    }

    /// Runs a cycle every `interval` until shutdown.
    pub fn spawn(self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(self.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            // The first tick is immediate; the first sync waits an interval,
            // since nothing launched since start can have numbers yet.
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = shutdown.changed() => break,
                }
                if *shutdown.borrow() {
                    break;
                }
                match self.run_once().await {
                    Ok(report) if report.accounts > 0 => {
                        tracing::debug!(?report, "insights synced");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "the insights sync failed"),
                }
            }
        })
    }

    /// One cycle over every live campaign.
    pub async fn run_once(&self) -> Result<SyncReport, AppError> {
        // A system read: the sync works for every tenant, on rows no
        // request asked for.
        let live = ad_campaign::Entity::find()
            .filter(
                ad_campaign::Column::Status.is_in([CampaignStatus::Active, CampaignStatus::Paused]),
            )
            .filter(ad_campaign::Column::MetaCampaignId.is_not_null())
            .all(&self.db)
            .await?;
        if live.is_empty() {
            return Ok(SyncReport::default());
        }
        let mut by_integration: HashMap<IntegrationId, Vec<ad_campaign::Model>> = HashMap::new();
        for campaign in live {
            by_integration
                .entry(campaign.integration_id)
                .or_default()
                .push(campaign);
        }
        let cycle = Utc::now().timestamp() / self.interval.as_secs().max(1) as i64;
        self.forget_old_claims().await;
        let integrations = user_integration::Entity::find()
            .filter(user_integration::Column::Id.is_in(by_integration.keys().copied()))
            .all(&self.db)
            .await?;

        let outcomes: Vec<AccountOutcome> = futures_util::stream::iter(integrations)
            .filter_map(|integration| {
                let campaigns = by_integration.remove(&integration.id);
                async move { campaigns.map(|c| (integration, c)) }
            })
            .map(|(integration, campaigns)| self.sync_account(integration, campaigns, cycle))
            .buffer_unordered(PARALLEL_ACCOUNTS)
            .collect()
            .await;

        let mut report = SyncReport::default();
        for outcome in outcomes {
            report.accounts += 1;
            match outcome {
                AccountOutcome::Slowed => report.slowed += 1,
                AccountOutcome::Failed => report.failed += 1,
                AccountOutcome::Elsewhere => report.elsewhere += 1,
                AccountOutcome::Updated { numbers, statuses } => {
                    report.updated += numbers;
                    report.restatused += statuses;
                }
            }
        }
        Ok(report)
    }

    async fn sync_account(
        &self,
        integration: user_integration::Model,
        campaigns: Vec<ad_campaign::Model>,
        cycle: i64,
    ) -> AccountOutcome {
        let job = match self.claim(&integration, cycle).await {
            Ok(Some(job)) => job,
            Ok(None) => return AccountOutcome::Elsewhere,
            Err(e) => {
                tracing::warn!(integration = %integration.id, error = %e, "cannot claim the insights sync");
                return AccountOutcome::Failed;
            }
        };
        let outcome = self.sync_claimed(integration, campaigns).await;
        let status = match outcome {
            AccountOutcome::Failed => JobStatus::Failed,
            _ => JobStatus::Succeeded,
        };
        if let Err(e) = self.queue.finish(job, &self.worker, status, None).await {
            tracing::debug!(error = %e, "finishing an insights claim failed");
        }
        outcome
    }

    async fn sync_claimed(
        &self,
        integration: user_integration::Model,
        campaigns: Vec<ad_campaign::Model>,
    ) -> AccountOutcome {
        let (platform, creds) = match self.integrations.open(&integration) {
            Ok(opened) => opened,
            Err(e) => {
                tracing::warn!(integration = %integration.id, error = %e, "cannot open the integration for insights");
                return AccountOutcome::Failed;
            }
        };
        if platform
            .usage(&integration.ad_account_id)
            .is_some_and(|u| u.should_slow_down())
        {
            return AccountOutcome::Slowed;
        }
        let ids: Vec<RemoteId> = campaigns
            .iter()
            .filter_map(|c| c.meta_campaign_id.as_deref().map(RemoteId::from))
            .collect();
        let today = Utc::now().date_naive();
        // Meta's days are the ad account's: west of UTC a campaign created
        // today (UTC) started on the day before, which a range from its UTC
        // creation day would lose.
        let since = campaigns
            .iter()
            .map(|c| c.created_at.date_naive())
            .min()
            .unwrap_or(today)
            .pred_opt()
            .unwrap_or(today);
        let range = DateRange {
            since,
            until: today,
        };
        // Numbers and states are independent reads of the same account.
        let (rows, states) = tokio::join!(
            platform.insights(&creds, &ids, range),
            platform.campaign_states(&creds, &ids)
        );
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(integration = %integration.id, error = %e, "reading insights failed");
                return AccountOutcome::Failed;
            }
        };
        let states = states.unwrap_or_else(|e| {
            tracing::warn!(integration = %integration.id, error = %e, "reading campaign states failed; keeping local statuses");
            Vec::new()
        });
        let by_remote: HashMap<&str, &InsightsRow> =
            rows.iter().map(|r| (r.campaign_id.as_str(), r)).collect();
        let state_of: HashMap<&str, &CampaignState> =
            states.iter().map(|s| (s.campaign_id.as_str(), s)).collect();
        let currency = integration.currency.as_deref().unwrap_or("USD");
        let (mut numbers, mut statuses) = (0, 0);
        for campaign in &campaigns {
            let Some(remote) = campaign.meta_campaign_id.as_deref() else {
                continue;
            };
            let mut changed = false;
            // The status first: it is guarded by the `updated_at` this cycle
            // read, which recording the numbers moves.
            if let Some(state) = state_of.get(remote) {
                match self.follow(campaign, &state.delivery).await {
                    Ok(true) => {
                        statuses += 1;
                        changed = true;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(campaign = %campaign.id, error = %e, "writing a remote status failed");
                    }
                }
                // The ads' own states (review, rejection, billing) live on
                // their rows; the campaign row is not touched.
                match ad_delivery::record(&self.db, campaign, &state.ads).await {
                    Ok(true) => changed = true,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(campaign = %campaign.id, error = %e, "writing ad states failed");
                    }
                }
            }
            if let Some(row) = by_remote.get(remote) {
                match self.record(campaign, row, currency).await {
                    Ok(Some(performance)) => {
                        numbers += 1;
                        changed = true;
                        if let Some(rules) = &self.rules {
                            rules.evaluate(campaign, &performance).await;
                        }
                    }
                    Ok(None) => {}
                    Err(e) => {
                        tracing::warn!(campaign = %campaign.id, error = %e, "writing insights failed");
                    }
                }
            }
            if changed {
                let _ = self
                    .events
                    .send(crate::events::CampaignChange::of(campaign));
            }
        }
        AccountOutcome::Updated { numbers, statuses }
    }

    /// Takes over a status the platform reports when it differs from the
    /// local one; whether it did. Conditional on the row this cycle read
    /// (status and `updated_at`), so a user's pause or resume in between —
    /// even a pause and a resume — is never overwritten by a stale read.
    async fn follow(
        &self,
        campaign: &ad_campaign::Model,
        remote: &RemoteDelivery,
    ) -> Result<bool, AppError> {
        let Some((status, error)) =
            local_status_for(campaign.status, campaign.error_message.as_deref(), remote)
        else {
            return Ok(false);
        };
        let now = Utc::now();
        let written = ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::Status, Expr::value(status))
            .col_expr(
                ad_campaign::Column::ErrorMessage,
                Expr::value(error.clone()),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(now))
            .filter(ad_campaign::Column::Id.eq(campaign.id))
            .filter(ad_campaign::Column::Status.eq(campaign.status))
            .filter(ad_campaign::Column::UpdatedAt.eq(campaign.updated_at))
            .exec(&self.db)
            .await?;
        if written.rows_affected == 0 {
            return Ok(false);
        }
        tracing::info!(campaign = %campaign.id, from = ?campaign.status, to = ?status, "campaign status changed on the platform");
        let entry = AuditEntry {
            tenant_id: Some(campaign.tenant_id),
            actor: None,
            action: "campaign.remote_status",
            target: Some(format!("campaign:{}", campaign.id)),
            outcome: entities::AuditOutcome::Success,
            detail: Some(serde_json::json!({
                "actor": SYNC_ACTOR,
                "subject": campaign.user_id.to_string(),
                "from": campaign.status,
                "to": status,
                "reason": error,
            })),
        };
        if let Err(e) = self.audit.record_now(entry).await {
            tracing::warn!(campaign = %campaign.id, error = %e, "could not audit a remote status change");
        }
        Ok(true)
    }

    /// Whether this instance syncs `integration` in `cycle`: the cycle's
    /// job for the account, enqueued by the first instance to get there and
    /// claimed by key (one claim wins).
    async fn claim(
        &self,
        integration: &user_integration::Model,
        cycle: i64,
    ) -> Result<Option<JobId>, AppError> {
        let key = format!("insights:{}:{cycle}", integration.id);
        self.queue
            .enqueue(
                &self.db,
                NewJob {
                    queue: CLAIM_QUEUE,
                    kind: CLAIM_KIND,
                    payload: serde_json::json!({ "integration": integration.id, "cycle": cycle }),
                    tenant: Some(integration.tenant_id),
                    dedupe_key: key.clone(),
                    max_attempts: 1,
                },
            )
            .await?;
        Ok(self
            .queue
            .claim_key(&self.worker, &key)
            .await?
            .map(|job| job.id))
    }

    /// Drops claim rows older than a day; they only matter within a cycle.
    async fn forget_old_claims(&self) {
        let before = Utc::now() - chrono::Duration::days(1);
        let deleted = job::Entity::delete_many()
            .filter(job::Column::Kind.eq(CLAIM_KIND))
            .filter(job::Column::CreatedAt.lt(before))
            .exec(&self.db)
            .await;
        if let Err(e) = deleted {
            tracing::debug!(error = %e, "forgetting old insights claims failed");
        }
    }

    /// Stores `row` as the campaign's numbers when they changed; the
    /// numbers stored, if they did.
    async fn record(
        &self,
        campaign: &ad_campaign::Model,
        row: &InsightsRow,
        currency: &str,
    ) -> Result<Option<Performance>, AppError> {
        let unchanged = campaign.performance.as_ref().is_some_and(|p| {
            p.impressions == row.impressions
                && p.clicks == row.clicks
                && p.spend_cents == row.spend_minor
                && p.leads == row.leads
        });
        if unchanged {
            return Ok(None);
        }
        let now = Utc::now();
        let performance = performance_of(row, currency, now);
        let txn = self.db.begin().await?;
        ad_campaign::ActiveModel {
            id: Set(campaign.id),
            performance: Set(Some(performance.clone())),
            updated_at: Set(now),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        performance_snapshot::ActiveModel {
            id: Set(entities::SnapshotId::generate()),
            tenant_id: Set(campaign.tenant_id),
            user_id: Set(campaign.user_id),
            campaign_id: Set(campaign.id),
            captured_at: Set(now),
            impressions: Set(row.impressions),
            clicks: Set(row.clicks),
            spend_cents: Set(row.spend_minor),
            leads: Set(row.leads),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(Some(performance))
    }
}

enum AccountOutcome {
    Elsewhere,
    Slowed,
    Failed,
    Updated { numbers: usize, statuses: usize },
}

/// The local status and error message a live campaign takes when the
/// platform reports `remote`; `None` when they already agree. A campaign
/// the platform stopped is still switched on there: it stays `ACTIVE`
/// (synced, pausable) and carries the platform's reason.
fn local_status_for(
    local: CampaignStatus,
    local_error: Option<&str>,
    remote: &RemoteDelivery,
) -> Option<(CampaignStatus, Option<String>)> {
    let target = match remote {
        RemoteDelivery::Running => (CampaignStatus::Active, None),
        RemoteDelivery::Paused => (CampaignStatus::Paused, None),
        RemoteDelivery::Stopped { reason } => (CampaignStatus::Active, Some(reason.clone())),
        RemoteDelivery::Ended => (CampaignStatus::Completed, None),
    };
    (target.0 != local || target.1.as_deref() != local_error).then_some(target)
}

/// The stored numbers of one insights row: CTR as a fraction, cost per
/// lead in minor units (rounded down) when there are leads.
pub fn performance_of(row: &InsightsRow, currency: &str, at: chrono::DateTime<Utc>) -> Performance {
    let ctr = if row.impressions > 0 {
        row.clicks as f64 / row.impressions as f64
    } else {
        0.0
    };
    Performance {
        currency: currency.to_owned(),
        impressions: row.impressions,
        clicks: row.clicks,
        spend_cents: row.spend_minor,
        leads: row.leads,
        ctr,
        cost_per_lead_cents: (row.leads > 0).then(|| row.spend_minor / row.leads),
        updated_at: Some(at),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctr_and_cost_per_lead() {
        let row = InsightsRow {
            campaign_id: RemoteId::from("1"),
            impressions: 2000,
            clicks: 50,
            spend_minor: 12_345,
            leads: 4,
        };
        let p = performance_of(&row, "USD", Utc::now());
        assert!((p.ctr - 0.025).abs() < 1e-12);
        assert_eq!(p.cost_per_lead_cents, Some(3086));
        let none = InsightsRow {
            impressions: 0,
            clicks: 0,
            leads: 0,
            ..row
        };
        let p = performance_of(&none, "JPY", Utc::now());
        assert_eq!(p.ctr, 0.0);
        assert_eq!(p.cost_per_lead_cents, None);
        assert_eq!(p.currency, "JPY");
    }

    #[test]
    fn remote_states_become_local_statuses() {
        use CampaignStatus::*;
        let stopped = RemoteDelivery::Stopped {
            reason: "Disapproved".to_owned(),
        };
        assert_eq!(
            local_status_for(Active, None, &RemoteDelivery::Running),
            None
        );
        assert_eq!(
            local_status_for(Paused, None, &RemoteDelivery::Paused),
            None
        );
        assert_eq!(
            local_status_for(Active, None, &RemoteDelivery::Paused),
            Some((Paused, None))
        );
        assert_eq!(
            local_status_for(Paused, None, &RemoteDelivery::Running),
            Some((Active, None))
        );
        // Stopped by the platform: still ACTIVE (it is switched on there),
        // with the reason; once, then left alone; cleared when it runs.
        assert_eq!(
            local_status_for(Active, None, &stopped),
            Some((Active, Some("Disapproved".to_owned())))
        );
        assert_eq!(
            local_status_for(Active, Some("Disapproved"), &stopped),
            None
        );
        assert_eq!(
            local_status_for(Active, Some("Disapproved"), &RemoteDelivery::Running),
            Some((Active, None))
        );
        assert_eq!(
            local_status_for(Paused, None, &RemoteDelivery::Ended),
            Some((Completed, None))
        );
    }
}
