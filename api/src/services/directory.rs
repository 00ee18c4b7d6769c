//! Tenants and users as operators see them, and batched look-ups for the
//! GraphQL loaders.

use std::collections::HashMap;

use entities::{TenantId, TenantScoped, UserId, tenant, user};
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
            entities::RowScope::All => tenant::Entity::find(),
            entities::RowScope::Tenant(t) | entities::RowScope::Own { tenant: t, .. } => {
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

    /// Tenants by id, in one statement (for loaders; the parent row was
    /// already authorized).
    pub async fn tenants_by_id(
        &self,
        ids: &[TenantId],
    ) -> Result<HashMap<TenantId, tenant::Model>, AppError> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect())
    }

    /// Users by id, in one statement (for loaders).
    pub async fn users_by_id(
        &self,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, user::Model>, AppError> {
        Ok(user::Entity::find()
            .filter(user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect())
    }
}
