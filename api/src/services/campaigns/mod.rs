//! Media-buyer campaigns: drafts checked as a whole before they are saved,
//! edited and deleted only while nothing runs, listed within the caller's
//! scope, and the batched reads behind their nested fields.

pub mod input;
mod lifecycle;
pub use lifecycle::SwitchThrottle;
mod nested;
pub mod pause_all;
pub mod platform_checks;
pub mod preview;

use chrono::Utc;
use entities::{
    CampaignId, CampaignStatus, CreativeId, IntegrationStatus, RowScope, TenantId, TenantScoped,
    UserId,
    ad_campaign::{ActiveModel, Column, Entity, Model},
    campaign_creative, creative, user_integration,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

pub use input::CampaignInput;
use tokio::sync::broadcast;

use super::{
    audit::{AuditEntry, AuditService},
    integrations::IntegrationsService,
    launch::plan::copy_after_edit,
    pagination::{self, Cursor, Page, PageRequest},
};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::{AppError, InputProblem},
    jobs::JobQueue,
};

/// Statuses in which a campaign may be edited or deleted: nothing of it
/// runs on the platform.
pub const EDITABLE: [CampaignStatus; 2] = [CampaignStatus::Draft, CampaignStatus::Error];

/// Statuses whose settings `updateCampaign` may change: the editable ones,
/// and a launch waiting for approval, whose edit changes its plan's digest
/// and so voids any approval until it is withdrawn and re-submitted.
pub const AMENDABLE: [CampaignStatus; 3] = [
    CampaignStatus::Draft,
    CampaignStatus::Error,
    CampaignStatus::AwaitingApproval,
];

/// A campaign's creative link with the creative itself.
pub type LinkedCreative = (campaign_creative::Model, creative::Model);

/// Built once in `Services::build` (a struct literal: it has many handles).
#[derive(Clone)]
pub struct CampaignsService {
    pub(crate) db: DatabaseConnection,
    pub(crate) authz: Authorizer,
    pub(crate) audit: AuditService,
    pub(crate) integrations: IntegrationsService,
    /// The tenant's budget policy.
    pub(crate) budget: crate::services::budget::BudgetPolicy,
    pub(crate) queue: JobQueue,
    /// Writes copy for the dry run when the draft has none.
    pub(crate) copywriter: std::sync::Arc<dyn adapters::copywriter::Copywriter>,
    /// Ids of campaigns whose status changed (subscriptions will listen).
    pub(crate) events: broadcast::Sender<crate::events::CampaignChange>,
    /// Pauses and resumes lately made, per campaign.
    pub(crate) switches: lifecycle::SwitchThrottle,
}

impl CampaignsService {
    /// The caller's campaigns (everyone's for the chief architect, or one
    /// tenant's), newest first, optionally of one status.
    pub async fn list(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        status: Option<CampaignStatus>,
        request: PageRequest,
    ) -> Result<Page<Model>, AppError> {
        let scope = self.read_scope(principal, tenant).await?;
        let mut select = Entity::within(scope);
        if let Some(status) = status {
            select = select.filter(Column::Status.eq(status));
        }
        pagination::page(
            &self.db,
            select,
            Column::CreatedAt,
            Column::Id,
            request,
            |m| Cursor {
                at: m.created_at,
                id: m.id.into_uuid(),
            },
        )
        .await
    }

    /// The caller's campaigns (of one tenant, when given) changed at or
    /// after `since`: the `limit` most recently changed, oldest change
    /// first. What a live subscriber that may have missed events re-reads.
    pub async fn changed_since(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        since: chrono::DateTime<chrono::Utc>,
        limit: u64,
    ) -> Result<Vec<Model>, AppError> {
        let scope = self.read_scope(principal, tenant).await?;
        let mut rows = Entity::within(scope)
            .filter(Column::UpdatedAt.gte(since))
            .order_by_desc(Column::UpdatedAt)
            .order_by_desc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?;
        rows.reverse();
        Ok(rows)
    }

    /// The campaigns the caller may read, narrowed to one tenant when given.
    async fn read_scope(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
    ) -> Result<RowScope, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Read)
            .await?;
        Ok(crate::authz::narrow(scope, tenant, principal))
    }

    /// One campaign within the caller's scope for `action`, or `NOT_FOUND`.
    pub async fn get(
        &self,
        principal: &Principal,
        id: CampaignId,
        action: Action,
    ) -> Result<Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, action)
            .await?;
        find_within(&self.db, scope, id).await
    }

    /// Saves a new `DRAFT` of the caller after checking all of it.
    pub async fn create(
        &self,
        principal: &Principal,
        raw: CampaignInput,
    ) -> Result<Model, AppError> {
        self.authz
            .authorize(principal, Resource::Campaign, Action::Create)
            .await?;
        let owner = RowScope::Own {
            tenant: principal.tenant_id,
            user: principal.user_id,
        };
        let (input, integration) = self.checked(owner, &raw).await?;
        let now = Utc::now();
        let id = CampaignId::generate();
        let row = ActiveModel {
            id: Set(id),
            tenant_id: Set(principal.tenant_id),
            user_id: Set(principal.user_id),
            provider: Set(integration.provider),
            status: Set(CampaignStatus::Draft),
            created_at: Set(now),
            ..draft_fields(&input, now)
        };
        let txn = self.db.begin().await?;
        Entity::insert(row).exec(&txn).await?;
        link_creatives(
            &txn,
            id,
            principal.tenant_id,
            principal.user_id,
            &input.creative_ids,
        )
        .await?;
        if let Some(currency) = integration.currency.as_deref() {
            crate::services::stop_loss::copy_defaults(&txn, principal.user_id, id, currency)
                .await?;
        }
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "campaign.create").target(format!("campaign:{id}")),
            )
            .await?;
        txn.commit().await?;
        find_within(&self.db, RowScope::All, id).await
    }

    /// What `campaign`'s launch waits for between attempts, while it does.
    pub async fn launch_wait(
        &self,
        campaign: &Model,
    ) -> Result<Option<crate::services::launch::wait::LaunchWait>, AppError> {
        Ok(crate::services::launch::wait::wait_of(&self.db, campaign).await?)
    }

    /// Replaces a `DRAFT`, `ERROR` or `AWAITING_APPROVAL` campaign's settings
    /// (its status stays; a waiting launch's approval is void after it).
    /// A campaign that has been launched moves to another integration only
    /// when `move_integration` says the caller means it.
    pub async fn update(
        &self,
        principal: &Principal,
        id: CampaignId,
        raw: CampaignInput,
        move_integration: IntegrationMove,
    ) -> Result<Model, AppError> {
        let current = self.get(principal, id, Action::Update).await?;
        ensure_amendable(&current)?;
        ensure_integration_kept(&current, &raw, move_integration)?;
        let owner = RowScope::Own {
            tenant: current.tenant_id,
            user: current.user_id,
        };
        let (mut input, integration) = self.checked(owner, &raw).await?;
        input.ad_copy = copy_after_edit(&current, &input);
        let now = Utc::now();
        let changes = ActiveModel {
            provider: Set(integration.provider),
            ..draft_fields(&input, now)
        };
        let txn = self.db.begin().await?;
        // Guarded by status, so a launch accepted meanwhile wins; and,
        // unless the move is confirmed, by the integration read above, so a
        // draft that failed meanwhile is not moved either.
        let mut guarded = Entity::update_many()
            .set(changes)
            .filter(Column::Id.eq(id))
            .filter(Column::Status.is_in(AMENDABLE));
        if move_integration == IntegrationMove::Refuse {
            guarded = guarded.filter(
                Condition::any()
                    .add(Column::Status.eq(CampaignStatus::Draft))
                    .add(Column::IntegrationId.eq(input.integration_id)),
            );
        }
        let updated = guarded.exec(&txn).await?;
        if updated.rows_affected == 0 {
            let now = find_within(&txn, RowScope::All, id).await?;
            ensure_amendable(&now)?;
            ensure_integration_kept(&now, &raw, move_integration)?;
            return Err(not_editable("edited"));
        }
        // A waiting launch holds its budget against the tenant's total, so
        // an edit of it is held to the total as a launch is.
        if current.status == CampaignStatus::AwaitingApproval {
            use crate::services::budget;
            budget::hold_for(&txn, current.tenant_id).await?;
            if let Err(refusal) = self
                .budget
                .check_spend(
                    &txn,
                    current.tenant_id,
                    budget::currency_of(&integration)?,
                    id,
                    input.daily_budget_cents,
                )
                .await?
            {
                drop(txn);
                self.audit
                    .record_now(budget::refused(principal, "campaign.update", id, &refusal))
                    .await?;
                return Err(refusal.into());
            }
        }
        campaign_creative::Entity::delete_many()
            .filter(campaign_creative::Column::CampaignId.eq(id))
            .exec(&txn)
            .await?;
        link_creatives(
            &txn,
            id,
            current.tenant_id,
            current.user_id,
            &input.creative_ids,
        )
        .await?;
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "campaign.update").target(format!("campaign:{id}")),
            )
            .await?;
        txn.commit().await?;
        find_within(&self.db, RowScope::All, id).await
    }

    /// Deletes a `DRAFT` or `ERROR` campaign. One that reached the platform
    /// is paused there first (platform-first, as a pause is): deleting it
    /// here must never leave a remote campaign that can spend.
    pub async fn delete(&self, principal: &Principal, id: CampaignId) -> Result<bool, AppError> {
        let current = self.get(principal, id, Action::Delete).await?;
        ensure_editable(&current, "deleted")?;
        if let Some(remote) = current.meta_campaign_id.as_deref() {
            self.pause_remote(&current, remote).await?;
        }
        let txn = self.db.begin().await?;
        let deleted = Entity::delete_many()
            .filter(Column::Id.eq(id))
            .filter(Column::Status.is_in(EDITABLE))
            .exec(&txn)
            .await?;
        if deleted.rows_affected == 0 {
            return Err(not_editable("deleted"));
        }
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "campaign.delete").target(format!("campaign:{id}")),
            )
            .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Checks `raw` as a whole for the owner in `owner`: the input itself,
    /// then the owner's creatives and integration (another member's are
    /// `NOT_FOUND`), then what only the platform knows.
    async fn checked(
        &self,
        owner: RowScope,
        raw: &CampaignInput,
    ) -> Result<(CampaignInput, user_integration::Model), AppError> {
        let (input, mut problems) = input::check(raw);
        if !input.creative_ids.is_empty() {
            let mut wanted = input.creative_ids.clone();
            wanted.sort_by_key(|c| c.into_uuid());
            wanted.dedup();
            let found = creative::Entity::within(owner)
                .filter(creative::Column::Id.is_in(wanted.iter().copied()))
                .count(&self.db)
                .await?;
            if found != wanted.len() as u64 {
                return Err(AppError::NotFound("creative"));
            }
        }
        let integration = user_integration::Entity::within(owner)
            .filter(user_integration::Column::Id.eq(input.integration_id))
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        if integration.status == IntegrationStatus::Verified {
            if let Some(currency) = integration.currency.as_deref()
                && input.daily_budget_cents > 0
                && let Err(refusal) = self
                    .budget
                    .check_campaign(integration.tenant_id, currency, input.daily_budget_cents)
                    .await?
            {
                problems.push(InputProblem::new("dailyBudgetCents", refusal.to_string()));
            }
            let (adapter, creds) = self.integrations.open(&integration)?;
            problems.extend(
                platform_checks::check(adapter.as_ref(), &creds, &integration, &input).await?,
            );
        } else {
            problems.push(InputProblem::new(
                "integrationId",
                "Test this integration's connection successfully before using it in a campaign.",
            ));
        }
        match AppError::all_of(problems) {
            Some(problem) => Err(problem),
            None => Ok((input, integration)),
        }
    }
}

/// The row of `id` within `scope`, or `NOT_FOUND`.
pub async fn find_within<C: ConnectionTrait>(
    conn: &C,
    scope: RowScope,
    id: CampaignId,
) -> Result<Model, AppError> {
    Entity::within(scope)
        .filter(Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("campaign"))
}

fn ensure_amendable(campaign: &Model) -> Result<(), AppError> {
    if AMENDABLE.contains(&campaign.status) {
        Ok(())
    } else {
        Err(not_editable("edited"))
    }
}

fn ensure_editable(campaign: &Model, verb: &str) -> Result<(), AppError> {
    if campaign.status == CampaignStatus::AwaitingApproval {
        return Err(AppError::Conflict(format!(
            "The campaign's launch waits for approval and holds credits; withdraw it (withdrawLaunch) before it can be {verb}."
        )));
    }
    if EDITABLE.contains(&campaign.status) {
        Ok(())
    } else {
        Err(not_editable(verb))
    }
}

/// Whether `updateCampaign` may move a launched campaign to another
/// integration (another ad account, maybe another currency and platform).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntegrationMove {
    /// Only a `DRAFT` may change integration; any other status keeps its own.
    Refuse,
    /// The caller confirmed the move (`confirmIntegrationChange: true`).
    Confirmed,
}

/// A campaign that has been launched (status other than `DRAFT`, so also
/// a failed one) keeps its integration unless the move is confirmed: a
/// client that sent a stale or defaulted integration must not relaunch the
/// campaign on an account its user never chose.
fn ensure_integration_kept(
    current: &Model,
    raw: &CampaignInput,
    move_integration: IntegrationMove,
) -> Result<(), AppError> {
    if current.status == CampaignStatus::Draft
        || move_integration == IntegrationMove::Confirmed
        || current.integration_id == raw.integration_id
    {
        return Ok(());
    }
    Err(AppError::bad_input(
        "integrationId",
        "This campaign was already launched on another ad account. To move it to this one, \
         confirm the change (confirmIntegrationChange: true); otherwise keep its ad account.",
    ))
}

fn not_editable(verb: &str) -> AppError {
    AppError::Conflict(format!(
        "Only draft and failed campaigns can be {verb}; pause it instead, or wait until its launch ends."
    ))
}

/// The columns a draft's input sets.
fn draft_fields(input: &CampaignInput, now: chrono::DateTime<Utc>) -> ActiveModel {
    ActiveModel {
        integration_id: Set(input.integration_id),
        campaign_name: Set(input.name.clone()),
        objective: Set(input.objective),
        daily_budget_cents: Set(input.daily_budget_cents),
        target_audience: Set(input.audience.clone()),
        ad_copy: Set(input.ad_copy.clone()),
        niche: Set(input.niche.clone()),
        destination_url: Set(input.destination_url.clone()),
        lead_form_id: Set(input.lead_form_id.clone()),
        pixel_id: Set(input.pixel_id.clone()),
        special_ad_category: Set(input.special_ad_category),
        updated_at: Set(now),
        ..Default::default()
    }
}

async fn link_creatives<C: ConnectionTrait>(
    conn: &C,
    campaign: CampaignId,
    tenant: TenantId,
    user: UserId,
    creatives: &[CreativeId],
) -> Result<(), AppError> {
    if creatives.is_empty() {
        return Ok(());
    }
    campaign_creative::Entity::insert_many(creatives.iter().enumerate().map(|(i, c)| {
        campaign_creative::ActiveModel {
            campaign_id: Set(campaign),
            creative_id: Set(*c),
            tenant_id: Set(tenant),
            user_id: Set(user),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            remote_creative_id: Set(None),
            remote_ad_id: Set(None),
            delivery_status: Set(None),
            review_message: Set(None),
        }
    }))
    .exec(conn)
    .await?;
    Ok(())
}
