//! Tenants, their users, and the reserved platform tenant that holds the
//! chief architects.

use sea_orm_migration::prelude::*;

use crate::common::{check_in, fk, index, pk_uuid, short, string, ts, unique, uuid};

/// The reserved platform tenant's id. Frozen here on purpose: a migration
/// must keep meaning what it meant when it shipped, so it does not read the
/// constant from `entities` (`entities::PLATFORM_TENANT_ID`); the round-trip
/// test proves the two agree.
pub const PLATFORM_TENANT_ID: uuid::Uuid =
    uuid::Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001);

/// Slug of the reserved platform tenant.
pub const PLATFORM_TENANT_SLUG: &str = "platform";

/// Creates `tenants` and `users` and seeds the platform tenant.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite runs DDL transactionally too; without this a failure halfway
    // would leave some tables behind on that engine.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenants::Table)
                    .col(pk_uuid(Tenants::Id))
                    .col(string(Tenants::Name))
                    .col(ColumnDef::new(Tenants::Slug).string_len(64).not_null())
                    .col(ts(Tenants::CreatedAt))
                    .check(Check::named(
                        "ck_tenants_slug_not_empty",
                        Expr::col(Tenants::Slug).ne(""),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique("ux_tenants_slug", Tenants::Table, [Tenants::Slug]))
            .await?;
        manager
            .create_index(index(
                "ix_tenants_created",
                Tenants::Table,
                [Tenants::CreatedAt, Tenants::Id],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(uuid(Users::TenantId))
                    .col(ColumnDef::new(Users::Email).string_len(320).not_null())
                    .col(string(Users::PasswordHash))
                    .col(short(Users::Role))
                    .col(ts(Users::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_users_tenant",
                        (Users::Table, Users::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in(
                        "ck_users_role",
                        Users::Role,
                        &["member", "chief_architect"],
                    ))
                    .take(),
            )
            .await?;
        // E-mail is unique across tenants: sign-in takes only an e-mail, and
        // the service stores it normalised (lower case), so this index is
        // the whole uniqueness rule.
        manager
            .create_index(unique("ux_users_email", Users::Table, [Users::Email]))
            .await?;
        manager
            .create_index(index(
                "ix_users_tenant_created",
                Users::Table,
                [Users::TenantId, Users::CreatedAt, Users::Id],
            ))
            .await?;

        let mut seed = Query::insert();
        seed.into_table(Tenants::Table)
            .columns([
                Tenants::Id,
                Tenants::Name,
                Tenants::Slug,
                Tenants::CreatedAt,
            ])
            .values([
                PLATFORM_TENANT_ID.into(),
                "Platform".into(),
                PLATFORM_TENANT_SLUG.into(),
                chrono::Utc::now().into(),
            ])
            .map_err(crate::common::seed_error)?;
        manager.execute(seed).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["users", "tenants"]).await
    }
}

/// Identifiers of `tenants`.
#[derive(DeriveIden)]
pub enum Tenants {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Display name.
    Name,
    /// URL-safe unique slug.
    Slug,
    /// Creation time.
    CreatedAt,
}

/// Identifiers of `users`.
#[derive(DeriveIden)]
pub enum Users {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Owning tenant.
    TenantId,
    /// Normalised e-mail, unique.
    Email,
    /// argon2id PHC string.
    PasswordHash,
    /// `member` | `chief_architect`.
    Role,
    /// Creation time.
    CreatedAt,
}
