//! Uploaded ad images and, per image, the platform-side copies made when a
//! campaign first uses it in an ad account.

use sea_orm_migration::prelude::*;

use crate::common::{
    big, check_in, check_len, check_non_negative, fk, index, int, pk_uuid, short, string,
    string_null, text_null, ts, unique, uuid,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};

/// Creates `creatives` and `creative_platform_assets`.
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
        use Creatives as C;
        manager
            .create_table(
                Table::create()
                    .table(C::Table)
                    .col(pk_uuid(C::Id))
                    .col(uuid(C::TenantId))
                    .col(uuid(C::UserId))
                    .col(ColumnDef::new(C::StorageKey).string_len(512).not_null())
                    .col(ColumnDef::new(C::ThumbnailKey).string_len(512).null())
                    .col(string(C::FileName))
                    .col(ColumnDef::new(C::ContentType).string_len(100).not_null())
                    .col(big(C::ByteSize))
                    .col(int(C::Width))
                    .col(int(C::Height))
                    .col(ColumnDef::new(C::Sha256).string_len(64).not_null())
                    .col(ts(C::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_creatives_tenant",
                        (C::Table, C::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_creatives_user",
                        (C::Table, C::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_non_negative("ck_creatives_byte_size", C::ByteSize))
                    .check(Check::named(
                        "ck_creatives_width",
                        Expr::col(C::Width).gt(0),
                    ))
                    .check(Check::named(
                        "ck_creatives_height",
                        Expr::col(C::Height).gt(0),
                    ))
                    .check(check_len("ck_creatives_sha256", C::Sha256, 64))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_creatives_storage_key",
                C::Table,
                [C::StorageKey],
            ))
            .await?;
        // The same bytes uploaded twice by one user are one creative; the
        // index makes that hold under concurrent uploads too.
        manager
            .create_index(unique(
                "ux_creatives_user_sha256",
                C::Table,
                [C::UserId, C::Sha256],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_creatives_tenant_created",
                C::Table,
                [C::TenantId, C::CreatedAt, C::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_creatives_user_created",
                C::Table,
                [C::UserId, C::CreatedAt, C::Id],
            ))
            .await?;

        use CreativePlatformAssets as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::Id))
                    .col(uuid(A::TenantId))
                    .col(uuid(A::UserId))
                    .col(uuid(A::CreativeId))
                    .col(short(A::Provider))
                    .col(ColumnDef::new(A::AdAccountId).string_len(64).not_null())
                    .col(string_null(A::RemoteHash))
                    .col(text_null(A::RemoteUrl))
                    .col(ts(A::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_creative_platform_assets_tenant",
                        (A::Table, A::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_creative_platform_assets_user",
                        (A::Table, A::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_creative_platform_assets_creative",
                        (A::Table, A::CreativeId),
                        (C::Table, C::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in(
                        "ck_creative_platform_assets_provider",
                        A::Provider,
                        crate::PROVIDERS,
                    ))
                    .take(),
            )
            .await?;
        // An image is uploaded to an ad account once; concurrent launches
        // race on this index and the loser reuses the winner's hash.
        manager
            .create_index(unique(
                "ux_creative_platform_assets_creative_account",
                A::Table,
                [A::CreativeId, A::Provider, A::AdAccountId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_creative_platform_assets_tenant",
                A::Table,
                [A::TenantId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["creative_platform_assets", "creatives"]).await
    }
}

/// Identifiers of `creatives`.
#[derive(DeriveIden)]
pub enum Creatives {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Owning tenant.
    TenantId,
    /// Owning user.
    UserId,
    /// Blob key `{tenant_id}/{user_id}/{uuid}.{ext}`.
    StorageKey,
    /// Blob key of the thumbnail, once made.
    ThumbnailKey,
    /// The uploader's file name (display only).
    FileName,
    /// Sniffed MIME type.
    ContentType,
    /// Size in bytes.
    ByteSize,
    /// Pixel width.
    Width,
    /// Pixel height.
    Height,
    /// Lower-case hex SHA-256 of the bytes.
    Sha256,
    /// Creation time.
    CreatedAt,
}

/// Identifiers of `creative_platform_assets`.
#[derive(DeriveIden)]
pub enum CreativePlatformAssets {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Owning tenant.
    TenantId,
    /// Owning user.
    UserId,
    /// The local creative.
    CreativeId,
    /// `meta_ads` | `sandbox`.
    Provider,
    /// Ad account the image was uploaded to.
    AdAccountId,
    /// The platform's image hash.
    RemoteHash,
    /// The platform's image URL.
    RemoteUrl,
    /// Creation time.
    CreatedAt,
}
