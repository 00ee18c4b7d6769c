//! The fetch job of one announced lead: find the campaign whose launched ad
//! it names, read the lead with that campaign's integration, and store it
//! once. A lead for an ad (or Page) no campaign owns is kept aside, in the
//! platform tenant, for the chief architect; a lead that cannot be read
//! for good is still stored (ids only), never dropped silently.

use std::{sync::Arc, time::Duration};

use adapters::ad_platform::{LeadReader, PlatformError};
use async_trait::async_trait;
use entities::{
    AuditOutcome, LeadSource, Provider, TenantScoped, ad_campaign, campaign_creative, job,
    user_integration,
};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};
use tokio::sync::watch;

use super::{
    Answer,
    store::{IncomingLead, LeadOwner},
    webhook::LeadPing,
};
use crate::{
    error::AppError,
    jobs::{Handler, Lease, Outcome},
    services::{
        audit::{AuditEntry, AuditService},
        integrations::IntegrationsService,
    },
};

/// Runs lead fetch jobs; built once, shared by the worker tasks.
#[derive(Clone)]
pub struct LeadFetcher {
    pub db: DatabaseConnection,
    pub leads: super::LeadsService,
    pub integrations: IntegrationsService,
    /// Meta's lead reads; `None` when Meta is not configured.
    pub reader: Option<Arc<dyn LeadReader>>,
    pub audit: AuditService,
}

/// The campaign (and integration) a lead belongs to, and the integration
/// to read it with.
struct Routing {
    owner: Option<LeadOwner>,
    integration: Option<user_integration::Model>,
}

impl LeadFetcher {
    async fn route(&self, ping: &LeadPing) -> Result<Routing, AppError> {
        if let Some(ad) = &ping.ad_id
            && let Some(campaign) = self.campaign_of_ad(ad).await?
        {
            let integration = user_integration::Entity::unscoped_by_id(campaign.integration_id)
                .one(&self.db)
                .await?;
            return Ok(Routing {
                owner: Some(LeadOwner {
                    tenant: campaign.tenant_id,
                    user: campaign.user_id,
                    campaign: campaign.id,
                    integration: campaign.integration_id,
                }),
                integration,
            });
        }
        // Nobody launched this ad here: read it with an integration of the
        // Page, if any, and keep it aside.
        let integration = match &ping.page_id {
            Some(page) => {
                user_integration::Entity::unscoped()
                    .filter(user_integration::Column::Provider.eq(Provider::MetaAds))
                    .filter(user_integration::Column::PageId.eq(page.as_str()))
                    .order_by_desc(user_integration::Column::UpdatedAt)
                    .one(&self.db)
                    .await?
            }
            None => None,
        };
        Ok(Routing {
            owner: None,
            integration,
        })
    }

    /// The Meta campaign one of whose launched ads is `ad`.
    async fn campaign_of_ad(&self, ad: &str) -> Result<Option<ad_campaign::Model>, AppError> {
        let linked = campaign_creative::Entity::unscoped()
            .filter(campaign_creative::Column::RemoteAdId.eq(ad))
            .one(&self.db)
            .await?;
        let select = ad_campaign::Entity::unscoped()
            .filter(ad_campaign::Column::Provider.eq(Provider::MetaAds));
        let campaign = match linked {
            Some(link) => {
                select
                    .filter(ad_campaign::Column::Id.eq(link.campaign_id))
                    .one(&self.db)
                    .await?
            }
            None => {
                select
                    .filter(ad_campaign::Column::MetaAdId.eq(ad))
                    .one(&self.db)
                    .await?
            }
        };
        Ok(campaign)
    }

    async fn fetch(&self, ping: &LeadPing, attempt: i32, max_attempts: i32) -> Outcome {
        let routing = match self.route(ping).await {
            Ok(r) => r,
            Err(e) => return infra(&e),
        };
        let read = match (&self.reader, &routing.integration) {
            (Some(reader), Some(row)) => match self.integrations.open(row) {
                Ok((_, creds)) => Some(
                    reader
                        .read_lead(&creds, ping.page_id.as_deref(), &ping.leadgen_id)
                        .await,
                ),
                Err(e) => return infra(&e),
            },
            _ => None,
        };
        let (answers, read_ad, form, created) = match read {
            Some(Ok(lead)) => (
                lead.fields
                    .into_iter()
                    .map(|f| Answer {
                        name: f.name,
                        values: f.values,
                    })
                    .collect(),
                lead.ad_id,
                lead.form_id,
                lead.created_time,
            ),
            Some(Err(e)) if e.is_retryable() && attempt < max_attempts => {
                tracing::info!(lead = %ping.leadgen_id, class = e.class(), "reading a lead failed for now; it will be retried");
                return Outcome::Retry {
                    after: crate::services::launch::stop::backoff(attempt, e.retry_after()),
                    error: format!("reading the lead: {}", e.class()),
                    uses_attempt: true,
                };
            }
            Some(Err(e)) => {
                self.note_unreadable(ping, &routing, &e).await;
                (Vec::new(), None, None, None)
            }
            None => {
                tracing::warn!(lead = %ping.leadgen_id, "no integration can read this lead; its ids are kept");
                (Vec::new(), None, None, None)
            }
        };
        let incoming = IncomingLead {
            provider: Provider::MetaAds,
            platform_lead_id: ping.leadgen_id.clone(),
            page_id: ping.page_id.clone(),
            form_id: ping.form_id.clone().or(form),
            ad_id: ping.ad_id.clone().or(read_ad),
            platform_created_at: created.or_else(|| {
                ping.created_time
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            }),
            source: LeadSource::Webhook,
            answers,
        };
        match self.leads.receive(routing.owner, incoming).await {
            Ok(Some(id)) => {
                let entry = AuditEntry {
                    tenant_id: routing.owner.map(|o| o.tenant),
                    actor: None,
                    action: "lead.receive",
                    target: Some(format!("lead:{id}")),
                    outcome: AuditOutcome::Success,
                    detail: Some(serde_json::json!({
                        "campaign": routing.owner.map(|o| o.campaign.to_string()),
                        "kept_aside": routing.owner.is_none(),
                    })),
                };
                if let Err(e) = self.audit.record_now(entry).await {
                    tracing::warn!(error = %e, "could not audit a received lead");
                }
                Outcome::Done
            }
            Ok(None) => Outcome::Done,
            Err(e) => infra(&e),
        }
    }

    async fn note_unreadable(&self, ping: &LeadPing, routing: &Routing, e: &PlatformError) {
        tracing::warn!(lead = %ping.leadgen_id, class = e.class(), code = ?e.platform_code().0, "Meta refused a lead read; its ids are kept");
        let entry = AuditEntry {
            tenant_id: routing.owner.map(|o| o.tenant),
            actor: None,
            action: "lead.read",
            target: Some(format!("meta_lead:{}", ping.leadgen_id)),
            outcome: AuditOutcome::Failure,
            detail: Some(serde_json::json!({ "class": e.class(), "code": e.platform_code().0 })),
        };
        if let Err(err) = self.audit.record_now(entry).await {
            tracing::warn!(error = %err, "could not audit a failed lead read");
        }
    }
}

fn infra(e: &AppError) -> Outcome {
    tracing::warn!(error = %e, "a lead fetch hit an infrastructure failure; it will be retried");
    Outcome::Retry {
        after: Duration::from_secs(5),
        error: "infrastructure failure".to_owned(),
        uses_attempt: false,
    }
}

#[async_trait]
impl Handler for LeadFetcher {
    async fn run(&self, job: &job::Model, _lease: &Lease, _stop: watch::Receiver<bool>) -> Outcome {
        match serde_json::from_value::<LeadPing>(job.payload.clone()) {
            Ok(ping) => self.fetch(&ping, job.attempts, job.max_attempts).await,
            Err(e) => Outcome::Failed(format!("unreadable lead payload: {e}")),
        }
    }
}
