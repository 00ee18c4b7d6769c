//! One run of a launch job: read the campaign, its creatives and
//! credentials, fix the copy, upload the images once per ad account (in
//! parallel), then drive `adapters::ad_platform::launch`, which creates
//! everything PAUSED and activates it. How the run ended decides what
//! happens next (see `stop`): settle, retry, or hand the job back.
//!
//! The job holds no signed-in caller: it reads the campaign by id, and
//! every other row through the finders scoped to the campaign's owner.

use adapters::{
    ad_platform::{
        AdPlatform, Credentials, ImageUpload, PlatformError, RemoteStatus,
        launch::{self, LaunchProgress},
    },
    copywriter::CopyError,
};
use chrono::Utc;
use entities::{
    CampaignStatus, CreativeAssetId, RowScope, TenantScoped, ad_campaign, creative,
    creative_platform_asset, user_integration,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::watch;

use super::{
    LaunchPayload, Launcher,
    audited::AuditedPlatform,
    journal::DbJournal,
    plan::{CopyFailure, LaunchPlan, NO_CREATIVES, copy_of, creatives_of},
    stop::{Stop, backoff, exhausted},
};
use crate::{
    error::AppError,
    jobs::{Lease, Outcome},
    services::integrations::provider_name,
};

impl Launcher {
    /// Runs (or resumes) one launch; `attempt` counts from 1.
    pub async fn launch(
        &self,
        payload: &LaunchPayload,
        lease: &Lease,
        attempt: i32,
        max_attempts: i32,
        stop: watch::Receiver<bool>,
    ) -> Outcome {
        // The worker acts for the system: the job names the campaign, and
        // every later read is scoped to the campaign's owner.
        let campaign = match ad_campaign::Entity::unscoped_by_id(payload.campaign_id)
            .one(&self.db)
            .await
        {
            Ok(Some(campaign)) => campaign,
            Ok(None) => return Outcome::Done,
            Err(e) => return infra(payload, attempt, &e.to_string()),
        };
        if campaign.status != CampaignStatus::Launching
            || campaign.idempotency_key.as_deref() != Some(payload.launch_key.as_str())
        {
            // Withdrawn, or already settled by an earlier run.
            return Outcome::Done;
        }
        let key = payload.launch_key.as_str();
        // A failure decided by an earlier run whose winding down (pausing
        // what it had switched on) did not finish: finish it, launch nothing.
        if let Some(words) = campaign.error_message.clone() {
            return self.fail(&campaign, key, lease, words, attempt).await;
        }
        let name = provider_name(campaign.provider);
        match self.attempt(&campaign, key, lease, stop).await {
            Ok(()) => self.settle(&campaign, key, lease, None, attempt).await,
            Err(Stop::Interrupted) => Outcome::Interrupted {
                resume_after: self.settings.lookup_delay,
            },
            Err(Stop::NotOurs) => Outcome::LostLease,
            Err(Stop::Infra(why)) => infra(payload, attempt, &why),
            Err(Stop::Retry { after, why }) if attempt < max_attempts => Outcome::Retry {
                after: backoff(attempt, after),
                error: why,
                uses_attempt: true,
            },
            Err(Stop::Retry { why, .. }) => {
                tracing::warn!(campaign = %campaign.id, %why, "launch ran out of attempts");
                self.fail(&campaign, key, lease, exhausted(name), attempt)
                    .await
            }
            Err(Stop::Fail(words)) => self.fail(&campaign, key, lease, words, attempt).await,
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
            .await?
            .ok_or_else(|| Stop::Fail("The campaign's integration was deleted.".to_owned()))?;
        let name = provider_name(integration.provider);
        let (inner, creds) = self.open(&integration)?;
        let platform = AuditedPlatform {
            inner,
            audit: self.audit.clone(),
            tenant: campaign.tenant_id,
            owner: campaign.user_id,
            campaign: campaign.id,
        };
        let creatives = creatives_of(&self.db, campaign).await?;
        if creatives.is_empty() {
            return Err(Stop::Fail(NO_CREATIVES.to_owned()));
        }
        let (copy, _) = copy_of(&self.db, self.copywriter.as_ref(), campaign)
            .await
            .map_err(|e| match e {
                CopyFailure::Db(e) => Stop::from(e),
                CopyFailure::Copywriter(CopyError::RateLimited {
                    retry_after,
                    message,
                }) => Stop::Retry {
                    after: retry_after,
                    why: format!("copy: the copywriter is rate-limited: {message}"),
                },
                CopyFailure::Copywriter(CopyError::Unavailable { message }) => Stop::Retry {
                    after: None,
                    why: format!("copy: the copywriter is unavailable: {message}"),
                },
                CopyFailure::Copywriter(other) => Stop::Fail(format!(
                    "The copywriter could not write the ad copy: {other}."
                )),
            })?;
        let assets = platform
            .assets(&creds)
            .await
            .map_err(|e| Stop::of_platform(&e, name, "assets"))?;
        let hashes = self
            .image_hashes(&platform, &creds, &integration, &creatives)
            .await
            .map_err(|e| match e {
                ImageFailure::Platform(e) => Stop::of_platform(&e, name, "image"),
                ImageFailure::App(e) => Stop::from(e),
            })?;
        // Every image has its hash already (uploaded above), so the plan's
        // images carry no bytes.
        let plan = LaunchPlan::build(campaign, &integration, &assets, creatives, &copy)
            .map_err(Stop::Fail)?;
        let (request, creatives) = (plan.request, plan.creatives);
        let tag = request.tag.clone();
        let saved: Option<(String, LaunchProgress)> =
            campaign.launch_progress.clone().and_then(|p| {
                let tag = p.get("tag")?.as_str()?.to_owned();
                Some((tag, serde_json::from_value(p).ok()?))
            });
        // Objects made under another tag (other settings, another account)
        // are never adopted; one that was switched on before (a campaign the
        // platform stopped, then edited and relaunched) is paused first, so
        // it cannot deliver again beside the new one.
        if let Some((old_tag, old)) = &saved
            && *old_tag != tag
            && old.activating
            && let Some(old_campaign) = &old.campaign_id
        {
            platform
                .set_status(&creds, old_campaign, RemoteStatus::Paused)
                .await
                .map_err(|e| Stop::of_platform(&e, name, "campaign"))?;
        }
        // Progress recorded under another tag belongs to other settings.
        let mut progress: LaunchProgress = saved
            .filter(|(old_tag, _)| *old_tag == tag)
            .map(|(_, p)| p)
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
            lease.clone(),
            tag,
        );
        launch::run(&platform, &creds, &request, &mut progress, &mut journal)
            .await
            .map_err(|e| {
                let stop = Stop::of_launch(e, name, self.settings.lookup_delay);
                // The account's usage headers say to hold back: this account
                // waits (others keep going on other jobs).
                match stop {
                    Stop::Retry { after, why } => match platform.usage(&creds.ad_account_id) {
                        Some(usage) if usage.should_slow_down() => {
                            let hold = usage
                                .regain_access_after()
                                .unwrap_or(std::time::Duration::from_secs(30));
                            Stop::Retry {
                                after: Some(after.unwrap_or_default().max(hold)),
                                why,
                            }
                        }
                        _ => Stop::Retry { after, why },
                    },
                    other => other,
                }
            })
    }

    /// The integration's adapter and credentials. A vault failure is ours,
    /// not the user's: logged in full, never shown.
    pub(super) fn open(
        &self,
        integration: &user_integration::Model,
    ) -> Result<(std::sync::Arc<dyn AdPlatform>, Credentials), Stop> {
        self.integrations.open(integration).map_err(|e| match e {
            AppError::IntegrationInvalid(words) => Stop::Fail(words),
            other => Stop::Infra(format!("opening the integration's credentials: {other}")),
        })
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
}

/// An infrastructure failure: logged with the job's launch, tried again
/// without using up an attempt.
fn infra(payload: &LaunchPayload, attempt: i32, why: &str) -> Outcome {
    tracing::warn!(campaign = %payload.campaign_id, error = %why, "launch run hit an infrastructure failure; it will be retried");
    Outcome::Retry {
        after: backoff(attempt, None),
        error: why.to_owned(),
        uses_attempt: false,
    }
}

enum ImageFailure {
    Platform(PlatformError),
    App(AppError),
}
