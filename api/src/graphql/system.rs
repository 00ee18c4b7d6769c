//! `serverStatus`: what the server reports about itself.

use async_graphql::{Context, Object, SimpleObject};
use entities::Role;

use super::{context::ContextExt, error::GqlResult};
use crate::{auth::Caller, services::system};

/// The server's version and the state of its database schema. The details
/// are for the chief architect: anyone else gets the object with every
/// field `null` (a version and an engine help an attacker pick exploits).
#[derive(SimpleObject, Default)]
pub struct ServerStatus {
    /// Leadforge's version (chief architect only).
    version: Option<String>,
    /// The database engine: `sqlite` or `postgresql` (chief architect only).
    database: Option<String>,
    /// Migrations this server knows that the database has not applied yet
    /// (chief architect only).
    pending_migrations: Option<i32>,
}

impl From<system::ServerStatus> for ServerStatus {
    fn from(s: system::ServerStatus) -> Self {
        Self {
            version: Some(s.version.to_owned()),
            database: Some(s.database.to_owned()),
            pending_migrations: Some(i32::try_from(s.pending_migrations).unwrap_or(i32::MAX)),
        }
    }
}

#[derive(Default)]
pub struct SystemQuery;

#[Object]
impl SystemQuery {
    /// The server's version and schema state for the chief architect;
    /// needs no sign-in, and tells anyone else nothing.
    async fn server_status(&self, ctx: &Context<'_>) -> GqlResult<ServerStatus> {
        let chief = matches!(
            ctx.data_opt::<Caller>(),
            Some(Caller::User(p)) if p.role == Role::ChiefArchitect
        );
        if !chief {
            return Ok(ServerStatus::default());
        }
        Ok(ctx.services()?.system.status().await?.into())
    }
}
