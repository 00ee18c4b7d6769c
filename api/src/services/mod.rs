//! The rules of the product. Services take typed ids, return typed errors
//! and know nothing of GraphQL or HTTP.

pub mod system;

use sea_orm::DatabaseConnection;

use crate::config::Config;

/// One handle per area, built once at start and shared by every request.
#[derive(Clone)]
pub struct Services {
    pub system: system::SystemService,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services").finish_non_exhaustive()
    }
}

impl Services {
    pub fn new(db: DatabaseConnection, config: &Config) -> Self {
        Self {
            system: system::SystemService::new(db, config.database.backend),
        }
    }
}
