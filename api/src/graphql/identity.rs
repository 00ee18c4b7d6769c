//! `signUp`, `signIn`, `me`, and the `User`, `Tenant` and `AuthPayload` types.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use entities::{tenant, user};
use secrecy::{ExposeSecret, SecretString};

use super::{context::ContextExt, error::GqlResult};
use crate::{
    error::AppError,
    services::identity::{Session, SignUp},
};

/// What a user may do: a member manages their own rows; the chief architect everything.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::Role")]
pub enum Role {
    Member,
    ChiefArchitect,
}

/// An organisation: its members, campaigns and credits are kept apart from every other.
pub struct Tenant(pub tenant::Model);

#[Object]
impl Tenant {
    /// The tenant's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The organisation's name as entered at sign-up.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// A URL-friendly, unique short name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// When the tenant was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A person who signs in.
pub struct User {
    row: user::Model,
    /// Whether this is the user a `signUp` or `signIn` answer returns: that
    /// request carries no principal (and so no loaders) yet.
    signed_in_now: bool,
}

impl From<user::Model> for User {
    fn from(row: user::Model) -> Self {
        Self {
            row,
            signed_in_now: false,
        }
    }
}

#[Object]
impl User {
    /// The user's id.
    async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// The sign-in e-mail address, lower-cased.
    async fn email(&self) -> &str {
        &self.row.email
    }
    /// What the user may do.
    async fn role(&self) -> Role {
        self.row.role.into()
    }
    /// The tenant the user belongs to.
    async fn tenant(&self, ctx: &Context<'_>) -> GqlResult<Tenant> {
        if self.signed_in_now {
            let directory = &ctx.services()?.directory;
            return Ok(Tenant(directory.tenant_of_signed_in(&self.row).await?));
        }
        ctx.loaders()?
            .tenant_by_id
            .load_one(self.row.tenant_id)
            .await?
            .map(Tenant)
            .ok_or_else(|| AppError::NotFound("tenant").into())
    }
    /// When the account was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
}

/// A signed-in session: the bearer token and its user.
pub struct AuthPayload {
    token: SecretString,
    user: user::Model,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            token: s.token,
            user: s.user,
        }
    }
}

#[Object]
impl AuthPayload {
    /// Send it as `Authorization: Bearer <token>` (HTTP) or as `authorization`
    /// in the WebSocket `connection_init` payload. It expires; sign in again then.
    async fn token(&self) -> &str {
        self.token.expose_secret()
    }
    /// The signed-in user.
    async fn user(&self) -> User {
        User {
            row: self.user.clone(),
            signed_in_now: true,
        }
    }
}

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> GqlResult<User> {
        let principal = ctx.principal()?;
        Ok(User::from(ctx.services()?.identity.me(principal).await?))
    }
}

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Creates an organisation and its first member, and signs the member in.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        tenant_name: String,
    ) -> GqlResult<AuthPayload> {
        let input = SignUp {
            email,
            password: SecretString::from(password),
            tenant_name,
        };
        let session = ctx
            .services()?
            .identity
            .sign_up(input, ctx.client())
            .await?;
        Ok(session.into())
    }

    /// Signs in with e-mail and password. Repeated failures are slowed down
    /// (`RATE_LIMITED` with `retryAfterSeconds`).
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> GqlResult<AuthPayload> {
        let session = ctx
            .services()?
            .identity
            .sign_in(&email, SecretString::from(password), ctx.client())
            .await?;
        Ok(session.into())
    }
}
