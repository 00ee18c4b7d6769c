//! `launchCampaign`, `pauseCampaign`, `resumeCampaign`.

use async_graphql::{Context, ID, Object, SimpleObject};
use entities::CampaignId;

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
    /// `credentials`, `budget`, `platform`.
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

    /// Resumes a `PAUSED` campaign on the platform, then here.
    async fn resume_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(Campaign(
            ctx.services()?.campaigns.resume(principal, id).await?,
        ))
    }
}
