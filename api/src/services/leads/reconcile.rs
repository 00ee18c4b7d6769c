//! The reconciliation pass (issue 18.3): webhooks get lost, so every
//! `LEADFORGE_RECONCILE_INTERVAL_SECS` each launched Meta lead campaign's
//! ads are read for leads created since the last pass (`GET /{ad_id}/leads`
//! filtered by `time_created`, paged to the end), and what the webhook
//! missed is stored with source `reconciliation` (a lead stored before is
//! not stored again, whichever path brought it).
//!
//! The cursor of each campaign is kept in memory: the first pass after a
//! start reads each campaign's leads from the beginning. Each pass reads
//! from its cursor minus an overlap, for leads Meta lists late.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use adapters::ad_platform::LeadReader;
use chrono::{DateTime, Utc};
use entities::{
    CampaignId, CampaignObjective, CampaignStatus, LeadSource, Provider, TenantScoped, ad_campaign,
    campaign_creative, user_integration,
};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter};
use tokio::sync::watch;

use super::{
    Answer, LeadsService,
    store::{IncomingLead, LeadOwner},
};
use crate::{error::AppError, services::integrations::IntegrationsService};

/// How far before its cursor a pass reads again.
const OVERLAP: chrono::Duration = chrono::Duration::minutes(10);

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Campaigns read.
    pub campaigns: usize,
    /// Leads the webhook had missed, now stored.
    pub added: usize,
    /// Campaigns whose reading failed (tried again next pass).
    pub failed: usize,
}

/// The pass; built once, shared by the timer and tests.
#[derive(Clone)]
pub struct Reconciler {
    pub db: DatabaseConnection,
    pub leads: LeadsService,
    pub integrations: IntegrationsService,
    /// Meta's lead reads; `None` when Meta is not configured.
    pub reader: Option<Arc<dyn LeadReader>>,
    pub interval: Duration,
    pub cursors: Arc<Mutex<HashMap<CampaignId, DateTime<Utc>>>>,
}

impl Reconciler {
    /// Runs a pass every interval until `shutdown` turns true.
    pub fn spawn(self, mut shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(self.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = shutdown.changed() => return,
                }
                if *shutdown.borrow() {
                    return;
                }
                match self.pass().await {
                    Ok(report) if report.added > 0 || report.failed > 0 => {
                        tracing::info!(?report, "lead reconciliation pass");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "a lead reconciliation pass failed"),
                }
            }
        })
    }

    fn cursor(&self, campaign: CampaignId) -> Option<DateTime<Utc>> {
        self.cursors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&campaign)
            .map(|at| *at - OVERLAP)
    }

    /// One pass over every launched Meta lead campaign.
    pub async fn pass(&self) -> Result<PassReport, AppError> {
        let mut report = PassReport::default();
        let Some(reader) = &self.reader else {
            return Ok(report);
        };
        let campaigns = ad_campaign::Entity::unscoped()
            .filter(ad_campaign::Column::Provider.eq(Provider::MetaAds))
            .filter(ad_campaign::Column::Objective.eq(CampaignObjective::Leads))
            .filter(
                ad_campaign::Column::Status.is_in([CampaignStatus::Active, CampaignStatus::Paused]),
            )
            .all(&self.db)
            .await?;
        for campaign in campaigns {
            report.campaigns += 1;
            match self.campaign(reader.as_ref(), &campaign).await {
                Ok(added) => report.added += added,
                Err(e) => {
                    report.failed += 1;
                    tracing::warn!(campaign = %campaign.id, error = %e, "reading a campaign's leads failed; the next pass tries again");
                }
            }
        }
        Ok(report)
    }

    /// Reads one campaign's ads since its cursor; how many leads were new.
    async fn campaign(
        &self,
        reader: &dyn LeadReader,
        campaign: &ad_campaign::Model,
    ) -> Result<usize, AppError> {
        let Some(integration) = user_integration::Entity::unscoped_by_id(campaign.integration_id)
            .one(&self.db)
            .await?
        else {
            return Ok(0);
        };
        let (_, creds) = self.integrations.open(&integration)?;
        let mut ads: Vec<String> = campaign_creative::Entity::unscoped()
            .filter(campaign_creative::Column::CampaignId.eq(campaign.id))
            .all(&self.db)
            .await?
            .into_iter()
            .filter_map(|link| link.remote_ad_id)
            .collect();
        if let Some(ad) = &campaign.meta_ad_id
            && !ads.contains(ad)
        {
            ads.push(ad.clone());
        }
        let since = self.cursor(campaign.id);
        let started = Utc::now();
        let owner = LeadOwner {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
            campaign: campaign.id,
            integration: campaign.integration_id,
        };
        let mut added = 0;
        for ad in &ads {
            let leads = reader
                .leads_of_ad(&creds, integration.page_id.as_deref(), ad, since)
                .await
                .map_err(|e| {
                    AppError::internal(std::io::Error::other(format!(
                        "Meta refused a lead listing ({})",
                        e.class()
                    )))
                })?;
            for lead in leads {
                let incoming = IncomingLead {
                    provider: Provider::MetaAds,
                    platform_lead_id: lead.id,
                    page_id: integration.page_id.clone(),
                    form_id: lead.form_id,
                    ad_id: lead.ad_id.or_else(|| Some(ad.clone())),
                    platform_created_at: lead.created_time,
                    source: LeadSource::Reconciliation,
                    answers: lead
                        .fields
                        .into_iter()
                        .map(|f| Answer {
                            name: f.name,
                            values: f.values,
                        })
                        .collect(),
                };
                if self.leads.receive(Some(owner), incoming).await?.is_some() {
                    added += 1;
                }
            }
        }
        self.cursors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(campaign.id, started);
        Ok(added)
    }
}
