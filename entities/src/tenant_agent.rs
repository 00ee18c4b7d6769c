//! `tenant_agents`: whether a tenant may run an agent.

use sea_orm::entity::prelude::*;

use crate::ids::TenantId;

/// A row of `tenant_agents`; primary key (tenant, agent). A missing row
/// means the tenant has no setting for that agent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_agents")]
pub struct Model {
    /// The tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: TenantId,
    /// The agent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_key: String,
    /// Whether the tenant may run it.
    pub enabled: bool,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
}

/// Relations of `tenant_agents`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// The agent.
    #[sea_orm(
        belongs_to = "super::agent::Entity",
        from = "Column::AgentKey",
        to = "super::agent::Column::Key",
        on_delete = "Cascade"
    )]
    Agent,
    /// Providers enabled for it.
    #[sea_orm(has_many = "super::tenant_agent_provider::Entity")]
    TenantAgentProvider,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Agent.def()
    }
}

impl Related<super::tenant_agent_provider::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TenantAgentProvider.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
