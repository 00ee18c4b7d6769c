//! `notifications`: what one user is told happened.

use sea_orm::entity::prelude::*;

use crate::enums::NotificationKind;
use crate::ids::{CampaignId, IntegrationId, NotificationId, TenantId, UserId};

/// A row of `notifications`. Never a secret or a lead's personal data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: NotificationId,
    /// The recipient's tenant.
    pub tenant_id: TenantId,
    /// The recipient.
    pub user_id: UserId,
    /// What it is about.
    pub kind: NotificationKind,
    /// One line.
    pub title: String,
    /// The details, in plain words.
    pub body: String,
    /// The campaign it is about.
    pub campaign_id: Option<CampaignId>,
    /// The integration it is about.
    pub integration_id: Option<IntegrationId>,
    /// The same warning again is the same row (unique per user).
    pub dedupe_key: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// When the recipient read it.
    pub read_at: Option<DateTimeUtc>,
}

/// Relations of `notifications`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
