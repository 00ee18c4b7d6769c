//! `lead_delivery_attempts`: the log of a delivery, one row per try.

use sea_orm::entity::prelude::*;

use crate::ids::{LeadDeliveryAttemptId, LeadDeliveryId, TenantId, UserId};

/// A row of `lead_delivery_attempts`: what one try got back, in plain words
/// (never a secret or a person's answer).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_delivery_attempts")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadDeliveryAttemptId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning member.
    pub user_id: UserId,
    /// The delivery.
    pub delivery_id: LeadDeliveryId,
    /// 1 for the first try.
    pub number: i32,
    /// When it was made.
    pub at: DateTimeUtc,
    /// Whether the destination accepted the lead.
    pub ok: bool,
    /// The HTTP status a webhook answered (or the SMTP reply code).
    pub status_code: Option<i32>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Relations of `lead_delivery_attempts`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The delivery.
    #[sea_orm(
        belongs_to = "super::lead_delivery::Entity",
        from = "Column::DeliveryId",
        to = "super::lead_delivery::Column::Id",
        on_delete = "Cascade"
    )]
    Delivery,
}

impl ActiveModelBehavior for ActiveModel {}
