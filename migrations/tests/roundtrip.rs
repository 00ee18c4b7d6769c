//! Migrations up, down and up again, on SQLite and on PostgreSQL: every
//! table of DESIGN §3 appears, the seeds are there, and `down` leaves only
//! sea-orm's bookkeeping table.

// Test harness helpers outside `#[test]` functions fail loudly on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{TestResult, table_names, with_postgres, with_sqlite};
use entities::{agent, tenant};
use migrations::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{DatabaseConnection, EntityTrait};

/// DESIGN §3's tables, written out here rather than taken from the crate, so
/// a table dropped from the migrations fails this test.
const EXPECTED: &[&str] = &[
    "ad_campaigns",
    "agents",
    "audit_events",
    "budget_limits",
    "campaign_creatives",
    "casbin_rule",
    "creative_platform_assets",
    "creatives",
    "credit_accounts",
    "credit_ledger",
    "jobs",
    "lead_deliveries",
    "lead_delivery_attempts",
    "lead_destinations",
    "leads",
    "notifications",
    "performance_snapshots",
    "stop_loss_rules",
    "tenant_agent_providers",
    "tenant_agents",
    "tenants",
    "user_integrations",
    "users",
];

const BOOKKEEPING: &str = "seaql_migrations";

async fn assert_migrated(db: &DatabaseConnection) -> TestResult {
    let mut expected: Vec<String> = EXPECTED.iter().map(|t| (*t).to_owned()).collect();
    expected.push(BOOKKEEPING.to_owned());
    expected.sort();
    assert_eq!(table_names(db).await?, expected);
    assert!(Migrator::get_pending_migrations(db).await?.is_empty());

    let agent = agent::Entity::find_by_id(entities::MEDIA_BUYER_AGENT_KEY.to_owned())
        .one(db)
        .await?
        .ok_or("media-buyer agent not seeded")?;
    assert_eq!(agent.name, "Media buyer");
    assert_eq!(agent.credit_cost, 5);
    assert!(!agent.description.is_empty());

    let platform = tenant::Entity::find_by_id(entities::PLATFORM_TENANT_ID)
        .one(db)
        .await?
        .ok_or("platform tenant not seeded")?;
    assert_eq!(platform.slug, entities::PLATFORM_TENANT_SLUG);
    Ok(())
}

async fn up_down_up(db: DatabaseConnection) -> TestResult {
    Migrator::up(&db, None).await?;
    assert_migrated(&db).await?;

    Migrator::down(&db, None).await?;
    assert_eq!(table_names(&db).await?, vec![BOOKKEEPING.to_owned()]);
    assert_eq!(
        Migrator::get_pending_migrations(&db).await?.len(),
        Migrator::migrations().len()
    );

    Migrator::up(&db, None).await?;
    assert_migrated(&db).await
}

#[test]
fn crate_table_list_matches_design() {
    let mut listed: Vec<&str> = migrations::TABLES.to_vec();
    listed.sort_unstable();
    assert_eq!(listed, EXPECTED);
}

#[test]
fn platform_tenant_id_is_the_same_in_both_crates() {
    use migrations::m20250101_000001_create_tenants_and_users as m1;
    assert_eq!(
        m1::PLATFORM_TENANT_ID,
        entities::PLATFORM_TENANT_ID.into_uuid()
    );
    assert_eq!(m1::PLATFORM_TENANT_SLUG, entities::PLATFORM_TENANT_SLUG);
    use migrations::m20250101_000006_create_agents_and_credit_ledger as m6;
    assert_eq!(m6::MEDIA_BUYER_KEY, entities::MEDIA_BUYER_AGENT_KEY);
}

#[tokio::test]
async fn sqlite_up_down_up() {
    with_sqlite(up_down_up).await;
}

#[tokio::test]
async fn postgres_up_down_up() {
    with_postgres(up_down_up).await;
}
