//! The lead inbox (DESIGN §10): one row per platform lead, with the answers
//! sealed by the vault and only keyed hashes of e-mail and phone in clear.
//!
//! A lead no campaign owns (an ad or Page nobody launched here) still gets a
//! row, in the platform tenant with no owner, so the chief architect sees
//! it; it is never dropped.

use sea_orm_migration::prelude::*;

use crate::PROVIDERS;
use crate::common::{
    add_policy, bytes, check_in, check_len, drop_tables, fk, index, pk_uuid, remove_policy, short,
    string, string_null, text_null, ts, ts_null, unique, uuid, uuid_null,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};
use crate::m20250101_000002_create_user_integrations::UserIntegrations;
use crate::m20250101_000004_create_ad_campaigns::AdCampaigns;

/// Values of `leads.source`.
pub const LEAD_SOURCES: &[&str] = &["webhook", "reconciliation"];

/// Values of `leads.status`.
pub const LEAD_STATUSES: &[&str] = &["new", "contacted", "qualified", "won", "lost", "spam"];

/// Creates `leads`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use Leads as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .col(pk_uuid(L::Id))
                    .col(uuid(L::TenantId))
                    .col(uuid_null(L::UserId))
                    .col(uuid_null(L::CampaignId))
                    .col(uuid_null(L::IntegrationId))
                    .col(short(L::Provider))
                    .col(ColumnDef::new(L::PlatformLeadId).string_len(64).not_null())
                    .col(ColumnDef::new(L::PageId).string_len(64).null())
                    .col(ColumnDef::new(L::FormId).string_len(64).null())
                    .col(ColumnDef::new(L::AdId).string_len(64).null())
                    .col(ts_null(L::PlatformCreatedAt))
                    .col(ts(L::ReceivedAt))
                    .col(short(L::Source))
                    .col(bytes(L::Answers))
                    .col(bytes(L::AnswersNonce))
                    .col(bytes(L::WrappedKey))
                    .col(bytes(L::WrappedKeyNonce))
                    .col(string(L::KeyId))
                    .col(string_null(L::EmailHash))
                    .col(string_null(L::PhoneHash))
                    .col(short(L::Status))
                    .col(text_null(L::Note))
                    .col(ts(L::CreatedAt))
                    .col(ts(L::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_leads_tenant",
                        (L::Table, L::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_leads_user",
                        (L::Table, L::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // A deleted campaign or integration leaves its leads in
                    // the inbox, unattached; people's answers are erased by
                    // `deleteLead`, never as a side effect.
                    .foreign_key(&mut fk(
                        "fk_leads_campaign",
                        (L::Table, L::CampaignId),
                        (AdCampaigns::Table, AdCampaigns::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_leads_integration",
                        (L::Table, L::IntegrationId),
                        (UserIntegrations::Table, UserIntegrations::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .check(check_in("ck_leads_provider", L::Provider, PROVIDERS))
                    .check(check_in("ck_leads_source", L::Source, LEAD_SOURCES))
                    .check(check_in("ck_leads_status", L::Status, LEAD_STATUSES))
                    .check(check_len("ck_leads_email_hash", L::EmailHash, 64))
                    .check(check_len("ck_leads_phone_hash", L::PhoneHash, 64))
                    .take(),
            )
            .await?;
        // One row per platform lead, however often Meta pings or the
        // reconciliation pass reads it.
        manager
            .create_index(unique(
                "ux_leads_provider_lead",
                L::Table,
                [L::Provider, L::PlatformLeadId],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_leads_tenant_received",
                L::Table,
                [L::TenantId, L::ReceivedAt, L::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_leads_user_received",
                L::Table,
                [L::UserId, L::ReceivedAt, L::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_leads_campaign_received",
                L::Table,
                [L::CampaignId, L::ReceivedAt],
            ))
            .await?;
        manager
            .create_index(index("ix_leads_email_hash", L::Table, [L::EmailHash]))
            .await?;
        manager
            .create_index(index("ix_leads_phone_hash", L::Table, [L::PhoneHash]))
            .await?;
        // Members work their own leads, as their own campaigns; the chief
        // architect's `*` row already covers leads.
        add_policy(manager, LEAD_POLICY).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove_policy(manager, LEAD_POLICY).await?;
        drop_tables(manager, &["leads"]).await
    }
}

/// The policy row of leads: `(p, role, tenant, resource, action, scope, -)`.
const LEAD_POLICY: [&str; 7] = ["p", "member", "*", "lead", "*", "own", ""];

/// Identifiers of `leads`.
#[derive(DeriveIden)]
pub enum Leads {
    Table,
    Id,
    TenantId,
    UserId,
    CampaignId,
    IntegrationId,
    Provider,
    PlatformLeadId,
    PageId,
    FormId,
    AdId,
    PlatformCreatedAt,
    ReceivedAt,
    Source,
    Answers,
    AnswersNonce,
    WrappedKey,
    WrappedKeyNonce,
    KeyId,
    EmailHash,
    PhoneHash,
    Status,
    Note,
    CreatedAt,
    UpdatedAt,
}
