//! Entity types under short names, for `use entities::prelude::*`.

pub use crate::ad_campaign::Entity as AdCampaign;
pub use crate::agent::Entity as Agent;
pub use crate::audit_event::Entity as AuditEvent;
pub use crate::budget_limit::Entity as BudgetLimit;
pub use crate::campaign_creative::Entity as CampaignCreative;
pub use crate::casbin_rule::Entity as CasbinRule;
pub use crate::creative::Entity as Creative;
pub use crate::creative_platform_asset::Entity as CreativePlatformAsset;
pub use crate::credit_account::Entity as CreditAccount;
pub use crate::credit_ledger::Entity as CreditLedger;
pub use crate::job::Entity as Job;
pub use crate::lead::Entity as Lead;
pub use crate::notification::Entity as Notification;
pub use crate::performance_snapshot::Entity as PerformanceSnapshot;
pub use crate::stop_loss_rule::Entity as StopLossRule;
pub use crate::tenant::Entity as Tenant;
pub use crate::tenant_agent::Entity as TenantAgent;
pub use crate::tenant_agent_provider::Entity as TenantAgentProvider;
pub use crate::user::Entity as User;
pub use crate::user_integration::Entity as UserIntegration;

pub use crate::enums::*;
pub use crate::ids::*;
pub use crate::json::*;
pub use crate::scoped::{RowScope, TenantScoped};
