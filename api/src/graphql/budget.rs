//! `budgetPolicy`, `setBudgetLimit` and their types: a tenant's budget
//! limits per currency, set in major units and shown in both units.

use adapters::ad_platform::money;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entities::budget_limit;

use super::{
    admin::{parse_id, parse_tenant_filter},
    context::ContextExt,
    error::GqlResult,
};
use crate::services::budget::{LimitSetting, PolicyView};

/// A tenant's budget policy: limits per currency, and what its campaigns
/// that can spend (launching or active) spend per day now.
pub struct BudgetPolicy(pub PolicyView);

#[Object]
impl BudgetPolicy {
    async fn tenant_id(&self) -> ID {
        ID(self.0.tenant.to_string())
    }
    /// The largest daily budget of one campaign, in major units (dollars,
    /// yen), in every currency this policy has no limit for.
    async fn default_max_campaign_daily_budget(&self) -> i64 {
        self.0.default_campaign_major
    }
    /// Whether launches wait for the chief architect's approval
    /// (`setApprovalMode`): a launch then reserves its credits and stays
    /// `AWAITING_APPROVAL` until approved or rejected.
    async fn launch_approval_required(&self) -> bool {
        self.0.approval_required
    }
    /// One entry per currency with limits, by currency.
    async fn limits(&self) -> Vec<BudgetLimit> {
        self.0
            .limits
            .iter()
            .map(|row| BudgetLimit {
                running: self.0.running_in(&row.currency),
                row: row.clone(),
            })
            .collect()
    }
    /// Daily budgets of the tenant's campaigns that can spend, per currency.
    async fn running(&self) -> Vec<RunningBudget> {
        self.0
            .running
            .iter()
            .map(|(currency, total)| RunningBudget {
                currency: currency.clone(),
                daily_budget_cents: *total,
            })
            .collect()
    }
}

/// The limits of one currency.
pub struct BudgetLimit {
    row: budget_limit::Model,
    running: i64,
}

#[Object]
impl BudgetLimit {
    /// ISO 4217 code, e.g. `USD`.
    async fn currency(&self) -> &str {
        &self.row.currency
    }
    /// The largest daily budget of one campaign, in major units; null for
    /// no limit.
    async fn max_campaign_daily_budget(&self) -> Option<i64> {
        self.row
            .max_campaign_daily_minor
            .map(|m| major_of(m, &self.row.currency))
    }
    /// The same in minor units (cents, yen), as `dailyBudgetCents` counts.
    async fn max_campaign_daily_budget_cents(&self) -> Option<i64> {
        self.row.max_campaign_daily_minor
    }
    /// The largest sum of daily budgets of the tenant's campaigns that can
    /// spend, in major units; null for no limit.
    async fn max_tenant_daily_budget(&self) -> Option<i64> {
        self.row
            .max_tenant_daily_minor
            .map(|m| major_of(m, &self.row.currency))
    }
    /// The same in minor units.
    async fn max_tenant_daily_budget_cents(&self) -> Option<i64> {
        self.row.max_tenant_daily_minor
    }
    /// What the tenant's campaigns in this currency that can spend budget
    /// per day now, in minor units.
    async fn running_daily_budget_cents(&self) -> i64 {
        self.running
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.row.updated_at
    }
}

/// Daily budgets running in one currency.
#[derive(async_graphql::SimpleObject)]
pub struct RunningBudget {
    pub currency: String,
    /// In minor units.
    pub daily_budget_cents: i64,
}

/// One currency's limits for a tenant, in major units (dollars, yen): a
/// null limit is lifted; both null remove the currency from the policy.
#[derive(InputObject)]
pub struct SetBudgetLimitInput {
    pub tenant_id: ID,
    /// ISO 4217 code, e.g. `USD`, `JPY`.
    pub currency: String,
    /// The largest daily budget of one campaign.
    pub max_campaign_daily_budget: Option<i64>,
    /// The largest sum of daily budgets of the tenant's launching and
    /// active campaigns.
    pub max_tenant_daily_budget: Option<i64>,
}

fn major_of(minor: i64, currency: &str) -> i64 {
    minor / 10_i64.pow(money::minor_exponent(currency))
}

#[derive(Default)]
pub struct BudgetQuery;

#[Object]
impl BudgetQuery {
    /// The budget policy of the caller's tenant; the chief architect may
    /// name any tenant.
    async fn budget_policy(
        &self,
        ctx: &Context<'_>,
        tenant_id: Option<ID>,
    ) -> GqlResult<BudgetPolicy> {
        let principal = ctx.principal()?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let view = ctx.services()?.budget.view(principal, tenant).await?;
        Ok(BudgetPolicy(view))
    }
}

#[derive(Default)]
pub struct BudgetMutation;

#[Object]
impl BudgetMutation {
    /// Sets one currency's limits of a tenant's budget policy (chief
    /// architect only); answers the tenant's policy. Checked at every
    /// entry point that lets a budget spend: saving a draft, the dry run,
    /// a launch, a resume.
    async fn set_budget_limit(
        &self,
        ctx: &Context<'_>,
        input: SetBudgetLimitInput,
    ) -> GqlResult<BudgetPolicy> {
        let principal = ctx.principal()?;
        let tenant = parse_id(&input.tenant_id, "tenant")?;
        let services = ctx.services()?;
        services
            .budget
            .set(
                principal,
                LimitSetting {
                    tenant,
                    currency: input.currency,
                    max_campaign_daily: input.max_campaign_daily_budget,
                    max_tenant_daily: input.max_tenant_daily_budget,
                },
            )
            .await?;
        let view = services.budget.view(principal, Some(tenant)).await?;
        Ok(BudgetPolicy(view))
    }
}
