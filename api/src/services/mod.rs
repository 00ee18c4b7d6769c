//! The rules of the product. Services take typed ids and a principal, ask
//! the authorization gate first, and know nothing of GraphQL or HTTP.

pub mod ad_delivery;
pub mod agents;
pub mod audit;
pub mod budget;
pub mod campaigns;
pub mod copy;
pub mod creatives;
pub mod credits;
pub mod directory;
pub mod identity;
pub mod insights;
pub mod integrations;
pub mod launch;
pub mod leads;
pub mod live;
pub mod notifications;
pub mod pagination;
pub mod stop_loss;
pub mod system;
pub mod text;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::{
        throttle::{SignInThrottle, ThrottlePolicy},
        tokens::{TokenKeys, TokenSetupError},
    },
    authz::{Authorizer, PolicyError},
    config::Config,
};

/// Why the services could not be built at start.
#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Tokens(#[from] TokenSetupError),
    #[error(transparent)]
    Vault(#[from] crate::vault::VaultError),
    #[error("ad platforms: {0}")]
    Platforms(#[from] adapters::ad_platform::PlatformError),
    #[error("creative storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error("copywriter: {0}")]
    Copywriter(#[from] adapters::copywriter::CopyError),
    #[error("lead delivery: {0}")]
    Delivery(#[from] reqwest::Error),
    #[error(transparent)]
    Mail(#[from] leads::outbound::mail::MailSetupError),
    #[error("LEADFORGE_DEFAULT_PROVIDERS: {0}")]
    Providers(#[from] adapters::ad_platform::UnknownProvider),
}

/// One handle per area, built once at start and shared by every request.
#[derive(Clone)]
pub struct Services {
    pub authz: Authorizer,
    pub system: system::SystemService,
    pub audit: audit::AuditService,
    pub identity: identity::IdentityService,
    pub directory: directory::DirectoryService,
    pub integrations: integrations::IntegrationsService,
    pub creatives: creatives::CreativesService,
    pub credits: credits::CreditsService,
    pub agents: agents::AgentsService,
    pub campaigns: campaigns::CampaignsService,
    /// Budget limits per tenant and currency.
    pub budget: budget::BudgetPolicy,
    /// Stop-loss rules and their evaluation after each sync.
    pub stop_loss: stop_loss::StopLoss,
    /// What users are told happened.
    pub notifications: notifications::NotificationsService,
    /// The durable job queue and the launch job the worker runs.
    pub queue: crate::jobs::JobQueue,
    pub launcher: launch::Launcher,
    /// Campaign ids whose status changed, for live updates.
    pub events: tokio::sync::broadcast::Sender<crate::events::CampaignChange>,
    pub copy: copy::CopyService,
    /// The lead inbox and Meta's leadgen webhook.
    pub leads: leads::LeadsService,
    /// Runs the fetch jobs of announced leads.
    pub lead_fetcher: leads::fetch::LeadFetcher,
    /// The periodic pass that finds leads the webhook missed.
    pub lead_reconciler: leads::reconcile::Reconciler,
    /// Members' lead destinations, and the delivery jobs.
    pub deliveries: leads::deliveries::DeliveriesService,
    /// Kept so a background task can forget idle throttle keys.
    pub throttle: Arc<SignInThrottle>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

impl Services {
    pub async fn build(db: DatabaseConnection, config: &Config) -> Result<Self, ServicesError> {
        Self::build_with_queue(db.clone(), db, config).await
    }

    /// Like [`Services::build`], with the job queue on `queue_db`: the
    /// server gives it a handle without the statement metric, since the
    /// workers' idle polling is not work any request asked for.
    pub async fn build_with_queue(
        db: DatabaseConnection,
        queue_db: DatabaseConnection,
        config: &Config,
    ) -> Result<Self, ServicesError> {
        let authz = Authorizer::load(db.clone()).await?;
        let tokens = Arc::new(TokenKeys::from_config(config)?);
        let throttle = Arc::new(SignInThrottle::new(ThrottlePolicy::with_signups_per_hour(
            config.auth.signups_per_hour,
        )));
        let audit = audit::AuditService::new(db.clone(), authz.clone());
        let identity = identity::IdentityService::new(
            db.clone(),
            authz.clone(),
            audit.clone(),
            tokens,
            throttle.clone(),
            config.auth.signup_credits,
            agents::parse_providers(&config.agents.default_providers)?,
        );
        let vault = Arc::new(crate::vault::Vault::from_config(config)?);
        let (registry, meta) = platforms(config)?;
        let platforms = Arc::new(registry);
        let integrations = integrations::IntegrationsService::new(
            db.clone(),
            authz.clone(),
            audit.clone(),
            vault.clone(),
            platforms,
        );
        let creatives = creatives::CreativesService::new(
            db.clone(),
            authz.clone(),
            audit.clone(),
            crate::storage::open(config).await?,
            crate::media::ImageLimits::from_config(config),
        );
        let credits = credits::CreditsService::new(db.clone(), authz.clone(), audit.clone());
        let queue = crate::jobs::JobQueue::new(queue_db);
        let (events, _) = tokio::sync::broadcast::channel(1024);
        let copy = copy::CopyService::new(authz.clone(), audit.clone(), copy::from_config(config)?);
        let budget = budget::BudgetPolicy::new(
            db.clone(),
            authz.clone(),
            audit.clone(),
            config.agents.default_max_campaign_daily_budget,
        );
        let campaigns = campaigns::CampaignsService {
            db: db.clone(),
            authz: authz.clone(),
            audit: audit.clone(),
            integrations: integrations.clone(),
            budget: budget.clone(),
            queue: queue.clone(),
            copywriter: copy.copywriter(),
            events: events.clone(),
            switches: campaigns::SwitchThrottle::default(),
        };
        let launcher = launch::Launcher {
            db: db.clone(),
            integrations: integrations.clone(),
            creatives: creatives.clone(),
            copywriter: copy.copywriter(),
            audit: audit.clone(),
            events: events.clone(),
            settings: launch::LaunchSettings {
                lookup_delay: config.launch_lookup_delay,
            },
        };
        let agents = agents::AgentsService::new(db.clone(), authz.clone(), audit.clone());
        let delivery = leads::deliveries::DeliverySettings {
            allow_private: config.deliveries.allow_private,
            backoff: config.deliveries.backoff,
            pause_after: config.deliveries.pause_after,
        };
        let deliveries = leads::deliveries::DeliveriesService {
            db: db.clone(),
            authz: authz.clone(),
            audit: audit.clone(),
            vault: vault.clone(),
            queue: queue.clone(),
            settings: delivery,
            outbound: leads::deliveries::Outbound {
                webhook: leads::outbound::signed::WebhookSender::new(delivery.allow_private)?,
                mailer: config
                    .smtp
                    .as_ref()
                    .map(leads::outbound::mail::Mailer::new)
                    .transpose()?,
            },
        };
        let leads = leads::LeadsService {
            db: db.clone(),
            authz: authz.clone(),
            audit: audit.clone(),
            delivery,
            events: events.clone(),
            vault,
            queue: queue.clone(),
            webhook: leads::webhook::WebhookSettings {
                verify_token: config.meta.webhook_verify_token.clone(),
                app_secret: config.meta.app_secret.clone(),
            },
        };
        let reader = meta.map(|m| m as Arc<dyn adapters::ad_platform::LeadReader>);
        let lead_reconciler = leads::reconcile::Reconciler {
            db: db.clone(),
            leads: leads.clone(),
            integrations: integrations.clone(),
            reader: reader.clone(),
            interval: config.leads_reconcile_interval,
            cursors: Arc::default(),
        };
        let lead_fetcher = leads::fetch::LeadFetcher {
            db: db.clone(),
            leads: leads.clone(),
            integrations: integrations.clone(),
            reader,
            audit: audit.clone(),
        };
        let stop_loss = stop_loss::StopLoss {
            db: db.clone(),
            audit: audit.clone(),
            campaigns: campaigns.clone(),
        };
        Ok(Self {
            campaigns,
            budget,
            stop_loss,
            notifications: notifications::NotificationsService::new(db.clone()),
            queue,
            launcher,
            events,
            copy,
            leads,
            lead_fetcher,
            lead_reconciler,
            deliveries,
            credits,
            agents,
            integrations,
            creatives,
            system: system::SystemService::new(db.clone(), config.database.backend),
            directory: directory::DirectoryService::new(db, authz.clone()),
            audit,
            identity,
            authz,
            throttle,
        })
    }
}

/// The ad platforms this server talks to: Meta (base URL and version from
/// the settings, so tests can point it at a stand-in) and the offline
/// Sandbox, whose objects are kept in the data dir so a campaign launched
/// there can still be paused and resumed after a restart.
/// The ad platforms, and Meta's adapter itself for what only Meta does
/// (reading leads): one adapter, so both share its usage tracking.
fn platforms(
    config: &Config,
) -> Result<
    (
        adapters::ad_platform::AdapterRegistry,
        Option<Arc<adapters::ad_platform::meta::MetaAds>>,
    ),
    adapters::ad_platform::PlatformError,
> {
    let mut meta = adapters::ad_platform::meta::MetaConfig::new(config.meta.graph_url.clone());
    meta.api_version = config.meta.api_version.clone();
    meta.app_secret = config.meta.app_secret.clone();
    let meta = Arc::new(adapters::ad_platform::meta::MetaAds::new(meta)?);
    let sandbox =
        adapters::ad_platform::sandbox::Sandbox::persistent(config.data_dir.join("sandbox.json"))?;
    let registry = adapters::ad_platform::AdapterRegistry::new()
        .with(meta.clone())
        .with(Arc::new(sandbox));
    Ok((registry, Some(meta)))
}
