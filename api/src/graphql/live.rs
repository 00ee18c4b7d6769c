//! `Subscription`: live campaign updates over the WebSocket.

use async_graphql::{Context, ID, Subscription};
use chrono::{DateTime, Utc};
use entities::ad_campaign::Model;
use futures_util::{Stream, StreamExt, stream::BoxStream};

use super::{
    admin::{parse_id, parse_tenant_filter},
    campaigns::Campaign,
    context::ContextExt,
    error::GqlResult,
    leads::Lead,
};
use crate::services::live::{LiveService, Watch};

/// The root subscription, named `Subscription` as in the public contract.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// A campaign each time its status or numbers change: one campaign (its
    /// current state first), or every campaign the caller may see when `id`
    /// is omitted (the chief architect: all tenants, or `tenantId`'s). A
    /// campaign outside the caller's scope is `NOT_FOUND`.
    async fn campaign_updated(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        #[graphql(desc = "Only this tenant's campaigns (for the chief architect).")]
        tenant_id: Option<ID>,
    ) -> async_graphql::Result<BoxStream<'static, Campaign>> {
        Ok(watch(ctx, id, tenant_id).await?.map(Campaign).boxed())
    }

    /// Each new lead the caller may see, as it is stored: of one campaign,
    /// or of every campaign in the caller's scope (the chief architect:
    /// all tenants, or `tenantId`'s). With `since`, the leads received
    /// since then come first (a dashboard that reconnects catches up). A
    /// campaign outside the caller's scope is `NOT_FOUND`.
    async fn lead_received(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<ID>,
        #[graphql(desc = "Only this tenant's leads (for the chief architect).")] tenant_id: Option<
            ID,
        >,
        #[graphql(desc = "Send the leads received at or after this time first (at most 200).")]
        since: Option<DateTime<Utc>>,
    ) -> async_graphql::Result<BoxStream<'static, Lead>> {
        let principal = ctx.principal()?.clone();
        let campaign = campaign_id
            .as_ref()
            .map(|id| parse_id(id, "campaign"))
            .transpose()?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let live = live_of(ctx)?;
        let stream = live
            .watch_leads(principal, campaign, tenant, since)
            .await
            .map_err(super::error::GqlError::from)?;
        Ok(stream.map(Lead).boxed())
    }
}

fn live_of<'a>(ctx: &'a Context<'_>) -> GqlResult<&'a LiveService> {
    Ok(ctx.data::<LiveService>().map_err(|_| {
        crate::error::AppError::Internal("the live service is missing from the schema data".into())
    })?)
}

async fn watch(
    ctx: &Context<'_>,
    id: Option<ID>,
    tenant_id: Option<ID>,
) -> GqlResult<impl Stream<Item = Model> + Send + use<>> {
    let principal = ctx.principal()?.clone();
    let watch = match id {
        Some(id) => Watch::One(parse_id(&id, "campaign")?),
        None => Watch::All {
            tenant: parse_tenant_filter(tenant_id.as_ref())?,
        },
    };
    let live = ctx.data::<LiveService>().map_err(|_| {
        crate::error::AppError::Internal("the live service is missing from the schema data".into())
    })?;
    Ok(live.watch(principal, watch).await?)
}
