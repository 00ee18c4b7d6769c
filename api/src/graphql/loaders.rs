//! DataLoaders for nested fields: one batched statement per key type, so a
//! page of N rows costs a constant number of statements. They carry no
//! cache (async-graphql's default), so they can be schema-wide without
//! serving stale rows; the parent row was authorized before a nested field
//! asks for its children.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entities::{TenantId, UserId, tenant, user};

use super::error::GqlError;
use crate::services::directory::DirectoryService;

pub struct TenantById(pub DirectoryService);

impl Loader<TenantId> for TenantById {
    type Value = tenant::Model;
    type Error = GqlError;

    async fn load(&self, keys: &[TenantId]) -> Result<HashMap<TenantId, tenant::Model>, GqlError> {
        Ok(self.0.tenants_by_id(keys).await?)
    }
}

pub struct UserById(pub DirectoryService);

impl Loader<UserId> for UserById {
    type Value = user::Model;
    type Error = GqlError;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, user::Model>, GqlError> {
        Ok(self.0.users_by_id(keys).await?)
    }
}

/// Every loader, as schema data.
pub struct Loaders {
    pub tenant_by_id: DataLoader<TenantById>,
    pub user_by_id: DataLoader<UserById>,
}

impl Loaders {
    pub fn new(directory: DirectoryService) -> Self {
        Self {
            tenant_by_id: DataLoader::new(TenantById(directory.clone()), tokio::spawn),
            user_by_id: DataLoader::new(UserById(directory), tokio::spawn),
        }
    }
}
