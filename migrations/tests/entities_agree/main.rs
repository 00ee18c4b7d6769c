//! Entities and migrations agree: one row of every entity is written through
//! sea-orm and read back unchanged on SQLite and PostgreSQL, relations
//! resolve, tenant-scoped finders filter, and the constraints the product
//! relies on (CHECKs, foreign keys, unique keys) hold on both engines.

// Test harness helpers outside `#[test]` functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;
mod constraints;
mod enums;
mod fixture;
mod jobs;
mod relations;

use common::{TestResult, with_postgres, with_sqlite};
use migrations::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection};

async fn agree(db: DatabaseConnection) -> TestResult {
    Migrator::up(&db, None).await?;
    jobs::jobs_can_be_claimed(&db).await?;
    let fixture = fixture::insert_every_entity(&db).await?;
    relations::relations_and_scopes(&db, &fixture).await?;
    enums::enums_match_checks(&db).await?;
    constraints::constraints_hold(&db, &fixture).await?;
    // Proves the connection still answers after the expected errors above.
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}

#[tokio::test]
async fn sqlite_entities_match_migrations() {
    with_sqlite(agree).await;
}

#[tokio::test]
async fn postgres_entities_match_migrations() {
    with_postgres(agree).await;
}
