//! `stop_loss_rules` and `notifications` (issue "money safety").
//!
//! A stop-loss rule pauses one campaign when its numbers cross a line; a
//! rule with no campaign is one of its owner's defaults, copied to each new
//! campaign. `fired_at` is set once, by whichever instance's guarded update
//! wins, so a rule acts once however many instances evaluate it.
//!
//! A notification tells one user something happened (a rule fired, a token
//! is about to expire); `dedupe_key` keeps a repeated warning to one row.

use sea_orm_migration::prelude::*;

use crate::common::{
    big, check_in, drop_tables, fk, index, pk_uuid, short, string, text, ts, ts_null, unique, uuid,
    uuid_null,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};
use crate::m20250101_000002_create_user_integrations::UserIntegrations;
use crate::m20250101_000004_create_ad_campaigns::AdCampaigns;

/// Values of `stop_loss_rules.kind`.
pub const RULE_KINDS: &[&str] = &[
    "cost_per_lead_above",
    "spend_without_leads",
    "lifetime_spend",
];

/// Values of `notifications.kind`.
pub const NOTIFICATION_KINDS: &[&str] = &[
    "rule_fired",
    "token_expiring",
    "token_expired",
    "launch_failed",
    "approval_needed",
    "approval_decided",
    "delivery_failing",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use StopLossRules as R;
        manager
            .create_table(
                Table::create()
                    .table(R::Table)
                    .col(pk_uuid(R::Id))
                    .col(uuid(R::TenantId))
                    .col(uuid(R::UserId))
                    .col(uuid_null(R::CampaignId))
                    .col(short(R::Kind))
                    .col(ColumnDef::new(R::Currency).string_len(3).not_null())
                    .col(big(R::ThresholdMinor))
                    .col(ColumnDef::new(R::MinSpendMinor).big_integer().null())
                    .col(ts_null(R::FiredAt))
                    .col(ts(R::CreatedAt))
                    .col(ts(R::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_stop_loss_rules_tenant",
                        (R::Table, R::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_stop_loss_rules_user",
                        (R::Table, R::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_stop_loss_rules_campaign",
                        (R::Table, R::CampaignId),
                        (AdCampaigns::Table, AdCampaigns::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in("ck_stop_loss_rules_kind", R::Kind, RULE_KINDS))
                    .check(Check::named(
                        "ck_stop_loss_rules_threshold",
                        Expr::col(R::ThresholdMinor).gt(0),
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index(
                "ix_stop_loss_rules_campaign",
                R::Table,
                [R::CampaignId],
            ))
            .await?;
        manager
            .create_index(index("ix_stop_loss_rules_user", R::Table, [R::UserId]))
            .await?;

        use Notifications as N;
        manager
            .create_table(
                Table::create()
                    .table(N::Table)
                    .col(pk_uuid(N::Id))
                    .col(uuid(N::TenantId))
                    .col(uuid(N::UserId))
                    .col(short(N::Kind))
                    .col(string(N::Title))
                    .col(text(N::Body))
                    .col(uuid_null(N::CampaignId))
                    .col(uuid_null(N::IntegrationId))
                    .col(ColumnDef::new(N::DedupeKey).string_len(200).null())
                    .col(ts(N::CreatedAt))
                    .col(ts_null(N::ReadAt))
                    .foreign_key(&mut fk(
                        "fk_notifications_tenant",
                        (N::Table, N::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_notifications_user",
                        (N::Table, N::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_notifications_campaign",
                        (N::Table, N::CampaignId),
                        (AdCampaigns::Table, AdCampaigns::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_notifications_integration",
                        (N::Table, N::IntegrationId),
                        (UserIntegrations::Table, UserIntegrations::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .check(check_in(
                        "ck_notifications_kind",
                        N::Kind,
                        NOTIFICATION_KINDS,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_notifications_user_dedupe",
                N::Table,
                [N::UserId, N::DedupeKey],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_notifications_user_created",
                N::Table,
                [N::UserId, N::CreatedAt, N::Id],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["notifications", "stop_loss_rules"]).await
    }
}

#[derive(DeriveIden)]
enum StopLossRules {
    Table,
    Id,
    TenantId,
    UserId,
    CampaignId,
    Kind,
    Currency,
    ThresholdMinor,
    MinSpendMinor,
    FiredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    TenantId,
    UserId,
    Kind,
    Title,
    Body,
    CampaignId,
    IntegrationId,
    DedupeKey,
    CreatedAt,
    ReadAt,
}
