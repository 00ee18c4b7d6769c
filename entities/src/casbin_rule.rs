//! `casbin_rule`: Casbin policy rows (the policy as data).

use sea_orm::entity::prelude::*;

/// A row of `casbin_rule`. Unused fields are empty strings, never null, so
/// the all-fields unique index catches duplicates.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "casbin_rule")]
pub struct Model {
    /// Primary key (auto-increment).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Rule type: `p`, `g`, …
    pub ptype: String,
    /// Field 0.
    pub v0: String,
    /// Field 1.
    pub v1: String,
    /// Field 2.
    pub v2: String,
    /// Field 3.
    pub v3: String,
    /// Field 4.
    pub v4: String,
    /// Field 5.
    pub v5: String,
}

/// `casbin_rule` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
