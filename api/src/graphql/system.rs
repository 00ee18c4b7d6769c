//! `serverStatus`: what the server reports about itself.

use async_graphql::{Context, Object, SimpleObject};

use super::{context::ContextExt, error::GqlResult};
use crate::services::system;

/// The server's version and the state of its database schema.
#[derive(SimpleObject)]
pub struct ServerStatus {
    /// Leadforge's version.
    version: String,
    /// The database engine: `sqlite` or `postgresql`.
    database: String,
    /// Migrations this server knows that the database has not applied yet.
    pending_migrations: i32,
}

impl From<system::ServerStatus> for ServerStatus {
    fn from(s: system::ServerStatus) -> Self {
        Self {
            version: s.version.to_owned(),
            database: s.database.to_owned(),
            pending_migrations: i32::try_from(s.pending_migrations).unwrap_or(i32::MAX),
        }
    }
}

#[derive(Default)]
pub struct SystemQuery;

#[Object]
impl SystemQuery {
    /// The server's version and schema state; needs no sign-in.
    async fn server_status(&self, ctx: &Context<'_>) -> GqlResult<ServerStatus> {
        Ok(ctx.services()?.system.status().await?.into())
    }
}
