//! The Meta Graph API stand-in.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use adapters::stand_in::{MetaStandIn, MetaFixture};
//! let meta = MetaStandIn::start().await?;
//! let fixture = MetaFixture::seed(&meta);
//! // point MetaConfig::graph_url at meta.base_url(), use fixture.token / fixture.account
//! # Ok(()) }
//! ```

mod creates;
mod leads;
mod reads;
mod reply;
mod server;
mod validate_adset;
mod validate_creative;
mod world;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use leads::{leadgen_delivery, signature as webhook_signature};
pub use world::{
    ALL_PAGE_TASKS, AccountSeed, InsightsSeed, LeadSeed, PageSeed, RecordedCall, Stored, TokenSeed,
    Verdict,
};

use self::server::Shared;
use self::world::World;
use super::fault::Fault;

/// A running Meta stand-in; stops when dropped.
#[derive(Debug)]
pub struct MetaStandIn {
    world: Shared,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MetaStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MetaStandIn {
    /// Starts an empty stand-in on 127.0.0.1, port 0, serving Marketing API versions as Meta
    /// did on 2026-12-07: v25.0 (ends 2027-02-23) to v27.0. Older versions are auto-upgraded
    /// to v25.0 where the endpoint did not change since, and answer 2635 where it did (the
    /// creates); versions after v27.0 do not exist.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let base_url = format!("http://{addr}");
        let mut version_ends = std::collections::BTreeMap::new();
        version_ends.insert((24, 0), date(2026, 11, 10));
        version_ends.insert((25, 0), date(2027, 2, 23));
        let world: Shared = Arc::new(Mutex::new(World {
            base_url: base_url.clone(),
            min_version: (25, 0),
            latest_version: (27, 0),
            version_ends,
            default_limit: 25,
            ..World::default()
        }));
        let app = axum::Router::new()
            .fallback(server::handle)
            .with_state(world.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::warn!(error = %e, "Meta stand-in stopped");
            }
        });
        Ok(Self {
            world,
            base_url,
            task,
        })
    }

    fn world(&self) -> MutexGuard<'_, World> {
        // A poisoned lock means a stand-in handler panicked; the test has failed anyway,
        // so recover the data and let the assertions speak.
        self.world
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// `http://127.0.0.1:<port>`, the value for `META_GRAPH_URL`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL parsed.
    pub fn url(&self) -> Result<url::Url, url::ParseError> {
        url::Url::parse(&self.base_url)
    }

    /// Requires `appsecret_proof` (HMAC-SHA256 of the token keyed by `secret`) on every call.
    pub fn require_app_secret(&self, secret: &str) {
        self.world().app_secret = Some(secret.to_owned());
    }

    /// The oldest version served: calls on older versions are auto-upgraded to it where the
    /// endpoint did not change, and answer 2635 (deprecated Ads API version) where it did.
    pub fn set_min_version(&self, major: u32, minor: u32) {
        self.world().min_version = (major, minor);
    }

    /// The newest version; calls on later ones answer 2500 (unknown path).
    pub fn set_latest_version(&self, major: u32, minor: u32) {
        self.world().latest_version = (major, minor);
    }

    /// Announces the end date of a version; calls on it within 90 days of the end carry
    /// `X-Ad-Api-Version-Warning`.
    pub fn set_version_end(&self, major: u32, minor: u32, end: chrono::NaiveDate) {
        self.world().version_ends.insert((major, minor), end);
    }

    /// Fixes the stand-in's today (version warnings); the real date otherwise.
    pub fn set_today(&self, today: chrono::NaiveDate) {
        self.world().today = Some(today);
    }

    /// Adds a token.
    pub fn add_token(&self, token: &str, seed: TokenSeed) {
        self.world().tokens.insert(token.to_owned(), seed);
    }

    /// Sets what `debug_token` says of `token`: when it expires and when its data access
    /// ends (`None`: never).
    pub fn set_token_expiry(
        &self,
        token: &str,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
        data_access_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        let secs = |t: Option<chrono::DateTime<chrono::Utc>>| t.map_or(0, |t| t.timestamp());
        self.world().token_expiry.insert(
            token.to_owned(),
            (secs(expires_at), secs(data_access_expires_at)),
        );
    }

    /// Makes a token fail with an OAuth error, e.g. `(190, Some(463), "…expired…")`.
    pub fn fail_token(&self, token: &str, code: i64, subcode: Option<i64>, message: &str) {
        if let Some(t) = self.world().tokens.get_mut(token) {
            t.failure = Some((code, subcode, message.to_owned()));
        }
    }

    /// Adds an ad account.
    pub fn add_account(&self, seed: AccountSeed) {
        self.world().accounts.insert(seed.number.clone(), seed);
    }

    /// Adds a lead, readable at `GET /{id}`.
    pub fn add_lead(&self, seed: LeadSeed) {
        self.world().leads.insert(seed.id.clone(), seed);
    }

    /// POSTs Meta's `leadgen` delivery of a seeded lead to `url`, signed
    /// with `app_secret` as Meta signs it (`X-Hub-Signature-256`).
    pub async fn post_leadgen_webhook(
        &self,
        url: &str,
        app_secret: &str,
        lead_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let body = self.delivery(lead_id);
        let signature = leads::signature(app_secret, &body);
        post_delivery(url, body, Some(signature)).await
    }

    /// The same delivery with a signature that does not match its body.
    pub async fn post_badly_signed_leadgen_webhook(
        &self,
        url: &str,
        app_secret: &str,
        lead_id: &str,
    ) -> reqwest::Result<reqwest::Response> {
        let body = self.delivery(lead_id);
        let signature = leads::signature(app_secret, b"a different body");
        post_delivery(url, body, Some(signature)).await
    }

    fn delivery(&self, lead_id: &str) -> Vec<u8> {
        let lead = self.world().leads.get(lead_id).cloned();
        lead.map(|l| leads::leadgen_delivery(&l))
            .unwrap_or_default()
    }

    /// Adds a Page with its lead forms.
    pub fn add_page(&self, seed: PageSeed) {
        self.world().pages.insert(seed.id.clone(), seed);
    }

    /// Sets the tasks the owner of `token` has on a Page (all of [`ALL_PAGE_TASKS`] unless
    /// set; an empty list means no role, so no Page token).
    pub fn set_page_tasks(&self, token: &str, page_id: &str, tasks: &[&str]) {
        let mut w = self.world();
        if let Some(user) = w.tokens.get(token).map(|t| t.user_id.clone()) {
            w.page_tasks.insert(
                (user, page_id.to_owned()),
                tasks.iter().map(|t| (*t).to_owned()).collect(),
            );
        }
    }

    /// Adds a pixel to an account (number without `act_`).
    pub fn add_pixel(&self, account: &str, id: &str, name: &str) {
        self.world()
            .pixels
            .push((account.to_owned(), id.to_owned(), name.to_owned()));
    }

    /// Adds an interest to targeting search.
    pub fn add_interest(&self, id: &str, name: &str) {
        self.world()
            .interests
            .push((id.to_owned(), name.to_owned()));
    }

    /// Adds a region or city (`kind` = `region` | `city`) to targeting search.
    pub fn add_geo(&self, key: &str, name: &str, kind: &str, country: &str) {
        self.world().geos.push((
            key.to_owned(),
            name.to_owned(),
            kind.to_owned(),
            country.to_owned(),
        ));
    }

    /// Sets an account's default DSA beneficiary and payor (as Ads Manager does).
    pub fn set_dsa_defaults(&self, account: &str, beneficiary: Option<&str>, payor: Option<&str>) {
        self.world().dsa_defaults.insert(
            account.trim_start_matches("act_").to_owned(),
            (beneficiary.map(str::to_owned), payor.map(str::to_owned)),
        );
    }

    /// Sets the names `act_<n>/dsa_recommendations` predicts for an account.
    pub fn set_dsa_recommendations(&self, account: &str, names: &[&str]) {
        self.world().dsa_recommendations.insert(
            account.trim_start_matches("act_").to_owned(),
            names.iter().map(|n| (*n).to_owned()).collect(),
        );
    }

    /// Seeds the delivery insights return for a campaign.
    pub fn set_insights(&self, campaign_id: &str, seed: InsightsSeed) {
        self.world().insights.insert(campaign_id.to_owned(), seed);
    }

    /// Changes an object's configured status as someone in Ads Manager would
    /// (`PAUSED`, `ACTIVE`, `ARCHIVED`, `DELETED`).
    pub fn set_status_outside(&self, id: &str, status: &str) {
        if let Some(o) = self.world().objects.get_mut(id) {
            o.status = status.to_owned();
        }
    }

    /// Makes the platform decide about an object (a disapproval, an issue,
    /// missing billing): its `effective_status` and the issue summary (for
    /// a disapproved ad, also its review feedback). Refused for a value the
    /// object's level never reports: review verdicts (`PENDING_REVIEW`,
    /// `DISAPPROVED`, `PREAPPROVED`, `PENDING_BILLING_INFO`) exist only on
    /// ads, never on a campaign or ad set.
    pub fn set_verdict(
        &self,
        id: &str,
        effective_status: &str,
        summary: Option<&str>,
    ) -> Result<(), String> {
        let mut w = self.world();
        let Some(o) = w.objects.get_mut(id) else {
            return Err(format!("no object {id}"));
        };
        if !world::verdict_fits(o.kind, effective_status) {
            return Err(format!(
                "a {} never reports effective_status {effective_status}",
                o.kind
            ));
        }
        o.verdict = Some(Verdict {
            effective_status: effective_status.to_owned(),
            summary: summary.map(str::to_owned),
        });
        Ok(())
    }

    /// Page size when a request names none.
    pub fn set_default_limit(&self, limit: usize) {
        self.world().default_limit = limit.max(1);
    }

    /// Makes the first page of every listing empty but linked, as Meta sometimes does.
    pub fn set_empty_first_page(&self, on: bool) {
        self.world().empty_first_page = on;
    }

    /// Keeps each created object out of filtered listings (the lookups by tag) for
    /// `lag`, as Meta's listings trail its writes.
    pub fn set_listing_lag(&self, lag: std::time::Duration) {
        self.world().listing_lag = lag;
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        self.world().faults.push(fault);
    }

    /// Every request received so far.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.world().calls.clone()
    }

    /// The calls as `"METHOD /path"` lines.
    pub fn call_lines(&self) -> Vec<String> {
        self.world().calls.iter().map(RecordedCall::line).collect()
    }

    /// Forgets the recorded calls.
    pub fn clear_calls(&self) {
        self.world().calls.clear();
    }

    /// An object created through the stand-in.
    pub fn object(&self, id: &str) -> Option<Stored> {
        self.world().objects.get(id).cloned()
    }

    /// Ids of live objects of a kind (`campaign`, `adset`, `adcreative`, `ad`).
    pub fn object_ids(&self, kind: &str) -> Vec<String> {
        self.world()
            .objects
            .iter()
            .filter(|(_, o)| o.kind == kind && o.status != "DELETED")
            .map(|(id, _)| id.clone())
            .collect()
    }

    /// Waits (bounded) until the server has recorded `n` calls; useful after a dropped
    /// connection, whose handler may finish after the client gave up.
    pub async fn wait_for_calls(&self, n: usize) {
        for _ in 0..200 {
            if self.world().calls.len() >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A standard world: one user token with a USD account, a JPY account, a Page with a
/// lead form, a pixel, and a small targeting catalogue (the Sandbox's, so the behaviour
/// suite uses the same ids on both).
#[derive(Debug, Clone)]
pub struct MetaFixture {
    /// A valid token with every permission the media buyer asks for (ads_management,
    /// ads_read, the Page permissions of lead ads, leads_retrieval) and admin tasks on
    /// the Page.
    pub token: String,
    /// USD account (`act_…`).
    pub account: String,
    /// JPY account (`act_…`).
    pub jpy_account: String,
    /// The Page.
    pub page_id: String,
    /// The Page's name.
    pub page_name: String,
    /// The Page's lead form.
    pub form_id: String,
    /// Pixel of the USD account.
    pub pixel_id: String,
    /// Pixel of the JPY account.
    pub jpy_pixel_id: String,
}

impl MetaFixture {
    /// Seeds the standard world into `meta`.
    pub fn seed(meta: &MetaStandIn) -> Self {
        let f = Self {
            token: "EAAstandintoken0001".to_owned(),
            account: "act_1001".to_owned(),
            jpy_account: "act_2392".to_owned(),
            page_id: "5001".to_owned(),
            page_name: "Acme Yoga".to_owned(),
            form_id: "6001".to_owned(),
            pixel_id: "7001".to_owned(),
            jpy_pixel_id: "7002".to_owned(),
        };
        meta.add_account(AccountSeed {
            number: "1001".into(),
            name: "Acme US".into(),
            currency: "USD".into(),
            timezone: "America/Los_Angeles".into(),
            status: 1,
            min_daily_budget: 100,
        });
        meta.add_account(AccountSeed {
            number: "2392".into(),
            name: "Acme Japan".into(),
            currency: "JPY".into(),
            timezone: "Asia/Tokyo".into(),
            status: 1,
            min_daily_budget: 150,
        });
        meta.add_page(PageSeed {
            id: f.page_id.clone(),
            name: f.page_name.clone(),
            forms: vec![(f.form_id.clone(), "Yoga trial form".into())],
        });
        meta.add_pixel("1001", &f.pixel_id, "Acme pixel");
        meta.add_pixel("2392", &f.jpy_pixel_id, "Acme JP pixel");
        meta.add_token(
            &f.token,
            TokenSeed {
                user_id: "9001".into(),
                user_name: "Ada Advertiser".into(),
                scopes: vec![
                    "ads_management".into(),
                    "ads_read".into(),
                    "pages_manage_ads".into(),
                    "pages_read_engagement".into(),
                    "pages_show_list".into(),
                    "leads_retrieval".into(),
                ],
                accounts: vec!["1001".into(), "2392".into()],
                pages: vec![f.page_id.clone()],
                failure: None,
            },
        );
        for (id, name, _) in crate::ad_platform::sandbox::INTERESTS {
            meta.add_interest(id, name);
        }
        for (key, name, country) in crate::ad_platform::sandbox::REGIONS {
            meta.add_geo(key, name, "region", country);
        }
        for (key, name, country) in crate::ad_platform::sandbox::CITIES {
            meta.add_geo(key, name, "city", country);
        }
        f
    }
}

/// POSTs a webhook body as Meta does (JSON, optional signature header).
pub async fn post_delivery(
    url: &str,
    body: Vec<u8>,
    signature: Option<String>,
) -> reqwest::Result<reqwest::Response> {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    request.send().await
}
