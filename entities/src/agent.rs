//! `agents`: the agent registry (the media buyer first).

use sea_orm::entity::prelude::*;

/// A row of `agents`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agents")]
pub struct Model {
    /// Primary key, e.g. `media-buyer`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// Display name.
    pub name: String,
    /// One-sentence description.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// Credits one run costs.
    pub credit_cost: i32,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// Relations of `agents`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Per-tenant settings.
    #[sea_orm(has_many = "super::tenant_agent::Entity")]
    TenantAgent,
}

impl Related<super::tenant_agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TenantAgent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
