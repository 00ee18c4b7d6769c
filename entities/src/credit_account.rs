//! `credit_accounts`: a user's current credit balance, which the database
//! keeps at or above zero.

use sea_orm::entity::prelude::*;

use crate::ids::{TenantId, UserId};

/// A row of `credit_accounts`; one per user.
///
/// Debit with a guarded `UPDATE … SET balance = balance + delta WHERE
/// user_id = ? AND balance + delta >= 0` in the same transaction as the
/// `credit_ledger` insert, and treat zero rows affected as insufficient
/// credits; a read-modify-write through the active model would race.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "credit_accounts")]
pub struct Model {
    /// The user; primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: UserId,
    /// The user's tenant.
    pub tenant_id: TenantId,
    /// Current balance, never negative.
    pub balance: i64,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations of `credit_accounts`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The user.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    /// The user's tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
