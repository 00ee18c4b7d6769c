//! Accounts: sign-up (a tenant and its first member in one transaction),
//! sign-in (argon2id, throttled), tokens, and accounts created by operators.

use std::sync::Arc;

use chrono::Utc;
use entities::{PLATFORM_TENANT_ID, Provider, Role, TenantId, TenantScoped, UserId, tenant, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, PaginatorTrait, QueryFilter, SqlErr, TransactionTrait,
};
use secrecy::SecretString;
use serde_json::json;

mod names;

pub use names::normalize_email;
use names::{slugify, suffixed};

use super::{agents, audit::AuditEntry, audit::AuditService, credits, text::TextRule};
use crate::{
    auth::{
        Caller, ClientAddr, Principal, TokenRejection, password, throttle::SignInThrottle,
        tokens::TokenKeys,
    },
    authz::{Action, Authorizer, Resource},
    error::AppError,
};

const MAX_TENANT_NAME: usize = 80;
const TENANT_NAME: TextRule =
    TextRule::line("tenantName", "The organisation name", 2, MAX_TENANT_NAME);
const WRONG_CREDENTIALS: &str = "Wrong e-mail or password.";

/// A signed-in user and their token.
#[derive(Debug)]
pub struct Session {
    pub token: SecretString,
    pub user: user::Model,
}

/// What `signUp` asks for.
#[derive(Debug)]
pub struct SignUp {
    pub email: String,
    pub password: SecretString,
    pub tenant_name: String,
}

/// What `createUser` (and the bootstrap command) asks for.
#[derive(Debug)]
pub struct NewUser {
    pub tenant_id: TenantId,
    pub email: String,
    pub password: SecretString,
    pub role: Role,
}

#[derive(Clone)]
pub struct IdentityService {
    db: DatabaseConnection,
    authz: Authorizer,
    audit: AuditService,
    tokens: Arc<TokenKeys>,
    throttle: Arc<SignInThrottle>,
    signup_credits: i64,
    default_providers: Vec<Provider>,
}

impl IdentityService {
    pub fn new(
        db: DatabaseConnection,
        authz: Authorizer,
        audit: AuditService,
        tokens: Arc<TokenKeys>,
        throttle: Arc<SignInThrottle>,
        signup_credits: i64,
        default_providers: Vec<Provider>,
    ) -> Self {
        Self {
            db,
            authz,
            audit,
            tokens,
            throttle,
            signup_credits,
            default_providers,
        }
    }

    /// Creates a tenant and its first member, grants the sign-up credits,
    /// enables the default agents, and signs the member in.
    pub async fn sign_up(&self, input: SignUp, client: ClientAddr) -> Result<Session, AppError> {
        if let Err(wait) = self.throttle.sign_up(client.0) {
            return Err(AppError::RateLimited {
                message: "Too many sign-ups from this address; wait before trying again."
                    .to_owned(),
                retry_after: Some(wait),
            });
        }
        let email = normalize_email(&input.email)?;
        password::check_rules(&input.password, &email, "password")?;
        let tenant_name = TENANT_NAME.clean(&input.tenant_name)?;
        // Hashed before the address is looked up, so a taken address
        // answers as late as a new one.
        let hash = password::hash(input.password).await?;
        if self.email_taken(&email).await? {
            self.audit
                .record_now(refused_sign_up(&email, client))
                .await?;
            return Err(sign_up_refused());
        }
        let mut slug = self.free_slug(&tenant_name).await?;
        // Two sign-ups with one organisation name can race for its slug; the
        // loser retries under a suffixed slug rather than failing.
        let mut attempt = 0;
        let user = loop {
            attempt += 1;
            match self
                .open_tenant(&tenant_name, &slug, &email, &hash, client)
                .await
            {
                Err(OpenTenantError::SlugTaken) if attempt < 3 => {
                    slug = suffixed(&slugify(&tenant_name));
                }
                Err(OpenTenantError::SlugTaken) => {
                    return Err(AppError::Conflict(
                        "Another organisation is being created with this name; try again."
                            .to_owned(),
                    ));
                }
                Err(OpenTenantError::App(e)) => return Err(e),
                Ok(user) => break user,
            }
        };
        let token = self.tokens.issue(user.id, user.tenant_id)?;
        Ok(Session { token, user })
    }

    /// The tenant, its first member, the default agents and the audit row,
    /// in one transaction.
    async fn open_tenant(
        &self,
        tenant_name: &str,
        slug: &str,
        email: &str,
        hash: &str,
        client: ClientAddr,
    ) -> Result<user::Model, OpenTenantError> {
        let txn = self.db.begin().await.map_err(AppError::from)?;
        let tenant = tenant::ActiveModel {
            id: Set(TenantId::generate()),
            name: Set(tenant_name.to_owned()),
            slug: Set(slug.to_owned()),
            created_at: Set(Utc::now()),
            launch_approval_required: Set(false),
        }
        .insert(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => OpenTenantError::SlugTaken,
            _ => OpenTenantError::App(e.into()),
        })?;
        let user = self
            .insert_user(
                &txn,
                tenant.id,
                email.to_owned(),
                hash.to_owned(),
                Role::Member,
            )
            .await?;
        agents::enable_defaults(&txn, tenant.id, &self.default_providers).await?;
        self.audit
            .record(
                &txn,
                AuditEntry::of_user(tenant.id, user.id, "auth.sign_up")
                    .target(format!("tenant:{}", tenant.id))
                    .detail(json!({ "client": client.0.to_string() })),
            )
            .await?;
        txn.commit().await.map_err(AppError::from)?;
        Ok(user)
    }

    /// Checks the password, throttled per (e-mail, address) and per address.
    /// Unknown e-mails and wrong passwords fail alike, in message and time.
    pub async fn sign_in(
        &self,
        email: &str,
        password: SecretString,
        client: ClientAddr,
    ) -> Result<Session, AppError> {
        let email = names::canonical_email(email);
        if let Err(wait) = self.throttle.attempt(&email, client.0) {
            self.audit
                .record_now(failed_sign_in(&email, client, "throttled"))
                .await?;
            return Err(AppError::RateLimited {
                message: "Too many sign-in attempts; wait before trying again.".to_owned(),
                retry_after: Some(wait),
            });
        }
        // No caller yet: the e-mail address is all there is to go by.
        let found = user::Entity::unscoped()
            .filter(user::Column::Email.eq(email.as_str()))
            .one(&self.db)
            .await?;
        let stored = found.as_ref().map(|u| u.password_hash.clone());
        let matches = password::verify(password, stored).await?;
        match found {
            Some(user) if matches => {
                self.audit
                    .record_now(
                        AuditEntry::of_user(user.tenant_id, user.id, "auth.sign_in")
                            .target(format!("user:{}", user.id))
                            .detail(json!({ "client": client.0.to_string() })),
                    )
                    .await?;
                let token = self.tokens.issue(user.id, user.tenant_id)?;
                Ok(Session { token, user })
            }
            _ => {
                self.audit
                    .record_now(failed_sign_in(&email, client, "wrong e-mail or password"))
                    .await?;
                Err(AppError::Unauthenticated(WRONG_CREDENTIALS.to_owned()))
            }
        }
    }

    /// Who a bearer token belongs to. The user row is read each time, so a
    /// deleted user or a changed role takes effect at once.
    pub async fn authenticate(&self, token: &str) -> Result<Caller, AppError> {
        let claims = match self.tokens.verify(token) {
            Ok(claims) => claims,
            Err(rejection) => return Ok(Caller::Rejected(rejection)),
        };
        // The token names the user; no principal exists before this read.
        let user = user::Entity::unscoped_by_id(claims.sub)
            .one(&self.db)
            .await?;
        Ok(match user {
            Some(user) if user.tenant_id == claims.tid => Caller::User(Principal {
                user_id: user.id,
                tenant_id: user.tenant_id,
                role: user.role,
            }),
            _ => Caller::Rejected(TokenRejection::UnknownUser),
        })
    }

    /// How long a valid token has left (long-lived connections close then).
    pub fn token_expiry(&self, token: &str) -> Option<std::time::Duration> {
        let claims = self.tokens.verify(token).ok()?;
        let now = chrono::Utc::now().timestamp().max(0) as u64;
        Some(std::time::Duration::from_secs(
            claims.exp.saturating_sub(now),
        ))
    }

    /// The caller's own user row.
    pub async fn me(&self, principal: &Principal) -> Result<user::Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Account, Action::Read)
            .await?;
        user::Entity::by_id(scope, principal.user_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("user"))
    }

    /// A chief architect adds a member to a tenant, or another chief architect.
    pub async fn create_user(
        &self,
        principal: &Principal,
        input: NewUser,
    ) -> Result<user::Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::User, Action::Create)
            .await?;
        let allowed = match scope {
            entities::RowScope::All => true,
            entities::RowScope::Tenant(t) => t == input.tenant_id,
            entities::RowScope::Own { .. } => false,
        };
        let exists = tenant::Entity::find_by_id(input.tenant_id)
            .count(&self.db)
            .await?
            > 0;
        if !allowed || !exists {
            return Err(AppError::NotFound("tenant"));
        }
        let target_tenant = input.tenant_id;
        let user = self.create_account(input).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "admin.create_user")
                    .target(format!("user:{}", user.id))
                    .detail(json!({ "tenant": target_tenant.to_string(), "role": crate::auth::role_name(user.role) })),
            )
            .await?;
        Ok(user)
    }

    /// Creates a user without a caller: the bootstrap command's path.
    pub async fn create_account(&self, input: NewUser) -> Result<user::Model, AppError> {
        let email = normalize_email(&input.email)?;
        password::check_rules(&input.password, &email, "password")?;
        match (input.role, input.tenant_id == PLATFORM_TENANT_ID) {
            (Role::ChiefArchitect, false) => {
                return Err(AppError::bad_input(
                    "tenantId",
                    "Chief architects belong to the platform tenant.",
                ));
            }
            (Role::Member, true) => {
                return Err(AppError::bad_input(
                    "tenantId",
                    "Members belong to a customer tenant, not the platform tenant.",
                ));
            }
            _ => {}
        }
        if self.email_taken(&email).await? {
            return Err(email_conflict());
        }
        let hash = password::hash(input.password).await?;
        let txn = self.db.begin().await?;
        let user = self
            .insert_user(&txn, input.tenant_id, email, hash, input.role)
            .await?;
        txn.commit().await?;
        Ok(user)
    }

    /// Whether any chief architect exists (the bootstrap hint).
    pub async fn chief_architect_exists(&self) -> Result<bool, AppError> {
        // The bootstrap hint, asked before anyone can sign in.
        Ok(user::Entity::unscoped()
            .filter(user::Column::Role.eq(Role::ChiefArchitect))
            .count(&self.db)
            .await?
            > 0)
    }

    async fn insert_user<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        email: String,
        password_hash: String,
        role: Role,
    ) -> Result<user::Model, AppError> {
        let user = user::ActiveModel {
            id: Set(UserId::generate()),
            tenant_id: Set(tenant),
            email: Set(email),
            password_hash: Set(password_hash),
            role: Set(role),
            created_at: Set(Utc::now()),
        }
        .insert(conn)
        .await
        .map_err(conflict_as(email_conflict))?;
        if role == Role::Member {
            credits::open_account(
                conn,
                tenant,
                user.id,
                self.signup_credits,
                "welcome credits",
            )
            .await?;
        }
        Ok(user)
    }

    async fn email_taken(&self, email: &str) -> Result<bool, AppError> {
        // E-mail addresses are unique across tenants.
        Ok(user::Entity::unscoped()
            .filter(user::Column::Email.eq(email))
            .count(&self.db)
            .await?
            > 0)
    }

    /// A URL-friendly slug for the tenant name that no tenant uses yet.
    async fn free_slug(&self, name: &str) -> Result<String, AppError> {
        let base = slugify(name);
        let taken = tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(base.as_str()))
            .count(&self.db)
            .await?
            > 0;
        if !taken && base != entities::PLATFORM_TENANT_SLUG {
            return Ok(base);
        }
        Ok(suffixed(&base))
    }
}

/// Why a tenant could not be opened: its slug was taken meanwhile (the only
/// unique key of `tenants` besides its id), or anything else.
enum OpenTenantError {
    SlugTaken,
    App(AppError),
}

impl From<AppError> for OpenTenantError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

fn failed_sign_in(email: &str, client: ClientAddr, why: &str) -> AuditEntry {
    // People sometimes type their password into the e-mail field: keep what
    // was typed only when it has the shape of an address.
    let email = normalize_email(email).unwrap_or_else(|_| "(not an e-mail address)".to_owned());
    tracing::info!(client = %client.0, reason = why, "sign-in refused");
    AuditEntry {
        tenant_id: None,
        actor: None,
        action: "auth.sign_in",
        target: None,
        outcome: entities::AuditOutcome::Failure,
        detail: Some(json!({ "email": email, "client": client.0.to_string(), "reason": why })),
    }
}

/// A sign-up for an address that has an account. The words never say the
/// address exists (they would tell anyone who has an account here): they
/// fit that case and point to what its owner needs.
fn sign_up_refused() -> AppError {
    AppError::Conflict(
        "No new account could be opened with these details. If you already have an account, sign in instead."
            .to_owned(),
    )
}

fn refused_sign_up(email: &str, client: ClientAddr) -> AuditEntry {
    tracing::info!(client = %client.0, "sign-up refused: e-mail taken");
    AuditEntry {
        tenant_id: None,
        actor: None,
        action: "auth.sign_up",
        target: None,
        outcome: entities::AuditOutcome::Failure,
        detail: Some(
            json!({ "email": email, "client": client.0.to_string(), "reason": "e-mail taken" }),
        ),
    }
}

fn email_conflict() -> AppError {
    AppError::Conflict("An account with this e-mail address already exists.".to_owned())
}

/// Maps a unique-constraint violation to `conflict`, anything else to internal.
fn conflict_as(conflict: fn() -> AppError) -> impl Fn(DbErr) -> AppError {
    move |e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => conflict(),
        _ => AppError::from(e),
    }
}
