//! `campaign_creatives`: which creatives a campaign runs, in order, and the
//! platform creative and ad made from each.

use sea_orm::entity::prelude::*;

use crate::enums::AdDeliveryStatus;
use crate::ids::{CampaignId, CreativeId, TenantId, UserId};

/// A row of `campaign_creatives`; primary key (campaign, creative).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_creatives")]
pub struct Model {
    /// The campaign.
    #[sea_orm(primary_key, auto_increment = false)]
    pub campaign_id: CampaignId,
    /// The creative.
    #[sea_orm(primary_key, auto_increment = false)]
    pub creative_id: CreativeId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// Order within the campaign, from 0.
    pub position: i32,
    /// Remote ad creative id, stored the moment it exists.
    pub remote_creative_id: Option<String>,
    /// Remote ad id, stored the moment it exists.
    pub remote_ad_id: Option<String>,
    /// Where the ad stands on the platform, as the last sync read it.
    pub delivery_status: Option<AdDeliveryStatus>,
    /// The platform's reason for a rejection, a billing hold or an issue.
    #[sea_orm(column_type = "Text", nullable)]
    pub review_message: Option<String>,
}

/// Relations of `campaign_creatives`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The campaign.
    #[sea_orm(
        belongs_to = "super::ad_campaign::Entity",
        from = "Column::CampaignId",
        to = "super::ad_campaign::Column::Id",
        on_delete = "Cascade"
    )]
    AdCampaign,
    /// The creative.
    #[sea_orm(
        belongs_to = "super::creative::Entity",
        from = "Column::CreativeId",
        to = "super::creative::Column::Id",
        on_delete = "Restrict"
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

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl Related<super::creative::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creative.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
