//! `credit_ledger`: every credit movement, append-only, each at most once.

use sea_orm::entity::prelude::*;

use crate::enums::CreditEntryKind;
use crate::ids::{CampaignId, LedgerEntryId, TenantId, UserId};

/// A row of `credit_ledger`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_ledger")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LedgerEntryId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// Signed change of the balance.
    pub delta: i64,
    /// Kind of movement.
    pub kind: CreditEntryKind,
    /// Human reason.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// The campaign it concerns.
    pub campaign_id: Option<CampaignId>,
    /// Globally unique key; a repeated movement collides here.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// Relations of `credit_ledger`.
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
    /// The campaign it concerns.
    #[sea_orm(
        belongs_to = "super::ad_campaign::Entity",
        from = "Column::CampaignId",
        to = "super::ad_campaign::Column::Id",
        on_delete = "SetNull"
    )]
    AdCampaign,
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

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
