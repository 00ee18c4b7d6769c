//! The Meta Marketing API adapter (Graph API over reqwest).

mod account;
pub mod client;
pub mod config;
pub mod errors;
pub mod insights;
pub mod leads;
pub mod mapping;
mod states;
pub mod usage;
pub mod wire;

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use base64::Engine as _;
use serde_json::{Value, json};

use self::client::{Call, Effect, GraphClient, Verb, VersionNotice, decode};
pub use self::config::{DEFAULT_API_VERSION, DEFAULT_GRAPH_URL, MetaConfig, RetryPolicy};
use super::AdPlatform;
use super::error::PlatformError;
use super::registry::Provider;
use super::types::*;
use super::usage::Usage;

/// Permissions the media buyer cannot work without (writing and reading campaigns).
pub const REQUIRED_PERMISSIONS: &[&str] = &["ads_management", "ads_read"];

/// Every permission the media buyer asks for: what Meta uses it for and what is blocked
/// without it. Lead ads need the Page permissions besides `ads_management` (and the
/// ADVERTISE task on the Page, checked per Page); reading leads adds `leads_retrieval`
/// (Meta's lead-ads guides: create, retrieving).
pub const PERMISSIONS: &[(&str, &str, &[Capability])] = &[
    (
        "ads_management",
        "create and change campaigns, ad sets and ads",
        &[
            Capability::Campaigns,
            Capability::InstantForms,
            Capability::LeadRetrieval,
        ],
    ),
    (
        "ads_read",
        "read the ad account and its results",
        &[Capability::Campaigns],
    ),
    (
        "pages_show_list",
        "list your Pages and get their Page access tokens",
        &[Capability::InstantForms, Capability::LeadRetrieval],
    ),
    (
        "pages_read_engagement",
        "read your Pages' settings and content",
        &[Capability::InstantForms, Capability::LeadRetrieval],
    ),
    (
        "pages_manage_ads",
        "read and use your Pages' lead forms in ads",
        &[Capability::InstantForms, Capability::LeadRetrieval],
    ),
    (
        "leads_retrieval",
        "read the leads people submit",
        &[Capability::LeadRetrieval],
    ),
];

/// The Meta adapter. Build once at start and share as `Arc<dyn AdPlatform>`.
pub struct MetaAds {
    client: GraphClient,
    /// Currency per ad account number, learned from `verify`, used when insights rows
    /// do not name it.
    currencies: Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for MetaAds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetaAds")
            .field("graph_url", &self.client.config().graph_url.as_str())
            .field("api_version", &self.client.config().api_version)
            .field(
                "app_secret",
                &self
                    .client
                    .config()
                    .app_secret
                    .as_ref()
                    .map(|_| "[redacted]"),
            )
            .finish()
    }
}

pub(super) fn p(key: &str, value: impl Into<String>) -> (String, String) {
    (key.to_owned(), value.into())
}

impl MetaAds {
    /// Builds the adapter and its HTTP client.
    pub fn new(config: MetaConfig) -> Result<Self, PlatformError> {
        Ok(Self {
            client: GraphClient::new(config)?,
            currencies: Mutex::new(HashMap::new()),
        })
    }

    /// What Meta said about the API version of its latest answer (served version, warning).
    pub fn version_notice(&self) -> Option<VersionNotice> {
        self.client.version_notice()
    }

    pub(super) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        creds: &Credentials,
        path: &str,
        params: Vec<(String, String)>,
    ) -> Result<T, PlatformError> {
        self.client
            .call_as(
                &creds.access_token,
                Call {
                    verb: Verb::Get,
                    path,
                    params,
                    effect: Effect::Idempotent,
                    account: Some(creds.account_number()),
                },
            )
            .await
    }

    async fn post(
        &self,
        creds: &Credentials,
        path: &str,
        params: Vec<(String, String)>,
        effect: Effect,
    ) -> Result<Value, PlatformError> {
        self.client
            .call(
                &creds.access_token,
                Call {
                    verb: Verb::Post,
                    path,
                    params,
                    effect,
                    account: Some(creds.account_number()),
                },
            )
            .await
    }

    async fn create(
        &self,
        creds: &Credentials,
        edge: &str,
        params: Vec<(String, String)>,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        let path = format!("{}/{edge}", creds.ad_account_id);
        let value = self.post(creds, &path, params, Effect::Create).await?;
        if mode == CreateMode::ValidateOnly {
            return Ok(RemoteId(String::new()));
        }
        let created: wire::Created = decode(value, &path)?;
        Ok(RemoteId(created.id))
    }

    /// DSA parties for an EU audience: the spec's, else the ad account's.
    async fn dsa_parties(
        &self,
        creds: &Credentials,
        spec: &AdSetSpec,
    ) -> Result<Option<DsaParties>, PlatformError> {
        if !spec.audience.includes_eu() {
            return Ok(None);
        }
        if let Some(dsa) = &spec.dsa {
            return Ok(Some(dsa.clone()));
        }
        self.account_dsa(creds)
            .await?
            .map(Some)
            .ok_or_else(super::validate::dsa_missing)
    }

    /// The ad account's DSA parties: its `default_dsa_beneficiary` and
    /// `default_dsa_payor`, each filled from `dsa_recommendations` when the
    /// account has no default (Meta's predictions from recent activity).
    /// `None` when neither names anybody.
    async fn account_dsa(&self, creds: &Credentials) -> Result<Option<DsaParties>, PlatformError> {
        let defaults: wire::DsaDefaults = self
            .get(
                creds,
                &creds.ad_account_id,
                vec![p("fields", "default_dsa_beneficiary,default_dsa_payor")],
            )
            .await?;
        let named = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        let mut beneficiary = named(defaults.default_dsa_beneficiary);
        let mut payor = named(defaults.default_dsa_payor);
        if beneficiary.is_none() || payor.is_none() {
            let path = format!("{}/dsa_recommendations", creds.ad_account_id);
            let found: wire::Page<wire::DsaRecommendations> =
                self.get(creds, &path, Vec::new()).await?;
            let first = found
                .data
                .into_iter()
                .flat_map(|r| r.recommendations)
                .find_map(|r| named(Some(r)));
            beneficiary = beneficiary.or_else(|| first.clone());
            payor = payor.or(first);
        }
        Ok(match (beneficiary, payor) {
            (Some(beneficiary), Some(payor)) => Some(DsaParties { beneficiary, payor }),
            _ => None,
        })
    }

    pub(super) fn remember_currency(&self, account: &str, currency: &str) {
        if let Ok(mut map) = self.currencies.lock() {
            map.insert(account.to_owned(), currency.to_owned());
        }
    }

    fn known_currency(&self, account: &str) -> Option<String> {
        self.currencies.lock().ok()?.get(account).cloned()
    }
}

#[async_trait]
impl AdPlatform for MetaAds {
    fn provider(&self) -> Provider {
        Provider::MetaAds
    }

    async fn verify(&self, creds: &Credentials) -> Result<AccountCheck, PlatformError> {
        self.verify_account(creds).await
    }

    async fn token_expiry(&self, creds: &Credentials) -> TokenExpiry {
        self.read_token_expiry(creds).await
    }

    async fn assets(&self, creds: &Credentials) -> Result<Assets, PlatformError> {
        self.list_assets(creds).await
    }

    async fn search_targeting(
        &self,
        creds: &Credentials,
        kind: TargetingKind,
        query: &str,
        country: Option<&str>,
    ) -> Result<Vec<TargetingOption>, PlatformError> {
        self.search(creds, kind, query, country).await
    }

    async fn upload_image(
        &self,
        creds: &Credentials,
        image: &ImageUpload,
    ) -> Result<ImageRef, PlatformError> {
        let path = format!("{}/adimages", creds.ad_account_id);
        let encoded = base64::engine::general_purpose::STANDARD.encode(&image.bytes);
        let params = vec![p("bytes", encoded), p("name", image.name.clone())];
        // Same bytes give the same hash, so a repeated upload is harmless.
        let value = self.post(creds, &path, params, Effect::Idempotent).await?;
        // A base64 upload is keyed "bytes" in the answer.
        let hash = value.pointer("/images/bytes/hash").and_then(Value::as_str);
        let url = value.pointer("/images/bytes/url").and_then(Value::as_str);
        match hash {
            Some(h) => Ok(ImageRef {
                hash: h.to_owned(),
                url: url.map(str::to_owned),
            }),
            None => Err(PlatformError::Unavailable {
                message: "Meta's image upload answer has no images.bytes.hash".to_owned(),
            }),
        }
    }

    async fn create_campaign(
        &self,
        creds: &Credentials,
        spec: &CampaignSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.create(
            creds,
            "campaigns",
            mapping::campaign_params(spec, mode),
            mode,
        )
        .await
    }

    async fn create_ad_set(
        &self,
        creds: &Credentials,
        spec: &AdSetSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        let dsa = self.dsa_parties(creds, spec).await?;
        let dsa_ref = dsa
            .as_ref()
            .map(|d| (d.beneficiary.as_str(), d.payor.as_str()));
        self.create(
            creds,
            "adsets",
            mapping::ad_set_params(spec, dsa_ref, mode),
            mode,
        )
        .await
    }

    async fn create_creative(
        &self,
        creds: &Credentials,
        spec: &CreativeSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.create(
            creds,
            "adcreatives",
            mapping::creative_params(spec, mode),
            mode,
        )
        .await
    }

    async fn create_ad(
        &self,
        creds: &Credentials,
        spec: &AdSpec,
        mode: CreateMode,
    ) -> Result<RemoteId, PlatformError> {
        self.create(creds, "ads", mapping::ad_params(spec, mode), mode)
            .await
    }

    async fn find_by_tag(
        &self,
        creds: &Credentials,
        kind: ObjectKind,
        tag: &str,
    ) -> Result<Option<RemoteObject>, PlatformError> {
        let edge = match kind {
            ObjectKind::Campaign => "campaigns",
            ObjectKind::AdSet => "adsets",
            ObjectKind::Creative => "adcreatives",
            ObjectKind::Ad => "ads",
        };
        let marker = format!("[{tag}]");
        let params = vec![
            p("fields", "id,name,status"),
            p(
                "filtering",
                json!([{ "field": "name", "operator": "CONTAIN", "value": marker }]).to_string(),
            ),
            p("limit", self.client.config().page_limit.to_string()),
        ];
        let path = format!("{}/{edge}", creds.ad_account_id);
        let listed: Vec<wire::Listed> = self
            .client
            .get_all(
                &creds.access_token,
                &path,
                params,
                Some(creds.account_number()),
            )
            .await?;
        // The filter is re-checked here: the name must end with the tag, so a name that
        // merely quotes another launch's tag is never adopted.
        Ok(listed
            .into_iter()
            .find(|o| o.name.trim_end().ends_with(&marker))
            .map(|o| RemoteObject {
                id: RemoteId(o.id),
                name: o.name,
                status: o.status,
            }))
    }

    async fn set_status(
        &self,
        creds: &Credentials,
        id: &RemoteId,
        status: RemoteStatus,
    ) -> Result<(), PlatformError> {
        let params = vec![p("status", status.as_str())];
        self.post(creds, id.as_str(), params, Effect::Idempotent)
            .await?;
        Ok(())
    }

    async fn delete(&self, creds: &Credentials, id: &RemoteId) -> Result<(), PlatformError> {
        self.client
            .call(
                &creds.access_token,
                Call {
                    verb: Verb::Delete,
                    path: id.as_str(),
                    params: Vec::new(),
                    effect: Effect::Idempotent,
                    account: Some(creds.account_number()),
                },
            )
            .await?;
        Ok(())
    }

    async fn insights(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
        range: DateRange,
    ) -> Result<Vec<InsightsRow>, PlatformError> {
        let account = creds.account_number();
        let currency = self.known_currency(account);
        insights::fetch(
            &self.client,
            &creds.access_token,
            account,
            campaign_ids,
            range,
            currency.as_deref(),
        )
        .await
    }

    async fn campaign_states(
        &self,
        creds: &Credentials,
        campaign_ids: &[RemoteId],
    ) -> Result<Vec<CampaignState>, PlatformError> {
        states::fetch(
            &self.client,
            &creds.access_token,
            creds.account_number(),
            campaign_ids,
        )
        .await
    }

    fn usage(&self, ad_account_id: &str) -> Option<Usage> {
        self.client.usage(ad_account_id)
    }

    async fn dsa_defaults(&self, creds: &Credentials) -> Result<Option<DsaParties>, PlatformError> {
        self.account_dsa(creds).await
    }
}
