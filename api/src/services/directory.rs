//! Tenants and users as operators see them, and batched look-ups for the
//! GraphQL loaders.

use std::collections::HashMap;

use entities::{RowScope, TenantId, TenantScoped, UserId, tenant, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
};

#[derive(Clone)]
pub struct DirectoryService {
    db: DatabaseConnection,
    authz: Authorizer,
}

impl DirectoryService {
    pub fn new(db: DatabaseConnection, authz: Authorizer) -> Self {
        Self { db, authz }
    }

    /// Every tenant the caller may administer, oldest first.
    pub async fn tenants(&self, principal: &Principal) -> Result<Vec<tenant::Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Tenant, Action::Read)
            .await?;
        let query = match scope {
            RowScope::All => tenant::Entity::find(),
            RowScope::Tenant(t) | RowScope::Own { tenant: t, .. } => {
                tenant::Entity::find().filter(tenant::Column::Id.eq(t))
            }
        };
        Ok(query
            .order_by_asc(tenant::Column::CreatedAt)
            .order_by_asc(tenant::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// Users the caller may administer, optionally of one tenant.
    pub async fn users(
        &self,
        principal: &Principal,
        tenant_id: Option<TenantId>,
    ) -> Result<Vec<user::Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::User, Action::Read)
            .await?;
        let mut query = user::Entity::within(scope);
        if let Some(tenant) = tenant_id {
            query = query.filter(user::Column::TenantId.eq(tenant));
        }
        Ok(query
            .order_by_asc(user::Column::CreatedAt)
            .order_by_asc(user::Column::Id)
            .all(&self.db)
            .await?)
    }

    /// The rows of `users` the caller may see beside other rows (a
    /// campaign's owner, an audit event's actor): every user within the
    /// caller's user-administration scope, or else the caller's own
    /// account. With the seeded policy a member sees only themselves, which
    /// is the only owner or actor of the rows a member can read.
    async fn visible_users(&self, principal: &Principal) -> Result<RowScope, AppError> {
        match self
            .authz
            .authorize(principal, Resource::User, Action::Read)
            .await
        {
            Err(AppError::Forbidden(_)) => {
                self.authz
                    .authorize(principal, Resource::Account, Action::Read)
                    .await
            }
            scope => scope,
        }
    }

    /// The users the caller may see among `ids`, in one statement (for
    /// loaders).
    pub async fn users_by_id(
        &self,
        principal: &Principal,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, user::Model>, AppError> {
        let scope = self.visible_users(principal).await?;
        Ok(user::Entity::within(scope)
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect())
    }

    /// The tenants the caller may see among `ids`, in one statement (for
    /// loaders): those of the users the caller may see.
    pub async fn tenants_by_id(
        &self,
        principal: &Principal,
        ids: &[TenantId],
    ) -> Result<HashMap<TenantId, tenant::Model>, AppError> {
        let mut query =
            tenant::Entity::find().filter(tenant::Column::Id.is_in(ids.iter().copied()));
        match self.visible_users(principal).await? {
            RowScope::All => {}
            RowScope::Tenant(t) | RowScope::Own { tenant: t, .. } => {
                query = query.filter(tenant::Column::Id.eq(t));
            }
        }
        Ok(query
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }

    /// The tenant of a user who has just signed in or up, for the answer
    /// of that mutation: the request carries no principal yet, and the
    /// password (or the new account) has just proved the user is theirs.
    pub async fn tenant_of_signed_in(&self, user: &user::Model) -> Result<tenant::Model, AppError> {
        tenant::Entity::find_by_id(user.tenant_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("tenant"))
    }
}
