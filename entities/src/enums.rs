//! String-backed enums stored in short text columns. Each `string_value`
//! matches the CHECK constraint of its column in the migrations.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An advertiser inside a tenant.
    #[sea_orm(string_value = "member")]
    Member,
    /// A platform operator with access to every tenant.
    #[sea_orm(string_value = "chief_architect")]
    ChiefArchitect,
}

/// An ad platform.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Meta (Facebook/Instagram) Ads.
    #[sea_orm(string_value = "meta_ads")]
    MetaAds,
    /// The in-process simulator.
    #[sea_orm(string_value = "sandbox")]
    Sandbox,
}

/// Outcome of the last connection test of an integration.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum IntegrationStatus {
    /// Saved, not tested yet.
    #[sea_orm(string_value = "unverified")]
    Unverified,
    /// The last test succeeded.
    #[sea_orm(string_value = "verified")]
    Verified,
    /// The last test failed.
    #[sea_orm(string_value = "invalid")]
    Invalid,
}

/// What a campaign optimises for. Stored upper-case as in the product's
/// original schema (DESIGN §3).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CampaignObjective {
    /// Lead generation (Meta `OUTCOME_LEADS`).
    #[sea_orm(string_value = "LEADS")]
    Leads,
    /// Conversions (Meta `OUTCOME_SALES`).
    #[sea_orm(string_value = "CONVERSIONS")]
    Conversions,
    /// Traffic (Meta `OUTCOME_TRAFFIC`).
    #[sea_orm(string_value = "TRAFFIC")]
    Traffic,
}

/// A campaign's lifecycle status.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Editable, never launched.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// The launch job is running.
    #[sea_orm(string_value = "launching")]
    Launching,
    /// Live on the platform.
    #[sea_orm(string_value = "active")]
    Active,
    /// Paused on the platform.
    #[sea_orm(string_value = "paused")]
    Paused,
    /// Ended.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// The launch failed; see `error_message`.
    #[sea_orm(string_value = "error")]
    Error,
    /// Launch submitted, credits reserved, waiting for the chief
    /// architect's approval of its plan.
    #[sea_orm(string_value = "awaiting_approval")]
    AwaitingApproval,
}

/// Kind of a credit movement.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum CreditEntryKind {
    /// Credits added (sign-up, chief architect).
    #[sea_orm(string_value = "grant")]
    Grant,
    /// Credits held for a launch.
    #[sea_orm(string_value = "reserve")]
    Reserve,
    /// A reservation made final.
    #[sea_orm(string_value = "commit")]
    Commit,
    /// A reservation returned.
    #[sea_orm(string_value = "refund")]
    Refund,
}

/// State of a durable job.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for `run_at`.
    #[sea_orm(string_value = "queued")]
    Queued,
    /// Claimed by a worker until `locked_until`.
    #[sea_orm(string_value = "running")]
    Running,
    /// Finished successfully.
    #[sea_orm(string_value = "succeeded")]
    Succeeded,
    /// Gave up after its last attempt or a permanent error.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Withdrawn before it finished.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// Result of an audited action.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// It happened.
    #[sea_orm(string_value = "success")]
    Success,
    /// It was attempted and failed (bad password, platform error …).
    #[sea_orm(string_value = "failure")]
    Failure,
    /// Authorization refused it.
    #[sea_orm(string_value = "denied")]
    Denied,
}

/// Where one launched ad stands on the platform, as the last sync read it.
/// No CHECK: the column was added later, and only the sync writes it.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum AdDeliveryStatus {
    /// In the platform's review.
    #[sea_orm(string_value = "in_review")]
    InReview,
    /// Delivering.
    #[sea_orm(string_value = "running")]
    Running,
    /// Paused (itself or by its campaign or ad set).
    #[sea_orm(string_value = "paused")]
    Paused,
    /// Rejected by review.
    #[sea_orm(string_value = "disapproved")]
    Disapproved,
    /// Held until billing is fixed.
    #[sea_orm(string_value = "billing_hold")]
    BillingHold,
    /// Held back by another issue.
    #[sea_orm(string_value = "with_issues")]
    WithIssues,
    /// Archived or deleted.
    #[sea_orm(string_value = "ended")]
    Ended,
}

/// How a lead reached Leadforge.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    /// Announced by the platform's webhook, then fetched.
    #[sea_orm(string_value = "webhook")]
    Webhook,
    /// Found by the periodic reconciliation pass.
    #[sea_orm(string_value = "reconciliation")]
    Reconciliation,
}

/// Where a lead stands in its owner's follow-up.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    /// Not looked at yet.
    #[sea_orm(string_value = "new")]
    New,
    /// Reached out to.
    #[sea_orm(string_value = "contacted")]
    Contacted,
    /// A real prospect.
    #[sea_orm(string_value = "qualified")]
    Qualified,
    /// Became a customer.
    #[sea_orm(string_value = "won")]
    Won,
    /// Did not.
    #[sea_orm(string_value = "lost")]
    Lost,
    /// Junk.
    #[sea_orm(string_value = "spam")]
    Spam,
}

/// What a stop-loss rule watches.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum StopLossKind {
    /// Cost per lead above the threshold once spend reached `min_spend`.
    #[sea_orm(string_value = "cost_per_lead_above")]
    CostPerLeadAbove,
    /// Spend reached the threshold with no lead at all.
    #[sea_orm(string_value = "spend_without_leads")]
    SpendWithoutLeads,
    /// Lifetime spend reached the threshold.
    #[sea_orm(string_value = "lifetime_spend")]
    LifetimeSpend,
}

/// What a notification is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A stop-loss rule paused a campaign.
    #[sea_orm(string_value = "rule_fired")]
    RuleFired,
    /// An integration's token expires soon.
    #[sea_orm(string_value = "token_expiring")]
    TokenExpiring,
    /// An integration's token expired: its numbers are frozen.
    #[sea_orm(string_value = "token_expired")]
    TokenExpired,
    /// A launch failed.
    #[sea_orm(string_value = "launch_failed")]
    LaunchFailed,
    /// A launch waits for approval.
    #[sea_orm(string_value = "approval_needed")]
    ApprovalNeeded,
    /// A launch was approved or rejected.
    #[sea_orm(string_value = "approval_decided")]
    ApprovalDecided,
    /// Lead delivery keeps failing.
    #[sea_orm(string_value = "delivery_failing")]
    DeliveryFailing,
}

/// A campaign's special ad category: what Meta requires housing, employment,
/// financial and political ads to declare, and which limits their targeting.
/// Stored with Meta's names.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpecialAdCategory {
    /// None of them (most campaigns).
    #[default]
    #[sea_orm(string_value = "NONE")]
    None,
    /// Housing offers (sale, rental, insurance, mortgages …).
    #[sea_orm(string_value = "HOUSING")]
    Housing,
    /// Job offers.
    #[sea_orm(string_value = "EMPLOYMENT")]
    Employment,
    /// Credit and other financial products and services (Meta's category
    /// that replaced CREDIT in January 2025).
    #[sea_orm(string_value = "FINANCIAL_PRODUCTS_SERVICES")]
    FinancialProductsServices,
    /// Social issues, elections or politics.
    #[sea_orm(string_value = "ISSUES_ELECTIONS_POLITICS")]
    IssuesElectionsPolitics,
}

/// Where a member's leads are sent.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum LeadDestinationKind {
    /// A signed JSON POST to the member's URL.
    #[sea_orm(string_value = "webhook")]
    Webhook,
    /// An e-mail to the member's address.
    #[sea_orm(string_value = "email")]
    Email,
}

/// Whether a destination receives leads.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum LeadDestinationStatus {
    /// Receives leads.
    #[sea_orm(string_value = "active")]
    Active,
    /// Holds them: paused by its owner, or after failing too often in a row.
    #[sea_orm(string_value = "paused")]
    Paused,
}

/// Where one lead's delivery to one destination stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum LeadDeliveryStatus {
    /// Being tried (its job is queued or running).
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The destination accepted it.
    #[sea_orm(string_value = "delivered")]
    Delivered,
    /// Retried for a day without success; a resend tries again.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Waiting for its paused destination to be enabled again.
    #[sea_orm(string_value = "held")]
    Held,
}
