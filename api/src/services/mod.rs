//! The rules of the product. Services take typed ids and a principal, ask
//! the authorization gate first, and know nothing of GraphQL or HTTP.

pub mod agents;
pub mod audit;
pub mod creatives;
pub mod credits;
pub mod directory;
pub mod identity;
pub mod pagination;
pub mod system;

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
    #[error("creative storage: {0}")]
    Storage(#[from] crate::storage::StorageError),
}

/// One handle per area, built once at start and shared by every request.
#[derive(Clone)]
pub struct Services {
    pub authz: Authorizer,
    pub system: system::SystemService,
    pub audit: audit::AuditService,
    pub identity: identity::IdentityService,
    pub directory: directory::DirectoryService,
    pub creatives: creatives::CreativesService,
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
        let authz = Authorizer::load(db.clone()).await?;
        let tokens = Arc::new(TokenKeys::from_config(config)?);
        let throttle = Arc::new(SignInThrottle::new(ThrottlePolicy::default()));
        let audit = audit::AuditService::new(db.clone(), authz.clone());
        let identity = identity::IdentityService::new(
            db.clone(),
            authz.clone(),
            audit.clone(),
            tokens,
            throttle.clone(),
            config.auth.signup_credits,
            agents::parse_providers(&config.agents.default_providers),
        );
        let creatives = creatives::CreativesService::new(
            db.clone(),
            authz.clone(),
            audit.clone(),
            crate::storage::open(config).await?,
            crate::media::ImageLimits::from_config(config),
        );
        Ok(Self {
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
