//! Approval mode: `setApprovalMode`, `launchesAwaitingApproval`,
//! `approveLaunch`, `rejectLaunch`, `withdrawLaunch`.

use async_graphql::{Context, ID, Object};
use entities::CampaignId;

use super::{
    admin::{parse_id, parse_tenant_filter},
    budget::BudgetPolicy,
    campaigns::Campaign,
    context::ContextExt,
    error::GqlResult,
};
use crate::services::launch::approval;

/// A launch waiting for approval, with what was submitted.
pub struct PendingLaunch(approval::PendingLaunch);

#[Object]
impl PendingLaunch {
    /// The campaign as it is now: its settings, budget, audience, copy and
    /// creatives are what the launch would create.
    async fn campaign(&self) -> Campaign {
        Campaign(self.0.campaign.clone())
    }
    /// Digest of the launch plan when it was submitted; an approval holds
    /// only for this plan.
    async fn plan_digest(&self) -> &str {
        &self.0.submitted_digest
    }
    /// The campaign was edited after it was submitted: approving it
    /// answers `CONFLICT` until its owner withdraws and re-submits it.
    async fn plan_changed(&self) -> bool {
        self.0.changed
    }
}

#[derive(Default)]
pub struct ApprovalQuery;

#[Object]
impl ApprovalQuery {
    /// Launches waiting for approval, oldest first: for the chief architect
    /// every tenant's (or `tenantId`'s), for a member their own.
    async fn launches_awaiting_approval(
        &self,
        ctx: &Context<'_>,
        tenant_id: Option<ID>,
    ) -> GqlResult<Vec<PendingLaunch>> {
        let principal = ctx.principal()?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let rows = ctx
            .services()?
            .campaigns
            .awaiting_approval(principal, tenant)
            .await?;
        Ok(rows.into_iter().map(PendingLaunch).collect())
    }
}

#[derive(Default)]
pub struct ApprovalMutation;

#[Object]
impl ApprovalMutation {
    /// Turns approval mode on or off for a tenant (chief architect only);
    /// answers the tenant's policy. Launches already waiting keep waiting.
    async fn set_approval_mode(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        required: bool,
    ) -> GqlResult<BudgetPolicy> {
        let principal = ctx.principal()?;
        let tenant = parse_id(&tenant_id, "tenant")?;
        let services = ctx.services()?;
        services
            .campaigns
            .set_approval_mode(principal, tenant, required)
            .await?;
        let view = services.budget.view(principal, Some(tenant)).await?;
        Ok(BudgetPolicy(view))
    }

    /// Approves an `AWAITING_APPROVAL` launch (chief architect only): its
    /// plan is digested again and must be the one submitted, or the
    /// approval is void (`CONFLICT`, it keeps waiting); then it launches.
    async fn approve_launch(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(Campaign(
            ctx.services()?
                .campaigns
                .approve_launch(principal, id)
                .await?,
        ))
    }

    /// Rejects an `AWAITING_APPROVAL` launch (chief architect only): `ERROR`
    /// with the reason as its `errorMessage`, reserved credits refunded.
    async fn reject_launch(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(Campaign(
            ctx.services()?
                .campaigns
                .reject_launch(principal, id, &reason)
                .await?,
        ))
    }

    /// The owner takes back an `AWAITING_APPROVAL` launch: `DRAFT` again,
    /// reserved credits refunded. Launch it again to re-submit.
    async fn withdraw_launch(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(Campaign(
            ctx.services()?
                .campaigns
                .withdraw_launch(principal, id)
                .await?,
        ))
    }
}
