//! `users`: a member or chief architect, in exactly one tenant.

use sea_orm::entity::prelude::*;

use crate::enums::Role;
use crate::ids::{TenantId, UserId};

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: UserId,
    /// The user's tenant.
    pub tenant_id: TenantId,
    /// Normalised (lower-case) e-mail, unique across tenants.
    #[sea_orm(unique)]
    pub email: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Role.
    pub role: Role,
    /// Creation time.
    pub created_at: DateTimeUtc,
}

/// Relations of `users`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user's tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// The user's integrations.
    #[sea_orm(has_many = "super::user_integration::Entity")]
    UserIntegration,
    /// The user's creatives.
    #[sea_orm(has_many = "super::creative::Entity")]
    Creative,
    /// The user's campaigns.
    #[sea_orm(has_many = "super::ad_campaign::Entity")]
    AdCampaign,
    /// The user's credit balance.
    #[sea_orm(has_one = "super::credit_account::Entity")]
    CreditAccount,
    /// The user's credit movements.
    #[sea_orm(has_many = "super::credit_ledger::Entity")]
    CreditLedger,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::user_integration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserIntegration.def()
    }
}

impl Related<super::creative::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Creative.def()
    }
}

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl Related<super::credit_account::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreditAccount.def()
    }
}

impl Related<super::credit_ledger::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreditLedger.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
