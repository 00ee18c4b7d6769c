//! The one authorization gate. Every query, mutation, subscription event and
//! blob access asks it `(principal, resource, action)` and gets back either
//! `FORBIDDEN` or the [`RowScope`] the caller may act within, which the
//! tenant-scoped finders turn into SQL filters. The rules are Casbin policy
//! rows in the database: a policy change needs no code change.

mod adapter;

use std::sync::Arc;

use casbin::{CoreApi, DefaultModel, Enforcer};
use entities::{RowScope, TenantId, UserId};
use sea_orm::DatabaseConnection;
use tokio::sync::RwLock;

pub use adapter::DbAdapter;

use crate::{auth::Principal, error::AppError};

const MODEL: &str = include_str!("../../casbin/model.conf");

/// The kinds of resource the policy speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The caller's own account (`me`).
    Account,
    /// User administration (`users`, `createUser`).
    User,
    /// Tenant administration (`tenants`).
    Tenant,
    Integration,
    Creative,
    Campaign,
    /// Ad copy generation.
    Copy,
    /// Credit balance and ledger.
    Credit,
    /// The agent registry.
    Agent,
    /// The audit trail.
    Audit,
    /// Leads in the inbox.
    Lead,
    /// A tenant's budget policy.
    Budget,
}

impl Resource {
    /// Every resource.
    pub const ALL: [Self; 11] = [
        Self::Account,
        Self::User,
        Self::Tenant,
        Self::Integration,
        Self::Creative,
        Self::Campaign,
        Self::Copy,
        Self::Credit,
        Self::Agent,
        Self::Audit,
        Self::Lead,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::User => "user",
            Self::Tenant => "tenant",
            Self::Integration => "integration",
            Self::Creative => "creative",
            Self::Campaign => "campaign",
            Self::Copy => "copy",
            Self::Credit => "credit",
            Self::Agent => "agent",
            Self::Audit => "audit",
            Self::Lead => "lead",
            Self::Budget => "budget",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
    /// Operator actions such as granting credits or enabling agents.
    Manage,
}

impl Action {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
            Self::Manage => "manage",
        }
    }
}

/// Why the gate could not be built or reloaded.
#[derive(Debug, thiserror::Error)]
#[error("authorization policy: {0}")]
pub struct PolicyError(#[from] casbin::Error);

/// The gate: the Casbin enforcer behind a read-write lock. Enforcing takes
/// the read lock only, so requests never serialise on it; reloading the
/// policy takes the write lock.
#[derive(Clone)]
pub struct Authorizer {
    enforcer: Arc<RwLock<Enforcer>>,
    /// Counts policy loads, so a decision kept from before a reload can
    /// tell it is stale (shared subscriptions check their members again).
    generation: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer").finish_non_exhaustive()
    }
}

impl Authorizer {
    /// Loads the model and the policy rows from the database.
    pub async fn load(db: DatabaseConnection) -> Result<Self, PolicyError> {
        let model = DefaultModel::from_str(MODEL).await?;
        let enforcer = Enforcer::new(model, DbAdapter::new(db)).await?;
        Ok(Self {
            enforcer: Arc::new(RwLock::new(enforcer)),
            generation: Arc::default(),
        })
    }

    /// Which load of the policy is in force (it changes at every reload).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Re-reads the policy rows, e.g. after an operator edited them.
    pub async fn reload(&self) -> Result<(), PolicyError> {
        self.enforcer.write().await.load_policy().await?;
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    /// The widest scope `principal` may `action` on `resource` within, or
    /// `FORBIDDEN` when the role may not do it at all.
    pub async fn authorize(
        &self,
        principal: &Principal,
        resource: Resource,
        action: Action,
    ) -> Result<RowScope, AppError> {
        let enforcer = self.enforcer.read().await;
        let role = principal.role_str();
        let tenant = principal.tenant_id.to_string();
        for (scope_name, scope) in [
            ("all", RowScope::All),
            ("tenant", RowScope::Tenant(principal.tenant_id)),
            (
                "own",
                RowScope::Own {
                    tenant: principal.tenant_id,
                    user: principal.user_id,
                },
            ),
        ] {
            let allowed = enforcer
                .enforce((
                    role,
                    tenant.as_str(),
                    resource.as_str(),
                    action.as_str(),
                    scope_name,
                ))
                .map_err(|e| AppError::internal(PolicyError(e)))?;
            if allowed {
                return Ok(scope);
            }
        }
        Err(AppError::Forbidden(format!(
            "Your role may not {} {}s.",
            action.as_str(),
            resource.as_str()
        )))
    }
}

/// `scope` narrowed to one tenant (the `tenantId` argument of list queries).
/// A scope that cannot see that tenant becomes one that matches no row:
/// rows' owners always belong to the rows' tenant, so "owned by the caller
/// in another tenant" is empty.
pub fn narrow(scope: RowScope, tenant: Option<TenantId>, principal: &Principal) -> RowScope {
    let Some(wanted) = tenant else {
        return scope;
    };
    match scope {
        RowScope::All => RowScope::Tenant(wanted),
        RowScope::Tenant(own) if own == wanted => scope,
        RowScope::Own { tenant: own, .. } if own == wanted => scope,
        RowScope::Tenant(_) | RowScope::Own { .. } => RowScope::Own {
            tenant: wanted,
            user: principal.user_id,
        },
    }
}

/// Whether a row owned by `(tenant, owner)` lies within `scope`.
pub fn scope_allows(scope: RowScope, tenant: TenantId, owner: UserId) -> bool {
    match scope {
        RowScope::All => true,
        RowScope::Tenant(t) => t == tenant,
        RowScope::Own { tenant: t, user } => t == tenant && user == owner,
    }
}
