//! `pauseAllCampaigns`: stop everything, now. A member pauses all of their
//! running campaigns; the chief architect those of one tenant or of every
//! tenant. Each campaign is paused platform-first as `pauseCampaign` does,
//! several at once, and every outcome comes back — paused, already paused,
//! still launching, or failed with the platform's words. Nothing here asks
//! for credits, approval, the budget policy or the pause/resume throttle:
//! stopping spend is never refused for those.

use adapters::ad_platform::RemoteStatus;
use chrono::Utc;
use entities::{CampaignStatus, RowScope, TenantId, TenantScoped, ad_campaign};
use futures_util::{StreamExt, stream};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};

use super::CampaignsService;
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
    services::{audit::AuditEntry, integrations::platform_failure},
};

/// Platform calls in flight at once: enough to stop hundreds of campaigns
/// in seconds, few enough not to trip the platform's rate limits.
const IN_FLIGHT: usize = 8;

/// Whose campaigns to pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseAllTarget {
    /// The caller's own.
    Own,
    /// One tenant's (chief architect).
    Tenant(TenantId),
    /// Every tenant's (chief architect).
    Everyone,
}

/// Who pauses, for the audit trail.
#[derive(Debug, Clone)]
pub enum PauseActor<'a> {
    /// A signed-in caller.
    User(&'a Principal),
    /// A background task (a stop-loss rule), with what made it act.
    Worker {
        name: &'static str,
        why: serde_json::Value,
    },
}

/// What became of one campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseResult {
    /// Paused on the platform and here.
    Paused,
    /// It was paused already.
    AlreadyPaused,
    /// Its launch is still running; pause it once the launch ends.
    Launching,
    /// The platform refused or could not be reached; it may still spend.
    Failed,
}

/// One campaign's outcome.
#[derive(Debug, Clone)]
pub struct PauseOutcome {
    pub campaign: ad_campaign::Model,
    pub result: PauseResult,
    /// The platform's words when it failed; what to do when launching.
    pub message: Option<String>,
}

impl CampaignsService {
    /// Pauses every running campaign of `target`; one outcome per
    /// campaign that runs or could run (active, launching, paused), by
    /// creation time.
    pub async fn pause_all(
        &self,
        principal: &Principal,
        target: PauseAllTarget,
    ) -> Result<Vec<PauseOutcome>, AppError> {
        let allowed = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Update)
            .await?;
        let scope = match (target, allowed) {
            (PauseAllTarget::Own, _) => RowScope::Own {
                tenant: principal.tenant_id,
                user: principal.user_id,
            },
            (PauseAllTarget::Tenant(t), RowScope::All) => RowScope::Tenant(t),
            (PauseAllTarget::Everyone, RowScope::All) => RowScope::All,
            _ => {
                return Err(AppError::Forbidden(
                    "Only the chief architect can pause another member's or tenant's campaigns."
                        .to_owned(),
                ));
            }
        };
        let campaigns = ad_campaign::Entity::within(scope)
            .filter(ad_campaign::Column::Status.is_in([
                CampaignStatus::Active,
                CampaignStatus::Launching,
                CampaignStatus::Paused,
            ]))
            .order_by_asc(ad_campaign::Column::CreatedAt)
            .order_by_asc(ad_campaign::Column::Id)
            .all(&self.db)
            .await?;
        let outcomes: Vec<PauseOutcome> = stream::iter(campaigns)
            .map(|campaign| self.pause_one(PauseActor::User(principal), campaign))
            .buffered(IN_FLIGHT)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
        let count = |r: PauseResult| outcomes.iter().filter(|o| o.result == r).count();
        self.audit
            .record_now(
                AuditEntry::by(principal, "campaign.pause_all")
                    .target(match target {
                        PauseAllTarget::Own => format!("user:{}", principal.user_id),
                        PauseAllTarget::Tenant(t) => format!("tenant:{t}"),
                        PauseAllTarget::Everyone => "tenant:*".to_owned(),
                    })
                    .outcome(if count(PauseResult::Failed) == 0 {
                        entities::AuditOutcome::Success
                    } else {
                        entities::AuditOutcome::Failure
                    })
                    .detail(serde_json::json!({
                        "paused": count(PauseResult::Paused),
                        "alreadyPaused": count(PauseResult::AlreadyPaused),
                        "launching": count(PauseResult::Launching),
                        "failed": count(PauseResult::Failed),
                    })),
            )
            .await?;
        Ok(outcomes)
    }

    /// Pauses one campaign platform-first; a platform's refusal is an
    /// outcome, not an error (the others still get paused).
    pub(crate) async fn pause_one(
        &self,
        actor: PauseActor<'_>,
        campaign: ad_campaign::Model,
    ) -> Result<PauseOutcome, AppError> {
        let done = |campaign, result, message: Option<String>| PauseOutcome {
            campaign,
            result,
            message,
        };
        match campaign.status {
            CampaignStatus::Paused => return Ok(done(campaign, PauseResult::AlreadyPaused, None)),
            CampaignStatus::Launching => {
                return Ok(done(
                    campaign,
                    PauseResult::Launching,
                    Some(
                        "The launch is still running; pause the campaign once it ends.".to_owned(),
                    ),
                ));
            }
            _ => {}
        }
        let Some(remote) = campaign.meta_campaign_id.clone() else {
            return Ok(done(
                campaign,
                PauseResult::Failed,
                Some("The campaign has no remote campaign to pause.".to_owned()),
            ));
        };
        let answer = match self
            .set_remote(&campaign, &remote, RemoteStatus::Paused)
            .await
        {
            Ok((result, platform)) => result.map_err(|e| platform_failure(e, platform)),
            // The integration could not be opened (gone, unreadable).
            Err(e) => Err(e),
        };
        let entry = match actor {
            PauseActor::User(principal) => AuditEntry::by(principal, "campaign.pause")
                .detail(serde_json::json!({ "object": remote, "via": "pause_all" })),
            PauseActor::Worker { name, why } => AuditEntry {
                tenant_id: Some(campaign.tenant_id),
                actor: None,
                action: "campaign.pause",
                target: None,
                outcome: entities::AuditOutcome::Success,
                detail: Some(serde_json::json!({ "object": remote, "actor": name, "why": why })),
            },
        };
        self.audit
            .record_now(entry.target(format!("campaign:{}", campaign.id)).outcome(
                if answer.is_ok() {
                    entities::AuditOutcome::Success
                } else {
                    entities::AuditOutcome::Failure
                },
            ))
            .await?;
        if let Err(e) = answer {
            let words = match e {
                AppError::Internal(cause) => {
                    tracing::error!(campaign = %campaign.id, error = %cause, "pause-all could not pause a campaign");
                    "An internal error stopped this pause; it has been logged. Try again."
                        .to_owned()
                }
                refused => refused.to_string(),
            };
            return Ok(done(campaign, PauseResult::Failed, Some(words)));
        }
        let now = Utc::now();
        ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::Status,
                Expr::value(CampaignStatus::Paused),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(now))
            .filter(ad_campaign::Column::Id.eq(campaign.id))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::Active))
            .exec(&self.db)
            .await?;
        let _ = self
            .events
            .send(crate::events::CampaignChange::of(&campaign));
        let paused = ad_campaign::Model {
            status: CampaignStatus::Paused,
            updated_at: now,
            ..campaign
        };
        Ok(done(paused, PauseResult::Paused, None))
    }
}
