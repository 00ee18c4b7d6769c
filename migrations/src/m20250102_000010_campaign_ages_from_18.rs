//! Campaign audiences start at 18, as the contract and Meta's Marketing API
//! say (the first migration allowed 13).
//!
//! PostgreSQL replaces the named CHECK. SQLite cannot alter a CHECK short of
//! rebuilding `ad_campaigns` (children reference it), so there two triggers
//! enforce the new floor under the same name and the old CHECK keeps the
//! rest of the rule. Rows below 18 (none are expected: the API never wrote
//! any) are raised to 18 first, so the new rule holds for every row.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PG_UP: &[&str] = &[
    "UPDATE ad_campaigns SET target_audience = jsonb_set(jsonb_set(target_audience, '{age_max}', to_jsonb(GREATEST((target_audience ->> 'age_max')::integer, 18))), '{age_min}', '18'::jsonb) WHERE (target_audience ->> 'age_min')::integer < 18",
    "ALTER TABLE ad_campaigns DROP CONSTRAINT ck_ad_campaigns_age_range",
    "ALTER TABLE ad_campaigns ADD CONSTRAINT ck_ad_campaigns_age_range CHECK ((target_audience ->> 'age_min') IS NOT NULL AND (target_audience ->> 'age_max') IS NOT NULL AND ((target_audience ->> 'age_min')::integer) >= 18 AND ((target_audience ->> 'age_max')::integer) <= 65 AND ((target_audience ->> 'age_min')::integer) <= ((target_audience ->> 'age_max')::integer))",
];

const PG_DOWN: &[&str] = &[
    "ALTER TABLE ad_campaigns DROP CONSTRAINT ck_ad_campaigns_age_range",
    "ALTER TABLE ad_campaigns ADD CONSTRAINT ck_ad_campaigns_age_range CHECK ((target_audience ->> 'age_min') IS NOT NULL AND (target_audience ->> 'age_max') IS NOT NULL AND ((target_audience ->> 'age_min')::integer) >= 13 AND ((target_audience ->> 'age_max')::integer) <= 65 AND ((target_audience ->> 'age_min')::integer) <= ((target_audience ->> 'age_max')::integer))",
];

const SQLITE_UP: &[&str] = &[
    "UPDATE ad_campaigns SET target_audience = json_set(target_audience, '$.age_max', max(json_extract(target_audience, '$.age_max'), 18), '$.age_min', 18) WHERE json_extract(target_audience, '$.age_min') < 18",
    "CREATE TRIGGER ck_ad_campaigns_age_range_insert BEFORE INSERT ON ad_campaigns WHEN json_extract(NEW.target_audience, '$.age_min') < 18 BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_ad_campaigns_age_range'); END",
    "CREATE TRIGGER ck_ad_campaigns_age_range_update BEFORE UPDATE OF target_audience ON ad_campaigns WHEN json_extract(NEW.target_audience, '$.age_min') < 18 BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: ck_ad_campaigns_age_range'); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS ck_ad_campaigns_age_range_insert",
    "DROP TRIGGER IF EXISTS ck_ad_campaigns_age_range_update",
];

async fn run(manager: &SchemaManager<'_>, pg: &[&str], sqlite: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DbBackend::Postgres => pg,
        _ => sqlite,
    };
    let db = manager.get_connection();
    for sql in statements {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, PG_UP, SQLITE_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, PG_DOWN, SQLITE_DOWN).await
    }
}
