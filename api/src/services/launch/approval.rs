//! Approval mode (issue "money safety", point 2). A tenant whose launches
//! need approval has `launchCampaign` reserve the credits and leave the
//! campaign `AWAITING_APPROVAL` with a digest of its launch plan
//! ([`plan_digest`]); no job exists yet. The chief architect then:
//!
//! - approves: the plan is digested again and must match, or the approval
//!   is void (`CONFLICT`: the campaign changed since it was submitted and
//!   waits to be re-submitted); a match moves it to `LAUNCHING` and
//!   enqueues the launch's one job, with the submission's key;
//! - rejects with a reason: `ERROR` with that reason, credits refunded once.
//!
//! The owner may keep editing a waiting campaign (an edit changes the
//! digest, so it voids any approval until re-submitted) or withdraw it
//! (`DRAFT`, credits refunded once). Re-submitting is withdraw + launch.

use chrono::Utc;
use entities::{
    CampaignId, CampaignStatus, CreativeId, CreditEntryKind, NotificationKind, Role, RowScope,
    TenantId, TenantScoped, ad_campaign, campaign_creative, credit_ledger, tenant, user,
    user_integration,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait, sea_query::Expr,
};

use super::{launch_job, ledger_key};
use crate::{
    auth::Principal,
    authz::{Action, Resource, narrow},
    error::AppError,
    services::{
        audit::AuditEntry,
        campaigns::{CampaignsService, find_within},
        credits::Movement,
        notifications::{NewNotification, raise},
        text::TextRule,
    },
};

const REASON: TextRule = TextRule::line("reason", "The reason", 1, 500);

/// Most campaigns one approval queue lists.
const QUEUE_LIMIT: u64 = 200;

/// A waiting launch as its approver sees it.
#[derive(Debug, Clone)]
pub struct PendingLaunch {
    pub campaign: ad_campaign::Model,
    /// The plan's digest at submission.
    pub submitted_digest: String,
    /// Whether the campaign was edited since (an approval would be void).
    pub changed: bool,
}

/// The digest of everything a launch of `campaign` would create, and
/// where: its settings, budget, category, audience, copy (or the niche the
/// copy would be written from), landing page, form and pixel, its creatives
/// in order, the integration (so the ad account) and its Page. The same
/// inputs as [`super::tag_of`], digested in full.
pub async fn plan_digest<C: ConnectionTrait>(
    conn: &C,
    campaign: &ad_campaign::Model,
) -> Result<String, AppError> {
    let creatives: Vec<CreativeId> = campaign_creative::Entity::find()
        .filter(campaign_creative::Column::CampaignId.eq(campaign.id))
        .order_by_asc(campaign_creative::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.creative_id)
        .collect();
    let page = user_integration::Entity::find_by_id(campaign.integration_id)
        .one(conn)
        .await?
        .and_then(|i| i.page_id);
    Ok(digest_of(campaign, &creatives, page.as_deref()))
}

/// The digest of the plan made of `campaign`, its `creatives` in order and
/// the integration's Page: hex SHA-256 of a canonical JSON text
/// (serde_json's maps are ordered).
pub fn digest_of(
    campaign: &ad_campaign::Model,
    creatives: &[CreativeId],
    page: Option<&str>,
) -> String {
    use sha2::Digest;
    let plan = serde_json::json!({
        "name": campaign.campaign_name,
        "objective": campaign.objective,
        "budget": campaign.daily_budget_cents,
        "category": campaign.special_ad_category,
        "audience": campaign.target_audience,
        "copy": campaign.ad_copy,
        "niche": campaign.niche,
        "url": campaign.destination_url,
        "form": campaign.lead_form_id,
        "pixel": campaign.pixel_id,
        "creatives": creatives.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "integration": campaign.integration_id.to_string(),
        "page": page,
    });
    hex::encode(sha2::Sha256::digest(plan.to_string().as_bytes()))
}

/// Whether `tenant`'s launches wait for approval.
pub async fn required<C: ConnectionTrait>(conn: &C, tenant: TenantId) -> Result<bool, AppError> {
    Ok(tenant::Entity::find_by_id(tenant)
        .one(conn)
        .await?
        .is_some_and(|t| t.launch_approval_required))
}

/// Tells every chief architect that `campaign` waits for them.
pub async fn notify_approvers<C: ConnectionTrait>(
    conn: &C,
    campaign: &ad_campaign::Model,
) -> Result<(), AppError> {
    let approvers = user::Entity::find()
        .filter(user::Column::Role.eq(Role::ChiefArchitect))
        .all(conn)
        .await?;
    for approver in approvers {
        raise(
            conn,
            NewNotification {
                tenant: approver.tenant_id,
                user: approver.id,
                kind: NotificationKind::ApprovalNeeded,
                title: "A launch waits for your approval".to_owned(),
                body: format!(
                    "\"{}\" was submitted for launch; approve or reject it in the approval queue.",
                    campaign.campaign_name
                ),
                campaign: Some(campaign.id),
                integration: None,
                dedupe_key: None,
            },
        )
        .await?;
    }
    Ok(())
}

impl CampaignsService {
    /// Turns approval mode on or off for `tenant` (chief architect only).
    pub async fn set_approval_mode(
        &self,
        principal: &Principal,
        tenant_id: TenantId,
        required: bool,
    ) -> Result<(), AppError> {
        self.authz
            .authorize(principal, Resource::Budget, Action::Manage)
            .await?;
        let txn = self.db.begin().await?;
        let updated = tenant::Entity::update_many()
            .col_expr(
                tenant::Column::LaunchApprovalRequired,
                Expr::value(required),
            )
            .filter(tenant::Column::Id.eq(tenant_id))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Err(AppError::NotFound("tenant"));
        }
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "budget.approval_mode")
                    .target(format!("tenant:{tenant_id}"))
                    .detail(serde_json::json!({ "required": required })),
            )
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Launches waiting for approval, oldest first: every tenant's (or one
    /// tenant's) for the chief architect, the caller's own for a member.
    pub async fn awaiting_approval(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
    ) -> Result<Vec<PendingLaunch>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Read)
            .await?;
        // Members see their own launches only, whatever their read scope.
        let scope = match (principal.role, scope) {
            (Role::ChiefArchitect, s) => s,
            _ => RowScope::Own {
                tenant: principal.tenant_id,
                user: principal.user_id,
            },
        };
        let rows = ad_campaign::Entity::within(narrow(scope, tenant, principal))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::AwaitingApproval))
            .order_by_asc(ad_campaign::Column::UpdatedAt)
            .order_by_asc(ad_campaign::Column::Id)
            .limit(QUEUE_LIMIT)
            .all(&self.db)
            .await?;
        let mut pending = Vec::with_capacity(rows.len());
        for campaign in rows {
            let submitted_digest = campaign.approval_digest.clone().unwrap_or_default();
            let changed = plan_digest(&self.db, &campaign).await? != submitted_digest;
            pending.push(PendingLaunch {
                campaign,
                submitted_digest,
                changed,
            });
        }
        Ok(pending)
    }

    /// Approves a waiting launch whose plan is still the one submitted:
    /// `LAUNCHING`, and its job enqueued.
    pub async fn approve_launch(
        &self,
        principal: &Principal,
        id: CampaignId,
    ) -> Result<ad_campaign::Model, AppError> {
        self.authz
            .authorize(principal, Resource::Budget, Action::Manage)
            .await?;
        let submitted_row = waiting(&self.db, id).await?;
        let submitted = submitted_row.approval_digest.clone().unwrap_or_default();
        let key = submitted_row
            .idempotency_key
            .clone()
            .ok_or_else(|| AppError::internal(MissingKey(id)))?;
        // The claim comes first, guarded by the submission (status, digest
        // and key): from here an edit, a withdrawal or another decision
        // waits for this transaction or finds the campaign no longer
        // waiting, so the plan digested below is the one that launches.
        let txn = self.db.begin().await?;
        let moved = ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::Status,
                Expr::value(CampaignStatus::Launching),
            )
            .col_expr(
                ad_campaign::Column::ApprovalDigest,
                Expr::value(Option::<String>::None),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(id))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::AwaitingApproval))
            .filter(ad_campaign::Column::ApprovalDigest.eq(submitted.clone()))
            .filter(ad_campaign::Column::IdempotencyKey.eq(key.clone()))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Err(decided());
        }
        let current = find_within(&txn, RowScope::All, id).await?;
        if plan_digest(&txn, &current).await? != submitted {
            // The claim rolls back as the transaction is dropped: it waits.
            drop(txn);
            self.audit
                .record_now(
                    AuditEntry::by(principal, "campaign.approve")
                        .target(format!("campaign:{id}"))
                        .outcome(entities::AuditOutcome::Failure)
                        .detail(serde_json::json!({ "reason": "plan changed" })),
                )
                .await?;
            return Err(AppError::Conflict(
                "The campaign changed after it was submitted, so this approval is void; its owner must withdraw and re-submit it.".to_owned(),
            ));
        }
        self.queue
            .enqueue(&txn, launch_job(id, current.tenant_id, &key)?)
            .await?;
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "campaign.approve").target(format!("campaign:{id}")),
            )
            .await?;
        tell_owner(&txn, &current, "approved; it is launching now").await?;
        txn.commit().await?;
        self.queue.announce().await;
        let _ = self
            .events
            .send(crate::events::CampaignChange::of(&current));
        find_within(&self.db, RowScope::All, id).await
    }

    /// Rejects a waiting launch with `reason`: `ERROR` with the reason,
    /// credits refunded once.
    pub async fn reject_launch(
        &self,
        principal: &Principal,
        id: CampaignId,
        reason: &str,
    ) -> Result<ad_campaign::Model, AppError> {
        self.authz
            .authorize(principal, Resource::Budget, Action::Manage)
            .await?;
        let reason = REASON.clean(reason)?;
        let message = format!("Launch rejected: {reason}");
        self.end_wait(
            principal,
            id,
            RowScope::All,
            CampaignStatus::Error,
            Some(message),
            "campaign.reject",
        )
        .await
    }

    /// The owner takes a waiting launch back: `DRAFT`, credits refunded
    /// once.
    pub async fn withdraw_launch(
        &self,
        principal: &Principal,
        id: CampaignId,
    ) -> Result<ad_campaign::Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Update)
            .await?;
        self.end_wait(
            principal,
            id,
            scope,
            CampaignStatus::Draft,
            None,
            "campaign.withdraw",
        )
        .await
    }

    /// Ends a wait without launching: the guarded status change and the
    /// refund of the submission's reservation, in one transaction.
    async fn end_wait(
        &self,
        principal: &Principal,
        id: CampaignId,
        scope: RowScope,
        status: CampaignStatus,
        message: Option<String>,
        action: &'static str,
    ) -> Result<ad_campaign::Model, AppError> {
        let current = find_within(&self.db, scope, id).await?;
        let txn = self.db.begin().await?;
        let moved = ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::Status, Expr::value(status))
            .col_expr(ad_campaign::Column::ErrorMessage, Expr::value(message))
            .col_expr(
                ad_campaign::Column::ApprovalDigest,
                Expr::value(Option::<String>::None),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(id))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::AwaitingApproval))
            .exec(&txn)
            .await?;
        if moved.rows_affected == 0 {
            return Err(decided());
        }
        let key = current
            .idempotency_key
            .clone()
            .ok_or_else(|| AppError::internal(MissingKey(id)))?;
        let reserved = credit_ledger::Entity::find()
            .filter(credit_ledger::Column::IdempotencyKey.eq(ledger_key(
                id,
                &key,
                CreditEntryKind::Reserve,
            )))
            .one(&txn)
            .await?
            .map_or(0, |r| -r.delta);
        if reserved > 0 {
            Movement {
                tenant: current.tenant_id,
                user: current.user_id,
                campaign: id,
                kind: CreditEntryKind::Refund,
                cost: reserved,
                key: ledger_key(id, &key, CreditEntryKind::Refund),
            }
            .apply(&txn)
            .await?;
        }
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, action).target(format!("campaign:{id}")),
            )
            .await?;
        if status == CampaignStatus::Error {
            tell_owner(&txn, &current, "rejected; see its error message").await?;
        }
        txn.commit().await?;
        let _ = self
            .events
            .send(crate::events::CampaignChange::of(&current));
        find_within(&self.db, RowScope::All, id).await
    }
}

/// The campaign, which must be waiting for approval.
async fn waiting<C: ConnectionTrait>(
    conn: &C,
    id: CampaignId,
) -> Result<ad_campaign::Model, AppError> {
    let current = find_within(conn, RowScope::All, id).await?;
    if current.status != CampaignStatus::AwaitingApproval {
        return Err(decided());
    }
    Ok(current)
}

fn decided() -> AppError {
    AppError::Conflict(
        "The campaign is not waiting for approval (it was decided, withdrawn or never submitted)."
            .to_owned(),
    )
}

async fn tell_owner<C: ConnectionTrait>(
    conn: &C,
    campaign: &ad_campaign::Model,
    outcome: &str,
) -> Result<(), AppError> {
    raise(
        conn,
        NewNotification {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
            kind: NotificationKind::ApprovalDecided,
            title: format!("Launch {}", outcome.split(';').next().unwrap_or(outcome)),
            body: format!(
                "The launch of \"{}\" was {outcome}.",
                campaign.campaign_name
            ),
            campaign: Some(campaign.id),
            integration: None,
            dedupe_key: None,
        },
    )
    .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
#[error("campaign {0} waits for approval without a launch key")]
struct MissingKey(CampaignId);

#[cfg(test)]
mod tests {
    use entities::{CreativeId, IntegrationId, ad_campaign};

    use super::digest_of;
    use crate::services::launch::tests::draft;

    #[test]
    fn any_change_to_what_would_be_created_changes_the_digest() {
        let campaign = draft();
        let creatives = [CreativeId::generate(), CreativeId::generate()];
        let digest = digest_of(&campaign, &creatives, Some("page-1"));
        assert_eq!(digest.len(), 64);
        assert_eq!(digest, digest_of(&campaign, &creatives, Some("page-1")));
        let edits = [
            ad_campaign::Model {
                daily_budget_cents: campaign.daily_budget_cents + 1,
                ..campaign.clone()
            },
            ad_campaign::Model {
                campaign_name: "Open day!".into(),
                ..campaign.clone()
            },
            ad_campaign::Model {
                niche: Some("yoga".into()),
                ..campaign.clone()
            },
            ad_campaign::Model {
                integration_id: IntegrationId::generate(),
                ..campaign.clone()
            },
        ];
        for edited in &edits {
            assert_ne!(digest, digest_of(edited, &creatives, Some("page-1")));
        }
        let mut audience = campaign.clone();
        audience.target_audience.age_max -= 1;
        assert_ne!(digest, digest_of(&audience, &creatives, Some("page-1")));
        // Creatives' order, another Page, no Page.
        let swapped = [creatives[1], creatives[0]];
        assert_ne!(digest, digest_of(&campaign, &swapped, Some("page-1")));
        assert_ne!(digest, digest_of(&campaign, &creatives, Some("page-2")));
        assert_ne!(digest, digest_of(&campaign, &creatives, None));
    }
}
