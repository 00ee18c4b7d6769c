//! The Sandbox: an offline, deterministic ad platform for the embedded default, demos
//! and tests. It applies the same input checks Meta would (with Meta's codes), hashes
//! images, numbers objects deterministically, simulates delivery for ACTIVE campaigns, and
//! fails on purpose when asked:
//!
//! * token `invalid` or `expired` → `Auth` (190/463); token `blocked` → `Blocked` (190/459);
//! * an account number starting `429` → `RateLimited` on every call; `503` → `Transient`;
//! * a name containing `#rate-limit` or `#transient` → that failure on its first create
//!   only; `#lost` → the first create is applied but its answer is lost (outcome
//!   unknown, adopt it by tag); `#invalid` → always an invalid-parameter error.

mod catalog;
mod checks;
mod delivery;
mod state;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use self::checks::{check_assets, rate_limited, transient};
use self::state::{Obj, State};
use super::error::PlatformError;
use super::registry::Provider;
use super::types::*;
use super::usage::{AppUsage, Usage};
use super::{AdPlatform, validate};

pub use catalog::{CITIES, INTERESTS, REGIONS};

/// The Sandbox's clock: real time, or a manual one tests advance.
#[derive(Debug)]
enum Clock {
    System(Instant),
    Manual(Mutex<Duration>),
}

/// The offline simulator.
#[derive(Debug)]
pub struct Sandbox {
    state: Mutex<State>,
    clock: Clock,
    /// Where the state is saved after every change, when it outlives the
    /// process (the embedded mode keeps it under the data dir).
    store: Option<std::path::PathBuf>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A sandbox whose delivery follows real time.
    pub fn new() -> Self {
        Self {
            state: Mutex::new(State::default()),
            clock: Clock::System(Instant::now()),
            store: None,
        }
    }

    /// A sandbox whose objects are saved to `path` after every change and
    /// read back from it here, so campaigns survive a restart.
    pub fn persistent(path: std::path::PathBuf) -> Result<Self, PlatformError> {
        let unusable = |why: String| PlatformError::Unavailable {
            message: format!("sandbox state {}: {why}", path.display()),
        };
        let state = match std::fs::read(&path) {
            Ok(bytes) => State::restore(
                serde_json::from_slice(&bytes).map_err(|e| unusable(e.to_string()))?,
                Duration::ZERO,
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(e) => return Err(unusable(e.to_string())),
        };
        Ok(Self {
            state: Mutex::new(state),
            clock: Clock::System(Instant::now()),
            store: Some(path),
        })
    }

    /// Saves the state when this sandbox is persistent: a temporary file
    /// renamed over the old one, so a crash leaves one or the other whole.
    /// Synchronous on purpose: the file is small, and the offline simulator
    /// is not on any hot path.
    fn persist(&self) -> Result<(), PlatformError> {
        let Some(path) = &self.store else {
            return Ok(());
        };
        let snapshot = self.state()?.snapshot(self.now());
        let failed = |e: std::io::Error| PlatformError::Unavailable {
            message: format!("saving sandbox state {}: {e}", path.display()),
        };
        let bytes = serde_json::to_vec(&snapshot).map_err(|e| PlatformError::Unavailable {
            message: format!("encoding sandbox state: {e}"),
        })?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, bytes).map_err(failed)?;
        std::fs::rename(&tmp, path).map_err(failed)
    }

    /// A sandbox whose time only moves with [`Sandbox::advance`].
    pub fn with_manual_clock() -> Self {
        Self {
            state: Mutex::new(State::default()),
            clock: Clock::Manual(Mutex::new(Duration::ZERO)),
            store: None,
        }
    }

    /// Moves a manual clock forward (no effect on a real-time sandbox).
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(now) = &self.clock
            && let Ok(mut now) = now.lock()
        {
            *now += by;
        }
    }

    fn now(&self) -> Duration {
        match &self.clock {
            Clock::System(start) => start.elapsed(),
            Clock::Manual(now) => now.lock().map(|n| *n).unwrap_or_default(),
        }
    }

    fn state(&self) -> Result<std::sync::MutexGuard<'_, State>, PlatformError> {
        self.state.lock().map_err(|_| PlatformError::Unavailable {
            message: "sandbox state poisoned".to_owned(),
        })
    }

    /// Scripted account- and token-level failures, checked on every call.
    fn gate(&self, creds: &Credentials) -> Result<(), PlatformError> {
        use secrecy::ExposeSecret;
        let token = creds.access_token.expose_secret();
        match token {
            "" | "invalid" | "expired" => {
                return Err(PlatformError::Auth {
                    message: "Error validating access token: Session has expired.".to_owned(),
                    code: Some(190),
                    subcode: Some(463),
                    trace_id: Some("sandbox".to_owned()),
                });
            }
            "blocked" => {
                return Err(PlatformError::Blocked {
                    message: "You must log in to Facebook and follow the instructions given."
                        .to_owned(),
                    code: Some(190),
                    subcode: Some(459),
                    trace_id: Some("sandbox".to_owned()),
                });
            }
            _ => {}
        }
        let number = creds.account_number();
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return Err(validate::invalid(
                "ad_account_id",
                Some(33),
                &format!(
                    "Unsupported request. Object with ID '{}' does not exist",
                    creds.ad_account_id
                ),
                None,
            ));
        }
        if number.starts_with("429") {
            return Err(rate_limited());
        }
        if number.starts_with("503") {
            return Err(transient(false));
        }
        self.state()?.count_call(number);
        Ok(())
    }

    /// Magic-name failures of creates. Returns `Ok(true)` when the create must be applied
    /// but its answer lost.
    fn scripted(&self, name: &str, key: &str) -> Result<bool, PlatformError> {
        if name.contains("#invalid") {
            return Err(validate::invalid(
                "name",
                None,
                "Invalid parameter (scripted by #invalid)",
                None,
            ));
        }
        let scripted = {
            let mut st = self.state()?;
            if name.contains("#rate-limit") && st.first_time(&format!("rl:{key}")) {
                Some(rate_limited())
            } else if name.contains("#transient") && st.first_time(&format!("tr:{key}")) {
                Some(transient(false))
            } else {
                None
            }
        };
        if let Some(e) = scripted {
            self.persist()?;
            return Err(e);
        }
        let lost = name.contains("#lost") && self.state()?.first_time(&format!("lost:{key}"));
        Ok(lost)
    }

    fn insert(
        &self,
        creds: &Credentials,
        obj: Obj,
        lose_answer: bool,
    ) -> Result<RemoteId, PlatformError> {
        let id = self.state()?.insert(creds.account_number(), obj);
        self.persist()?;
        if lose_answer {
            return Err(transient(true));
        }
        Ok(id)
    }
}

#[async_trait]
impl AdPlatform for Sandbox {
    fn provider(&self) -> Provider {
        Provider::Sandbox
    }

    async fn verify(&self, creds: &Credentials) -> Result<AccountCheck, PlatformError> {
        self.gate(creds)?;
        let number = creds.account_number();
        let currency = catalog::currency_of(number);
        Ok(AccountCheck {
            user_id: "1000".to_owned(),
            user_name: "Sandbox User".to_owned(),
            granted_permissions: vec!["ads_management".to_owned(), "ads_read".to_owned()],
            missing_permissions: Vec::new(),
            permission_gaps: Vec::new(),
            ad_account_id: creds.ad_account_id.clone(),
            account_name: format!("Sandbox account {number}"),
            currency: currency.to_owned(),
            timezone: "Etc/UTC".to_owned(),
            account_status: AccountStatus { code: 1 },
            min_daily_budget: Some(catalog::min_daily_budget(currency)),
        })
    }

    async fn token_expiry(&self, creds: &Credentials) -> crate::ad_platform::account::TokenExpiry {
        sandbox_expiry(creds)
    }

    async fn assets(&self, creds: &Credentials) -> Result<Assets, PlatformError> {
        self.gate(creds)?;
        let n = creds.account_number();
        let page = catalog::page(n);
        Ok(Assets {
            pages: vec![PageRef {
                id: page.id,
                name: page.name,
                lead_forms: vec![catalog::lead_form(n)],
                tasks: vec!["ADVERTISE".to_owned(), "MANAGE".to_owned()],
                lead_forms_problem: None,
            }],
            pixels: vec![catalog::pixel(n)],
        })
    }

    async fn search_targeting(
        &self,
        creds: &Credentials,
        kind: TargetingKind,
        query: &str,
        country: Option<&str>,
    ) -> Result<Vec<TargetingOption>, PlatformError> {
        self.gate(creds)?;
        Ok(catalog::search(kind, query, country))
    }

    async fn upload_image(
        &self,
        creds: &Credentials,
        image: &ImageUpload,
    ) -> Result<ImageRef, PlatformError> {
        self.gate(creds)?;
        if image.bytes.is_empty() {
            return Err(validate::invalid(
                "bytes",
                Some(1_487_197),
                "Error processing image",
                Some("There was a problem processing the image for the ad."),
            ));
        }
        let hash = self
            .state()?
            .add_image(creds.account_number(), &image.bytes);
        self.persist()?;
        Ok(ImageRef { hash, url: None })
    }

    async fn create_campaign(
        &self,
        creds: &Credentials,
        spec: &CampaignSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.gate(creds)?;
        validate::campaign(spec)?;
        let lose = self.scripted(&spec.name, &spec.tag)?;
        if mode == CreateMode::ValidateOnly {
            return Ok(RemoteId(String::new()));
        }
        let obj = Obj::campaign(
            tagged_name(&spec.name, &spec.tag),
            spec.objective,
            spec.campaign_daily_budget,
        );
        self.insert(creds, obj, lose)
    }

    async fn create_ad_set(
        &self,
        creds: &Credentials,
        spec: &AdSetSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.gate(creds)?;
        let n = creds.account_number();
        let currency = catalog::currency_of(n);
        let campaign = self.state()?.campaign_facts(n, &spec.campaign_id)?;
        if campaign.objective != spec.objective {
            return Err(validate::invalid(
                "campaign_id",
                Some(2_490_408),
                "The ad set objective does not match its campaign",
                None,
            ));
        }
        validate::ad_set(
            spec,
            campaign.has_budget,
            catalog::min_daily_budget(currency),
            currency,
        )?;
        check_assets(n, spec)?;
        let lose = self.scripted(&spec.name, &spec.tag)?;
        if mode == CreateMode::ValidateOnly {
            return Ok(RemoteId(String::new()));
        }
        let lead_form = matches!(spec.conversion, Conversion::LeadForm { .. });
        let obj = Obj::ad_set(
            tagged_name(&spec.name, &spec.tag),
            &spec.campaign_id,
            spec.daily_budget,
            lead_form,
        );
        self.insert(creds, obj, lose)
    }

    async fn create_creative(
        &self,
        creds: &Credentials,
        spec: &CreativeSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.gate(creds)?;
        let n = creds.account_number();
        validate::creative(spec)?;
        if spec.page_id != catalog::page(n).id {
            return Err(validate::invalid(
                "page_id",
                Some(33),
                "Unsupported request: the Page does not exist or cannot be used",
                None,
            ));
        }
        if let Some(form) = &spec.lead_form_id
            && *form != catalog::lead_form(n).id
        {
            return Err(validate::invalid(
                "lead_gen_form_id",
                Some(3_390_001),
                "Missing Lead Form",
                Some("The lead form does not belong to this Page."),
            ));
        }
        if !self.state()?.has_image(n, &spec.image_hash) {
            return Err(validate::invalid(
                "image_hash",
                Some(2_446_386),
                "Image Not Found",
                Some("The image you selected is not available."),
            ));
        }
        let lose = self.scripted(&spec.name, &spec.tag)?;
        if mode == CreateMode::ValidateOnly {
            return Ok(RemoteId(String::new()));
        }
        let obj = Obj::creative(
            tagged_name(&spec.name, &spec.tag),
            spec.lead_form_id.is_some(),
        );
        self.insert(creds, obj, lose)
    }

    async fn create_ad(
        &self,
        creds: &Credentials,
        spec: &AdSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.gate(creds)?;
        let n = creds.account_number();
        self.state()?.check_ad(n, spec)?;
        let lose = self.scripted(&spec.name, &spec.tag)?;
        if mode == CreateMode::ValidateOnly {
            return Ok(RemoteId(String::new()));
        }
        let obj = Obj::ad(tagged_name(&spec.name, &spec.tag), &spec.ad_set_id);
        self.insert(creds, obj, lose)
    }

    async fn find_by_tag(
        &self,
        creds: &Credentials,
        kind: ObjectKind,
        tag: &str,
    ) -> Result<Option<RemoteObject>, PlatformError> {
        self.gate(creds)?;
        Ok(self.state()?.find_by_tag(creds.account_number(), kind, tag))
    }

    async fn set_status(
        &self,
        creds: &Credentials,
        id: &RemoteId,
        status: RemoteStatus,
    ) -> Result<(), PlatformError> {
        self.gate(creds)?;
        let now = self.now();
        self.state()?
            .set_status(creds.account_number(), id, status, now)?;
        self.persist()
    }

    async fn delete(&self, creds: &Credentials, id: &RemoteId) -> Result<(), PlatformError> {
        self.gate(creds)?;
        self.state()?.delete(creds.account_number(), id)?;
        self.persist()
    }

    async fn insights(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
        range: DateRange,
    ) -> Result<Vec<InsightsRow>, PlatformError> {
        self.gate(creds)?;
        if range.since > range.until {
            return Err(validate::invalid(
                "time_range",
                None,
                "since must not be after until",
                None,
            ));
        }
        let now = self.now();
        Ok(self
            .state()?
            .insights(creds.account_number(), campaign_ids, now))
    }

    async fn campaign_states(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
    ) -> Result<Vec<CampaignState>, PlatformError> {
        self.gate(creds)?;
        Ok(self
            .state()?
            .campaign_states(creds.account_number(), campaign_ids))
    }

    fn usage(&self, ad_account_id: &str) -> Option<Usage> {
        let number = ad_account_id.strip_prefix("act_").unwrap_or(ad_account_id);
        let calls = self.state.lock().ok()?.calls(number);
        // A gentle, visible curve that never reaches the slow-down threshold.
        let pct = (calls as f64 / 10.0).min(50.0);
        Some(Usage {
            app: Some(AppUsage {
                call_count: pct,
                total_cputime: pct / 2.0,
                total_time: pct / 2.0,
            }),
            ..Usage::default()
        })
    }

    async fn dsa_defaults(&self, creds: &Credentials) -> Result<Option<DsaParties>, PlatformError> {
        // The simulated account names its Page for both, as an account with
        // defaults set in Ads Manager would.
        let page = catalog::page(creds.account_number()).name;
        Ok(Some(DsaParties {
            beneficiary: page.clone(),
            payor: page,
        }))
    }
}

/// A Sandbox token whose name says `expiring` expires in three days (to try the
/// warning); any other never does.
fn sandbox_expiry(creds: &Credentials) -> crate::ad_platform::account::TokenExpiry {
    use secrecy::ExposeSecret;
    let expiring = creds.access_token.expose_secret().contains("expiring");
    crate::ad_platform::account::TokenExpiry {
        expires_at: expiring.then(|| chrono::Utc::now() + chrono::Duration::days(3)),
        data_access_expires_at: None,
    }
}
