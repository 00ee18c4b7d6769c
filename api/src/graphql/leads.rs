//! `leads`, `lead`, `updateLead`, `deleteLead` and the `Lead` type: the
//! inbox of the leads the media buyer's campaigns bring in.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{CampaignId, LeadId, lead};

use super::{
    admin::{parse_id, parse_tenant_filter},
    context::ContextExt,
    error::GqlResult,
    pagination::{Connected, connection, page_request},
};
use crate::{
    authz::Action,
    services::leads::{LeadFilter, LeadUpdate},
};

/// Where a lead stands in its owner's follow-up.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::LeadStatus")]
pub enum LeadStatus {
    /// Not looked at yet.
    New,
    /// Reached out to.
    Contacted,
    /// A real prospect.
    Qualified,
    /// Became a customer.
    Won,
    /// Did not.
    Lost,
    /// Junk.
    Spam,
}

/// How a lead reached Leadforge.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::LeadSource")]
pub enum LeadSource {
    /// Announced by the platform's webhook, then read.
    Webhook,
    /// Found by the reconciliation pass.
    Reconciliation,
}

/// One answer of the lead form.
#[derive(SimpleObject)]
pub struct LeadAnswer {
    /// The question's key (`email`, `full_name`, or the form's own key).
    name: String,
    /// What the person answered.
    values: Vec<String>,
}

/// A lead: a person's answers to a lead form of a campaign's ad.
pub struct Lead(pub lead::Model);

#[Object]
impl Lead {
    /// The lead's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The campaign whose ad it came from; absent for a lead kept aside
    /// (its ad belongs to no campaign here).
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
    /// The platform's id of the lead.
    async fn platform_lead_id(&self) -> &str {
        &self.0.platform_lead_id
    }
    /// The lead form.
    async fn form_id(&self) -> Option<&str> {
        self.0.form_id.as_deref()
    }
    /// The ad (absent for organic and test leads).
    async fn ad_id(&self) -> Option<&str> {
        self.0.ad_id.as_deref()
    }
    /// When the person submitted the form.
    async fn created_time(&self) -> Option<DateTime<Utc>> {
        self.0.platform_created_at
    }
    /// When Leadforge received it.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    /// How it reached Leadforge.
    async fn source(&self) -> LeadSource {
        self.0.source.into()
    }
    /// The follow-up status.
    async fn status(&self) -> LeadStatus {
        self.0.status.into()
    }
    /// The owner's note.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// The person's answers (personal data: shown to whoever may read the
    /// lead, never logged).
    async fn answers(&self, ctx: &Context<'_>) -> GqlResult<Vec<LeadAnswer>> {
        let answers = ctx.services()?.leads.answers(&self.0)?;
        Ok(answers
            .into_iter()
            .map(|a| LeadAnswer {
                name: a.name,
                values: a.values,
            })
            .collect())
    }
}

/// A change to a lead's follow-up.
#[derive(InputObject)]
pub struct UpdateLeadInput {
    /// The new status.
    status: Option<LeadStatus>,
    /// The new note; an empty one clears it.
    note: Option<String>,
}

#[derive(Default)]
pub struct LeadsQuery;

#[Object]
impl LeadsQuery {
    /// The caller's leads (everyone's for the chief architect, leads kept
    /// aside included), newest received first.
    #[allow(clippy::too_many_arguments)]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        campaign_id: Option<ID>,
        status: Option<LeadStatus>,
        #[graphql(desc = "Only leads received at or after this time.")] since: Option<
            DateTime<Utc>,
        >,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only this tenant's rows (for the chief architect).")] tenant_id: Option<
            ID,
        >,
    ) -> GqlResult<Connected<Lead>> {
        let principal = ctx.principal()?;
        let request = page_request(ctx, first.unwrap_or(50), after)?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let campaign = campaign_id
            .as_ref()
            .map(|id| parse_id::<CampaignId>(id, "campaign"))
            .transpose()?;
        let filter = LeadFilter {
            campaign,
            status: status.map(Into::into),
            since,
        };
        let page = ctx
            .services()?
            .leads
            .list(principal, tenant, filter, request)
            .await?;
        Ok(connection(page, Lead))
    }

    /// One lead the caller may see.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> GqlResult<Option<Lead>> {
        let principal = ctx.principal()?;
        let id: LeadId = parse_id(&id, "lead")?;
        let row = ctx
            .services()?
            .leads
            .get(principal, id, Action::Read)
            .await?;
        Ok(Some(Lead(row)))
    }
}

#[derive(Default)]
pub struct LeadsMutation;

#[Object]
impl LeadsMutation {
    /// Sets a lead's status and/or note.
    async fn update_lead(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLeadInput,
    ) -> GqlResult<Lead> {
        let principal = ctx.principal()?;
        let id: LeadId = parse_id(&id, "lead")?;
        let change = LeadUpdate {
            status: input.status.map(Into::into),
            note: input.note,
        };
        let row = ctx.services()?.leads.update(principal, id, change).await?;
        Ok(Lead(row))
    }

    /// Erases a lead: its answers are gone for good.
    async fn delete_lead(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let principal = ctx.principal()?;
        let id: LeadId = parse_id(&id, "lead")?;
        Ok(ctx.services()?.leads.delete(principal, id).await?)
    }
}
