//! `pauseCampaign`, `resumeCampaign`: a launched campaign switched on and
//! off. Both change the platform first and the local status only once the
//! platform confirmed. (`launchCampaign` lives with the rest of the launch,
//! in `services::launch::accept`.)

use adapters::ad_platform::{RemoteId, RemoteStatus};
use chrono::Utc;
use entities::{CampaignId, CampaignStatus, RowScope, TenantScoped, ad_campaign, user_integration};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::{CampaignsService, find_within};
use crate::{
    auth::Principal,
    authz::Action,
    error::AppError,
    services::{
        audit::AuditEntry,
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
