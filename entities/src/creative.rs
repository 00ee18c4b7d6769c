//! `creatives`: an uploaded ad image.

use sea_orm::entity::prelude::*;

use crate::ids::{CreativeId, TenantId, UserId};

/// A row of `creatives`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "creatives")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CreativeId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// Blob key `{tenant_id}/{user_id}/{uuid}.{ext}`.
    #[sea_orm(unique)]
    pub storage_key: String,
    /// Blob key of the thumbnail, once made.
    pub thumbnail_key: Option<String>,
    /// The uploader's file name (display only).
    pub file_name: String,
    /// Sniffed MIME type.
    pub content_type: String,
    /// Size in bytes.
    pub byte_size: i64,
    /// Pixel width.
    pub width: i32,
    /// Pixel height.
    pub height: i32,
    /// Lower-case hex SHA-256 of the bytes; unique per user.
    pub sha256: String,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// Relations of `creatives`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
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
    /// Copies uploaded to ad accounts.
    #[sea_orm(has_many = "super::creative_platform_asset::Entity")]
    CreativePlatformAsset,
    /// Campaign links.
    #[sea_orm(has_many = "super::campaign_creative::Entity")]
    CampaignCreative,
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

impl Related<super::creative_platform_asset::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreativePlatformAsset.def()
    }
}

impl Related<super::campaign_creative::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CampaignCreative.def()
    }
}

/// Campaigns using this creative, through `campaign_creatives`.
impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        super::campaign_creative::Relation::AdCampaign.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::campaign_creative::Relation::Creative.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
