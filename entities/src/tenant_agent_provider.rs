//! `tenant_agent_providers`: the providers an agent may use in a tenant.
//! Rows rather than a JSON array so the database checks each value.

use sea_orm::entity::prelude::*;

use crate::enums::Provider;
use crate::ids::TenantId;

/// A row of `tenant_agent_providers`; the whole row is the primary key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_agent_providers")]
pub struct Model {
    /// The tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: TenantId,
    /// The agent.
    #[sea_orm(primary_key, auto_increment = false)]
    pub agent_key: String,
    /// An enabled provider.
    #[sea_orm(primary_key, auto_increment = false)]
    pub provider: Provider,
}

/// Relations of `tenant_agent_providers`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tenant's setting for the agent.
    #[sea_orm(
        belongs_to = "super::tenant_agent::Entity",
        from = "(Column::TenantId, Column::AgentKey)",
        to = "(super::tenant_agent::Column::TenantId, super::tenant_agent::Column::AgentKey)",
        on_delete = "Cascade"
    )]
    TenantAgent,
}

impl Related<super::tenant_agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TenantAgent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
