//! Lead delivery (DESIGN §10, issue 18.5): a member's destinations (a signed
//! webhook or an e-mail to the owner), one delivery per (lead, destination)
//! and a log of every attempt.
//!
//! The unique (lead, destination) pair is what makes a delivery happen once:
//! the row is inserted with `ON CONFLICT DO NOTHING` when the lead is
//! stored, and its one job in the queue is keyed by the row's id.

use sea_orm_migration::prelude::*;

use crate::common::{
    boolean, bytes_null, check_in, check_non_negative, drop_tables, fk, index, int, pk_uuid, short,
    string, string_null, text_null, ts, ts_null, unique, uuid,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};
use crate::m20251207_000013_create_leads::Leads;

/// Values of `lead_destinations.kind`.
pub const DESTINATION_KINDS: &[&str] = &["webhook", "email"];

/// Values of `lead_destinations.status`.
pub const DESTINATION_STATUSES: &[&str] = &["active", "paused"];

/// Values of `lead_deliveries.status`.
pub const DELIVERY_STATUSES: &[&str] = &["pending", "delivered", "failed", "held"];

/// Creates `lead_destinations`, `lead_deliveries` and `lead_delivery_attempts`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use LeadDeliveries as D;
        use LeadDeliveryAttempts as A;
        use LeadDestinations as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(pk_uuid(T::Id))
                    .col(uuid(T::TenantId))
                    .col(uuid(T::UserId))
                    .col(short(T::Kind))
                    .col(string(T::Name))
                    .col(text_null(T::Url))
                    // The signing secret of a webhook, sealed by the vault.
                    .col(bytes_null(T::Secret))
                    .col(bytes_null(T::SecretNonce))
                    .col(bytes_null(T::WrappedKey))
                    .col(bytes_null(T::WrappedKeyNonce))
                    .col(string_null(T::KeyId))
                    .col(short(T::Status))
                    .col(text_null(T::PausedReason))
                    .col(int(T::FailuresInARow))
                    .col(ts(T::CreatedAt))
                    .col(ts(T::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_lead_destinations_tenant",
                        (T::Table, T::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_lead_destinations_user",
                        (T::Table, T::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in(
                        "ck_lead_destinations_kind",
                        T::Kind,
                        DESTINATION_KINDS,
                    ))
                    .check(check_in(
                        "ck_lead_destinations_status",
                        T::Status,
                        DESTINATION_STATUSES,
                    ))
                    .check(check_non_negative(
                        "ck_lead_destinations_failures",
                        T::FailuresInARow,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_lead_destinations_owner",
                T::Table,
                [T::TenantId, T::UserId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(D::Table)
                    .col(pk_uuid(D::Id))
                    .col(uuid(D::TenantId))
                    .col(uuid(D::UserId))
                    .col(uuid(D::LeadId))
                    .col(uuid(D::DestinationId))
                    .col(short(D::Status))
                    .col(int(D::Attempts))
                    .col(string_null(D::LastError))
                    .col(ts_null(D::DeliveredAt))
                    .col(ts(D::CreatedAt))
                    .col(ts(D::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_lead_deliveries_tenant",
                        (D::Table, D::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_lead_deliveries_user",
                        (D::Table, D::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // An erased lead takes its deliveries with it.
                    .foreign_key(&mut fk(
                        "fk_lead_deliveries_lead",
                        (D::Table, D::LeadId),
                        (Leads::Table, Leads::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_lead_deliveries_destination",
                        (D::Table, D::DestinationId),
                        (LeadDestinations::Table, LeadDestinations::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in(
                        "ck_lead_deliveries_status",
                        D::Status,
                        DELIVERY_STATUSES,
                    ))
                    .check(check_non_negative(
                        "ck_lead_deliveries_attempts",
                        D::Attempts,
                    ))
                    .take(),
            )
            .await?;
        // Exactly one delivery per lead and destination.
        manager
            .create_index(unique(
                "ux_lead_deliveries_lead_destination",
                D::Table,
                [D::LeadId, D::DestinationId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_lead_deliveries_destination",
                D::Table,
                [D::DestinationId, D::CreatedAt],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::Id))
                    .col(uuid(A::TenantId))
                    .col(uuid(A::UserId))
                    .col(uuid(A::DeliveryId))
                    .col(int(A::Number))
                    .col(ts(A::At))
                    .col(boolean(A::Ok))
                    .col(ColumnDef::new(A::StatusCode).integer().null())
                    // Plain words only: never a secret or a person's answer.
                    .col(string_null(A::Error))
                    .foreign_key(&mut fk(
                        "fk_lead_delivery_attempts_tenant",
                        (A::Table, A::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_lead_delivery_attempts_user",
                        (A::Table, A::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_lead_delivery_attempts_delivery",
                        (A::Table, A::DeliveryId),
                        (D::Table, D::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_lead_delivery_attempts_delivery",
                A::Table,
                [A::DeliveryId, A::Number],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            manager,
            &[
                "lead_delivery_attempts",
                "lead_deliveries",
                "lead_destinations",
            ],
        )
        .await
    }
}

/// Identifiers of `lead_destinations`.
#[derive(DeriveIden)]
pub enum LeadDestinations {
    Table,
    Id,
    TenantId,
    UserId,
    Kind,
    Name,
    Url,
    Secret,
    SecretNonce,
    WrappedKey,
    WrappedKeyNonce,
    KeyId,
    Status,
    PausedReason,
    FailuresInARow,
    CreatedAt,
    UpdatedAt,
}

/// Identifiers of `lead_deliveries`.
#[derive(DeriveIden)]
pub enum LeadDeliveries {
    Table,
    Id,
    TenantId,
    UserId,
    LeadId,
    DestinationId,
    Status,
    Attempts,
    LastError,
    DeliveredAt,
    CreatedAt,
    UpdatedAt,
}

/// Identifiers of `lead_delivery_attempts`.
#[derive(DeriveIden)]
pub enum LeadDeliveryAttempts {
    Table,
    Id,
    TenantId,
    UserId,
    DeliveryId,
    Number,
    At,
    Ok,
    StatusCode,
    Error,
}
