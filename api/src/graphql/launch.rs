//! `launchCampaign`, `pauseCampaign`, `resumeCampaign`.

use async_graphql::{Context, ID, Object};
use entities::CampaignId;

use super::{admin::parse_id, campaigns::Campaign, context::ContextExt, error::GqlResult};

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
