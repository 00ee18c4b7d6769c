//! `tenants`: an organisation using Leadforge.

use sea_orm::entity::prelude::*;

use crate::ids::TenantId;

/// A row of `tenants`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// URL-safe unique slug.
    #[sea_orm(unique)]
    pub slug: String,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Launches wait for the chief architect's approval.
    pub launch_approval_required: bool,
}

/// Relations of `tenants`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Its users.
    #[sea_orm(has_many = "super::user::Entity")]
    User,
    /// Its users' integrations.
    #[sea_orm(has_many = "super::user_integration::Entity")]
    UserIntegration,
    /// Its creatives.
    #[sea_orm(has_many = "super::creative::Entity")]
    Creative,
    /// Its campaigns.
    #[sea_orm(has_many = "super::ad_campaign::Entity")]
    AdCampaign,
    /// Its agent settings.
    #[sea_orm(has_many = "super::tenant_agent::Entity")]
    TenantAgent,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::user_integration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserIntegration.def()
    }
}

impl Related<super::creative::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creative.def()
    }
}

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl Related<super::tenant_agent::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::TenantAgent.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
