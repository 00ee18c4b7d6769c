//! The launch sequence on any [`AdPlatform`]: verify, upload images, create campaign →
//! ad set → one creative and one ad per image (all PAUSED), then activate bottom-up.
//!
//! Progress is handed to a [`LaunchJournal`] after every step so a retry or a restart
//! resumes where it stopped. Before a create is sent the step is journalled as attempted.
//! A create whose outcome is unknown (its answer was lost, or the platform answered a
//! temporary error after perhaps applying it) ends the run: the platform's filtered
//! listings trail its writes, so the object is looked up by its tag on the next run,
//! after the caller's back-off, and adopted when it exists. No remote object is created
//! twice, and creates that run side by side all finish (and are journalled) before a
//! sibling's failure ends the run.

use std::collections::BTreeSet;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::error::PlatformError;
use super::types::*;
use super::{AdPlatform, validate};

/// Everything one launch needs, in neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchRequest {
    /// Campaign name shown to the advertiser.
    pub name: String,
    /// Unique tag of this launch (e.g. derived from the campaign id); put in every name.
    pub tag: String,
    /// Goal.
    pub objective: Objective,
    /// Where results land (lead form, pixel, link clicks).
    pub conversion: Conversion,
    /// Page the ads run as.
    pub page_id: String,
    /// Daily budget in minor units, placed on the ad set.
    pub daily_budget: i64,
    /// Who sees the ads.
    pub audience: Audience,
    /// The words.
    pub copy: AdCopy,
    /// Landing page.
    pub link_url: String,
    /// Images, one creative and one ad each. An image whose hash is already in the
    /// progress (uploaded to this account before) is not uploaded again.
    pub images: Vec<ImageUpload>,
    /// DSA parties for EU audiences, as the advertiser named them; absent,
    /// the ad account's defaults or the platform's recommendations.
    pub dsa: Option<DsaParties>,
    /// The special ad category the campaign declares.
    pub special_ad_category: SpecialAdCategory,
}

/// Remote ids known so far; persist it as a whole (it is serde-serialisable; fields
/// added later read as their defaults from progress saved before them).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LaunchProgress {
    /// Image hash per image of the request.
    pub image_hashes: Vec<Option<String>>,
    /// The campaign.
    pub campaign_id: Option<RemoteId>,
    /// The ad set.
    pub ad_set_id: Option<RemoteId>,
    /// Creative per image.
    pub creative_ids: Vec<Option<RemoteId>>,
    /// Ad per image.
    pub ad_ids: Vec<Option<RemoteId>>,
    /// Creates sent at least once (their answer may have been lost).
    pub attempted: BTreeSet<String>,
    /// Whether activation was started: from then on something may deliver, and a
    /// launch that fails must pause what it created before it can be settled.
    pub activating: bool,
    /// Whether everything was activated.
    pub activated: bool,
}

/// Why a journal asks the launch to stop sending (after saving what it was given).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JournalStop {
    /// The process is stopping; the launch goes on at the next start.
    #[error("the server is stopping")]
    Stopping,
    /// The launch is no longer this runner's: settled, withdrawn, or its claim lost.
    #[error("the launch is no longer this runner's to continue")]
    NotOurs,
    /// The progress could not be written (the cause, for the logs).
    #[error("could not record launch progress: {0}")]
    Failed(String),
}

/// Where progress is persisted (the launch job stores it in the database).
#[async_trait]
pub trait LaunchJournal: Send {
    /// Persists the progress; called after every step, before every create and before
    /// activation. An error stops the launch before anything more is sent.
    async fn save(&mut self, progress: &LaunchProgress) -> Result<(), JournalStop>;

    /// Called right before each remote write: whether the launch may still send. A
    /// journal whose claim can lapse (a lease) re-checks it here when its last check is
    /// not fresh, so a runner that stalled between a save and a send (a paused
    /// process, a long GC-free freeze) stops instead of sending late.
    async fn before_send(&mut self) -> Result<(), JournalStop> {
        Ok(())
    }
}

/// A journal that keeps nothing (tests, dry runs).
#[derive(Debug, Default)]
pub struct NoJournal;

#[async_trait]
impl LaunchJournal for NoJournal {
    async fn save(&mut self, _progress: &LaunchProgress) -> Result<(), JournalStop> {
        Ok(())
    }
}

/// Why a launch stopped.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    /// The platform refused or failed a step.
    #[error("{step}: {source}")]
    Platform {
        /// The step (`verify`, `campaign`, `ad_set`, `creative_0`, …).
        step: String,
        /// The platform's error.
        source: PlatformError,
    },
    /// The journal stopped the launch; nothing more is sent.
    #[error("{0}")]
    Journal(#[from] JournalStop),
}

impl LaunchError {
    /// The platform error, when there is one.
    pub fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Platform { source, .. } => Some(source),
            Self::Journal(_) => None,
        }
    }
}

fn at(step: &str) -> impl FnOnce(PlatformError) -> LaunchError + '_ {
    move |source| LaunchError::Platform {
        step: step.to_owned(),
        source,
    }
}

/// Checks a request without calling the platform (the dry run of `previewLaunch`).
pub fn check_request(req: &LaunchRequest) -> Result<(), PlatformError> {
    validate::audience(&req.audience)?;
    validate::conversion(req.objective, &req.conversion)?;
    if req.daily_budget <= 0 {
        return Err(PlatformError::invalid(
            "daily_budget",
            "the daily budget must be positive",
        ));
    }
    if req.images.is_empty() {
        return Err(PlatformError::invalid(
            "images",
            "choose at least one image",
        ));
    }
    req.copy
        .validate()
        .map_err(|p| PlatformError::invalid("ad_copy", p.to_string()))
}

/// The rules of where and whom a campaign may target that the platform
/// would only enforce at the ad set: a special ad category's limits, and
/// regions that need an advertiser verified there. A launch checks them
/// before it creates anything; the dry run shows them as their own check.
pub fn check_audience_rules(
    category: SpecialAdCategory,
    audience: &Audience,
) -> Result<(), PlatformError> {
    validate::regional_rules(category, audience)
}

/// The countries a special category is declared for: every country the ads
/// reach (none without a category).
pub fn category_countries(category: SpecialAdCategory, audience: &Audience) -> Vec<String> {
    if category.is_special() {
        audience.countries_reached()
    } else {
        Vec::new()
    }
}

/// The DSA parties of an audience that reaches the EU: the advertiser's, else
/// the ad account's defaults or the platform's recommendations. Settled
/// before anything is created, so a launch that cannot name them creates
/// nothing.
async fn dsa_parties(
    platform: &dyn AdPlatform,
    creds: &Credentials,
    req: &LaunchRequest,
) -> Result<Option<DsaParties>, LaunchError> {
    if !req.audience.includes_eu() {
        return Ok(None);
    }
    if let Some(dsa) = &req.dsa {
        return Ok(Some(dsa.clone()));
    }
    match platform.dsa_defaults(creds).await.map_err(at("verify"))? {
        Some(found) => Ok(Some(found)),
        None => Err(at("validate")(validate::dsa_missing())),
    }
}

/// Runs (or resumes) a launch.
pub async fn run(
    platform: &dyn AdPlatform,
    creds: &Credentials,
    req: &LaunchRequest,
    progress: &mut LaunchProgress,
    journal: &mut dyn LaunchJournal,
) -> Result<(), LaunchError> {
    // Rules the platform would only enforce half-way through (at the ad
    // set): refused before anything is created.
    validate::regional_rules(req.special_ad_category, &req.audience).map_err(at("validate"))?;
    let n = req.images.len();
    progress.image_hashes.resize(n, None);
    progress.creative_ids.resize(n, None);
    progress.ad_ids.resize(n, None);

    let account = platform.verify(creds).await.map_err(at("verify"))?;
    if !account.account_status.is_active() {
        return Err(at("verify")(PlatformError::invalid(
            "ad_account",
            format!(
                "the ad account is {}, not ACTIVE",
                account.account_status.name()
            ),
        )));
    }

    let dsa = dsa_parties(platform, creds, req).await?;

    for (i, image) in req.images.iter().enumerate() {
        if progress.image_hashes[i].is_none() {
            let uploaded = platform
                .upload_image(creds, image)
                .await
                .map_err(at("image"))?;
            progress.image_hashes[i] = Some(uploaded.hash);
            save(journal, progress).await?;
        }
    }

    let campaign = CampaignSpec {
        name: req.name.clone(),
        tag: req.tag.clone(),
        objective: req.objective,
        campaign_daily_budget: None,
        special_ad_category: req.special_ad_category,
        category_countries: category_countries(req.special_ad_category, &req.audience),
    };
    let book = Mutex::new(Book { progress, journal });
    let campaign_id = step(
        platform,
        creds,
        &book,
        ObjectKind::Campaign,
        "campaign",
        &req.tag,
        |p| p.campaign_id.clone(),
        |p, id| p.campaign_id = Some(id),
        Create::Campaign(&campaign),
    )
    .await?;

    let ad_set_tag = format!("{}-s", req.tag);
    let ad_set = AdSetSpec {
        name: format!("{} · ad set", req.name),
        tag: ad_set_tag.clone(),
        campaign_id,
        objective: req.objective,
        conversion: req.conversion.clone(),
        page_id: req.page_id.clone(),
        daily_budget: Some(req.daily_budget),
        audience: req.audience.clone(),
        dsa,
        special_ad_category: req.special_ad_category,
    };
    let lead_form_id = match &req.conversion {
        Conversion::LeadForm { form_id } => Some(form_id.clone()),
        _ => None,
    };
    let hashes: Vec<String> = {
        let b = book.lock().await;
        b.progress
            .image_hashes
            .iter()
            .map(|h| h.clone().unwrap_or_default())
            .collect()
    };
    let creatives: Vec<(String, String, CreativeSpec)> = hashes
        .into_iter()
        .enumerate()
        .map(|(i, image_hash)| {
            let tag = format!("{}-c{i}", req.tag);
            let spec = CreativeSpec {
                name: format!("{} · creative {}", req.name, i + 1),
                tag: tag.clone(),
                page_id: req.page_id.clone(),
                image_hash,
                link_url: req.link_url.clone(),
                copy: req.copy.clone(),
                lead_form_id: lead_form_id.clone(),
            };
            (format!("creative_{i}"), tag, spec)
        })
        .collect();

    // The creatives need no ad set: they are created alongside it, so the
    // chain of dependent calls is campaign → ad set → ads.
    let ad_set_step = step(
        platform,
        creds,
        &book,
        ObjectKind::AdSet,
        "ad_set",
        &ad_set_tag,
        |p| p.ad_set_id.clone(),
        |p, id| p.ad_set_id = Some(id),
        Create::AdSet(&ad_set),
    );
    let creative_steps = all_of(creatives.iter().enumerate().map(|(i, (key, tag, spec))| {
        step(
            platform,
            creds,
            &book,
            ObjectKind::Creative,
            key,
            tag,
            move |p: &LaunchProgress| p.creative_ids[i].clone(),
            move |p: &mut LaunchProgress, id| p.creative_ids[i] = Some(id),
            Create::Creative(spec),
        )
    }));
    // Every create that was sent finishes (and is journalled) before a
    // sibling's failure ends the run: a dropped request may still land.
    let (ad_set_id, creative_ids) = futures_util::future::join(ad_set_step, creative_steps).await;
    let (ad_set_id, creative_ids) = (ad_set_id?, creative_ids?);

    let ads: Vec<(String, String, AdSpec)> = creative_ids
        .into_iter()
        .enumerate()
        .map(|(i, creative_id)| {
            let tag = format!("{}-a{i}", req.tag);
            let spec = AdSpec {
                name: format!("{} · ad {}", req.name, i + 1),
                tag: tag.clone(),
                ad_set_id: ad_set_id.clone(),
                creative_id,
            };
            (format!("ad_{i}"), tag, spec)
        })
        .collect();
    let ad_ids = all_of(ads.iter().enumerate().map(|(i, (key, tag, spec))| {
        step(
            platform,
            creds,
            &book,
            ObjectKind::Ad,
            key,
            tag,
            move |p: &LaunchProgress| p.ad_ids[i].clone(),
            move |p: &mut LaunchProgress, id| p.ad_ids[i] = Some(id),
            Create::Ad(spec),
        )
    }))
    .await?;

    // From here on something may deliver: on record before the first switch.
    {
        let mut b = book.lock().await;
        b.progress.activating = true;
        b.save().await?;
    }
    // Bottom-up: nothing delivers until the campaign itself is switched on
    // last; the ads, independent of each other, together.
    book.lock().await.journal.before_send().await?;
    all_of(
        ad_ids
            .iter()
            .map(|ad| platform.set_status(creds, ad, RemoteStatus::Active)),
    )
    .await
    .map_err(at("activate"))?;
    book.lock().await.journal.before_send().await?;
    platform
        .set_status(creds, &ad_set_id, RemoteStatus::Active)
        .await
        .map_err(at("activate"))?;
    let mut b = book.lock().await;
    b.journal.before_send().await?;
    if let Some(c) = b.progress.campaign_id.clone() {
        platform
            .set_status(creds, &c, RemoteStatus::Active)
            .await
            .map_err(at("activate"))?;
    }
    b.progress.activated = true;
    b.save().await
}

/// Runs futures side by side and waits for every one of them (unlike
/// `try_join_all`, which drops the others, mid-request, at the first error);
/// then answers the first error, or every value in order.
async fn all_of<T, E>(
    futures: impl IntoIterator<Item = impl std::future::Future<Output = Result<T, E>>>,
) -> Result<Vec<T>, E> {
    futures_util::future::join_all(futures)
        .await
        .into_iter()
        .collect()
}

/// The progress and its journal, shared by the creates that run at once:
/// each updates the progress and saves it while holding the lock, and lets
/// go of it for the platform call.
struct Book<'a> {
    progress: &'a mut LaunchProgress,
    journal: &'a mut dyn LaunchJournal,
}

impl Book<'_> {
    async fn save(&mut self) -> Result<(), LaunchError> {
        save(&mut *self.journal, &*self.progress).await
    }
}

async fn save(
    journal: &mut dyn LaunchJournal,
    progress: &LaunchProgress,
) -> Result<(), LaunchError> {
    journal.save(progress).await.map_err(LaunchError::Journal)
}

/// One create request. A plain enum rather than an async closure: the
/// futures of async closures cannot yet be proven `Send` where a caller
/// spawns the launch on a multi-threaded runtime.
#[derive(Clone, Copy)]
enum Create<'a> {
    Campaign(&'a CampaignSpec),
    AdSet(&'a AdSetSpec),
    Creative(&'a CreativeSpec),
    Ad(&'a AdSpec),
}

impl Create<'_> {
    async fn send(
        self,
        platform: &dyn AdPlatform,
        creds: &Credentials,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        match self {
            Self::Campaign(spec) => platform.create_campaign(creds, spec, mode).await,
            Self::AdSet(spec) => platform.create_ad_set(creds, spec, mode).await,
            Self::Creative(spec) => platform.create_creative(creds, spec, mode).await,
            Self::Ad(spec) => platform.create_ad(creds, spec, mode).await,
        }
    }
}

/// One create, made safe against lost answers (see the module doc).
#[allow(clippy::too_many_arguments)]
async fn step(
    platform: &dyn AdPlatform,
    creds: &Credentials,
    book: &Mutex<Book<'_>>,
    kind: ObjectKind,
    key: &str,
    tag: &str,
    known: impl Fn(&LaunchProgress) -> Option<RemoteId>,
    record: impl Fn(&mut LaunchProgress, RemoteId),
    create: Create<'_>,
) -> Result<RemoteId, LaunchError> {
    let attempted = {
        let b = book.lock().await;
        if let Some(id) = known(&*b.progress) {
            return Ok(id);
        }
        b.progress.attempted.contains(key)
    };
    if attempted
        && let Some(found) = platform
            .find_by_tag(creds, kind, tag)
            .await
            .map_err(at(key))?
    {
        let mut b = book.lock().await;
        record(&mut *b.progress, found.id.clone());
        b.save().await?;
        return Ok(found.id);
    }
    {
        let mut b = book.lock().await;
        b.progress.attempted.insert(key.to_owned());
        b.save().await?;
    }
    book.lock().await.journal.before_send().await?;
    // An unknown outcome is not looked up now: the listing may not show an
    // object created a moment ago. The attempt is on record, so the next run
    // looks it up (after the caller's back-off) before sending anything.
    let created = create
        .send(platform, creds, CreateMode::Create)
        .await
        .map_err(|e| {
            if e.outcome_unknown() {
                tracing::warn!(
                    step = key,
                    "create outcome unknown; it is looked up by tag on the next run"
                );
            }
            at(key)(e)
        })?;
    let mut b = book.lock().await;
    record(&mut *b.progress, created.clone());
    b.save().await?;
    Ok(created)
}
