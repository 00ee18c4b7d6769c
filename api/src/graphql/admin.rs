//! Chief-architect operations: `tenants`, `users`, `createUser`.

use async_graphql::{Context, ID, Object};
use entities::TenantId;
use secrecy::SecretString;

use super::{
    context::ContextExt,
    error::GqlResult,
    identity::{Role, Tenant, User},
};
use crate::{error::AppError, services::identity::NewUser};

/// Parses an `ID` argument as a typed id; a malformed one is `NOT_FOUND`,
/// like an id that exists nowhere.
pub fn parse_id<T: std::str::FromStr>(id: &ID, what: &'static str) -> Result<T, AppError> {
    id.as_str().parse().map_err(|_| AppError::NotFound(what))
}

/// The optional `tenantId` filter of list queries. A malformed id is
/// `BAD_USER_INPUT` here: it narrows a list, it does not name a row.
pub fn parse_tenant_filter(id: Option<&ID>) -> Result<Option<TenantId>, AppError> {
    id.map(|id| {
        id.as_str()
            .parse()
            .map_err(|_| AppError::bad_input("tenantId", "Not a tenant id."))
    })
    .transpose()
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// Every tenant (chief architect only).
    async fn tenants(&self, ctx: &Context<'_>) -> GqlResult<Vec<Tenant>> {
        let principal = ctx.principal()?;
        let tenants = ctx.services()?.directory.tenants(principal).await?;
        Ok(tenants.into_iter().map(Tenant).collect())
    }

    /// Users of every tenant, or of `tenantId` (chief architect only).
    async fn users(&self, ctx: &Context<'_>, tenant_id: Option<ID>) -> GqlResult<Vec<User>> {
        let principal = ctx.principal()?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let users = ctx.services()?.directory.users(principal, tenant).await?;
        Ok(users.into_iter().map(User::from).collect())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Adds a member to a tenant, or a chief architect to the platform tenant
    /// (chief architect only).
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        tenant_id: ID,
        email: String,
        password: String,
        role: Role,
    ) -> GqlResult<User> {
        let principal = ctx.principal()?;
        let input = NewUser {
            tenant_id: parse_id(&tenant_id, "tenant")?,
            email,
            password: SecretString::from(password),
            role: role.into(),
        };
        Ok(User::from(
            ctx.services()?
                .identity
                .create_user(principal, input)
                .await?,
        ))
    }
}
