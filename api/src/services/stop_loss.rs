//! Stop-loss rules: pause a campaign when its own numbers say it is losing
//! money — cost per lead above X once spend reached Y, spend of Z with no
//! lead, or a lifetime spend. Rules belong to a campaign, or to a member as
//! defaults each new campaign in the same currency copies.
//!
//! The insights sync evaluates a campaign's armed rules right after it
//! stored new numbers (each account is synced by one instance per cycle).
//! A rule that trips is claimed with a guarded update of `fired_at`, so it
//! acts once even if two instances judge the same numbers; the campaign is
//! then paused platform-first, the pause audited with the numbers that
//! tripped it, and the owner notified. A fired rule acts no more; the owner
//! may resume the campaign, or delete the rule and add a new one.
//!
//! [`StopLoss::preview`] replays a rule over a campaign's stored snapshots
//! with the same judgement ([`trips`]), so what it says a rule would have
//! done is what the rule does on those numbers.

use chrono::{DateTime, Duration, Utc};
use entities::{
    CampaignId, CampaignStatus, NotificationKind, RowScope, RuleId, StopLossKind, TenantScoped,
    UserId, ad_campaign,
    json::Performance,
    performance_snapshot,
    stop_loss_rule::{ActiveModel, Column, Entity, Model},
    user_integration,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, sea_query::Expr,
};

use super::{
    audit::{AuditEntry, AuditService},
    campaigns::{
        CampaignsService,
        pause_all::{PauseActor, PauseResult},
    },
    notifications::{self, NewNotification},
};
use crate::{auth::Principal, authz::Action, error::AppError};

/// The actor name of rule pauses in the audit trail.
pub const RULE_ACTOR: &str = "system:stop-loss";
/// Most rules one campaign (or one member's defaults) may have.
pub const MAX_RULES: usize = 10;
/// The window a preview replays.
pub const PREVIEW_DAYS: i64 = 7;

/// Numbers a rule judges: lifetime totals, in minor units of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbers {
    pub spend: i64,
    pub leads: i64,
}

/// A rule as the owner describes it.
#[derive(Debug, Clone)]
pub struct RuleInput {
    /// The campaign; none for a default of the caller's.
    pub campaign: Option<CampaignId>,
    pub kind: StopLossKind,
    /// Needed for a default; a campaign's rule takes its account's.
    pub currency: Option<String>,
    pub threshold_minor: i64,
    pub min_spend_minor: Option<i64>,
}

/// What a preview found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewResult {
    /// Snapshots replayed.
    pub snapshots: usize,
    /// The first snapshot on which the rule would have paused the campaign.
    pub would_fire_at: Option<DateTime<Utc>>,
    /// The numbers of that snapshot.
    pub numbers: Option<Numbers>,
}

/// Whether `rule` trips on `numbers`: the one judgement of evaluation and
/// preview alike.
pub fn trips(kind: StopLossKind, threshold: i64, min_spend: Option<i64>, numbers: Numbers) -> bool {
    let Numbers { spend, leads } = numbers;
    match kind {
        StopLossKind::LifetimeSpend => spend >= threshold,
        StopLossKind::SpendWithoutLeads => leads == 0 && spend >= threshold,
        StopLossKind::CostPerLeadAbove => {
            let min_spend = min_spend.unwrap_or(0);
            if leads <= 0 {
                // No lead yet: a whole cost per lead spent is already above it.
                spend >= threshold.max(min_spend)
            } else {
                spend >= min_spend && spend > threshold.saturating_mul(leads)
            }
        }
    }
}

/// The rule's condition in words, with amounts in the rule's currency.
pub fn describe(rule: &Model) -> String {
    let money = |m| adapters::ad_platform::money::format_minor(m, &rule.currency);
    match rule.kind {
        StopLossKind::LifetimeSpend => {
            format!("lifetime spend reached {}", money(rule.threshold_minor))
        }
        StopLossKind::SpendWithoutLeads => {
            format!("spend reached {} with no lead", money(rule.threshold_minor))
        }
        StopLossKind::CostPerLeadAbove => match rule.min_spend_minor {
            Some(min) => format!(
                "cost per lead above {} after spend reached {}",
                money(rule.threshold_minor),
                money(min)
            ),
            None => format!("cost per lead above {}", money(rule.threshold_minor)),
        },
    }
}

#[derive(Clone)]
pub struct StopLoss {
    pub(crate) db: DatabaseConnection,
    pub(crate) audit: AuditService,
    pub(crate) campaigns: CampaignsService,
}

impl StopLoss {
    /// The rules of campaign `campaign`, or the caller's defaults.
    pub async fn rules(
        &self,
        principal: &Principal,
        campaign: Option<CampaignId>,
    ) -> Result<Vec<Model>, AppError> {
        let select = match campaign {
            Some(id) => {
                let campaign = self.campaigns.get(principal, id, Action::Read).await?;
                Entity::find().filter(Column::CampaignId.eq(campaign.id))
            }
            None => Entity::within(own(principal)).filter(Column::CampaignId.is_null()),
        };
        Ok(select
            .order_by_asc(Column::CreatedAt)
            .order_by_asc(Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Adds a rule to a campaign the caller may change, or to the caller's
    /// defaults.
    pub async fn add(&self, principal: &Principal, input: RuleInput) -> Result<Model, AppError> {
        let (tenant, user, currency) = match input.campaign {
            Some(id) => {
                let campaign = self.campaigns.get(principal, id, Action::Update).await?;
                let currency = self.currency_of(&campaign).await?;
                if let Some(given) = input.currency.as_deref()
                    && !given.trim().eq_ignore_ascii_case(&currency)
                {
                    return Err(AppError::bad_input(
                        "currency",
                        format!("This campaign's ad account counts in {currency}."),
                    ));
                }
                (campaign.tenant_id, campaign.user_id, currency)
            }
            None => {
                let currency = input
                    .currency
                    .as_deref()
                    .map(str::trim)
                    .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))
                    .ok_or_else(|| {
                        AppError::bad_input(
                            "currency",
                            "A default rule needs the three-letter currency of its amounts, e.g. USD.",
                        )
                    })?
                    .to_ascii_uppercase();
                (principal.tenant_id, principal.user_id, currency)
            }
        };
        check_amounts(&input)?;
        // The campaign (or the caller) was checked above: count its rules
        // without asking the gate again.
        let siblings = match input.campaign {
            Some(id) => Entity::find().filter(Column::CampaignId.eq(id)),
            None => Entity::within(own(principal)).filter(Column::CampaignId.is_null()),
        };
        if siblings.count(&self.db).await? >= MAX_RULES as u64 {
            return Err(AppError::bad_input(
                "campaignId",
                format!("At most {MAX_RULES} rules per campaign (or defaults per member)."),
            ));
        }
        let now = Utc::now();
        let row = ActiveModel {
            id: Set(RuleId::generate()),
            tenant_id: Set(tenant),
            user_id: Set(user),
            campaign_id: Set(input.campaign),
            kind: Set(input.kind),
            currency: Set(currency),
            threshold_minor: Set(input.threshold_minor),
            min_spend_minor: Set(input.min_spend_minor),
            fired_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let model = Entity::insert(row).exec_with_returning(&self.db).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "stop_loss.add")
                    .target(format!("rule:{}", model.id))
                    .detail(serde_json::json!({
                        "campaign": input.campaign.map(|c| c.to_string()),
                        "rule": describe(&model),
                    })),
            )
            .await?;
        Ok(model)
    }

    /// Deletes a rule the caller owns (or, for the chief architect, any).
    pub async fn delete(&self, principal: &Principal, id: RuleId) -> Result<bool, AppError> {
        let rule = self.find(principal, id).await?;
        if let Some(campaign) = rule.campaign_id {
            self.campaigns
                .get(principal, campaign, Action::Update)
                .await?;
        }
        Entity::delete_by_id(id).exec(&self.db).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "stop_loss.delete")
                    .target(format!("rule:{id}"))
                    .detail(serde_json::json!({ "rule": describe(&rule) })),
            )
            .await?;
        Ok(true)
    }

    /// Replays a rule (given, or as input) over the last [`PREVIEW_DAYS`]
    /// of `campaign`'s snapshots, oldest first.
    pub async fn preview(
        &self,
        principal: &Principal,
        campaign: CampaignId,
        kind: StopLossKind,
        threshold_minor: i64,
        min_spend_minor: Option<i64>,
    ) -> Result<PreviewResult, AppError> {
        check_amounts(&RuleInput {
            campaign: Some(campaign),
            kind,
            currency: None,
            threshold_minor,
            min_spend_minor,
        })?;
        let campaign = self
            .campaigns
            .get(principal, campaign, Action::Read)
            .await?;
        let since = Utc::now() - Duration::days(PREVIEW_DAYS);
        let snapshots = performance_snapshot::Entity::find()
            .filter(performance_snapshot::Column::CampaignId.eq(campaign.id))
            .filter(performance_snapshot::Column::CapturedAt.gte(since))
            .order_by_asc(performance_snapshot::Column::CapturedAt)
            .all(&self.db)
            .await?;
        let first = snapshots.iter().find_map(|s| {
            let numbers = Numbers {
                spend: s.spend_cents,
                leads: s.leads,
            };
            trips(kind, threshold_minor, min_spend_minor, numbers)
                .then_some((s.captured_at, numbers))
        });
        Ok(PreviewResult {
            snapshots: snapshots.len(),
            would_fire_at: first.map(|(at, _)| at),
            numbers: first.map(|(_, n)| n),
        })
    }

    /// Judges campaign `campaign`'s armed rules on `performance`, the
    /// numbers the sync just stored, and acts on those that trip. Errors
    /// are logged: one campaign's trouble never stops the sync.
    pub async fn evaluate(&self, campaign: &ad_campaign::Model, performance: &Performance) {
        if let Err(e) = self.try_evaluate(campaign, performance).await {
            tracing::warn!(campaign = %campaign.id, error = %e, "evaluating stop-loss rules failed");
        }
    }

    async fn try_evaluate(
        &self,
        campaign: &ad_campaign::Model,
        performance: &Performance,
    ) -> Result<(), AppError> {
        // Only a running campaign is judged: numbers revised while it is
        // paused must not spend a rule.
        if campaign.status != CampaignStatus::Active {
            return Ok(());
        }
        let rules = Entity::find()
            .filter(Column::CampaignId.eq(campaign.id))
            .filter(Column::FiredAt.is_null())
            .all(&self.db)
            .await?;
        let numbers = Numbers {
            spend: performance.spend_cents,
            leads: performance.leads,
        };
        for rule in rules {
            if !rule.currency.eq_ignore_ascii_case(&performance.currency)
                || !trips(
                    rule.kind,
                    rule.threshold_minor,
                    rule.min_spend_minor,
                    numbers,
                )
            {
                continue;
            }
            // Claimed once, however many instances judge these numbers.
            let claimed = Entity::update_many()
                .col_expr(Column::FiredAt, Expr::value(Utc::now()))
                .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(Column::Id.eq(rule.id))
                .filter(Column::FiredAt.is_null())
                .exec(&self.db)
                .await?;
            if claimed.rows_affected == 1 {
                self.act(campaign, &rule, numbers).await?;
            }
            // One pause is enough: the other rules stay armed.
            return Ok(());
        }
        Ok(())
    }

    /// Pauses `campaign` for `rule`, platform-first, and tells its owner.
    async fn act(
        &self,
        campaign: &ad_campaign::Model,
        rule: &Model,
        numbers: Numbers,
    ) -> Result<(), AppError> {
        let current = ad_campaign::Entity::find_by_id(campaign.id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("campaign"))?;
        let money = |m| adapters::ad_platform::money::format_minor(m, &rule.currency);
        let condition = describe(rule);
        let figures = format!(
            "spend {}, {} lead{}",
            money(numbers.spend),
            numbers.leads,
            if numbers.leads == 1 { "" } else { "s" }
        );
        let why = serde_json::json!({
            "rule": rule.id.to_string(),
            "condition": condition,
            "spendMinor": numbers.spend,
            "leads": numbers.leads,
            "currency": rule.currency,
        });
        let (title, body) = if current.status != CampaignStatus::Active {
            (
                format!("Stop-loss rule tripped on “{}”", current.campaign_name),
                format!(
                    "The rule “{condition}” tripped ({figures}); the campaign was not running, so nothing was paused."
                ),
            )
        } else {
            let outcome = self
                .campaigns
                .pause_one(
                    PauseActor::Worker {
                        name: RULE_ACTOR,
                        why,
                    },
                    current.clone(),
                )
                .await?;
            match outcome.result {
                PauseResult::Paused | PauseResult::AlreadyPaused => (
                    format!("“{}” paused by a stop-loss rule", current.campaign_name),
                    format!(
                        "The rule “{condition}” tripped ({figures}), so Leadforge paused the campaign on the platform. Resume it when you are ready, or change the rule."
                    ),
                ),
                PauseResult::Launching | PauseResult::Failed => (
                    format!(
                        "A stop-loss rule could not pause “{}”",
                        current.campaign_name
                    ),
                    format!(
                        "The rule “{condition}” tripped ({figures}), but pausing failed: {}. The campaign may still spend: pause it yourself.",
                        outcome.message.as_deref().unwrap_or("no answer")
                    ),
                ),
            }
        };
        notifications::raise(
            &self.db,
            NewNotification {
                tenant: current.tenant_id,
                user: current.user_id,
                kind: NotificationKind::RuleFired,
                title,
                body,
                campaign: Some(current.id),
                integration: Some(current.integration_id),
                dedupe_key: Some(format!("rule_fired:{}", rule.id)),
            },
        )
        .await?;
        Ok(())
    }

    async fn find(&self, principal: &Principal, id: RuleId) -> Result<Model, AppError> {
        let scope = if principal.role == entities::Role::ChiefArchitect {
            RowScope::All
        } else {
            own(principal)
        };
        Entity::within(scope)
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("rule"))
    }

    async fn currency_of(&self, campaign: &ad_campaign::Model) -> Result<String, AppError> {
        let integration = user_integration::Entity::find_by_id(campaign.integration_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        Ok(super::budget::currency_of(&integration)?.to_owned())
    }
}

/// Copies `user`'s default rules in `currency` to their new campaign
/// `campaign`, inside the transaction that creates it.
pub async fn copy_defaults<C: ConnectionTrait>(
    conn: &C,
    user: UserId,
    campaign: CampaignId,
    currency: &str,
) -> Result<(), AppError> {
    let defaults = Entity::find()
        .filter(Column::UserId.eq(user))
        .filter(Column::CampaignId.is_null())
        .filter(Column::Currency.eq(currency.to_ascii_uppercase()))
        .all(conn)
        .await?;
    if defaults.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    Entity::insert_many(defaults.into_iter().map(|d| ActiveModel {
        id: Set(RuleId::generate()),
        tenant_id: Set(d.tenant_id),
        user_id: Set(d.user_id),
        campaign_id: Set(Some(campaign)),
        kind: Set(d.kind),
        currency: Set(d.currency),
        threshold_minor: Set(d.threshold_minor),
        min_spend_minor: Set(d.min_spend_minor),
        fired_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }))
    .exec(conn)
    .await?;
    Ok(())
}

fn check_amounts(input: &RuleInput) -> Result<(), AppError> {
    const MAX: i64 = adapters::ad_platform::money::MAX_MAJOR_AMOUNT;
    if !(1..=MAX).contains(&input.threshold_minor) {
        return Err(AppError::bad_input(
            "thresholdCents",
            "The threshold is a positive amount in minor units (cents).",
        ));
    }
    match (input.kind, input.min_spend_minor) {
        (StopLossKind::CostPerLeadAbove, Some(min)) if !(0..=MAX).contains(&min) => {
            Err(AppError::bad_input(
                "minSpendCents",
                "The minimum spend is zero or a positive amount in minor units.",
            ))
        }
        (StopLossKind::CostPerLeadAbove, _) | (_, None) => Ok(()),
        (_, Some(_)) => Err(AppError::bad_input(
            "minSpendCents",
            "Only a cost-per-lead rule waits for a minimum spend.",
        )),
    }
}

fn own(principal: &Principal) -> RowScope {
    RowScope::Own {
        tenant: principal.tenant_id,
        user: principal.user_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(spend: i64, leads: i64) -> Numbers {
        Numbers { spend, leads }
    }

    #[test]
    fn each_kind_trips_at_its_line() {
        use StopLossKind::*;
        assert!(!trips(LifetimeSpend, 10_000, None, n(9_999, 0)));
        assert!(trips(LifetimeSpend, 10_000, None, n(10_000, 50)));
        assert!(trips(SpendWithoutLeads, 5_000, None, n(5_000, 0)));
        assert!(!trips(SpendWithoutLeads, 5_000, None, n(9_000, 1)));
        // 20.00 per lead, judged after 50.00 of spend.
        assert!(!trips(CostPerLeadAbove, 2_000, Some(5_000), n(4_900, 1)));
        assert!(trips(CostPerLeadAbove, 2_000, Some(5_000), n(5_000, 2)));
        assert!(!trips(CostPerLeadAbove, 2_000, Some(5_000), n(6_000, 3)));
        // No lead yet: a whole cost per lead spent is above it.
        assert!(!trips(CostPerLeadAbove, 2_000, None, n(1_999, 0)));
        assert!(trips(CostPerLeadAbove, 2_000, None, n(2_000, 0)));
        assert!(!trips(CostPerLeadAbove, i64::MAX, None, n(i64::MAX - 1, 2)));
    }
}
