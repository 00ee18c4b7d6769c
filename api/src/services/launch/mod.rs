//! The launch of a campaign, in one place (DESIGN §6). A newcomer reads it
//! in this order:
//!
//! 1. **Accept** (`accept`, `CampaignsService::launch`): one transaction
//!    claims the campaign (`LAUNCHING`), reserves the credits and enqueues
//!    the one job of this launch ([`launch_job`]); a key used before for
//!    the campaign is `CONFLICT` and moves nothing.
//! 2. **Plan** ([`plan`]): the creatives, the copy (written once and saved
//!    on the draft) and the request, built the same way for the dry run
//!    (`previewLaunch`) and the launch.
//! 3. **Run** (`run`): the job reads the campaign, its creatives and
//!    credentials, uploads images once per ad account, and drives
//!    `adapters::ad_platform::launch` with the plan's request (campaign →
//!    ad set → creatives → ads, all PAUSED, then activation bottom-up).
//! 4. **Journal** (`journal`): every step is saved before and after it
//!    is sent, fenced by the job's lease; a create whose outcome is unknown
//!    is looked up by its tag on the next run, after
//!    [`LaunchSettings::lookup_delay`], never re-sent blind.
//! 5. **Settle** (`settle`): `ACTIVE` with one `COMMIT`, or — after
//!    everything the launch switched on is paused again — `ERROR` with one
//!    `REFUND` and words a user can act on.
//! 6. **Sweep** ([`sweep`]): a periodic check that revives the job of any
//!    launch left `LAUNCHING` without one.
//!
//! How a run ends is typed ([`stop::Stop`]): a permanent refusal, a
//! temporary failure that uses up an attempt, an infrastructure failure
//! that never does, a shutdown, a lost lease.

mod accept;
pub mod approval;
mod audited;
mod journal;
pub mod plan;
mod run;
mod settle;
pub mod stop;
pub mod sweep;
pub mod wait;

use std::{sync::Arc, time::Duration};

use adapters::copywriter::Copywriter;
use async_trait::async_trait;
use entities::{CampaignId, CreativeId, CreditEntryKind, TenantId, ad_campaign, job, json::AdCopy};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

pub use audited::WORKER_ACTOR;

use crate::{
    error::AppError,
    jobs::{Handler, Lease, NewJob, Outcome},
    services::{
        audit::AuditService, creatives::CreativesService, integrations::IntegrationsService,
    },
};

/// The job kind.
pub const KIND: &str = "launch_campaign";

/// Attempts a launch job gets before the campaign fails (failures of the
/// database or storage do not count).
pub const LAUNCH_ATTEMPTS: i32 = 6;

/// What a launch job carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LaunchPayload {
    pub campaign_id: CampaignId,
    /// The launch's key (the campaign's `idempotency_key`); the ledger
    /// keys of this launch derive from it.
    pub launch_key: String,
}

/// The job of one launch of a campaign; its dedupe key names the launch, so
/// a launch has at most one job, ever.
pub fn launch_job(id: CampaignId, tenant: TenantId, launch_key: &str) -> Result<NewJob, AppError> {
    let payload = LaunchPayload {
        campaign_id: id,
        launch_key: launch_key.to_owned(),
    };
    Ok(NewJob {
        queue: crate::jobs::queue::QUEUE,
        kind: KIND,
        payload: serde_json::to_value(&payload).map_err(AppError::internal)?,
        tenant: Some(tenant),
        dedupe_key: format!("launch:{id}:{launch_key}"),
        max_attempts: LAUNCH_ATTEMPTS,
    })
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
/// everything the platform is sent, and where: the integration (so the ad
/// account) and the Page. A retry, a restart or a relaunch of the same
/// draft on the same account gets the same tag and adopts what was created;
/// an edited draft, or one moved to another account or Page, gets a new
/// one, so objects made for the old settings (left paused) are never
/// adopted for the new.
pub fn tag_of(
    campaign: &ad_campaign::Model,
    copy: &AdCopy,
    creatives: &[CreativeId],
    page_id: &str,
) -> String {
    use sha2::Digest;
    // serde_json's maps are ordered, so the text (and the digest) is stable.
    // The words are what is sent; who wrote them is not.
    let words = AdCopy {
        written_by: None,
        ..copy.clone()
    };
    let mut sent = serde_json::json!({
        "name": campaign.campaign_name,
        "objective": campaign.objective,
        "budget": campaign.daily_budget_cents,
        "audience": campaign.target_audience,
        "url": campaign.destination_url,
        "form": campaign.lead_form_id,
        "pixel": campaign.pixel_id,
        "copy": words,
        "creatives": creatives.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        "integration": campaign.integration_id.to_string(),
        "page": page_id,
    });
    // Only a declared category joins the digest, so tags of campaigns saved
    // before categories existed stay as they were.
    if campaign.special_ad_category != entities::SpecialAdCategory::None
        && let Some(map) = sent.as_object_mut()
    {
        map.insert(
            "category".to_owned(),
            serde_json::json!(campaign.special_ad_category),
        );
    }
    let digest = sha2::Sha256::digest(sent.to_string().as_bytes());
    format!(
        "lf-{}-{}",
        campaign.id.into_uuid().simple(),
        hex::encode(&digest[..4])
    )
}

/// The launch's timing settings.
#[derive(Debug, Clone, Copy)]
pub struct LaunchSettings {
    /// How long a run waits before it looks for a create whose answer it
    /// did not get (lost, answered 5xx, or in flight when the run stopped):
    /// the platform's filtered listings trail its writes
    /// (`LEADFORGE_LAUNCH_LOOKUP_DELAY_SECS`).
    pub lookup_delay: Duration,
}

impl Default for LaunchSettings {
    fn default() -> Self {
        Self {
            lookup_delay: Duration::from_secs(30),
        }
    }
}

/// Runs launch jobs; built once, shared by the worker tasks.
#[derive(Clone)]
pub struct Launcher {
    pub db: sea_orm::DatabaseConnection,
    pub integrations: IntegrationsService,
    pub creatives: CreativesService,
    pub copywriter: Arc<dyn Copywriter>,
    pub audit: AuditService,
    pub events: broadcast::Sender<crate::events::CampaignChange>,
    pub settings: LaunchSettings,
}

#[async_trait]
impl Handler for Launcher {
    async fn run(&self, job: &job::Model, lease: &Lease, stop: watch::Receiver<bool>) -> Outcome {
        match serde_json::from_value::<LaunchPayload>(job.payload.clone()) {
            Ok(payload) => {
                self.launch(&payload, lease, job.attempts, job.max_attempts, stop)
                    .await
            }
            Err(e) => Outcome::Failed(format!("unreadable launch payload: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use entities::{
        CampaignObjective, CampaignStatus, IntegrationId, Provider, TenantId, UserId,
        json::{CallToAction, TargetAudience},
    };

    use super::*;

    /// A failed draft, for the tests of the launch's parts.
    pub(super) fn draft() -> ad_campaign::Model {
        ad_campaign::Model {
            id: CampaignId::generate(),
            tenant_id: TenantId::generate(),
            user_id: UserId::generate(),
            provider: Provider::MetaAds,
            integration_id: IntegrationId::generate(),
            campaign_name: "Open day".into(),
            objective: CampaignObjective::Traffic,
            daily_budget_cents: 2000,
            special_ad_category: entities::SpecialAdCategory::None,
            target_audience: TargetAudience {
                countries: vec!["US".into()],
                regions: Vec::new(),
                cities: Vec::new(),
                age_min: 25,
                age_max: 54,
                interests: Vec::new(),
            },
            ad_copy: None,
            niche: None,
            destination_url: "https://example.com".into(),
            lead_form_id: None,
            pixel_id: None,
            meta_campaign_id: None,
            meta_adset_id: None,
            meta_ad_id: None,
            status: CampaignStatus::Error,
            performance: None,
            error_message: None,
            launch_step: None,
            launch_progress: None,
            idempotency_key: None,
            approval_digest: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn the_tag_names_the_ad_account_and_the_page() {
        let campaign = draft();
        let copy = AdCopy {
            headline: "Stretch more".into(),
            body: "Morning classes.".into(),
            description: None,
            call_to_action: CallToAction::SignUp,
            written_by: None,
        };
        let creatives = [CreativeId::generate()];
        let tag = tag_of(&campaign, &copy, &creatives, "page-1");
        assert_eq!(
            tag,
            tag_of(&campaign, &copy, &creatives, "page-1"),
            "stable"
        );
        assert!(tag.starts_with(&format!("lf-{}-", campaign.id.into_uuid().simple())));
        // Moved to another ad account, or run as another Page: another tag,
        // so the old account's objects are never adopted.
        let moved = ad_campaign::Model {
            integration_id: IntegrationId::generate(),
            ..campaign.clone()
        };
        assert_ne!(tag, tag_of(&moved, &copy, &creatives, "page-1"));
        assert_ne!(tag, tag_of(&campaign, &copy, &creatives, "page-2"));
        // Declaring a special ad category changes what Meta is sent.
        let housing = ad_campaign::Model {
            special_ad_category: entities::SpecialAdCategory::Housing,
            ..campaign.clone()
        };
        assert_ne!(tag, tag_of(&housing, &copy, &creatives, "page-1"));
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
