//! Tenant-scoped finders: the only way services should start a query on a
//! tenant-owned table, so no read forgets the tenant filter. The few reads
//! that have no caller to scope by go through `unscoped…` finders, whose
//! names make each of them stand out.

use sea_orm::entity::prelude::*;
use sea_orm::{Condition, QueryFilter, Select};

use crate::ids::{TenantId, UserId};

/// The rows a caller may see, as the authorization gate answers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowScope {
    /// Every row of every tenant (chief architect).
    All,
    /// Every row of one tenant.
    Tenant(TenantId),
    /// The rows one user owns inside their tenant.
    Own {
        /// The user's tenant.
        tenant: TenantId,
        /// The user.
        user: UserId,
    },
}

impl RowScope {
    /// Whether a row of `tenant` owned by `owner` lies within this scope:
    /// the same rule as [`TenantScoped::scope_condition`], for a row already
    /// read (one read shared by many callers, each checked here).
    pub fn admits(self, tenant: TenantId, owner: UserId) -> bool {
        match self {
            RowScope::All => true,
            RowScope::Tenant(t) => t == tenant,
            RowScope::Own { tenant: t, user } => t == tenant && user == owner,
        }
    }
}

/// An entity whose rows belong to a tenant and a user within it.
pub trait TenantScoped: EntityTrait {
    /// The `tenant_id` column.
    fn tenant_column() -> Self::Column;

    /// The column naming the owning user (`user_id`; `id` for users
    /// themselves; the actor for audit events).
    fn owner_column() -> Self::Column;

    /// Rows of one tenant.
    fn scoped(tenant: TenantId) -> Select<Self> {
        Self::find().filter(Self::tenant_column().eq(tenant))
    }

    /// Rows one user owns. The tenant is part of the filter even though a
    /// user belongs to one tenant, so a mismatched pair matches nothing.
    fn owned_by(tenant: TenantId, user: UserId) -> Select<Self> {
        Self::scoped(tenant).filter(Self::owner_column().eq(user))
    }

    /// The filter for `scope`, for queries that start elsewhere (joins,
    /// counts, batched loaders).
    fn scope_condition(scope: RowScope) -> Condition {
        match scope {
            RowScope::All => Condition::all(),
            RowScope::Tenant(tenant) => Condition::all().add(Self::tenant_column().eq(tenant)),
            RowScope::Own { tenant, user } => Condition::all()
                .add(Self::tenant_column().eq(tenant))
                .add(Self::owner_column().eq(user)),
        }
    }

    /// Rows visible within `scope`.
    fn within(scope: RowScope) -> Select<Self> {
        Self::find().filter(Self::scope_condition(scope))
    }

    /// The row `id`, if it lies within `scope`.
    fn by_id<K>(scope: RowScope, id: K) -> Select<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(id).filter(Self::scope_condition(scope))
    }

    /// Every row, whoever owns it: only for reads with no caller to scope
    /// by (signing in, checking a token, the bootstrap hint, uniqueness
    /// across tenants, the job worker).
    fn unscoped() -> Select<Self> {
        Self::find()
    }

    /// The row `id`, whoever owns it; see [`TenantScoped::unscoped`].
    fn unscoped_by_id<K>(id: K) -> Select<Self>
    where
        K: Into<<Self::PrimaryKey as PrimaryKeyTrait>::ValueType>,
    {
        Self::find_by_id(id)
    }
}

/// Implements [`TenantScoped`] for an entity module from its column names.
macro_rules! tenant_scoped {
    ($module:ident, $tenant:ident, $owner:ident) => {
        impl TenantScoped for crate::$module::Entity {
            fn tenant_column() -> Self::Column {
                crate::$module::Column::$tenant
            }

            fn owner_column() -> Self::Column {
                crate::$module::Column::$owner
            }
        }
    };
}

tenant_scoped!(user, TenantId, Id);
tenant_scoped!(user_integration, TenantId, UserId);
tenant_scoped!(creative, TenantId, UserId);
tenant_scoped!(creative_platform_asset, TenantId, UserId);
tenant_scoped!(ad_campaign, TenantId, UserId);
tenant_scoped!(campaign_creative, TenantId, UserId);
tenant_scoped!(performance_snapshot, TenantId, UserId);
tenant_scoped!(credit_account, TenantId, UserId);
tenant_scoped!(credit_ledger, TenantId, UserId);
tenant_scoped!(stop_loss_rule, TenantId, UserId);
tenant_scoped!(notification, TenantId, UserId);
tenant_scoped!(audit_event, TenantId, ActorUserId);
tenant_scoped!(lead, TenantId, UserId);
tenant_scoped!(lead_destination, TenantId, UserId);
tenant_scoped!(lead_delivery, TenantId, UserId);
tenant_scoped!(lead_delivery_attempt, TenantId, UserId);
