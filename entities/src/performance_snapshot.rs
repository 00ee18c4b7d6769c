//! `performance_snapshots`: one point of a campaign's performance chart.

use sea_orm::entity::prelude::*;

use crate::ids::{CampaignId, SnapshotId, TenantId, UserId};

/// A row of `performance_snapshots`; unique per (campaign, captured_at).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "performance_snapshots")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SnapshotId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// The campaign measured.
    pub campaign_id: CampaignId,
    /// When the platform's numbers were read.
    pub captured_at: DateTimeUtc,
    /// Cumulative impressions.
    pub impressions: i64,
    /// Cumulative clicks.
    pub clicks: i64,
    /// Cumulative spend in minor units.
    pub spend_cents: i64,
    /// Cumulative leads.
    pub leads: i64,
}

/// Relations of `performance_snapshots`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The campaign measured.
    #[sea_orm(
        belongs_to = "super::ad_campaign::Entity",
        from = "Column::CampaignId",
        to = "super::ad_campaign::Column::Id",
        on_delete = "Cascade"
    )]
    AdCampaign,
}

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
