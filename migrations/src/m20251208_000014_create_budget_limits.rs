//! `budget_limits`: a tenant's budget policy, one row per currency (issue
//! "money safety"). Each row caps a campaign's daily budget and the sum of
//! the daily budgets of the tenant's campaigns that can spend, both in the
//! minor unit of that currency (converted from major units at the edge).
//! A missing row means the server's default applies to that currency.

use sea_orm_migration::prelude::*;

use crate::common::{add_policy, fk, remove_policy, ts, uuid, uuid_null};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};

/// Creates `budget_limits` and lets members read their tenant's policy.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use BudgetLimits as B;
        manager
            .create_table(
                Table::create()
                    .table(B::Table)
                    .col(uuid(B::TenantId))
                    .col(ColumnDef::new(B::Currency).string_len(3).not_null())
                    .col(
                        ColumnDef::new(B::MaxCampaignDailyMinor)
                            .big_integer()
                            .null(),
                    )
                    .col(ColumnDef::new(B::MaxTenantDailyMinor).big_integer().null())
                    .col(ts(B::UpdatedAt))
                    .col(uuid_null(B::UpdatedBy))
                    .primary_key(Index::create().col(B::TenantId).col(B::Currency))
                    .foreign_key(&mut fk(
                        "fk_budget_limits_tenant",
                        (B::Table, B::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "fk_budget_limits_updated_by",
                        (B::Table, B::UpdatedBy),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .check(Check::named(
                        "ck_budget_limits_campaign_positive",
                        Expr::col(B::MaxCampaignDailyMinor)
                            .is_null()
                            .or(Expr::col(B::MaxCampaignDailyMinor).gt(0)),
                    ))
                    .check(Check::named(
                        "ck_budget_limits_tenant_positive",
                        Expr::col(B::MaxTenantDailyMinor)
                            .is_null()
                            .or(Expr::col(B::MaxTenantDailyMinor).gt(0)),
                    ))
                    .take(),
            )
            .await?;
        // Members read the policy they launch under; the chief architect's
        // `*` row already covers setting it.
        add_policy(manager, BUDGET_POLICY).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        remove_policy(manager, BUDGET_POLICY).await?;
        manager
            .drop_table(Table::drop().table(BudgetLimits::Table).to_owned())
            .await
    }
}

/// The policy row of budgets: `(p, role, tenant, resource, action, scope, -)`.
const BUDGET_POLICY: [&str; 7] = ["p", "member", "*", "budget", "read", "tenant", ""];

#[derive(DeriveIden)]
enum BudgetLimits {
    Table,
    TenantId,
    Currency,
    MaxCampaignDailyMinor,
    MaxTenantDailyMinor,
    UpdatedAt,
    UpdatedBy,
}
