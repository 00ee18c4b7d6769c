//! `creative_platform_assets`: a creative as uploaded to one ad account, so
//! each image is uploaded there once.

use sea_orm::entity::prelude::*;

use crate::enums::Provider;
use crate::ids::{CreativeAssetId, CreativeId, TenantId, UserId};

/// A row of `creative_platform_assets`; unique per (creative, provider, ad account).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "creative_platform_assets")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CreativeAssetId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// The local creative.
    pub creative_id: CreativeId,
    /// The platform.
    pub provider: Provider,
    /// Ad account the image was uploaded to.
    pub ad_account_id: String,
    /// The platform's image hash.
    pub remote_hash: Option<String>,
    /// The platform's image URL.
    pub remote_url: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// Relations of `creative_platform_assets`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The local creative.
    #[sea_orm(
        belongs_to = "super::creative::Entity",
        from = "Column::CreativeId",
        to = "super::creative::Column::Id",
        on_delete = "Cascade"
    )]
    Creative,
    /// Owning tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// Owning user.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl Related<super::creative::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creative.def()
    }
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
