//! `lead_destinations`: where a member's leads are sent.

use sea_orm::entity::prelude::*;

use crate::enums::{LeadDestinationKind, LeadDestinationStatus};
use crate::ids::{LeadDestinationId, TenantId, UserId};

/// A row of `lead_destinations`. A webhook's signing secret is sealed by
/// the vault (opaque bytes here).
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_destinations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadDestinationId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning member: the leads of their campaigns come here.
    pub user_id: UserId,
    /// Webhook or e-mail.
    pub kind: LeadDestinationKind,
    /// The owner's name for it.
    pub name: String,
    /// The webhook's URL (none for e-mail).
    pub url: Option<String>,
    /// AEAD ciphertext of the signing secret.
    #[sea_orm(column_type = "Blob", nullable)]
    pub secret: Option<Vec<u8>>,
    /// Nonce of `secret`.
    #[sea_orm(column_type = "Blob", nullable)]
    pub secret_nonce: Option<Vec<u8>>,
    /// The per-row data key, wrapped by master key `key_id`.
    #[sea_orm(column_type = "Blob", nullable)]
    pub wrapped_key: Option<Vec<u8>>,
    /// Nonce of `wrapped_key`.
    #[sea_orm(column_type = "Blob", nullable)]
    pub wrapped_key_nonce: Option<Vec<u8>>,
    /// Id of the master key that wrapped the data key.
    pub key_id: Option<String>,
    /// Active or paused.
    pub status: LeadDestinationStatus,
    /// Why it was paused, in plain words (none when its owner paused it).
    pub paused_reason: Option<String>,
    /// Attempts that failed since the last success.
    pub failures_in_a_row: i32,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
}

// Hand-written so the sealed secret never reaches a log line.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("lead_destination::Model")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("user_id", &self.user_id)
            .field("kind", &self.kind)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Relations of `lead_destinations`.
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
}

impl ActiveModelBehavior for ActiveModel {}
