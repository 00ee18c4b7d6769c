//! The launch job (DESIGN §6): credentials, creatives, copy when the draft
//! has none, images uploaded once per ad account (in parallel), then
//! `adapters::ad_platform::launch` creates everything PAUSED and activates
//! it; success commits the credits, failure refunds them exactly once and
//! records the platform's words.
//!
//! The job holds no signed-in caller: it reads the campaign by id, and
//! every other row through the finders scoped to the campaign's owner.

use std::{sync::Arc, time::Duration};

use adapters::{
    ad_platform::{
        AdPlatform, Credentials, ImageUpload, PlatformError, RemoteId, RemoteStatus,
        launch::{self, LaunchError, LaunchProgress, LaunchRequest},
    },
    copywriter::{CopyBrief, CopyError, Copywriter},
};
use chrono::Utc;
use entities::{
    CampaignId, CampaignStatus, CreativeAssetId, CreativeId, CreditEntryKind, RowScope,
    TenantScoped, ad_campaign, campaign_creative, creative, creative_platform_asset, json::AdCopy,
    user_integration,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use super::{
    audited::AuditedPlatform,
    journal::{DbJournal, NOT_OURS, STOPPING},
};
use crate::{
    error::AppError,
    services::{
        audit::{AuditEntry, AuditService},
        copy::describe_audience,
        creatives::CreativesService,
        credits::Movement,
        integrations::{IntegrationsService, provider_name},
    },
    shapes::{FromPlatform, ToPlatform, objective_to_platform},
};

/// The job kind.
pub const KIND: &str = "launch_campaign";

/// What a launch job carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaunchPayload {
    pub campaign_id: CampaignId,
    /// The launch's key (the campaign's `idempotency_key`); the ledger
    /// keys of this launch derive from it.
    pub launch_key: String,
}

/// The ledger key of one movement of one launch: no retry, restart or
/// duplicate request can write it twice.
pub fn ledger_key(campaign: CampaignId, launch_key: &str, kind: CreditEntryKind) -> String {
    let kind = match kind {
        CreditEntryKind::Reserve => "reserve",
        CreditEntryKind::Commit => "commit",
        CreditEntryKind::Refund => "refund",
        CreditEntryKind::Grant => "grant",
    };
    format!("launch:{campaign}:{launch_key}:{kind}")
}

/// The tag of a campaign's remote objects: the campaign and a digest of
/// everything the platform is sent. A retry, a restart or a relaunch of the
/// same draft gets the same tag and adopts what was created; an edited
/// draft gets a new one, so objects made for the old settings (left paused)
/// are never adopted for the new.
pub fn tag_of(campaign: &ad_campaign::Model, copy: &AdCopy, creatives: &[CreativeId]) -> String {
    use sha2::Digest;
    // serde_json's maps are ordered, so the text (and the digest) is stable.
    let sent = serde_json::json!({
        "name": campaign.campaign_name,
        "objective": campaign.objective,
        "budget": campaign.daily_budget_cents,
        "audience": campaign.target_audience,
        "url": campaign.destination_url,
        "form": campaign.lead_form_id,
        "pixel": campaign.pixel_id,
        "copy": copy,
        "creatives": creatives.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
    });
    let digest = sha2::Sha256::digest(sent.to_string().as_bytes());
    format!(
        "lf-{}-{}",
        campaign.id.into_uuid().simple(),
        hex::encode(&digest[..4])
    )
}

/// The claim a run works under: every progress save checks it is still
/// this worker's, so a worker whose lease was taken over (it stalled past
/// its lease) stops before sending anything more.
#[derive(Debug, Clone)]
pub struct Lease {
    pub job: entities::JobId,
    pub worker: String,
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// Finished (live, failed for good, or nothing to do).
    Done,
    /// Try again after `after`.
    Retry { after: Duration, error: String },
    /// The server is stopping; the rest runs at the next start.
    Interrupted,
}

/// Runs launch jobs; built once, shared by the worker tasks.
#[derive(Clone)]
pub struct Launcher {
    pub db: DatabaseConnection,
    pub integrations: IntegrationsService,
    pub creatives: CreativesService,
    pub copywriter: Arc<dyn Copywriter>,
    pub audit: AuditService,
    pub events: broadcast::Sender<CampaignId>,
}

/// A failure of the run, before or during the platform calls.
enum Stop {
    /// Permanent: the campaign fails with this message.
    Fail(String),
    /// Temporary: try again.
    Retry(Option<Duration>, String),
    Interrupted,
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        // The database or storage failed: worth another attempt.
        Stop::Retry(None, format!("{e}"))
    }
}

impl Launcher {
    /// Runs (or resumes) one launch; `attempt` counts from 1.
    pub async fn run(
        &self,
        payload: &LaunchPayload,
        lease: &Lease,
        attempt: i32,
        max_attempts: i32,
        stop: watch::Receiver<bool>,
    ) -> Result<Outcome, AppError> {
        // The worker acts for the system: the job names the campaign, and
        // every later read is scoped to the campaign's owner.
        let Some(campaign) = ad_campaign::Entity::unscoped_by_id(payload.campaign_id)
            .one(&self.db)
            .await?
        else {
            return Ok(Outcome::Done);
        };
        if campaign.status != CampaignStatus::Launching
            || campaign.idempotency_key.as_deref() != Some(payload.launch_key.as_str())
        {
            // Withdrawn, or already settled by an earlier run.
            return Ok(Outcome::Done);
        }
        match self
            .attempt(&campaign, &payload.launch_key, lease, stop)
            .await
        {
            Ok(()) => {
                self.settle(&campaign, &payload.launch_key, None).await?;
                Ok(Outcome::Done)
            }
            Err(Stop::Interrupted) => Ok(Outcome::Interrupted),
            Err(Stop::Retry(after, error)) if attempt < max_attempts => Ok(Outcome::Retry {
                after: backoff(attempt, after),
                error,
            }),
            Err(Stop::Retry(_, error)) | Err(Stop::Fail(error)) => {
                self.settle(&campaign, &payload.launch_key, Some(error))
                    .await?;
                Ok(Outcome::Done)
            }
        }
    }

    async fn attempt(
        &self,
        campaign: &ad_campaign::Model,
        launch_key: &str,
        lease: &Lease,
        stop: watch::Receiver<bool>,
    ) -> Result<(), Stop> {
        let owner = RowScope::Own {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
        };
        let integration = user_integration::Entity::within(owner)
            .filter(user_integration::Column::Id.eq(campaign.integration_id))
            .one(&self.db)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| Stop::Fail("The campaign's integration was deleted.".to_owned()))?;
        let name = provider_name(integration.provider);
        let (inner, creds) = self
            .integrations
            .open(&integration)
            .map_err(|e| Stop::Fail(e.to_string()))?;
        let platform = AuditedPlatform {
            inner,
            audit: self.audit.clone(),
            tenant: campaign.tenant_id,
            owner: campaign.user_id,
            campaign: campaign.id,
        };
        let linked = campaign_creative::Entity::within(owner)
            .filter(campaign_creative::Column::CampaignId.eq(campaign.id))
            .find_also_related(creative::Entity)
            .filter(creative::Entity::scope_condition(owner))
            .order_by_asc(campaign_creative::Column::Position)
            .all(&self.db)
            .await
            .map_err(AppError::from)?;
        let creatives: Vec<creative::Model> = linked.into_iter().filter_map(|(_, c)| c).collect();
        if creatives.is_empty() {
            return Err(Stop::Fail(
                "The campaign has no creatives left; add at least one and launch again.".to_owned(),
            ));
        }

        let copy = self.copy_for(campaign).await?;
        let assets = platform
            .assets(&creds)
            .await
            .map_err(|e| platform_stop(&e, name, "assets"))?;
        let page_id = crate::services::campaigns::platform_checks::page_for(
            &assets,
            integration.page_id.as_deref(),
            campaign.lead_form_id.as_deref(),
        )
        .ok_or_else(|| {
            Stop::Fail("The integration has no Facebook Page to run the ads as.".to_owned())
        })?;
        let hashes = self
            .image_hashes(&platform, &creds, &integration, &creatives)
            .await
            .map_err(|e| match e {
                ImageFailure::Platform(e) => platform_stop(&e, name, "image"),
                ImageFailure::App(e) => Stop::from(e),
            })?;

        let audience = campaign
            .target_audience
            .to_platform()
            .map_err(|e| Stop::Fail(format!("The audience cannot be used: {e}.")))?;
        let conversion = crate::shapes::conversion_of(campaign)
            .ok_or_else(|| Stop::Fail(crate::shapes::NO_CONVERSION.to_owned()))?;
        let creative_ids: Vec<entities::CreativeId> = creatives.iter().map(|c| c.id).collect();
        let tag = tag_of(campaign, &copy, &creative_ids);
        let request = LaunchRequest {
            name: campaign.campaign_name.clone(),
            tag: tag.clone(),
            objective: objective_to_platform(campaign.objective),
            conversion,
            page_id,
            daily_budget: campaign.daily_budget_cents,
            audience,
            copy: copy.to_platform().map_err(|e| Stop::Fail(e.to_string()))?,
            link_url: campaign.destination_url.clone(),
            // Every image has its hash already (uploaded above), so the
            // sequence needs no bytes.
            images: creatives
                .iter()
                .map(|c| ImageUpload {
                    name: c.file_name.clone(),
                    bytes: Vec::new(),
                })
                .collect(),
            dsa: None,
        };
        // Progress recorded under another tag belongs to other settings.
        let mut progress: LaunchProgress = campaign
            .launch_progress
            .clone()
            .filter(|p| p.get("tag").and_then(|t| t.as_str()) == Some(tag.as_str()))
            .and_then(|p| serde_json::from_value(p).ok())
            .unwrap_or_default();
        // A relaunch with other creatives must not reuse another image's
        // objects by position.
        if progress.image_hashes.len() != hashes.len()
            || progress
                .image_hashes
                .iter()
                .zip(&hashes)
                .any(|(old, new)| old.as_deref().is_some_and(|o| o != new))
        {
            progress.creative_ids.clear();
            progress.ad_ids.clear();
        }
        progress.image_hashes = hashes.into_iter().map(Some).collect();
        progress.activated = false;
        let mut journal = DbJournal::new(
            self.db.clone(),
            campaign.id,
            launch_key.to_owned(),
            creatives.iter().map(|c| c.id).collect(),
            stop,
            LaunchProgress::default(),
            lease.clone(),
            tag,
        );
        match launch::run(&platform, &creds, &request, &mut progress, &mut journal).await {
            Ok(()) => Ok(()),
            // Stopping, or no longer ours: nothing more is sent, and whoever
            // holds the launch now settles it.
            Err(LaunchError::Journal(why)) if why == STOPPING || why == NOT_OURS => {
                Err(Stop::Interrupted)
            }
            Err(LaunchError::Journal(why)) => Err(Stop::Retry(None, why)),
            Err(LaunchError::Platform { step, source }) => {
                let stop = match platform_stop(&source, name, &step) {
                    // The account's usage headers say to hold back: this
                    // account waits (others keep going on other jobs).
                    Stop::Retry(after, why) => match platform.usage(&creds.ad_account_id) {
                        Some(usage) if usage.should_slow_down() => {
                            let hold = usage
                                .regain_access_after()
                                .unwrap_or(Duration::from_secs(30));
                            Stop::Retry(Some(after.unwrap_or_default().max(hold)), why)
                        }
                        _ => Stop::Retry(after, why),
                    },
                    other => other,
                };
                if matches!(stop, Stop::Fail(_)) {
                    // Nothing may keep delivering after a failed launch.
                    self.pause_all(&platform, &creds, &progress).await;
                }
                Err(stop)
            }
        }
    }

    /// The draft's copy, or copy the copywriter writes now (saved at once,
    /// so a retry launches the same words).
    async fn copy_for(&self, campaign: &ad_campaign::Model) -> Result<AdCopy, Stop> {
        if let Some(copy) = &campaign.ad_copy {
            return Ok(copy.clone());
        }
        let brief = CopyBrief {
            niche: campaign
                .niche
                .clone()
                .unwrap_or_else(|| campaign.campaign_name.clone()),
            audience: describe_audience(&campaign.target_audience),
            objective: objective_to_platform(campaign.objective),
            offer: None,
            tone: None,
            variants: 1,
        };
        let written = self.copywriter.write(&brief).await.map_err(|e| match e {
            CopyError::RateLimited {
                retry_after,
                message,
            } => Stop::Retry(retry_after, message),
            CopyError::Unavailable { message } => Stop::Retry(None, message),
            other => Stop::Fail(format!(
                "The copywriter could not write the ad copy: {other}."
            )),
        })?;
        let first = written
            .first()
            .map(AdCopy::from_platform)
            .ok_or_else(|| Stop::Fail("The copywriter returned no copy.".to_owned()))?;
        ad_campaign::Entity::update_many()
            .col_expr(
                ad_campaign::Column::AdCopy,
                Expr::value(Some(first.clone())),
            )
            .filter(ad_campaign::Column::Id.eq(campaign.id))
            .filter(ad_campaign::Column::AdCopy.is_null())
            .exec(&self.db)
            .await
            .map_err(AppError::from)?;
        Ok(first)
    }

    /// Each creative's image hash in the integration's ad account: reused
    /// when uploaded there before, else uploaded now, all in parallel.
    async fn image_hashes(
        &self,
        platform: &dyn AdPlatform,
        creds: &Credentials,
        integration: &user_integration::Model,
        creatives: &[creative::Model],
    ) -> Result<Vec<String>, ImageFailure> {
        let known = creative_platform_asset::Entity::find()
            .filter(
                creative_platform_asset::Column::CreativeId.is_in(creatives.iter().map(|c| c.id)),
            )
            .filter(creative_platform_asset::Column::Provider.eq(integration.provider))
            .filter(creative_platform_asset::Column::AdAccountId.eq(creds.ad_account_id.as_str()))
            .all(&self.db)
            .await
            .map_err(|e| ImageFailure::App(e.into()))?;
        let uploads = creatives.iter().map(|c| {
            let known = known
                .iter()
                .find(|k| k.creative_id == c.id)
                .and_then(|k| k.remote_hash.clone());
            async move {
                if let Some(hash) = known {
                    return Ok(hash);
                }
                let bytes = self
                    .creatives
                    .original_bytes(c)
                    .await
                    .map_err(ImageFailure::App)?;
                let image = ImageUpload {
                    name: c.file_name.clone(),
                    bytes,
                };
                let uploaded = platform
                    .upload_image(creds, &image)
                    .await
                    .map_err(ImageFailure::Platform)?;
                let row = creative_platform_asset::ActiveModel {
                    id: Set(CreativeAssetId::generate()),
                    tenant_id: Set(c.tenant_id),
                    user_id: Set(c.user_id),
                    creative_id: Set(c.id),
                    provider: Set(integration.provider),
                    ad_account_id: Set(creds.ad_account_id.clone()),
                    remote_hash: Set(Some(uploaded.hash.clone())),
                    remote_url: Set(uploaded.url.clone()),
                    created_at: Set(Utc::now()),
                };
                // Two launches may upload the same image at once; the
                // first row stands, and both hashes name the same bytes.
                if let Err(e) = row.insert(&self.db).await
                    && !matches!(
                        e.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    )
                {
                    return Err(ImageFailure::App(e.into()));
                }
                Ok(uploaded.hash)
            }
        });
        futures_util::future::try_join_all(uploads).await
    }

    /// Best effort: everything created so far back to PAUSED.
    async fn pause_all(&self, platform: &dyn AdPlatform, creds: &Credentials, p: &LaunchProgress) {
        let ids: Vec<RemoteId> = p
            .ad_ids
            .iter()
            .flatten()
            .chain(p.ad_set_id.iter())
            .chain(p.campaign_id.iter())
            .cloned()
            .collect();
        for id in ids {
            if let Err(e) = platform.set_status(creds, &id, RemoteStatus::Paused).await {
                tracing::warn!(error = %e, object = %id, "could not pause an object of a failed launch");
            }
        }
    }

    /// Ends the launch: `ACTIVE` and `COMMIT`, or `ERROR` with `error` and
    /// `REFUND`, in one transaction guarded by the launch still running.
    async fn settle(
        &self,
        campaign: &ad_campaign::Model,
        launch_key: &str,
        error: Option<String>,
    ) -> Result<(), AppError> {
        let (status, kind) = match &error {
            None => (CampaignStatus::Active, CreditEntryKind::Commit),
            Some(_) => (CampaignStatus::Error, CreditEntryKind::Refund),
        };
        let cost = entities::agent::Entity::find_by_id(entities::MEDIA_BUYER_AGENT_KEY.to_owned())
            .one(&self.db)
            .await?
            .map_or(0, |a| i64::from(a.credit_cost));
        // The reservation's own amount is what goes back (the registry's
        // cost may have changed since).
        let reserved = entities::credit_ledger::Entity::find()
            .filter(
                entities::credit_ledger::Column::IdempotencyKey.eq(ledger_key(
                    campaign.id,
                    launch_key,
                    CreditEntryKind::Reserve,
                )),
            )
            .one(&self.db)
            .await?
            .map_or(cost, |r| -r.delta);
        let txn = self.db.begin().await?;
        let updated = ad_campaign::Entity::update_many()
            .col_expr(ad_campaign::Column::Status, Expr::value(status))
            .col_expr(
                ad_campaign::Column::ErrorMessage,
                Expr::value(error.clone()),
            )
            .col_expr(ad_campaign::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(ad_campaign::Column::Id.eq(campaign.id))
            .filter(ad_campaign::Column::Status.eq(CampaignStatus::Launching))
            .filter(ad_campaign::Column::IdempotencyKey.eq(launch_key))
            .exec(&txn)
            .await?;
        if updated.rows_affected == 0 {
            return Ok(());
        }
        Movement {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
            campaign: campaign.id,
            kind,
            cost: reserved,
            key: ledger_key(campaign.id, launch_key, kind),
        }
        .apply(&txn)
        .await?;
        let mut entry = AuditEntry {
            tenant_id: Some(campaign.tenant_id),
            actor: None,
            action: "campaign.launch_finished",
            target: Some(format!("campaign:{}", campaign.id)),
            outcome: entities::AuditOutcome::Success,
            detail: Some(serde_json::json!({
                "actor": super::audited::WORKER_ACTOR,
                "subject": campaign.user_id.to_string(),
                "status": if error.is_none() { "active" } else { "error" },
            })),
        };
        if error.is_some() {
            entry.outcome = entities::AuditOutcome::Failure;
        }
        self.audit.record(&txn, entry).await?;
        txn.commit().await?;
        let _ = self.events.send(campaign.id);
        Ok(())
    }
}

enum ImageFailure {
    Platform(PlatformError),
    App(AppError),
}

/// How a platform error ends this run: a retry for rate limits, transient
/// failures and an unreachable platform; otherwise the campaign fails with
/// the platform's own words.
fn platform_stop(e: &PlatformError, name: &str, step: &str) -> Stop {
    match e {
        PlatformError::RateLimited { .. } | PlatformError::Transient { .. } => {
            Stop::Retry(e.retry_after(), format!("{step}: {e}"))
        }
        PlatformError::Unavailable { .. } => Stop::Retry(None, format!("{step}: {e}")),
        _ => {
            let mut words = e.user_message().trim().to_owned();
            if !words.ends_with(['.', '!', '?']) {
                words.push('.');
            }
            Stop::Fail(format!(
                "{name} refused the {} step: {words}",
                step_words(step)
            ))
        }
    }
}

fn step_words(step: &str) -> &str {
    match step {
        "verify" | "assets" => "account check",
        "image" => "image upload",
        "campaign" => "campaign",
        "ad_set" => "ad set",
        "activate" => "activation",
        s if s.starts_with("creative") => "ad creative",
        s if s.starts_with("ad_") => "ad",
        other => other,
    }
}

/// Jittered exponential back-off, at least what the platform asked for.
pub fn backoff(attempt: i32, asked: Option<Duration>) -> Duration {
    let exp = 2u64.saturating_pow(u32::try_from(attempt.max(1) - 1).unwrap_or(0));
    let base = Duration::from_millis(500 * exp.min(120));
    let jitter = Duration::from_millis(rand::random::<u64>() % 250);
    base.max(asked.unwrap_or_default()) + jitter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_grows_and_honours_what_the_platform_asked() {
        assert!(backoff(1, None) < Duration::from_secs(1));
        assert!(backoff(4, None) >= Duration::from_secs(4));
        // The platform's regain time wins over the schedule.
        assert!(backoff(1, Some(Duration::from_secs(60))) >= Duration::from_secs(60));
        // Bounded, however many attempts.
        assert!(backoff(40, None) <= Duration::from_secs(61));
    }

    #[test]
    fn ledger_keys_name_the_launch_and_the_movement() {
        let c = CampaignId::generate();
        let reserve = ledger_key(c, "k", CreditEntryKind::Reserve);
        assert_ne!(reserve, ledger_key(c, "k", CreditEntryKind::Refund));
        assert_ne!(reserve, ledger_key(c, "other", CreditEntryKind::Reserve));
        assert_eq!(reserve, ledger_key(c, "k", CreditEntryKind::Reserve));
    }
}
