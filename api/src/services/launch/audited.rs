//! An ad platform whose every remote call of a background job is written to
//! the audit trail: the method, the object, the outcome and the platform's
//! trace id — never a token (credentials never reach the row). The worker
//! is the actor; the campaign's owner is named as the subject.

use std::sync::Arc;

use adapters::ad_platform::{
    AccountCheck, AdPlatform, AdSetSpec, AdSpec, Assets, CampaignSpec, CampaignState, CreateMode,
    CreativeSpec, Credentials, DateRange, DsaParties, ImageRef, ImageUpload, InsightsRow,
    ObjectKind, PlatformError, Provider, RemoteId, RemoteObject, RemoteStatus, TargetingKind,
    TargetingOption, Usage,
};
use async_trait::async_trait;
use entities::{AuditOutcome, CampaignId, TenantId, UserId};
use serde_json::json;

use crate::services::audit::{AuditEntry, AuditService};

/// The actor name background work records.
pub const WORKER_ACTOR: &str = "system:launch-worker";

pub struct AuditedPlatform {
    pub inner: Arc<dyn AdPlatform>,
    pub audit: AuditService,
    pub tenant: TenantId,
    pub owner: UserId,
    pub campaign: CampaignId,
}

impl AuditedPlatform {
    async fn record<T>(
        &self,
        method: &'static str,
        object: Option<&str>,
        result: &Result<T, PlatformError>,
    ) {
        let (outcome, error, trace) = match result {
            Ok(_) => (AuditOutcome::Success, None, None),
            Err(e) => (
                AuditOutcome::Failure,
                Some(e.class()),
                e.trace_id().map(str::to_owned),
            ),
        };
        let entry = AuditEntry {
            tenant_id: Some(self.tenant),
            actor: None,
            action: method,
            target: Some(format!("campaign:{}", self.campaign)),
            outcome,
            detail: Some(json!({
                "actor": WORKER_ACTOR,
                "subject": self.owner.to_string(),
                "provider": self.inner.provider().as_str(),
                "object": object,
                "error": error,
                "trace_id": trace,
            })),
        };
        // The trail must not stop a launch whose remote call already happened.
        if let Err(e) = self.audit.record_now(entry).await {
            tracing::warn!(error = %e, method, "could not audit a platform call");
        }
    }
}

fn created(result: &Result<RemoteId, PlatformError>) -> Option<&str> {
    result.as_ref().ok().map(RemoteId::as_str)
}

#[async_trait]
impl AdPlatform for AuditedPlatform {
    fn provider(&self) -> Provider {
        self.inner.provider()
    }

    async fn verify(&self, creds: &Credentials) -> Result<AccountCheck, PlatformError> {
        let r = self.inner.verify(creds).await;
        self.record("platform.verify", Some(&creds.ad_account_id), &r)
            .await;
        r
    }

    async fn assets(&self, creds: &Credentials) -> Result<Assets, PlatformError> {
        let r = self.inner.assets(creds).await;
        self.record("platform.assets", Some(&creds.ad_account_id), &r)
            .await;
        r
    }

    async fn search_targeting(
        &self,
        creds: &Credentials,
        kind: TargetingKind,
        query: &str,
        country: Option<&str>,
    ) -> Result<Vec<TargetingOption>, PlatformError> {
        self.inner
            .search_targeting(creds, kind, query, country)
            .await
    }

    async fn upload_image(
        &self,
        creds: &Credentials,
        image: &ImageUpload,
    ) -> Result<ImageRef, PlatformError> {
        let r = self.inner.upload_image(creds, image).await;
        let hash = r.as_ref().ok().map(|i| i.hash.clone());
        self.record("platform.upload_image", hash.as_deref(), &r)
            .await;
        r
    }

    async fn create_campaign(
        &self,
        creds: &Credentials,
        spec: &CampaignSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        let r = self.inner.create_campaign(creds, spec, mode).await;
        self.record("platform.create_campaign", created(&r), &r)
            .await;
        r
    }

    async fn create_ad_set(
        &self,
        creds: &Credentials,
        spec: &AdSetSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        let r = self.inner.create_ad_set(creds, spec, mode).await;
        self.record("platform.create_ad_set", created(&r), &r).await;
        r
    }

    async fn create_creative(
        &self,
        creds: &Credentials,
        spec: &CreativeSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        let r = self.inner.create_creative(creds, spec, mode).await;
        self.record("platform.create_creative", created(&r), &r)
            .await;
        r
    }

    async fn create_ad(
        &self,
        creds: &Credentials,
        spec: &AdSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        let r = self.inner.create_ad(creds, spec, mode).await;
        self.record("platform.create_ad", created(&r), &r).await;
        r
    }

    async fn find_by_tag(
        &self,
        creds: &Credentials,
        kind: ObjectKind,
        tag: &str,
    ) -> Result<Option<RemoteObject>, PlatformError> {
        let r = self.inner.find_by_tag(creds, kind, tag).await;
        let found = r
            .as_ref()
            .ok()
            .and_then(|o| o.as_ref().map(|o| o.id.0.clone()));
        self.record("platform.find_by_tag", found.as_deref(), &r)
            .await;
        r
    }

    async fn set_status(
        &self,
        creds: &Credentials,
        id: &RemoteId,
        status: RemoteStatus,
    ) -> Result<(), PlatformError> {
        let r = self.inner.set_status(creds, id, status).await;
        let action = match status {
            RemoteStatus::Active => "platform.activate",
            RemoteStatus::Paused => "platform.pause",
            RemoteStatus::Archived => "platform.archive",
        };
        self.record(action, Some(id.as_str()), &r).await;
        r
    }

    async fn delete(&self, creds: &Credentials, id: &RemoteId) -> Result<(), PlatformError> {
        let r = self.inner.delete(creds, id).await;
        self.record("platform.delete", Some(id.as_str()), &r).await;
        r
    }

    async fn insights(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
        range: DateRange,
    ) -> Result<Vec<InsightsRow>, PlatformError> {
        self.inner.insights(creds, campaign_ids, range).await
    }

    async fn campaign_states(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
    ) -> Result<Vec<CampaignState>, PlatformError> {
        self.inner.campaign_states(creds, campaign_ids).await
    }

    fn usage(&self, ad_account_id: &str) -> Option<Usage> {
        self.inner.usage(ad_account_id)
    }

    async fn dsa_defaults(&self, creds: &Credentials) -> Result<Option<DsaParties>, PlatformError> {
        self.inner.dsa_defaults(creds).await
    }
}
