//! `launchCampaign`, `pauseCampaign`, `resumeCampaign`: the status machine
//! of a campaign once it leaves the draft.
//!
//! A launch is accepted in one transaction that starts with its guarded
//! status change (so on SQLite it holds the write lock from its first
//! statement), then reserves the credits and enqueues the job: either all
//! of it happens or none (what the job then does: `services::launch`).
//! Pause and resume change the platform first and the local status only
//! once the platform confirmed.

use adapters::ad_platform::{RemoteId, RemoteStatus};
use chrono::Utc;
use entities::{
    CampaignId, CampaignStatus, CreditEntryKind, IntegrationStatus, MEDIA_BUYER_AGENT_KEY,
    RowScope, TenantScoped, ad_campaign, campaign_creative, user_integration,
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, SqlErr, TransactionTrait,
    sea_query::Expr,
};

use super::{CampaignsService, EDITABLE, find_within};
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
    services::{
        agents,
        audit::AuditEntry,
        credits::{Applied, Movement},
        integrations::{platform_failure, provider_name},
        launch::{launch_job, ledger_key},
        text::TextRule,
    },
};

const IDEMPOTENCY_KEY: TextRule = TextRule::line("idempotencyKey", "The idempotency key", 1, 200);

impl CampaignsService {
    /// Accepts a launch of a `DRAFT` or `ERROR` campaign and returns it as
    /// `LAUNCHING` at once; the job does the rest. The same key again, or
    /// any call while it launches or runs, returns it and moves nothing.
    pub async fn launch(
        &self,
        principal: &Principal,
        id: CampaignId,
        key: Option<String>,
    ) -> Result<ad_campaign::Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Update)
            .await?;
        let key = IDEMPOTENCY_KEY.clean_optional(key.as_deref())?;
        let current = find_within(&self.db, scope, id).await?;
        if !EDITABLE.contains(&current.status) || (key.is_some() && current.idempotency_key == key)
        {
            return Ok(current);
        }
        // Checks that need no lock: a race with them is harmless (the job
        // re-reads everything).
        let links = campaign_creative::Entity::within(scope)
            .filter(campaign_creative::Column::CampaignId.eq(id))
            .count(&self.db)
            .await?;
        if links == 0 {
            return Err(AppError::bad_input(
                "id",
                "The campaign has no creatives; add at least one before launching.",
            ));
        }
        let owner = RowScope::Own {
            tenant: current.tenant_id,
            user: current.user_id,
        };
        let integration = user_integration::Entity::within(owner)
            .filter(user_integration::Column::Id.eq(current.integration_id))
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        if integration.status != IntegrationStatus::Verified {
            return Err(AppError::IntegrationInvalid(format!(
                "The integration's last connection test failed ({}); test it again before launching.",
                integration.last_error.as_deref().unwrap_or("not verified")
            )));
        }
        let agent = agents::view_of(&self.db, current.tenant_id, MEDIA_BUYER_AGENT_KEY).await?;
        agents::ensure_enabled(&agent, current.provider)?;
        let cost = i64::from(agent.agent.credit_cost);

        let launch_key = key.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let txn = self.db.begin().await?;
        let claimed = ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::Status,
                Expr::value(CampaignStatus::Launching),
            )
            .col_expr(
                ad_campaign::Column::IdempotencyKey,
                Expr::value(Some(launch_key.clone())),
            )
            .col_expr(
                ad_campaign::Column::ErrorMessage,
                Expr::value(Option::<String>::None),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(id))
            .filter(ad_campaign::Column::Status.is_in(EDITABLE))
            .exec(&txn)
            .await;
        let claimed = match claimed {
            Ok(r) => r,
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                return Err(AppError::Conflict(
                    "This idempotency key was used for another launch; use a fresh one.".to_owned(),
                ));
            }
            Err(e) => return Err(e.into()),
        };
        if claimed.rows_affected == 0 {
            // A concurrent call won: answer what it made.
            drop(txn);
            return find_within(&self.db, RowScope::All, id).await;
        }
        // A key this campaign launched with before (a late retry of an
        // earlier request) finds its reservation or its job already written:
        // nothing moves, and the transaction, which claimed the campaign,
        // rolls back as it is dropped.
        let reserved = Movement {
            tenant: current.tenant_id,
            user: current.user_id,
            campaign: id,
            kind: CreditEntryKind::Reserve,
            cost,
            key: ledger_key(id, &launch_key, CreditEntryKind::Reserve),
        }
        .apply(&txn)
        .await?;
        if reserved == Applied::Before
            || !self
                .queue
                .enqueue(&txn, launch_job(id, current.tenant_id, &launch_key)?)
                .await?
        {
            return Err(AppError::Conflict(
                "This idempotency key was used for an earlier launch of this campaign; use a fresh one."
                    .to_owned(),
            ));
        }
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "campaign.launch").target(format!("campaign:{id}")),
            )
            .await?;
        txn.commit().await?;
        self.queue.announce().await;
        let _ = self.events.send(id);
        find_within(&self.db, RowScope::All, id).await
    }

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
        let remote = current.meta_campaign_id.clone().ok_or_else(|| {
            AppError::Conflict("The campaign has no remote campaign to change.".to_owned())
        })?;
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
            .set_status(&creds, &RemoteId(remote.clone()), to)
            .await;
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
        result.map_err(|e| platform_failure(e, provider_name(integration.provider)))?;
        ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::Status, Expr::value(target))
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(id))
            .filter(ad_campaign::Column::Status.eq(from))
            .exec(&self.db)
            .await?;
        let _ = self.events.send(id);
        find_within(&self.db, RowScope::All, id).await
    }
}

impl CampaignsService {
    /// Pauses `current`'s remote campaign `remote` on its platform.
    pub(super) async fn pause_remote(
        &self,
        current: &ad_campaign::Model,
        remote: &str,
    ) -> Result<(), AppError> {
        let owner = RowScope::Own {
            tenant: current.tenant_id,
            user: current.user_id,
        };
        let integration = user_integration::Entity::by_id(owner, current.integration_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        let (adapter, creds) = self.integrations.open(&integration)?;
        adapter
            .set_status(&creds, &RemoteId(remote.to_owned()), RemoteStatus::Paused)
            .await
            .map_err(|e| platform_failure(e, provider_name(integration.provider)))
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
    }
}
