//! Casbin policy rows (the policy as data). The table starts empty: the
//! authorization work seeds the two-role policy in its own migration.

use sea_orm_migration::prelude::*;

use crate::common::unique;

/// Creates `casbin_rule`.
#[derive(DeriveMigrationName)]
pub struct Migration;

/// A policy field: never NULL, empty when unused, so the all-columns unique
/// index also catches duplicates with unused trailing fields (NULLs would
/// never compare equal).
fn field(col: CasbinRule) -> ColumnDef {
    ColumnDef::new(col)
        .string_len(255)
        .not_null()
        .default("")
        .take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite runs DDL transactionally too; without this a failure halfway
    // would leave some tables behind on that engine.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use CasbinRule as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    // A plain integer key, the shape Casbin adapters expect;
                    // these rows are configuration, never addressed by id
                    // from the API.
                    .col(
                        ColumnDef::new(T::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(T::Ptype).string_len(16).not_null())
                    .col(field(T::V0))
                    .col(field(T::V1))
                    .col(field(T::V2))
                    .col(field(T::V3))
                    .col(field(T::V4))
                    .col(field(T::V5))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_casbin_rule_all",
                T::Table,
                [T::Ptype, T::V0, T::V1, T::V2, T::V3, T::V4, T::V5],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["casbin_rule"]).await
    }
}

/// Identifiers of `casbin_rule`.
#[derive(DeriveIden, Clone, Copy)]
pub enum CasbinRule {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Rule type: `p`, `g`, …
    Ptype,
    /// Field 0.
    V0,
    /// Field 1.
    V1,
    /// Field 2.
    V2,
    /// Field 3.
    V3,
    /// Field 4.
    V4,
    /// Field 5.
    V5,
}
