//! Ad platforms: the [`AdPlatform`] trait, its neutral types and error, the registry, and
//! the implementations (Meta Marketing API, offline Sandbox).

pub mod account;
pub mod countries;
pub mod error;
pub mod launch;
pub mod leads;
pub mod meta;
pub mod money;
pub mod regions;
pub mod registry;
pub mod sandbox;
pub mod types;
pub mod usage;
mod validate;

use async_trait::async_trait;

pub use error::{InvalidRequest, PlatformError};
pub use leads::{LeadField, LeadReader, PlatformLead};
pub use registry::{AdapterRegistry, Provider, UnknownProvider};
pub use types::*;
pub use usage::Usage;
pub use validate::{AGE_MAX, AGE_MIN};

/// What the media buyer needs from an ad platform. Object-safe: used as
/// `Arc<dyn AdPlatform>`. Every create makes its object PAUSED; activation is a separate
/// [`AdPlatform::set_status`] so a half-built launch never spends money.
#[async_trait]
pub trait AdPlatform: Send + Sync {
    /// Which provider this is.
    fn provider(&self) -> Provider;

    /// Checks the token and the ad account: owner, permissions, account name, currency,
    /// time zone, status and minimum daily budget.
    async fn verify(&self, creds: &Credentials) -> Result<AccountCheck, PlatformError>;

    /// When the token stops working and when its data access ends, as far as the
    /// platform says; unknown by default. Asked by Test connection and the daily token
    /// check, never on a launch's path.
    async fn token_expiry(&self, creds: &Credentials) -> TokenExpiry {
        let _ = creds;
        TokenExpiry::default()
    }

    /// Lists the Pages (with their lead forms) and pixels the token can use.
    async fn assets(&self, creds: &Credentials) -> Result<Assets, PlatformError>;

    /// Searches interests, regions or cities. `country` narrows geo searches.
    async fn search_targeting(
        &self,
        creds: &Credentials,
        kind: TargetingKind,
        query: &str,
        country: Option<&str>,
    ) -> Result<Vec<TargetingOption>, PlatformError>;

    /// Uploads an image to the ad account; the reference is valid in that account only.
    async fn upload_image(
        &self,
        creds: &Credentials,
        image: &ImageUpload,
    ) -> Result<ImageRef, PlatformError>;

    /// Creates a campaign (PAUSED) or validates it.
    async fn create_campaign(
        &self,
        creds: &Credentials,
        spec: &CampaignSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError>;

    /// Creates an ad set (PAUSED) or validates it.
    async fn create_ad_set(
        &self,
        creds: &Credentials,
        spec: &AdSetSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError>;

    /// Creates an ad creative or validates it.
    async fn create_creative(
        &self,
        creds: &Credentials,
        spec: &CreativeSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError>;

    /// Creates an ad (PAUSED) or validates it.
    async fn create_ad(
        &self,
        creds: &Credentials,
        spec: &AdSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError>;

    /// Finds an object Leadforge created, by the tag in its name. Used after a create whose
    /// outcome is unknown, so the object is adopted instead of created twice.
    async fn find_by_tag(
        &self,
        creds: &Credentials,
        kind: ObjectKind,
        tag: &str,
    ) -> Result<Option<RemoteObject>, PlatformError>;

    /// Pauses, resumes/activates or archives an object.
    async fn set_status(
        &self,
        creds: &Credentials,
        id: &RemoteId,
        status: RemoteStatus,
    ) -> Result<(), PlatformError>;

    /// Deletes an object.
    async fn delete(&self, creds: &Credentials, id: &RemoteId) -> Result<(), PlatformError>;

    /// Delivery totals over `range` for many campaigns of the account, in one go.
    /// Campaigns without delivery may be missing from the answer.
    async fn insights(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
        range: DateRange,
    ) -> Result<Vec<InsightsRow>, PlatformError>;

    /// Where many campaigns of the account and their ads stand
    /// (`effective_status`), in one go (never a read per campaign), archived
    /// and deleted ones included. Review, rejection and billing holds are
    /// the ads' and are folded into each campaign's delivery
    /// ([`CampaignState::summarize`]). Campaigns the platform no longer
    /// knows are missing from the answer.
    async fn campaign_states(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
    ) -> Result<Vec<CampaignState>, PlatformError>;

    /// The latest rate-limit usage seen for the ad account, if any.
    fn usage(&self, ad_account_id: &str) -> Option<Usage>;

    /// The beneficiary and payor the ad account itself names for ads reaching
    /// the EU (its defaults, else the platform's recommendations), or `None`
    /// when it names none. A platform without the rule has none to give.
    async fn dsa_defaults(
        &self,
        _creds: &Credentials,
    ) -> Result<Option<DsaParties>, PlatformError> {
        Ok(None)
    }
}
