//! `user_integrations`: a user's encrypted credentials for one ad account,
//! with the non-secret fields the UI shows.

use sea_orm::entity::prelude::*;

use crate::enums::{IntegrationStatus, Provider};
use crate::ids::{IntegrationId, TenantId, UserId};

/// A row of `user_integrations`. The secret fields are opaque bytes here;
/// only the vault can turn them back into a token.
#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_integrations")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: IntegrationId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// The platform.
    pub provider: Provider,
    /// AEAD ciphertext of `{access_token, ad_account_id}`.
    #[sea_orm(column_type = "Blob")]
    pub credentials: Vec<u8>,
    /// Nonce of `credentials`.
    #[sea_orm(column_type = "Blob")]
    pub credentials_nonce: Vec<u8>,
    /// The per-row data key, wrapped by master key `key_id`.
    #[sea_orm(column_type = "Blob")]
    pub wrapped_key: Vec<u8>,
    /// Nonce of `wrapped_key`.
    #[sea_orm(column_type = "Blob")]
    pub wrapped_key_nonce: Vec<u8>,
    /// Id of the master key that wrapped the data key.
    pub key_id: String,
    /// Platform ad account id, e.g. `act_123`.
    pub ad_account_id: String,
    /// Page the ads run as.
    pub page_id: Option<String>,
    /// Ad account name, once verified.
    pub account_name: Option<String>,
    /// ISO 4217 currency of the ad account, once verified.
    pub currency: Option<String>,
    /// Who benefits from ads reaching the EU (Digital Services Act), when
    /// the user named them; else the ad account's default is used.
    pub dsa_beneficiary: Option<String>,
    /// Who pays for ads reaching the EU, when the user named them.
    pub dsa_payor: Option<String>,
    /// Last four characters of the token.
    pub token_last4: String,
    /// Token expiry, when the platform reports one.
    pub token_expires_at: Option<DateTimeUtc>,
    /// When the token may no longer read data, when the platform reports it.
    pub data_access_expires_at: Option<DateTimeUtc>,
    /// Outcome of the last test.
    pub status: IntegrationStatus,
    /// Time of the last test.
    pub last_verified_at: Option<DateTimeUtc>,
    /// The platform's words from the last failed test.
    pub last_error: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
}

// Hand-written so the ciphertext, nonces and wrapped key never reach a log
// line through `{:?}`, even though they are useless without the master key.
impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("user_integration::Model")
            .field("id", &self.id)
            .field("tenant_id", &self.tenant_id)
            .field("user_id", &self.user_id)
            .field("provider", &self.provider)
            .field("credentials", &"<encrypted>")
            .field("key_id", &self.key_id)
            .field("ad_account_id", &self.ad_account_id)
            .field("page_id", &self.page_id)
            .field("account_name", &self.account_name)
            .field("currency", &self.currency)
            .field("dsa_beneficiary", &self.dsa_beneficiary)
            .field("dsa_payor", &self.dsa_payor)
            .field("token_last4", &self.token_last4)
            .field("token_expires_at", &self.token_expires_at)
            .field("data_access_expires_at", &self.data_access_expires_at)
            .field("status", &self.status)
            .field("last_verified_at", &self.last_verified_at)
            .field("last_error", &self.last_error)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// Relations of `user_integrations`.
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
    /// Campaigns launched with it.
    #[sea_orm(has_many = "super::ad_campaign::Entity")]
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
