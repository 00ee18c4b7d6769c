//! Approval mode per tenant (issue "money safety"): whether a tenant's
//! launches wait for the chief architect, the digest of the launch plan a
//! waiting campaign was submitted with, and the `awaiting_approval` status.
//!
//! PostgreSQL replaces the named status CHECK. SQLite cannot alter a CHECK,
//! and rebuilding `ad_campaigns` would cascade into its children, so there
//! the CHECK's text is widened in place through `writable_schema` — SQLite's
//! documented procedure for loosening a constraint every row already meets —
//! and the schema version is bumped so every connection re-reads it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenants {
    Table,
    LaunchApprovalRequired,
}

#[derive(DeriveIden)]
enum AdCampaigns {
    Table,
    ApprovalDigest,
}

const STATUSES: &str = "'draft', 'launching', 'active', 'paused', 'completed', 'error'";
const WIDER: &str =
    "'draft', 'launching', 'active', 'paused', 'completed', 'error', 'awaiting_approval'";

async fn set_statuses(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("ALTER TABLE ad_campaigns DROP CONSTRAINT ck_ad_campaigns_status")
            .await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE ad_campaigns ADD CONSTRAINT ck_ad_campaigns_status CHECK (status IN ({to}))"
        ))
        .await?;
        return Ok(());
    }
    let version = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA schema_version",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("no schema version".to_owned()))?
        .try_get_by_index::<i64>(0)?;
    let sql = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'ad_campaigns'",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("no ad_campaigns table".to_owned()))?
        .try_get_by_index::<String>(0)?;
    let (from_in, to_in) = (format!("IN ({from})"), format!("IN ({to})"));
    if sql.matches(&from_in).count() != 1 {
        return Err(DbErr::Migration(
            "ad_campaigns' status CHECK is not the one this migration widens".to_owned(),
        ));
    }
    let widened = sql.replacen(&from_in, &to_in, 1);
    db.execute_unprepared("PRAGMA writable_schema = ON").await?;
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'ad_campaigns'",
        [widened.into()],
    ))
    .await?;
    db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
        .await?;
    db.execute_unprepared("PRAGMA writable_schema = OFF")
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Off for every existing tenant: launches go on as before.
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .add_column(
                        ColumnDef::new(Tenants::LaunchApprovalRequired)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AdCampaigns::Table)
                    .add_column(
                        ColumnDef::new(AdCampaigns::ApprovalDigest)
                            .string_len(64)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        set_statuses(manager, STATUSES, WIDER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A launch still waiting goes back to its owner as a failed one
        // (its credits stay reserved until an operator refunds them).
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE ad_campaigns SET status = 'error', error_message = 'Withdrawn: approval mode was removed.' WHERE status = 'awaiting_approval'",
            )
            .await?;
        set_statuses(manager, WIDER, STATUSES).await?;
        manager
            .alter_table(
                Table::alter()
                    .table(AdCampaigns::Table)
                    .drop_column(AdCampaigns::ApprovalDigest)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tenants::Table)
                    .drop_column(Tenants::LaunchApprovalRequired)
                    .to_owned(),
            )
            .await
    }
}
