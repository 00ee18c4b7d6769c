//! `ad_campaigns`: a media-buyer campaign, from draft to live.

use sea_orm::entity::prelude::*;

use crate::enums::{CampaignObjective, CampaignStatus, Provider, SpecialAdCategory};
use crate::ids::{CampaignId, IntegrationId, TenantId, UserId};
use crate::json::{AdCopy, Performance, TargetAudience};

/// A row of `ad_campaigns`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ad_campaigns")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CampaignId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// The platform it runs on.
    pub provider: Provider,
    /// The integration whose credentials launch it.
    pub integration_id: IntegrationId,
    /// Name shown in the UI and on the platform.
    pub campaign_name: String,
    /// What it optimises for.
    pub objective: CampaignObjective,
    /// Daily budget in the account currency's minor unit.
    pub daily_budget_cents: i64,
    /// The special ad category the campaign declares (NONE for most).
    pub special_ad_category: SpecialAdCategory,
    /// Who it reaches.
    #[sea_orm(column_type = "JsonBinary")]
    pub target_audience: TargetAudience,
    /// The ad's words; written by the agent at launch when absent.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub ad_copy: Option<AdCopy>,
    /// Guidance for the copywriter.
    #[sea_orm(column_type = "Text", nullable)]
    pub niche: Option<String>,
    /// Landing page.
    #[sea_orm(column_type = "Text")]
    pub destination_url: String,
    /// Instant form (LEADS via a form).
    pub lead_form_id: Option<String>,
    /// Pixel (LEADS via the website, CONVERSIONS).
    pub pixel_id: Option<String>,
    /// Remote campaign id, stored the moment it exists.
    pub meta_campaign_id: Option<String>,
    /// Remote ad set id.
    pub meta_adset_id: Option<String>,
    /// Remote id of the first ad (every ad is in `campaign_creatives`).
    pub meta_ad_id: Option<String>,
    /// Lifecycle status.
    pub status: CampaignStatus,
    /// Latest totals; absent until the first sync.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub performance: Option<Performance>,
    /// The platform's words when the launch failed.
    #[sea_orm(column_type = "Text", nullable)]
    pub error_message: Option<String>,
    /// Last completed launch step, so a retried launch resumes there.
    pub launch_step: Option<String>,
    /// The whole launch progress (remote ids, creates attempted), as the
    /// adapters' `LaunchProgress` serialises it.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub launch_progress: Option<Json>,
    /// Launch idempotency key, unique per user.
    pub idempotency_key: Option<String>,
    /// Digest of the launch plan submitted for approval (while
    /// `awaiting_approval`); an approval of any other plan is void.
    pub approval_digest: Option<String>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
}

/// Relations of `ad_campaigns`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Owning tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
    /// Owning user.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    /// The integration it launches with.
    #[sea_orm(
        belongs_to = "super::user_integration::Entity",
        from = "Column::IntegrationId",
        to = "super::user_integration::Column::Id",
        on_delete = "Restrict"
    )]
    UserIntegration,
    /// Creative links, with remote ids.
    #[sea_orm(has_many = "super::campaign_creative::Entity")]
    CampaignCreative,
    /// Performance time series.
    #[sea_orm(has_many = "super::performance_snapshot::Entity")]
    PerformanceSnapshot,
    /// Credit movements for it.
    #[sea_orm(has_many = "super::credit_ledger::Entity")]
    CreditLedger,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::user_integration::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserIntegration.def()
    }
}

impl Related<super::campaign_creative::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CampaignCreative.def()
    }
}

impl Related<super::performance_snapshot::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::PerformanceSnapshot.def()
    }
}

impl Related<super::credit_ledger::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CreditLedger.def()
    }
}

/// The campaign's creatives, through `campaign_creatives`.
impl Related<super::creative::Entity> for Entity {
    fn to() -> RelationDef {
        super::campaign_creative::Relation::Creative.def()
    }

    fn via() -> Option<RelationDef> {
        Some(super::campaign_creative::Relation::AdCampaign.def().rev())
    }
}

impl ActiveModelBehavior for ActiveModel {}
