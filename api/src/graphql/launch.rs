//! `launchCampaign`, `pauseCampaign`, `resumeCampaign`, `pauseAllCampaigns`.

use async_graphql::{Context, ID, Object, SimpleObject};
use entities::CampaignId;

use crate::services::campaigns::pause_all::{self, PauseAllTarget};

use super::{
    admin::parse_id,
    campaign_types::{AdCopy, int},
    campaigns::Campaign,
    context::ContextExt,
    error::GqlResult,
};

/// One check of a dry run.
#[derive(SimpleObject)]
pub struct LaunchCheck {
    /// What was checked: `status`, `agent`, `credits`, `creatives`, `copy`,
    /// `policy` (the tenant's budget policy), `credentials`, `budget` (the
    /// account's minimum), `platform`.
    name: String,
    /// Whether it passed.
    ok: bool,
    /// What was found, in plain words (what to fix when it failed).
    message: String,
}

/// The dry run of a launch.
#[derive(SimpleObject)]
pub struct LaunchPreview {
    /// Every check passed: launching would be accepted.
    ok: bool,
    /// Each check with its message.
    checks: Vec<LaunchCheck>,
    /// Credits a launch costs.
    credit_cost: i32,
    /// The owner's balance now.
    credit_balance: i32,
    /// The copy that would run (the draft's, or what the agent writes now).
    ad_copy: Option<AdCopy>,
}

/// What `pauseAllCampaigns` did to one campaign.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum PauseResult {
    /// Paused on the platform, then here.
    Paused,
    /// It was paused already.
    AlreadyPaused,
    /// Its launch is still running; pause it once the launch ends.
    Launching,
    /// The platform refused or could not be reached: it may still spend.
    Failed,
}

impl From<pause_all::PauseResult> for PauseResult {
    fn from(r: pause_all::PauseResult) -> Self {
        match r {
            pause_all::PauseResult::Paused => Self::Paused,
            pause_all::PauseResult::AlreadyPaused => Self::AlreadyPaused,
            pause_all::PauseResult::Launching => Self::Launching,
            pause_all::PauseResult::Failed => Self::Failed,
        }
    }
}

/// One campaign's outcome of `pauseAllCampaigns`.
pub struct PauseOutcome(pause_all::PauseOutcome);

#[Object]
impl PauseOutcome {
    async fn campaign(&self) -> Campaign {
        Campaign(self.0.campaign.clone())
    }
    async fn result(&self) -> PauseResult {
        self.0.result.into()
    }
    /// The platform's words when it failed; what to do when launching.
    async fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }
}

/// Everything `pauseAllCampaigns` did.
pub struct PauseAllReport(Vec<pause_all::PauseOutcome>);

impl PauseAllReport {
    fn count(&self, result: pause_all::PauseResult) -> i64 {
        self.0.iter().filter(|o| o.result == result).count() as i64
    }
}

#[Object]
impl PauseAllReport {
    /// Campaigns paused now.
    async fn paused(&self) -> i64 {
        self.count(pause_all::PauseResult::Paused)
    }
    /// Campaigns that were paused already.
    async fn already_paused(&self) -> i64 {
        self.count(pause_all::PauseResult::AlreadyPaused)
    }
    /// Campaigns still launching (not paused).
    async fn launching(&self) -> i64 {
        self.count(pause_all::PauseResult::Launching)
    }
    /// Campaigns the platform did not pause: they may still spend.
    async fn failed(&self) -> i64 {
        self.count(pause_all::PauseResult::Failed)
    }
    /// Every campaign's outcome, oldest campaign first.
    async fn outcomes(&self) -> Vec<PauseOutcome> {
        self.0.iter().cloned().map(PauseOutcome).collect()
    }
}

#[derive(Default)]
pub struct LaunchMutation;

#[Object]
impl LaunchMutation {
    /// Accepts the launch of a `DRAFT` or `ERROR` campaign: checks it,
    /// reserves the agent's credits and answers the campaign `LAUNCHING` at
    /// once; the ads go live in the background (`ACTIVE`, credits charged)
    /// or the launch fails (`ERROR` with the platform's words, credits
    /// returned). The same `idempotencyKey` again, or any call while it
    /// launches or runs, returns the campaign and moves nothing.
    /// `INSUFFICIENT_CREDITS` carries `balance` and `cost`.
    async fn launch_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        idempotency_key: Option<String>,
    ) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        let row = ctx
            .services()?
            .campaigns
            .launch(principal, id, idempotency_key)
            .await?;
        Ok(Campaign(row))
    }

    /// A dry run of `launchCampaign`: credentials, agent and provider,
    /// credits, budget minimum, creatives, copy and the platform's own
    /// validation, each with a plain message. Nothing is created on the
    /// platform and no credit moves.
    async fn preview_launch(&self, ctx: &Context<'_>, id: ID) -> GqlResult<LaunchPreview> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        let preview = ctx.services()?.campaigns.preview(principal, id).await?;
        Ok(LaunchPreview {
            ok: preview.ok(),
            checks: preview
                .checks
                .into_iter()
                .map(|c| LaunchCheck {
                    name: c.name.to_owned(),
                    ok: c.ok,
                    message: c.message,
                })
                .collect(),
            credit_cost: int(preview.credit_cost),
            credit_balance: int(preview.credit_balance),
            ad_copy: preview.ad_copy.as_ref().map(Into::into),
        })
    }

    /// Pauses an `ACTIVE` campaign on the platform, then here; a refusal is
    /// `PLATFORM_ERROR` with the platform's words and changes nothing.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(Campaign(
            ctx.services()?.campaigns.pause(principal, id).await?,
        ))
    }

    /// Pauses every running campaign, now: the caller's own; with
    /// `tenantId`, one tenant's, or with `everyTenant: true` every
    /// tenant's (chief architect). Platform-first per campaign, several at
    /// once; never refused for credits, approval or the budget policy.
    /// Every campaign's outcome is reported, failures with the platform's
    /// words.
    async fn pause_all_campaigns(
        &self,
        ctx: &Context<'_>,
        tenant_id: Option<ID>,
        #[graphql(default_with = "Some(false)")] every_tenant: Option<bool>,
    ) -> GqlResult<PauseAllReport> {
        let principal = ctx.principal()?;
        let target = match (tenant_id, every_tenant.unwrap_or(false)) {
            (Some(_), true) => {
                return Err(crate::error::AppError::bad_input(
                    "everyTenant",
                    "Name one tenant or every tenant, not both.",
                )
                .into());
            }
            (Some(t), false) => PauseAllTarget::Tenant(parse_id(&t, "tenant")?),
            (None, true) => PauseAllTarget::Everyone,
            (None, false) => PauseAllTarget::Own,
        };
        let outcomes = ctx
            .services()?
            .campaigns
            .pause_all(principal, target)
            .await?;
        Ok(PauseAllReport(outcomes))
    }

    /// Resumes a `PAUSED` campaign on the platform, then here.
    async fn resume_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(Campaign(
            ctx.services()?.campaigns.resume(principal, id).await?,
        ))
    }
}
