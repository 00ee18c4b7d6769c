//! Media-buyer campaigns and the creatives each one runs.

use sea_orm_migration::prelude::*;

use crate::common::{
    big, check_in, fk, index, int, json, json_int, json_null, pk_uuid, short, string, string_null,
    text, text_null, ts, unique, uuid,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};
use crate::m20250101_000002_create_user_integrations::UserIntegrations;
use crate::m20250101_000003_create_creatives::Creatives;

/// Creates `ad_campaigns` and `campaign_creatives`.
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
        let backend = manager.get_database_backend();
        let age_min = json_int(backend, "target_audience", "age_min");
        let age_max = json_int(backend, "target_audience", "age_max");

        use AdCampaigns as T;
        manager
            .create_table(
                Table::create()
                    .table(T::Table)
                    .col(pk_uuid(T::Id))
                    .col(uuid(T::TenantId))
                    .col(uuid(T::UserId))
                    .col(short(T::Provider))
                    .col(uuid(T::IntegrationId))
                    .col(string(T::CampaignName))
                    .col(short(T::Objective))
                    .col(big(T::DailyBudgetCents))
                    .col(json(T::TargetAudience))
                    .col(json_null(T::AdCopy))
                    .col(text_null(T::Niche))
                    .col(text(T::DestinationUrl))
                    .col(string_null(T::LeadFormId))
                    .col(string_null(T::PixelId))
                    .col(string_null(T::MetaCampaignId))
                    .col(string_null(T::MetaAdsetId))
                    .col(string_null(T::MetaAdId))
                    .col(short(T::Status))
                    .col(json_null(T::Performance))
                    .col(text_null(T::ErrorMessage))
                    .col(ColumnDef::new(T::LaunchStep).string_len(64).null())
                    .col(ColumnDef::new(T::IdempotencyKey).string_len(255).null())
                    .col(ts(T::CreatedAt))
                    .col(ts(T::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_ad_campaigns_tenant",
                        (T::Table, T::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_ad_campaigns_user",
                        (T::Table, T::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // Restrict: an integration a campaign still refers to
                    // cannot disappear under it (deleteIntegration answers
                    // CONFLICT; this is the backstop).
                    .foreign_key(&mut fk(
                        "fk_ad_campaigns_integration",
                        (T::Table, T::IntegrationId),
                        (UserIntegrations::Table, UserIntegrations::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .check(check_in(
                        "ck_ad_campaigns_provider",
                        T::Provider,
                        crate::PROVIDERS,
                    ))
                    .check(check_in(
                        "ck_ad_campaigns_objective",
                        T::Objective,
                        &["LEADS", "CONVERSIONS", "TRAFFIC"],
                    ))
                    .check(check_in(
                        "ck_ad_campaigns_status",
                        T::Status,
                        &[
                            "draft",
                            "launching",
                            "active",
                            "paused",
                            "completed",
                            "error",
                        ],
                    ))
                    .check(Check::named(
                        "ck_ad_campaigns_daily_budget",
                        Expr::col(T::DailyBudgetCents).gt(0),
                    ))
                    // Meta accepts ages 13..=65; the range lives in the JSON
                    // audience, so the check reads it there.
                    .check(Check::named(
                        "ck_ad_campaigns_age_range",
                        age_min
                            .clone()
                            .is_not_null()
                            .and(age_max.clone().is_not_null())
                            .and(age_min.clone().gte(13))
                            .and(age_max.clone().lte(65))
                            .and(age_min.lte(age_max)),
                    ))
                    .take(),
            )
            .await?;
        // A retried launchCampaign with the same key finds the same campaign.
        manager
            .create_index(unique(
                "ux_ad_campaigns_user_idempotency",
                T::Table,
                [T::UserId, T::IdempotencyKey],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_ad_campaigns_tenant_created",
                T::Table,
                [T::TenantId, T::CreatedAt, T::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_ad_campaigns_user_created",
                T::Table,
                [T::UserId, T::CreatedAt, T::Id],
            ))
            .await?;
        // The insights sync selects active/paused campaigns across tenants.
        manager
            .create_index(index(
                "ix_ad_campaigns_status",
                T::Table,
                [T::Status, T::IntegrationId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_ad_campaigns_integration",
                T::Table,
                [T::IntegrationId],
            ))
            .await?;

        use CampaignCreatives as J;
        manager
            .create_table(
                Table::create()
                    .table(J::Table)
                    .col(uuid(J::CampaignId))
                    .col(uuid(J::CreativeId))
                    .col(uuid(J::TenantId))
                    .col(uuid(J::UserId))
                    .col(int(J::Position))
                    .col(string_null(J::RemoteCreativeId))
                    .col(string_null(J::RemoteAdId))
                    .primary_key(Index::create().col(J::CampaignId).col(J::CreativeId))
                    .foreign_key(&mut fk(
                        "fk_campaign_creatives_campaign",
                        (J::Table, J::CampaignId),
                        (T::Table, T::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // Restrict: a creative in use by a campaign is not deleted
                    // silently (deleteCreative unlinks drafts first).
                    .foreign_key(&mut fk(
                        "fk_campaign_creatives_creative",
                        (J::Table, J::CreativeId),
                        (Creatives::Table, Creatives::Id),
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "fk_campaign_creatives_tenant",
                        (J::Table, J::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_campaign_creatives_user",
                        (J::Table, J::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(crate::common::check_non_negative(
                        "ck_campaign_creatives_position",
                        J::Position,
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(unique(
                "ux_campaign_creatives_position",
                J::Table,
                [J::CampaignId, J::Position],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_campaign_creatives_creative",
                J::Table,
                [J::CreativeId],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["campaign_creatives", "ad_campaigns"]).await
    }
}

/// Identifiers of `ad_campaigns`.
#[derive(DeriveIden)]
pub enum AdCampaigns {
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
    /// The integration whose credentials launch it.
    IntegrationId,
    /// Name shown in the UI and on the platform.
    CampaignName,
    /// `LEADS` | `CONVERSIONS` | `TRAFFIC`.
    Objective,
    /// Daily budget in the account currency's minor unit.
    DailyBudgetCents,
    /// JSON audience.
    TargetAudience,
    /// JSON ad copy.
    AdCopy,
    /// Copywriter guidance.
    Niche,
    /// Landing page.
    DestinationUrl,
    /// Instant form id.
    LeadFormId,
    /// Pixel id.
    PixelId,
    /// Remote campaign id.
    MetaCampaignId,
    /// Remote ad set id.
    MetaAdsetId,
    /// Remote id of the first ad.
    MetaAdId,
    /// Lifecycle status.
    Status,
    /// JSON latest performance.
    Performance,
    /// The platform's words on failure.
    ErrorMessage,
    /// Last completed launch step.
    LaunchStep,
    /// Launch idempotency key, unique per user.
    IdempotencyKey,
    /// Creation time.
    CreatedAt,
    /// Last update time.
    UpdatedAt,
}

/// Identifiers of `campaign_creatives`.
#[derive(DeriveIden)]
pub enum CampaignCreatives {
    /// The table.
    Table,
    /// The campaign.
    CampaignId,
    /// The creative.
    CreativeId,
    /// Owning tenant.
    TenantId,
    /// Owning user.
    UserId,
    /// Order within the campaign, from 0.
    Position,
    /// Remote ad creative id.
    RemoteCreativeId,
    /// Remote ad id.
    RemoteAdId,
}
