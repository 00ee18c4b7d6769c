//! `agents`, `setTenantAgent` and the `Agent` type.

use async_graphql::{Context, ID, Object};

use super::{admin::parse_id, context::ContextExt, error::GqlResult, integrations::Provider};
use crate::services::agents::{AgentView, TenantAgentSetting};

/// A registered agent, as one tenant sees it.
pub struct Agent(pub AgentView);

#[Object]
impl Agent {
    /// The agent's key, e.g. `media-buyer`.
    async fn key(&self) -> &str {
        &self.0.agent.key
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.agent.name
    }
    /// What it does, in one sentence.
    async fn description(&self) -> &str {
        &self.0.agent.description
    }
    /// Credits one run costs (a launch, for the media buyer).
    async fn credit_cost(&self) -> i32 {
        self.0.agent.credit_cost
    }
    /// Whether the tenant may run it.
    async fn enabled(&self) -> bool {
        self.0.enabled
    }
    /// The providers it may use in the tenant.
    async fn providers(&self) -> Vec<Provider> {
        self.0.providers.iter().map(|p| (*p).into()).collect()
    }
}

#[derive(Default)]
pub struct AgentsQuery;

#[Object]
impl AgentsQuery {
    /// Every registered agent with its state for the caller's tenant.
    async fn agents(&self, ctx: &Context<'_>) -> GqlResult<Vec<Agent>> {
        let principal = ctx.principal()?;
        let views = ctx.services()?.agents.list(principal).await?;
        Ok(views.into_iter().map(Agent).collect())
    }
}

#[derive(Default)]
pub struct AgentsMutation;

#[Object]
impl AgentsMutation {
    /// Enables or disables an agent for a tenant and sets the providers it
    /// may use there (chief architect only). Answers the agent as that
    /// tenant sees it now.
    async fn set_tenant_agent(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        agent_key: String,
        enabled: bool,
        providers: Vec<Provider>,
    ) -> GqlResult<Agent> {
        let principal = ctx.principal()?;
        let setting = TenantAgentSetting {
            tenant: parse_id(&tenant_id, "tenant")?,
            agent_key,
            enabled,
            providers: providers.into_iter().map(Into::into).collect(),
        };
        let view = ctx
            .services()?
            .agents
            .set_for_tenant(principal, setting)
            .await?;
        Ok(Agent(view))
    }
}
