//! `launchCampaign`: a launch accepted in one transaction that starts with
//! its guarded status change (so on SQLite it holds the write lock from its
//! first statement), then reserves the credits and enqueues the launch's one
//! job: either all of it happens or none. The same key again, or any call
//! while it launches or runs, answers the campaign and moves nothing; a key
//! used for an earlier launch of the campaign is `CONFLICT`.

use chrono::Utc;
use entities::{
    CampaignId, CampaignStatus, CreditEntryKind, IntegrationStatus, MEDIA_BUYER_AGENT_KEY,
    RowScope, TenantScoped, ad_campaign, campaign_creative, user_integration,
};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, SqlErr, TransactionTrait,
    sea_query::Expr,
};

use super::{approval, launch_job, ledger_key};
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
    services::{
        agents,
        audit::AuditEntry,
        budget,
        campaigns::{CampaignsService, EDITABLE, find_within},
        credits::{Applied, Movement},
        text::TextRule,
    },
    shapes::ToPlatform,
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
        // Where and whom it may target: refused here, before anything is
        // created, rather than by the platform at the ad set.
        if let Ok(audience) = current.target_audience.to_platform()
            && let Err(e) = adapters::ad_platform::launch::check_audience_rules(
                crate::shapes::category_to_platform(current.special_ad_category),
                &audience,
            )
        {
            return Err(AppError::bad_input("targetAudience", e.user_message()));
        }
        let agent = agents::view_of(&self.db, current.tenant_id, MEDIA_BUYER_AGENT_KEY).await?;
        agents::ensure_enabled(&agent, current.provider)?;
        let cost = i64::from(agent.agent.credit_cost);

        // Approval mode, read before the claim: a launch submitted as the
        // mode changes follows the mode it read.
        let needs_approval = approval::required(&self.db, current.tenant_id).await?;
        let claimed_status = if needs_approval {
            CampaignStatus::AwaitingApproval
        } else {
            CampaignStatus::Launching
        };

        let launch_key = key.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let txn = self.db.begin().await?;
        let claimed = ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::Status, Expr::value(claimed_status))
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
        // The budget policy, decided under the tenant's lock so two launches
        // cannot each count the other's budget as not yet running; a refusal
        // rolls the claim back as the transaction is dropped.
        budget::hold_for(&txn, current.tenant_id).await?;
        if let Err(refusal) = self
            .budget
            .check_spend(
                &txn,
                current.tenant_id,
                budget::currency_of(&integration)?,
                id,
                current.daily_budget_cents,
            )
            .await?
        {
            drop(txn);
            self.audit
                .record_now(budget::refused(principal, "campaign.launch", id, &refusal))
                .await?;
            return Err(refusal.into());
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
        if needs_approval && reserved == Applied::Now {
            return self.submit(principal, txn, &current).await;
        }
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
        let _ = self
            .events
            .send(crate::events::CampaignChange::of(&current));
        find_within(&self.db, RowScope::All, id).await
    }

    /// Ends an accepted launch that needs approval (the claim and the
    /// reservation written in `txn`): freezes the digest of its plan and
    /// tells the approvers; no job exists until it is approved.
    async fn submit(
        &self,
        principal: &Principal,
        txn: sea_orm::DatabaseTransaction,
        current: &ad_campaign::Model,
    ) -> Result<ad_campaign::Model, AppError> {
        let id = current.id;
        let digest = approval::plan_digest(&txn, current).await?;
        ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::ApprovalDigest,
                Expr::value(Some(digest.clone())),
            )
            .filter(ad_campaign::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        approval::notify_approvers(&txn, current).await?;
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "campaign.submit")
                    .target(format!("campaign:{id}"))
                    .detail(serde_json::json!({ "planDigest": digest })),
            )
            .await?;
        txn.commit().await?;
        let _ = self.events.send(crate::events::CampaignChange::of(current));
        find_within(&self.db, RowScope::All, id).await
    }
}
