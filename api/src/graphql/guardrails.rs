//! Stop-loss rules (`stopLossRules`, `previewStopLossRule`,
//! `addStopLossRule`, `deleteStopLossRule`) and the caller's notifications
//! (`notifications`, `unreadNotificationCount`, `markNotificationsRead`).

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{CampaignId, NotificationId, notification, stop_loss_rule};

use super::{
    admin::parse_id,
    context::ContextExt,
    error::GqlResult,
    pagination::{Connected, connection, page_request},
};
use crate::{
    error::AppError,
    services::stop_loss::{self, RuleInput},
};

/// What a stop-loss rule watches.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::StopLossKind")]
pub enum StopLossKind {
    /// Cost per lead above `thresholdCents`, judged once spend reached
    /// `minSpendCents`.
    CostPerLeadAbove,
    /// Spend reached `thresholdCents` with no lead.
    SpendWithoutLeads,
    /// Lifetime spend reached `thresholdCents`.
    LifetimeSpend,
}

/// A rule that pauses a campaign on its own numbers.
pub struct StopLossRule(stop_loss_rule::Model);

#[Object]
impl StopLossRule {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The campaign it watches; null for a default new campaigns copy.
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
    async fn kind(&self) -> StopLossKind {
        self.0.kind.into()
    }
    /// ISO 4217 code of the amounts.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
    /// In minor units.
    async fn threshold_cents(&self) -> i64 {
        self.0.threshold_minor
    }
    /// In minor units; cost-per-lead rules only.
    async fn min_spend_cents(&self) -> Option<i64> {
        self.0.min_spend_minor
    }
    /// The rule in words, e.g. "spend reached 50.00 USD with no lead".
    async fn description(&self) -> String {
        stop_loss::describe(&self.0)
    }
    /// When it paused the campaign; a fired rule acts no more.
    async fn fired_at(&self) -> Option<DateTime<Utc>> {
        self.0.fired_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A rule to add: to a campaign, or (no `campaignId`) to the caller's
/// defaults, which each new campaign in `currency` copies.
#[derive(InputObject)]
pub struct AddStopLossRuleInput {
    pub campaign_id: Option<ID>,
    pub kind: StopLossKind,
    /// Needed for a default; a campaign's rule counts in its account's.
    pub currency: Option<String>,
    /// In minor units (cents).
    pub threshold_cents: i64,
    /// Cost-per-lead rules: judge only once spend reached this.
    pub min_spend_cents: Option<i64>,
}

/// What a rule would have done over the last 7 days of snapshots.
#[derive(SimpleObject)]
pub struct StopLossPreview {
    /// Snapshots replayed.
    pub snapshots: i64,
    /// The first snapshot on which it would have paused the campaign.
    pub would_fire_at: Option<DateTime<Utc>>,
    /// Lifetime spend at that snapshot, in minor units.
    pub spend_cents: Option<i64>,
    /// Leads at that snapshot.
    pub leads: Option<i64>,
}

/// What a notification is about.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "entities::NotificationKind")]
pub enum NotificationKind {
    RuleFired,
    TokenExpiring,
    TokenExpired,
    LaunchFailed,
    ApprovalNeeded,
    ApprovalDecided,
    DeliveryFailing,
}

/// Something the caller is told happened.
pub struct Notification(notification::Model);

#[Object]
impl Notification {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }
    /// One line.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The details, with what to do.
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
    async fn integration_id(&self) -> Option<ID> {
        self.0.integration_id.map(|c| ID(c.to_string()))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the caller marked it read; null while unread.
    async fn read_at(&self) -> Option<DateTime<Utc>> {
        self.0.read_at
    }
}

#[derive(Default)]
pub struct GuardrailsQuery;

#[Object]
impl GuardrailsQuery {
    /// The rules of a campaign, or (no `campaignId`) the caller's defaults.
    async fn stop_loss_rules(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<ID>,
    ) -> GqlResult<Vec<StopLossRule>> {
        let principal = ctx.principal()?;
        let campaign = campaign_id
            .as_ref()
            .map(|id| parse_id::<CampaignId>(id, "campaign"))
            .transpose()?;
        let rules = ctx.services()?.stop_loss.rules(principal, campaign).await?;
        Ok(rules.into_iter().map(StopLossRule).collect())
    }

    /// Replays a rule over the campaign's last 7 days of snapshots: the
    /// first moment it would have paused the campaign, judged exactly as
    /// the rule is judged after each sync.
    async fn preview_stop_loss_rule(
        &self,
        ctx: &Context<'_>,
        campaign_id: ID,
        kind: StopLossKind,
        threshold_cents: i64,
        min_spend_cents: Option<i64>,
    ) -> GqlResult<StopLossPreview> {
        let principal = ctx.principal()?;
        let campaign = parse_id(&campaign_id, "campaign")?;
        let found = ctx
            .services()?
            .stop_loss
            .preview(
                principal,
                campaign,
                kind.into(),
                threshold_cents,
                min_spend_cents,
            )
            .await?;
        Ok(StopLossPreview {
            snapshots: found.snapshots as i64,
            would_fire_at: found.would_fire_at,
            spend_cents: found.numbers.map(|n| n.spend),
            leads: found.numbers.map(|n| n.leads),
        })
    }

    /// The caller's notifications, newest first.
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(false)")] unread_only: Option<bool>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
    ) -> GqlResult<Connected<Notification>> {
        let principal = ctx.principal()?;
        let request = page_request(ctx, first.unwrap_or(20), after)?;
        let page = ctx
            .services()?
            .notifications
            .list(principal, unread_only.unwrap_or(false), request)
            .await?;
        Ok(connection(page, Notification))
    }

    /// How many of the caller's notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        let principal = ctx.principal()?;
        let count = ctx.services()?.notifications.unread(principal).await?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }
}

#[derive(Default)]
pub struct GuardrailsMutation;

#[Object]
impl GuardrailsMutation {
    /// Adds a stop-loss rule to a campaign the caller may change, or to the
    /// caller's defaults (no `campaignId`; `currency` required).
    async fn add_stop_loss_rule(
        &self,
        ctx: &Context<'_>,
        input: AddStopLossRuleInput,
    ) -> GqlResult<StopLossRule> {
        let principal = ctx.principal()?;
        let campaign = input
            .campaign_id
            .as_ref()
            .map(|id| parse_id::<CampaignId>(id, "campaign"))
            .transpose()?;
        let rule = ctx
            .services()?
            .stop_loss
            .add(
                principal,
                RuleInput {
                    campaign,
                    kind: input.kind.into(),
                    currency: input.currency,
                    threshold_minor: input.threshold_cents,
                    min_spend_minor: input.min_spend_cents,
                },
            )
            .await?;
        Ok(StopLossRule(rule))
    }

    /// Deletes a stop-loss rule.
    async fn delete_stop_loss_rule(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let principal = ctx.principal()?;
        let id = parse_id(&id, "rule")?;
        Ok(ctx.services()?.stop_loss.delete(principal, id).await?)
    }

    /// Marks the caller's notifications `ids` read, or all of them with
    /// `all: true`; how many changed.
    async fn mark_notifications_read(
        &self,
        ctx: &Context<'_>,
        ids: Option<Vec<ID>>,
        #[graphql(default_with = "Some(false)")] all: Option<bool>,
    ) -> GqlResult<i64> {
        let principal = ctx.principal()?;
        let ids = match (ids, all.unwrap_or(false)) {
            (Some(_), true) | (None, false) => {
                return Err(
                    AppError::bad_input("ids", "Name the notifications, or all: true.").into(),
                );
            }
            (None, true) => None,
            (Some(ids), false) => Some(
                ids.iter()
                    .map(|id| {
                        id.parse::<NotificationId>()
                            .map_err(|_| AppError::bad_input("ids", "Not a notification id."))
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let changed = ctx
            .services()?
            .notifications
            .mark_read(principal, ids)
            .await?;
        Ok(i64::try_from(changed).unwrap_or(i64::MAX))
    }
}
