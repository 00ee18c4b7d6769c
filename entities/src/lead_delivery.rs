//! `lead_deliveries`: one lead sent to one destination, exactly once.

use sea_orm::entity::prelude::*;

use crate::enums::LeadDeliveryStatus;
use crate::ids::{LeadDeliveryId, LeadDestinationId, LeadId, TenantId, UserId};

/// A row of `lead_deliveries`; unique per (lead, destination).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_deliveries")]
pub struct Model {
    /// Primary key, sent as `Leadforge-Delivery-Id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadDeliveryId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning member.
    pub user_id: UserId,
    /// The lead.
    pub lead_id: LeadId,
    /// The destination.
    pub destination_id: LeadDestinationId,
    /// Where it stands.
    pub status: LeadDeliveryStatus,
    /// Attempts made so far (resends included).
    pub attempts: i32,
    /// The last failure, in plain words.
    pub last_error: Option<String>,
    /// When the destination accepted it.
    pub delivered_at: Option<DateTimeUtc>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
}

/// Relations of `lead_deliveries`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The lead.
    #[sea_orm(
        belongs_to = "super::lead::Entity",
        from = "Column::LeadId",
        to = "super::lead::Column::Id",
        on_delete = "Cascade"
    )]
    Lead,
    /// The destination.
    #[sea_orm(
        belongs_to = "super::lead_destination::Entity",
        from = "Column::DestinationId",
        to = "super::lead_destination::Column::Id",
        on_delete = "Cascade"
    )]
    Destination,
}

impl ActiveModelBehavior for ActiveModel {}
