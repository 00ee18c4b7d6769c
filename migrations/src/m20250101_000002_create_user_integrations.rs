//! A user's connection to an ad platform: encrypted credentials plus the
//! non-secret fields the UI shows.

use sea_orm_migration::prelude::*;

use crate::common::{
    bytes, check_in, check_len, fk, index, pk_uuid, short, string_null, text_null, ts, ts_null,
    unique, uuid,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};

/// Creates `user_integrations`.
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
        use UserIntegrations as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(pk_uuid(T::Id))
                    .col(uuid(T::TenantId))
                    .col(uuid(T::UserId))
                    .col(short(T::Provider))
                    // Envelope encryption: `credentials` is the AEAD ciphertext of
                    // `{access_token, ad_account_id}` under a per-row data key;
                    // the data key is stored wrapped by master key `key_id`.
                    // Nothing here is readable without the master key.
                    .col(bytes(T::Credentials))
                    .col(bytes(T::CredentialsNonce))
                    .col(bytes(T::WrappedKey))
                    .col(bytes(T::WrappedKeyNonce))
                    .col(ColumnDef::new(T::KeyId).string_len(64).not_null())
                    .col(ColumnDef::new(T::AdAccountId).string_len(64).not_null())
                    .col(string_null(T::PageId))
                    .col(string_null(T::AccountName))
                    .col(ColumnDef::new(T::Currency).string_len(3).null())
                    .col(ColumnDef::new(T::TokenLast4).string_len(4).not_null())
                    .col(ts_null(T::TokenExpiresAt))
                    .col(short(T::Status))
                    .col(ts_null(T::LastVerifiedAt))
                    .col(text_null(T::LastError))
                    .col(ts(T::CreatedAt))
                    .col(ts(T::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_user_integrations_tenant",
                        (T::Table, T::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_user_integrations_user",
                        (T::Table, T::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in(
                        "ck_user_integrations_provider",
                        T::Provider,
                        crate::PROVIDERS,
                    ))
                    .check(check_in(
                        "ck_user_integrations_status",
                        T::Status,
                        &["unverified", "verified", "invalid"],
                    ))
                    .check(check_len("ck_user_integrations_currency", T::Currency, 3))
                    .check(Check::named(
                        "ck_user_integrations_ad_account_not_empty",
                        Expr::col(T::AdAccountId).ne(""),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_user_integrations_user_provider_account",
                T::Table,
                [T::UserId, T::Provider, T::AdAccountId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_user_integrations_tenant_created",
                T::Table,
                [T::TenantId, T::CreatedAt, T::Id],
            ))
            .await?;
        // Key rotation walks rows still wrapped by an old key.
        manager
            .create_index(index("ix_user_integrations_key", T::Table, [T::KeyId]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["user_integrations"]).await
    }
}

/// Identifiers of `user_integrations`.
#[derive(DeriveIden)]
pub enum UserIntegrations {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Owning tenant.
    TenantId,
    /// Owning user.
    UserId,
    /// `meta_ads` | `sandbox`.
    Provider,
    /// AEAD ciphertext of the secret credentials.
    Credentials,
    /// Nonce of `credentials`.
    CredentialsNonce,
    /// The per-row data key, wrapped by the master key.
    WrappedKey,
    /// Nonce of `wrapped_key`.
    WrappedKeyNonce,
    /// Id of the master key that wrapped the data key.
    KeyId,
    /// Platform ad account id (e.g. `act_123`); not secret.
    AdAccountId,
    /// Page the ads run as.
    PageId,
    /// Ad account name, known once verified.
    AccountName,
    /// ISO 4217 currency of the ad account.
    Currency,
    /// Last four characters of the token, for display.
    TokenLast4,
    /// Token expiry when the platform reports one.
    TokenExpiresAt,
    /// `unverified` | `verified` | `invalid`.
    Status,
    /// Time of the last successful or failed test.
    LastVerifiedAt,
    /// The platform's words from the last failed test.
    LastError,
    /// Creation time.
    CreatedAt,
    /// Last update time.
    UpdatedAt,
}
