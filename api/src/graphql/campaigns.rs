//! `campaigns`, `campaign`, `createCampaign`, `updateCampaign`,
//! `deleteCampaign` and the `Campaign` type, whose nested fields go through
//! the loaders.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entities::{CampaignId, ad_campaign};

use super::{
    admin::{parse_id, parse_tenant_filter},
    campaign_types::{
        AdCopy, Audience, CampaignObjective, CampaignStatus, Country, CreateCampaignInput,
        DeliveryStatus, LaunchFailure, LaunchWait, Performance, PerformanceSnapshot, RemoteAd,
        SpecialAdCategory,
    },
    context::ContextExt,
    creatives::Creative,
    error::GqlResult,
    identity::User,
    integrations::{Integration, Provider},
    pagination::{Connected, connection, page_request},
};
use crate::{
    authz::Action,
    error::AppError,
    services::{
        ad_delivery,
        campaigns::{IntegrationMove, input},
        launch::wait,
    },
};

/// Most snapshots one campaign answers at once.
const MAX_SNAPSHOTS: i32 = 500;

/// A media-buyer campaign.
pub struct Campaign(pub ad_campaign::Model);

#[Object]
impl Campaign {
    /// The campaign's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name shown in Leadforge and on the platform.
    async fn campaign_name(&self) -> &str {
        &self.0.campaign_name
    }
    /// What it optimises for.
    async fn objective(&self) -> CampaignObjective {
        self.0.objective.into()
    }
    /// Daily budget in the minor unit of the ad account's currency.
    async fn daily_budget_cents(&self) -> i64 {
        self.0.daily_budget_cents
    }
    /// Who it reaches.
    async fn target_audience(&self) -> Audience {
        (&self.0.target_audience).into()
    }
    /// The copy; absent until written (by the advertiser, or the agent at launch).
    async fn ad_copy(&self) -> Option<AdCopy> {
        self.0.ad_copy.as_ref().map(Into::into)
    }
    /// While `LAUNCHING`: what the launch waits for before its next
    /// attempt (a rate limit, a temporary failure) and until when; null
    /// while it runs.
    async fn launch_wait(&self, ctx: &Context<'_>) -> GqlResult<Option<LaunchWait>> {
        if self.0.status != entities::CampaignStatus::Launching {
            return Ok(None);
        }
        let wait = ctx.services()?.campaigns.launch_wait(&self.0).await?;
        Ok(wait.map(Into::into))
    }
    /// While `LAUNCHING`: how many of the launch's six steps (credits
    /// reserved, images uploaded, campaign, ad set, ads, activation) are
    /// done, as its saved progress proves.
    async fn launch_steps_done(&self) -> Option<i32> {
        wait::steps_done(&self.0)
    }
    /// For a failed campaign: whether the platform refused something in it
    /// (fix the draft) or kept failing temporarily (launch again as it is).
    async fn launch_failure(&self) -> Option<LaunchFailure> {
        wait::failure_kind(&self.0).map(Into::into)
    }
    /// The business, as the copywriter's brief names it.
    async fn niche(&self) -> Option<&str> {
        self.0.niche.as_deref()
    }
    /// The landing page.
    async fn destination_url(&self) -> &str {
        &self.0.destination_url
    }
    /// The instant form (LEADS through a form).
    async fn lead_form_id(&self) -> Option<&str> {
        self.0.lead_form_id.as_deref()
    }
    /// The pixel (LEADS on the website, CONVERSIONS).
    async fn pixel_id(&self) -> Option<&str> {
        self.0.pixel_id.as_deref()
    }
    /// The special ad category it declares (NONE for most campaigns).
    async fn special_ad_category(&self) -> SpecialAdCategory {
        self.0.special_ad_category.into()
    }
    /// The chosen creatives, in order.
    async fn creatives(&self, ctx: &Context<'_>) -> GqlResult<Vec<Creative>> {
        let linked = ctx
            .loaders()?
            .creatives_by_campaign
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(linked.into_iter().map(|(_, c)| Creative(c)).collect())
    }
    /// The integration that launches it.
    async fn integration(&self, ctx: &Context<'_>) -> GqlResult<Integration> {
        let integration = ctx
            .loaders()?
            .integration_by_id
            .load_one(self.0.integration_id)
            .await?
            .ok_or_else(|| AppError::Internal("a campaign's integration is missing".into()))?;
        Ok(Integration(integration))
    }
    /// The platform it runs on.
    async fn provider(&self) -> Provider {
        self.0.provider.into()
    }
    /// Lifecycle status.
    async fn status(&self) -> CampaignStatus {
        self.0.status.into()
    }
    /// The platform's campaign id, once created.
    async fn meta_campaign_id(&self) -> Option<&str> {
        self.0.meta_campaign_id.as_deref()
    }
    /// The platform's ad set id, once created.
    async fn meta_adset_id(&self) -> Option<&str> {
        self.0.meta_adset_id.as_deref()
    }
    /// The platform's id of the first ad; every ad is in `remoteAds`.
    async fn meta_ad_id(&self) -> Option<&str> {
        self.0.meta_ad_id.as_deref()
    }
    /// One platform creative and ad per chosen creative, all in one ad set.
    async fn remote_ads(&self, ctx: &Context<'_>) -> GqlResult<Vec<RemoteAd>> {
        let linked = ctx
            .loaders()?
            .creatives_by_campaign
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(linked
            .into_iter()
            .map(|(link, _)| RemoteAd {
                creative_id: ID(link.creative_id.to_string()),
                remote_creative_id: link.remote_creative_id,
                remote_ad_id: link.remote_ad_id,
                delivery_status: link.delivery_status.map(Into::into),
                review_message: link.review_message,
            })
            .collect())
    }
    /// Where the launched campaign stands on the platform, from its status
    /// and its ads' (null before launch, or after a failed one).
    async fn delivery_status(&self, ctx: &Context<'_>) -> GqlResult<Option<DeliveryStatus>> {
        let linked = ctx
            .loaders()?
            .creatives_by_campaign
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let ads: Vec<_> = linked
            .iter()
            .map(|(link, _)| link.delivery_status)
            .collect();
        Ok(
            ad_delivery::campaign_delivery(self.0.status, self.0.error_message.as_deref(), &ads)
                .map(Into::into),
        )
    }
    /// Latest delivery totals (zeros before the first sync).
    async fn performance(&self, ctx: &Context<'_>) -> GqlResult<Performance> {
        let currency = match &self.0.performance {
            Some(p) => p.currency.clone(),
            None => ctx
                .loaders()?
                .integration_by_id
                .load_one(self.0.integration_id)
                .await?
                .and_then(|i| i.currency)
                .unwrap_or_default(),
        };
        Ok(Performance::of(self.0.performance.as_ref(), &currency))
    }
    /// The latest `last` points of the performance chart, oldest first.
    async fn snapshots(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 48)] last: Option<i32>,
    ) -> GqlResult<Vec<PerformanceSnapshot>> {
        let last = last.unwrap_or(48);
        if !(0..=MAX_SNAPSHOTS).contains(&last) {
            return Err(AppError::bad_input(
                "last",
                format!("Ask for 0 to {MAX_SNAPSHOTS} snapshots."),
            )
            .into());
        }
        let key = (self.0.id, usize::try_from(last).unwrap_or(0));
        let rows = ctx
            .loaders()?
            .snapshots_by_campaign
            .load_one(key)
            .await?
            .unwrap_or_default();
        Ok(rows.iter().map(Into::into).collect())
    }
    /// Why the launch failed, in the platform's words.
    async fn error_message(&self) -> Option<&str> {
        self.0.error_message.as_deref()
    }
    /// The member it belongs to.
    async fn owner(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let user = ctx
            .loaders()?
            .user_by_id
            .load_one(self.0.user_id)
            .await?
            .ok_or_else(|| AppError::Internal("a campaign's owner is missing".into()))?;
        Ok(User::from(user))
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When it last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Meta's lead count (from the last insights read) against the leads
    /// Leadforge received; none before the first read. A gap is what the
    /// webhook and the reconciliation pass have not brought in (yet), or
    /// leads erased here.
    async fn lead_gap(&self, ctx: &Context<'_>) -> GqlResult<Option<LeadGap>> {
        let Some(performance) = &self.0.performance else {
            return Ok(None);
        };
        let received = ctx
            .loaders()?
            .leads_received_by_campaign
            .load_one(self.0.id)
            .await?
            .unwrap_or(0);
        let received = i64::try_from(received).unwrap_or(i64::MAX);
        let counted = performance.leads;
        Ok(Some(LeadGap {
            counted,
            received,
            missing: (counted - received).max(0),
            message: format!("Meta counted {counted}, {received} received"),
        }))
    }
    /// How many leads of its ads Leadforge received (and still keeps).
    async fn leads_received(&self, ctx: &Context<'_>) -> GqlResult<i64> {
        let count = ctx
            .loaders()?
            .leads_received_by_campaign
            .load_one(self.0.id)
            .await?
            .unwrap_or(0);
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }
}

/// Meta's lead count against the leads received.
#[derive(async_graphql::SimpleObject)]
pub struct LeadGap {
    /// Leads Meta's insights count for the campaign.
    counted: i64,
    /// Leads Leadforge received (and still keeps).
    received: i64,
    /// `counted - received`, at least 0.
    missing: i64,
    /// In words, e.g. "Meta counted 12, 11 received".
    message: String,
}

#[derive(Default)]
pub struct CampaignsQuery;

#[Object]
impl CampaignsQuery {
    /// The caller's campaigns (everyone's for the chief architect), newest
    /// first, optionally of one status.
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        status: Option<CampaignStatus>,
        #[graphql(desc = "Only this tenant's rows (for the chief architect).")] tenant_id: Option<
            ID,
        >,
    ) -> GqlResult<Connected<Campaign>> {
        let principal = ctx.principal()?;
        let request = page_request(ctx, first.unwrap_or(50), after)?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let page = ctx
            .services()?
            .campaigns
            .list(principal, tenant, status.map(Into::into), request)
            .await?;
        Ok(connection(page, Campaign))
    }

    /// The countries an audience may name, by name: the platform's list
    /// (ISO 3166-1 alpha-2); any other code is `BAD_USER_INPUT`.
    async fn countries(&self, ctx: &Context<'_>) -> GqlResult<Vec<Country>> {
        ctx.principal()?;
        Ok(input::targetable_countries()
            .iter()
            .map(|(code, name)| Country {
                code: (*code).to_owned(),
                name: (*name).to_owned(),
            })
            .collect())
    }

    /// One campaign the caller may see.
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Campaign>> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        let row = ctx
            .services()?
            .campaigns
            .get(principal, id, Action::Read)
            .await?;
        Ok(Some(Campaign(row)))
    }
}

#[derive(Default)]
pub struct CampaignsMutation;

#[Object]
impl CampaignsMutation {
    /// Saves a `DRAFT` after checking all of it; every problem comes back
    /// at once, each a `BAD_USER_INPUT` naming its field
    /// (`extensions.field`, and all of them in `extensions.problems`).
    async fn create_campaign(
        &self,
        ctx: &Context<'_>,
        input: CreateCampaignInput,
    ) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let input = input.into_input()?;
        let row = ctx.services()?.campaigns.create(principal, input).await?;
        Ok(Campaign(row))
    }

    /// Replaces the settings of a `DRAFT` or `ERROR` campaign (`CONFLICT`
    /// otherwise), with the same checks as `createCampaign`. Only a `DRAFT`
    /// changes `integrationId` freely: moving a campaign that was launched
    /// (a failed one too) is `BAD_USER_INPUT` on `integrationId` unless
    /// `confirmIntegrationChange` is true.
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CreateCampaignInput,
        #[graphql(
            desc = "True when the user chose to move a launched (or failed) campaign to another integration."
        )]
        confirm_integration_change: Option<bool>,
    ) -> GqlResult<Campaign> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        let input = input.into_input()?;
        let move_integration = if confirm_integration_change == Some(true) {
            IntegrationMove::Confirmed
        } else {
            IntegrationMove::Refuse
        };
        let row = ctx
            .services()?
            .campaigns
            .update(principal, id, input, move_integration)
            .await?;
        Ok(Campaign(row))
    }

    /// Deletes a `DRAFT` or `ERROR` campaign (`CONFLICT` otherwise).
    async fn delete_campaign(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let principal = ctx.principal()?;
        let id: CampaignId = parse_id(&id, "campaign")?;
        Ok(ctx.services()?.campaigns.delete(principal, id).await?)
    }
}
