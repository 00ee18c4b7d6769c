//! The agent registry (with the media buyer), per-tenant enablement, and
//! lead credits: an append-only ledger plus a balance that cannot go
//! negative.

use sea_orm_migration::prelude::*;

use crate::common::{
    big, boolean, check_in, check_non_negative, fk, index, int, pk_uuid, short, string, text,
    text_null, ts, unique, uuid, uuid_null,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};
use crate::m20250101_000004_create_ad_campaigns::AdCampaigns;

/// Key of the media-buyer agent.
pub const MEDIA_BUYER_KEY: &str = "media-buyer";

/// Creates `agents`, `tenant_agents`, `tenant_agent_providers`,
/// `credit_accounts` and `credit_ledger`, and registers the media buyer.
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
                    .table(Agents::Table)
                    .col(
                        ColumnDef::new(Agents::Key)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(string(Agents::Name))
                    .col(text(Agents::Description))
                    .col(int(Agents::CreditCost))
                    .col(ts(Agents::CreatedAt))
                    .check(check_non_negative(
                        "ck_agents_credit_cost",
                        Agents::CreditCost,
                    ))
                    .take(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenantAgents::Table)
                    .col(uuid(TenantAgents::TenantId))
                    .col(
                        ColumnDef::new(TenantAgents::AgentKey)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(boolean(TenantAgents::Enabled))
                    .col(ts(TenantAgents::CreatedAt))
                    .col(ts(TenantAgents::UpdatedAt))
                    .primary_key(
                        Index::create()
                            .col(TenantAgents::TenantId)
                            .col(TenantAgents::AgentKey),
                    )
                    .foreign_key(&mut fk(
                        "fk_tenant_agents_tenant",
                        (TenantAgents::Table, TenantAgents::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_tenant_agents_agent",
                        (TenantAgents::Table, TenantAgents::AgentKey),
                        (Agents::Table, Agents::Key),
                        ForeignKeyAction::Cascade,
                    ))
                    .take(),
            )
            .await?;

        // Enabled providers as rows rather than a JSON array: the database
        // then checks every value against the same provider list as every
        // other provider column, and the entity reads them as the typed
        // `Provider` enum with no JSON decoding.
        manager
            .create_table(
                Table::create()
                    .table(TenantAgentProviders::Table)
                    .col(uuid(TenantAgentProviders::TenantId))
                    .col(
                        ColumnDef::new(TenantAgentProviders::AgentKey)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(short(TenantAgentProviders::Provider))
                    .primary_key(
                        Index::create()
                            .col(TenantAgentProviders::TenantId)
                            .col(TenantAgentProviders::AgentKey)
                            .col(TenantAgentProviders::Provider),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tenant_agent_providers_tenant_agent")
                            .from(
                                TenantAgentProviders::Table,
                                (
                                    TenantAgentProviders::TenantId,
                                    TenantAgentProviders::AgentKey,
                                ),
                            )
                            .to(
                                TenantAgents::Table,
                                (TenantAgents::TenantId, TenantAgents::AgentKey),
                            )
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Cascade),
                    )
                    .check(check_in(
                        "ck_tenant_agent_providers_provider",
                        TenantAgentProviders::Provider,
                        crate::PROVIDERS,
                    ))
                    .take(),
            )
            .await?;

        use CreditAccounts as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::UserId))
                    .col(uuid(A::TenantId))
                    .col(big(A::Balance))
                    .col(ts(A::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_credit_accounts_user",
                        (A::Table, A::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_credit_accounts_tenant",
                        (A::Table, A::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // The last line of defence for "never below zero": the
                    // service debits with `UPDATE … SET balance = balance + d
                    // WHERE user_id = ? AND balance + d >= 0` in the same
                    // transaction as the ledger insert; this CHECK holds even
                    // if some other path forgets the guard.
                    .check(check_non_negative("ck_credit_accounts_balance", A::Balance))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ix_credit_accounts_tenant", A::Table, [A::TenantId]))
            .await?;

        use CreditLedger as L;
        manager
            .create_table(
                Table::create()
                    .table(L::Table)
                    .col(pk_uuid(L::Id))
                    .col(uuid(L::TenantId))
                    .col(uuid(L::UserId))
                    .col(big(L::Delta))
                    .col(short(L::Kind))
                    .col(text_null(L::Reason))
                    .col(uuid_null(L::CampaignId))
                    .col(ColumnDef::new(L::IdempotencyKey).string_len(255).not_null())
                    .col(ts(L::CreatedAt))
                    .foreign_key(&mut fk(
                        "fk_credit_ledger_tenant",
                        (L::Table, L::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_credit_ledger_user",
                        (L::Table, L::UserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    // Set null: deleting a failed campaign keeps the money
                    // history it caused.
                    .foreign_key(&mut fk(
                        "fk_credit_ledger_campaign",
                        (L::Table, L::CampaignId),
                        (AdCampaigns::Table, AdCampaigns::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .check(check_in(
                        "ck_credit_ledger_kind",
                        L::Kind,
                        &["grant", "reserve", "commit", "refund"],
                    ))
                    .take(),
            )
            .await?;
        // Makes every credit movement happen at most once: a retried
        // reserve/commit/refund collides here instead of moving money twice.
        manager
            .create_index(unique(
                "ux_credit_ledger_idempotency",
                L::Table,
                [L::IdempotencyKey],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_credit_ledger_user_created",
                L::Table,
                [L::UserId, L::CreatedAt, L::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_credit_ledger_tenant_created",
                L::Table,
                [L::TenantId, L::CreatedAt, L::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_credit_ledger_campaign",
                L::Table,
                [L::CampaignId],
            ))
            .await?;

        let mut seed = Query::insert();
        seed.into_table(Agents::Table)
            .columns([
                Agents::Key,
                Agents::Name,
                Agents::Description,
                Agents::CreditCost,
                Agents::CreatedAt,
            ])
            .values([
                MEDIA_BUYER_KEY.into(),
                "Media buyer".into(),
                "Writes ad copy with AI and launches a complete Meta lead-generation \
                 campaign from your images in one click."
                    .into(),
                5i32.into(),
                chrono::Utc::now().into(),
            ])
            .map_err(crate::common::seed_error)?;
        manager.execute(seed).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(
            manager,
            &[
                "credit_ledger",
                "credit_accounts",
                "tenant_agent_providers",
                "tenant_agents",
                "agents",
            ],
        )
        .await
    }
}

/// Identifiers of `agents`.
#[derive(DeriveIden)]
pub enum Agents {
    /// The table.
    Table,
    /// Primary key, e.g. `media-buyer`.
    Key,
    /// Display name.
    Name,
    /// One-sentence description.
    Description,
    /// Credits one run costs.
    CreditCost,
    /// Creation time.
    CreatedAt,
}

/// Identifiers of `tenant_agents`.
#[derive(DeriveIden)]
pub enum TenantAgents {
    /// The table.
    Table,
    /// The tenant.
    TenantId,
    /// The agent.
    AgentKey,
    /// Whether the tenant may run it.
    Enabled,
    /// Creation time.
    CreatedAt,
    /// Last update time.
    UpdatedAt,
}

/// Identifiers of `tenant_agent_providers`.
#[derive(DeriveIden)]
pub enum TenantAgentProviders {
    /// The table.
    Table,
    /// The tenant.
    TenantId,
    /// The agent.
    AgentKey,
    /// An enabled provider.
    Provider,
}

/// Identifiers of `credit_accounts`.
#[derive(DeriveIden)]
pub enum CreditAccounts {
    /// The table.
    Table,
    /// The user (primary key: one balance per user).
    UserId,
    /// The user's tenant.
    TenantId,
    /// Current balance, never negative.
    Balance,
    /// Last change.
    UpdatedAt,
}

/// Identifiers of `credit_ledger`.
#[derive(DeriveIden)]
pub enum CreditLedger {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Owning tenant.
    TenantId,
    /// Owning user.
    UserId,
    /// Signed change of the balance.
    Delta,
    /// `grant` | `reserve` | `commit` | `refund`.
    Kind,
    /// Human reason.
    Reason,
    /// The campaign it concerns.
    CampaignId,
    /// Unique key that makes the movement happen once.
    IdempotencyKey,
    /// Creation time.
    CreatedAt,
}
