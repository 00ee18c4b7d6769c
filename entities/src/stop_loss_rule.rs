//! `stop_loss_rules`: when to pause a campaign on its own numbers.

use sea_orm::entity::prelude::*;

use crate::enums::StopLossKind;
use crate::ids::{CampaignId, RuleId, TenantId, UserId};

/// A row of `stop_loss_rules`. Amounts are in minor units of `currency`;
/// a rule with no campaign is a default its owner's new campaigns copy.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stop_loss_rules")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RuleId,
    /// Owning tenant.
    pub tenant_id: TenantId,
    /// Owning user.
    pub user_id: UserId,
    /// The campaign it watches; none for a default.
    pub campaign_id: Option<CampaignId>,
    /// What it watches.
    pub kind: StopLossKind,
    /// ISO 4217 code of the amounts.
    pub currency: String,
    /// The line: cost per lead, spend without leads, or lifetime spend.
    pub threshold_minor: i64,
    /// For cost per lead: the spend it waits for before judging.
    pub min_spend_minor: Option<i64>,
    /// When it paused the campaign; a fired rule acts no more.
    pub fired_at: Option<DateTimeUtc>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last change.
    pub updated_at: DateTimeUtc,
}

/// Relations of `stop_loss_rules`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The campaign.
    #[sea_orm(
        belongs_to = "super::ad_campaign::Entity",
        from = "Column::CampaignId",
        to = "super::ad_campaign::Column::Id",
        on_delete = "Cascade"
    )]
    AdCampaign,
}

impl Related<super::ad_campaign::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::AdCampaign.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
