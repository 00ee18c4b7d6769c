//! Leadforge's sea-orm entities: one module per table, typed ids, the
//! string-backed enums and JSON shapes of its columns, and tenant-scoped
//! finders. Mapping only: business rules live in the services.
//!
//! The schema itself is owned by the `migrations` crate; its tests insert
//! and read back a row of every entity to prove the two agree.

pub mod enums;
pub mod ids;
pub mod json;
pub mod prelude;
pub mod scoped;

pub mod ad_campaign;
pub mod agent;
pub mod audit_event;
pub mod budget_limit;
pub mod campaign_creative;
pub mod casbin_rule;
pub mod creative;
pub mod creative_platform_asset;
pub mod credit_account;
pub mod credit_ledger;
pub mod job;
pub mod lead;
pub mod lead_delivery;
pub mod lead_delivery_attempt;
pub mod lead_destination;
pub mod notification;
pub mod performance_snapshot;
pub mod stop_loss_rule;
pub mod tenant;
pub mod tenant_agent;
pub mod tenant_agent_provider;
pub mod user;
pub mod user_integration;

pub use enums::*;
pub use ids::*;
pub use scoped::{RowScope, TenantScoped};
