//! `leads`: a person's answers to a lead form, sealed, with where they came
//! from and how their follow-up stands.

use sea_orm::entity::prelude::*;

use crate::enums::{LeadSource, LeadStatus, Provider};
use crate::ids::{CampaignId, IntegrationId, LeadId, TenantId, UserId};

/// A row of `leads`. The answers are opaque bytes here; only the vault can
/// open them. A lead no campaign owns sits in the platform tenant with no
/// owner (`user_id` null), where only the chief architect sees it.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadId,
    /// Owning tenant (the platform tenant when nobody owns the lead).
    pub tenant_id: TenantId,
    /// Owning user: the owner of the campaign whose ad it came from.
    pub user_id: Option<UserId>,
    /// The campaign whose launched ad it came from.
    pub campaign_id: Option<CampaignId>,
    /// The integration it was read with.
    pub integration_id: Option<IntegrationId>,
    /// The platform.
    pub provider: Provider,
    /// The platform's lead id; unique per provider.
    pub platform_lead_id: String,
    /// The Page the form belongs to.
    pub page_id: Option<String>,
    /// The lead form.
    pub form_id: Option<String>,
    /// The ad (none for organic and test leads).
    pub ad_id: Option<String>,
    /// When the person submitted the form (the platform's time).
    pub platform_created_at: Option<DateTimeUtc>,
    /// When Leadforge stored it.
    pub received_at: DateTimeUtc,
    /// Webhook or reconciliation.
    pub source: LeadSource,
    /// AEAD ciphertext of the answers (`[{name, values}]`).
    #[sea_orm(column_type = "Blob")]
    pub answers: Vec<u8>,
    /// Nonce of `answers`.
    #[sea_orm(column_type = "Blob")]
    pub answers_nonce: Vec<u8>,
    /// The per-row data key, wrapped by master key `key_id`.
    #[sea_orm(column_type = "Blob")]
    pub wrapped_key: Vec<u8>,
    /// Nonce of `wrapped_key`.
    #[sea_orm(column_type = "Blob")]
    pub wrapped_key_nonce: Vec<u8>,
    /// Id of the master key that wrapped the data key.
    pub key_id: String,
    /// Keyed hash (hex) of the normalised e-mail, for de-duplication.
    pub email_hash: Option<String>,
    /// Keyed hash (hex) of the normalised phone number.
    pub phone_hash: Option<String>,
    /// Follow-up status.
    pub status: LeadStatus,
    /// The owner's note.
    pub note: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
}

// Hand-written so neither the sealed answers nor the owner's note (which may
// quote them) reach a log line through `{:?}`.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("lead::Model")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("user_id", &self.user_id)
            .field("campaign_id", &self.campaign_id)
            .field("provider", &self.provider)
            .field("platform_lead_id", &self.platform_lead_id)
            .field("status", &self.status)
            .field("answers", &"<encrypted>")
            .finish_non_exhaustive()
    }
}

/// Relations of `leads`.
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
    /// The campaign.
    #[sea_orm(
        belongs_to = "super::ad_campaign::Entity",
        from = "Column::CampaignId",
        to = "super::ad_campaign::Column::Id",
        on_delete = "SetNull"
    )]
    AdCampaign,
    /// The integration.
    #[sea_orm(
        belongs_to = "super::user_integration::Entity",
        from = "Column::IntegrationId",
        to = "super::user_integration::Column::Id",
        on_delete = "SetNull"
    )]
    UserIntegration,
}

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
