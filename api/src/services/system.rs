//! The state of the server itself: version, database engine, schema version.

use sea_orm::DatabaseConnection;

use crate::{config::DatabaseBackend, db, error::AppError};

/// What the server reports about itself to anyone (no secrets, no tenant data).
#[derive(Debug, Clone)]
pub struct ServerStatus {
    pub version: &'static str,
    pub database: &'static str,
    pub pending_migrations: usize,
}

/// Why the server is not ready to take traffic.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("database unreachable")]
    Unreachable(#[source] sea_orm::DbErr),
    #[error("{0} migration(s) pending")]
    Pending(usize),
}

#[derive(Clone)]
pub struct SystemService {
    db: DatabaseConnection,
    backend: DatabaseBackend,
}

impl SystemService {
    pub fn new(db: DatabaseConnection, backend: DatabaseBackend) -> Self {
        Self { db, backend }
    }

    /// The server's version and schema state, read from the database.
    pub async fn status(&self) -> Result<ServerStatus, AppError> {
        let pending_migrations = db::pending_migrations(&self.db).await?;
        Ok(ServerStatus {
            version: env!("CARGO_PKG_VERSION"),
            database: self.backend.as_str(),
            pending_migrations,
        })
    }

    /// Ready means: the database answers and every migration is applied.
    pub async fn readiness(&self) -> Result<(), NotReady> {
        self.db.ping().await.map_err(NotReady::Unreachable)?;
        match db::pending_migrations(&self.db).await {
            Ok(0) => Ok(()),
            Ok(n) => Err(NotReady::Pending(n)),
            Err(e) => Err(NotReady::Unreachable(e)),
        }
    }
}
