//! Leadforge's schema, as sea-orm-migration steps that run unchanged on
//! PostgreSQL and SQLite.
//!
//! One file per area, applied in order by [`Migrator`]. Every foreign key is
//! declared inside `CREATE TABLE` (SQLite cannot add one later), JSON columns
//! are `jsonb` on PostgreSQL and text on SQLite, and status-like columns are
//! short strings guarded by named CHECK constraints (`ck_<table>_<what>`), so
//! a constraint violation names the rule it broke.

pub use sea_orm_migration::prelude::*;

mod common;
pub mod m20250101_000001_create_tenants_and_users;
pub mod m20250101_000002_create_user_integrations;
pub mod m20250101_000003_create_creatives;
pub mod m20250101_000004_create_ad_campaigns;
pub mod m20250101_000005_create_performance_snapshots;
pub mod m20250101_000006_create_agents_and_credit_ledger;
pub mod m20250101_000007_create_audit_events_and_jobs;
pub mod m20250101_000008_create_casbin_rules;
pub mod m20250101_000009_seed_authorization_policy;
pub mod m20250102_000010_campaign_ages_from_18;
pub mod m20250102_000011_add_campaign_launch_progress;
pub mod m20251207_000012_add_ad_delivery_states;
pub mod m20251207_000013_create_leads;
pub mod m20251208_000014_create_budget_limits;
pub mod m20251208_000015_special_ad_category_and_dsa;
pub mod m20251208_000016_create_lead_deliveries;
pub mod m20251208_000017_create_stop_loss_rules_and_notifications;
pub mod m20251208_000018_launch_approval;
pub mod m20251208_000019_add_data_access_expiry;

/// Values every `provider` column accepts (the `Provider` entity enum).
pub(crate) const PROVIDERS: &[&str] = &["meta_ads", "sandbox"];

/// Every table the migrations create, parents before children. `down`
/// removes them all; only sea-orm's own bookkeeping table remains.
pub const TABLES: &[&str] = &[
    "tenants",
    "users",
    "user_integrations",
    "creatives",
    "creative_platform_assets",
    "ad_campaigns",
    "campaign_creatives",
    "performance_snapshots",
    "agents",
    "tenant_agents",
    "tenant_agent_providers",
    "credit_accounts",
    "credit_ledger",
    "audit_events",
    "jobs",
    "casbin_rule",
    "leads",
    "budget_limits",
    "stop_loss_rules",
    "notifications",
    "lead_destinations",
    "lead_deliveries",
    "lead_delivery_attempts",
];

/// The ordered list of Leadforge migrations.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20250101_000001_create_tenants_and_users::Migration),
            Box::new(m20250101_000002_create_user_integrations::Migration),
            Box::new(m20250101_000003_create_creatives::Migration),
            Box::new(m20250101_000004_create_ad_campaigns::Migration),
            Box::new(m20250101_000005_create_performance_snapshots::Migration),
            Box::new(m20250101_000006_create_agents_and_credit_ledger::Migration),
            Box::new(m20250101_000007_create_audit_events_and_jobs::Migration),
            Box::new(m20250101_000008_create_casbin_rules::Migration),
            Box::new(m20250101_000009_seed_authorization_policy::Migration),
            Box::new(m20250102_000010_campaign_ages_from_18::Migration),
            Box::new(m20250102_000011_add_campaign_launch_progress::Migration),
            Box::new(m20251207_000012_add_ad_delivery_states::Migration),
            Box::new(m20251207_000013_create_leads::Migration),
            Box::new(m20251208_000014_create_budget_limits::Migration),
            Box::new(m20251208_000015_special_ad_category_and_dsa::Migration),
            Box::new(m20251208_000016_create_lead_deliveries::Migration),
            Box::new(m20251208_000017_create_stop_loss_rules_and_notifications::Migration),
            Box::new(m20251208_000018_launch_approval::Migration),
            Box::new(m20251208_000019_add_data_access_expiry::Migration),
        ]
    }
}
