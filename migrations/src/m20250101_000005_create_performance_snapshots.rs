//! The time series behind the campaign charts.

use sea_orm_migration::prelude::*;

use crate::common::{big, check_non_negative, fk, index, pk_uuid, ts, unique, uuid};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};
use crate::m20250101_000004_create_ad_campaigns::AdCampaigns;

/// Creates `performance_snapshots`.
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
        use PerformanceSnapshots as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(pk_uuid(T::Id))
                    .col(uuid(T::TenantId))
                    .col(uuid(T::UserId))
                    .col(uuid(T::CampaignId))
                    .col(ts(T::CapturedAt))
                    .col(big(T::Impressions))
                    .col(big(T::Clicks))
                    .col(big(T::SpendCents))
                    .col(big(T::Leads))
                    .foreign_key(&mut crate::common::fk(
                        "fk_performance_snapshots_campaign",
                        (T::Table, T::CampaignId),
                        (AdCampaigns::Table, AdCampaigns::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_performance_snapshots_tenant",
                        (T::Table, T::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_performance_snapshots_user",
                        (T::Table, T::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_non_negative(
                        "ck_performance_snapshots_impressions",
                        T::Impressions,
                    ))
                    .check(check_non_negative(
                        "ck_performance_snapshots_clicks",
                        T::Clicks,
                    ))
                    .check(check_non_negative(
                        "ck_performance_snapshots_spend",
                        T::SpendCents,
                    ))
                    .check(check_non_negative(
                        "ck_performance_snapshots_leads",
                        T::Leads,
                    ))
                    .take(),
            )
            .await?;
        // One point per campaign and instant; "last n" reads walk this
        // index backwards.
        manager
            .create_index(unique(
                "ux_performance_snapshots_campaign_captured",
                T::Table,
                [T::CampaignId, T::CapturedAt],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_performance_snapshots_tenant",
                T::Table,
                [T::TenantId, T::CapturedAt],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["performance_snapshots"]).await
    }
}

/// Identifiers of `performance_snapshots`.
#[derive(DeriveIden)]
pub enum PerformanceSnapshots {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Owning tenant.
    TenantId,
    /// Owning user.
    UserId,
    /// The campaign measured.
    CampaignId,
    /// When the platform's numbers were read.
    CapturedAt,
    /// Cumulative impressions.
    Impressions,
    /// Cumulative clicks.
    Clicks,
    /// Cumulative spend in minor units.
    SpendCents,
    /// Cumulative leads.
    Leads,
}
