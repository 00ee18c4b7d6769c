//! `pauseCampaign`, `resumeCampaign`: a launched campaign switched on and
//! off. Both change the platform first and report the platform's answer. A
//! pause changes the local status once the platform confirmed; a resume
//! first claims the campaign's share of the tenant's budget (the status
//! goes `ACTIVE` under the budget policy's lock) and gives it back if the
//! platform refuses, so no two resumes can together exceed the policy.
//! (`launchCampaign` lives with the rest of the launch, in
//! `services::launch::accept`.)

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use adapters::ad_platform::{PlatformError, RemoteId, RemoteStatus};
use chrono::Utc;
use entities::{CampaignId, CampaignStatus, RowScope, TenantScoped, ad_campaign, user_integration};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait, sea_query::Expr};

use super::{CampaignsService, find_within};
use crate::{
    auth::Principal,
    authz::Action,
    error::AppError,
    services::{
        audit::AuditEntry,
        budget,
        integrations::{platform_failure, provider_name},
    },
};

impl CampaignsService {
    /// Pauses an `ACTIVE` campaign on the platform, then here.
    pub async fn pause(
        &self,
        principal: &Principal,
        id: CampaignId,
    ) -> Result<ad_campaign::Model, AppError> {
        self.switch(principal, id, RemoteStatus::Paused).await
    }

    /// Resumes a `PAUSED` campaign on the platform, then here.
    pub async fn resume(
        &self,
        principal: &Principal,
        id: CampaignId,
    ) -> Result<ad_campaign::Model, AppError> {
        self.switch(principal, id, RemoteStatus::Active).await
    }

    async fn switch(
        &self,
        principal: &Principal,
        id: CampaignId,
        to: RemoteStatus,
    ) -> Result<ad_campaign::Model, AppError> {
        let current = self.get(principal, id, Action::Update).await?;
        let (from, target, verb) = match to {
            RemoteStatus::Paused => (CampaignStatus::Active, CampaignStatus::Paused, "paused"),
            _ => (CampaignStatus::Paused, CampaignStatus::Active, "resumed"),
        };
        if current.status == target {
            return Ok(current);
        }
        if current.status != from {
            return Err(AppError::Conflict(format!(
                "Only {} campaigns can be {verb}; this one is {}.",
                if from == CampaignStatus::Active {
                    "active"
                } else {
                    "paused"
                },
                status_word(current.status)
            )));
        }
        self.switches.check(id)?;
        let remote = current.meta_campaign_id.clone().ok_or_else(|| {
            AppError::Conflict("The campaign has no remote campaign to change.".to_owned())
        })?;
        let claimed = to == RemoteStatus::Active;
        if claimed && !self.claim_budget(principal, &current).await? {
            // Changed meanwhile (paused, resumed or stopped by another call).
            return find_within(&self.db, RowScope::All, id).await;
        }
        let (result, platform) = match self.set_remote(&current, &remote, to).await {
            Ok(answer) => answer,
            Err(e) => {
                if claimed {
                    self.give_back(id).await?;
                }
                return Err(e);
            }
        };
        if claimed && result.is_err() {
            self.give_back(id).await?;
        }
        self.audit
            .record_now(
                AuditEntry::by(
                    principal,
                    if to == RemoteStatus::Paused {
                        "campaign.pause"
                    } else {
                        "campaign.resume"
                    },
                )
                .target(format!("campaign:{id}"))
                .outcome(if result.is_ok() {
                    entities::AuditOutcome::Success
                } else {
                    entities::AuditOutcome::Failure
                })
                .detail(serde_json::json!({ "object": remote })),
            )
            .await?;
        result.map_err(|e| platform_failure(e, platform))?;
        if !claimed {
            ad_campaign::Entity::update_many()
                .col_expr(ad_campaign::Column::Status, Expr::value(target))
                .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(ad_campaign::Column::Id.eq(id))
                .filter(ad_campaign::Column::Status.eq(from))
                .exec(&self.db)
                .await?;
        }
        let _ = self
            .events
            .send(crate::events::CampaignChange::of(&current));
        find_within(&self.db, RowScope::All, id).await
    }

    /// Moves a `PAUSED` campaign to `ACTIVE` if the budget policy lets it
    /// spend again: the guarded status change first (on SQLite the write
    /// lock from the first statement), then the tenant's lock and the
    /// check, all in one transaction. `false` when the campaign was no
    /// longer paused.
    async fn claim_budget(
        &self,
        principal: &Principal,
        current: &ad_campaign::Model,
    ) -> Result<bool, AppError> {
        let owner = RowScope::Own {
            tenant: current.tenant_id,
            user: current.user_id,
        };
        let integration = user_integration::Entity::by_id(owner, current.integration_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        let currency = budget::currency_of(&integration)?;
        let txn = self.db.begin().await?;
        let claimed = ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::Status,
                Expr::value(CampaignStatus::Active),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(current.id))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::Paused))
            .exec(&txn)
            .await?;
        if claimed.rows_affected == 0 {
            return Ok(false);
        }
        budget::hold_for(&txn, current.tenant_id).await?;
        if let Err(refusal) = self
            .budget
            .check_spend(
                &txn,
                current.tenant_id,
                currency,
                current.id,
                current.daily_budget_cents,
            )
            .await?
        {
            drop(txn);
            self.audit
                .record_now(budget::refused(
                    principal,
                    "campaign.resume",
                    current.id,
                    &refusal,
                ))
                .await?;
            return Err(refusal.into());
        }
        txn.commit().await?;
        Ok(true)
    }

    /// Returns a resume's claim: the platform did not switch the campaign
    /// on, so it is `PAUSED` again (unless something else changed it).
    async fn give_back(&self, id: CampaignId) -> Result<(), AppError> {
        ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::Status,
                Expr::value(CampaignStatus::Paused),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(id))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::Active))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

impl CampaignsService {
    /// Pauses `current`'s remote campaign `remote` on its platform.
    pub(super) async fn pause_remote(
        &self,
        current: &ad_campaign::Model,
        remote: &str,
    ) -> Result<(), AppError> {
        let (result, platform) = self
            .set_remote(current, remote, RemoteStatus::Paused)
            .await?;
        result.map_err(|e| platform_failure(e, platform))
    }

    /// Sets `remote`'s status on `current`'s platform through its
    /// integration: the platform's answer (for the caller to audit or map)
    /// and the platform's name.
    pub(super) async fn set_remote(
        &self,
        current: &ad_campaign::Model,
        remote: &str,
        to: RemoteStatus,
    ) -> Result<(Result<(), PlatformError>, &'static str), AppError> {
        let owner = RowScope::Own {
            tenant: current.tenant_id,
            user: current.user_id,
        };
        let integration = user_integration::Entity::by_id(owner, current.integration_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        let (adapter, creds) = self.integrations.open(&integration)?;
        let result = adapter
            .set_status(&creds, &RemoteId(remote.to_owned()), to)
            .await;
        Ok((result, provider_name(integration.provider)))
    }
}

/// Pauses and resumes one campaign may take within [`SWITCH_WINDOW`].
pub const SWITCH_BURST: usize = 4;
/// The window [`SWITCH_BURST`] counts in.
pub const SWITCH_WINDOW: Duration = Duration::from_secs(10);

/// At most [`SWITCH_BURST`] pauses or resumes per campaign per
/// [`SWITCH_WINDOW`] in this process: each costs a platform call and an
/// event for every dashboard watching the campaign, so a user can undo a
/// click at once but a loop toggling a campaign is refused.
#[derive(Debug, Clone, Default)]
pub struct SwitchThrottle(Arc<Mutex<HashMap<CampaignId, VecDeque<Instant>>>>);

impl SwitchThrottle {
    fn check(&self, id: CampaignId) -> Result<(), AppError> {
        let now = Instant::now();
        let mut recent = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.len() > 10_000 {
            recent.retain(|_, at| {
                at.back()
                    .is_some_and(|t| now.duration_since(*t) < SWITCH_WINDOW)
            });
        }
        let times = recent.entry(id).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= SWITCH_WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= SWITCH_BURST
            && let Some(oldest) = times.front()
        {
            let wait = SWITCH_WINDOW.saturating_sub(now.duration_since(*oldest));
            return Err(AppError::RateLimited {
                message: format!(
                    "This campaign was paused or resumed {SWITCH_BURST} times in the last {} s; try again in {} s.",
                    SWITCH_WINDOW.as_secs(),
                    wait.as_secs().max(1)
                ),
                retry_after: Some(wait),
            });
        }
        times.push_back(now);
        Ok(())
    }
}

fn status_word(status: CampaignStatus) -> &'static str {
    match status {
        CampaignStatus::Draft => "a draft",
        CampaignStatus::Launching => "launching",
        CampaignStatus::Active => "active",
        CampaignStatus::Paused => "paused",
        CampaignStatus::Completed => "completed",
        CampaignStatus::Error => "failed",
        CampaignStatus::AwaitingApproval => "awaiting approval",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_can_be_undone_at_once_but_not_toggled_in_a_loop() {
        let throttle = SwitchThrottle::default();
        let (a, b) = (CampaignId::generate(), CampaignId::generate());
        for _ in 0..SWITCH_BURST {
            assert!(throttle.check(a).is_ok());
        }
        let Err(AppError::RateLimited { retry_after, .. }) = throttle.check(a) else {
            panic!("the fifth switch in the window is refused");
        };
        assert!(retry_after.is_some_and(|w| w <= SWITCH_WINDOW));
        assert!(
            throttle.check(b).is_ok(),
            "other campaigns are not affected"
        );
    }
}
