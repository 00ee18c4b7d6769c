//! The agent registry per tenant: which agents exist (the `agents` rows,
//! with their credit cost), and whether a tenant may run each one and with
//! which providers.

use chrono::Utc;
use entities::{
    MEDIA_BUYER_AGENT_KEY, Provider, TenantId, agent, tenant, tenant_agent, tenant_agent_provider,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::OnConflict,
};
use serde_json::json;

use super::audit::{AuditEntry, AuditService};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
    services::integrations::provider_name,
};

/// Parses the configured provider names. The settings were checked at
/// start, yet an unknown name is still an error here rather than a silent
/// drop: a tenant must never start with fewer providers than configured.
pub fn parse_providers(
    names: &[String],
) -> Result<Vec<Provider>, adapters::ad_platform::UnknownProvider> {
    names
        .iter()
        .map(|name| crate::shapes::parse_provider(name))
        .collect()
}

/// Enables the media buyer with `providers` for a new tenant.
pub async fn enable_defaults<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    providers: &[Provider],
) -> Result<(), AppError> {
    let now = Utc::now();
    tenant_agent::ActiveModel {
        tenant_id: Set(tenant),
        agent_key: Set(MEDIA_BUYER_AGENT_KEY.to_owned()),
        enabled: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    insert_providers(conn, tenant, MEDIA_BUYER_AGENT_KEY, providers).await
}

async fn insert_providers<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    agent_key: &str,
    providers: &[Provider],
) -> Result<(), AppError> {
    if providers.is_empty() {
        return Ok(());
    }
    tenant_agent_provider::Entity::insert_many(providers.iter().map(|p| {
        tenant_agent_provider::ActiveModel {
            tenant_id: Set(tenant),
            agent_key: Set(agent_key.to_owned()),
            provider: Set(*p),
        }
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// An agent as one tenant sees it.
#[derive(Debug, Clone)]
pub struct AgentView {
    pub agent: agent::Model,
    /// Whether the tenant may run it.
    pub enabled: bool,
    /// The providers it may use there, in a stable order.
    pub providers: Vec<Provider>,
}

/// The agent `key` as `tenant` sees it, read on `conn` (a launch reads it
/// inside its transaction).
pub async fn view_of<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    key: &str,
) -> Result<AgentView, AppError> {
    let agent = agent::Entity::find_by_id(key.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("agent"))?;
    let mut views = views_for(conn, tenant, vec![agent]).await?;
    views.pop().ok_or(AppError::NotFound("agent"))
}

async fn views_for<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    agents: Vec<agent::Model>,
) -> Result<Vec<AgentView>, AppError> {
    let settings = tenant_agent::Entity::find()
        .filter(tenant_agent::Column::TenantId.eq(tenant))
        .all(conn)
        .await?;
    let providers = tenant_agent_provider::Entity::find()
        .filter(tenant_agent_provider::Column::TenantId.eq(tenant))
        .all(conn)
        .await?;
    Ok(agents
        .into_iter()
        .map(|agent| {
            let enabled = settings
                .iter()
                .any(|s| s.agent_key == agent.key && s.enabled);
            let mut mine: Vec<Provider> = providers
                .iter()
                .filter(|p| p.agent_key == agent.key)
                .map(|p| p.provider)
                .collect();
            mine.sort_by_key(|p| crate::shapes::provider_to_platform(*p));
            AgentView {
                agent,
                enabled,
                providers: mine,
            }
        })
        .collect())
}

/// Refuses to run `view` with `provider` unless the tenant enabled both,
/// saying which one is off.
pub fn ensure_enabled(view: &AgentView, provider: Provider) -> Result<(), AppError> {
    if !view.enabled {
        return Err(AppError::Forbidden(format!(
            "The {} agent is not enabled for your organisation; ask your administrator to enable it.",
            view.agent.name
        )));
    }
    if !view.providers.contains(&provider) {
        return Err(AppError::Forbidden(format!(
            "The {} agent may not use {} in your organisation; ask your administrator to enable that provider.",
            view.agent.name,
            provider_name(provider)
        )));
    }
    Ok(())
}

/// What `setTenantAgent` asks for.
#[derive(Debug, Clone)]
pub struct TenantAgentSetting {
    pub tenant: TenantId,
    pub agent_key: String,
    pub enabled: bool,
    pub providers: Vec<Provider>,
}

#[derive(Clone)]
pub struct AgentsService {
    db: DatabaseConnection,
    authz: Authorizer,
    audit: AuditService,
}

impl AgentsService {
    pub fn new(db: DatabaseConnection, authz: Authorizer, audit: AuditService) -> Self {
        Self { db, authz, audit }
    }

    /// Every registered agent with its state in the caller's tenant.
    pub async fn list(&self, principal: &Principal) -> Result<Vec<AgentView>, AppError> {
        self.authz
            .authorize(principal, Resource::Agent, Action::Read)
            .await?;
        let agents = agent::Entity::find()
            .order_by_asc(agent::Column::Key)
            .all(&self.db)
            .await?;
        views_for(&self.db, principal.tenant_id, agents).await
    }

    /// Enables or disables an agent and sets its providers for a tenant
    /// (chief architect); answers the agent as that tenant now sees it.
    pub async fn set_for_tenant(
        &self,
        principal: &Principal,
        setting: TenantAgentSetting,
    ) -> Result<AgentView, AppError> {
        self.authz
            .authorize(principal, Resource::Agent, Action::Manage)
            .await?;
        tenant::Entity::find_by_id(setting.tenant)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("tenant"))?;
        agent::Entity::find_by_id(setting.agent_key.clone())
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("agent"))?;
        let mut providers = setting.providers.clone();
        providers.sort_by_key(|p| crate::shapes::provider_to_platform(*p));
        providers.dedup();
        let now = Utc::now();
        let txn = self.db.begin().await?;
        tenant_agent::Entity::insert(tenant_agent::ActiveModel {
            tenant_id: Set(setting.tenant),
            agent_key: Set(setting.agent_key.clone()),
            enabled: Set(setting.enabled),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                tenant_agent::Column::TenantId,
                tenant_agent::Column::AgentKey,
            ])
            .update_columns([
                tenant_agent::Column::Enabled,
                tenant_agent::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(&txn)
        .await?;
        tenant_agent_provider::Entity::delete_many()
            .filter(tenant_agent_provider::Column::TenantId.eq(setting.tenant))
            .filter(tenant_agent_provider::Column::AgentKey.eq(setting.agent_key.as_str()))
            .exec(&txn)
            .await?;
        insert_providers(&txn, setting.tenant, &setting.agent_key, &providers).await?;
        let names: Vec<&str> = providers
            .iter()
            .map(|p| crate::shapes::provider_to_platform(*p).as_str())
            .collect();
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "agent.set_tenant")
                    .target(format!("tenant:{}", setting.tenant))
                    .detail(json!({
                        "agent": setting.agent_key,
                        "enabled": setting.enabled,
                        "providers": names,
                    })),
            )
            .await?;
        txn.commit().await?;
        view_of(&self.db, setting.tenant, &setting.agent_key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_providers_parse_and_an_unknown_name_is_an_error() {
        let names = ["sandbox".to_owned(), "meta_ads".to_owned()];
        assert_eq!(
            parse_providers(&names).unwrap(),
            [Provider::Sandbox, Provider::MetaAds]
        );
        let with_typo = ["sandbox".to_owned(), "meta-ads".to_owned()];
        assert!(parse_providers(&with_typo).is_err());
    }
}
