//! Loaders of users and tenants (a campaign's owner, an audit event's
//! actor, a user's tenant), each for one caller.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entities::{TenantId, UserId, tenant, user};

use crate::{auth::Principal, graphql::error::GqlError, services::directory::DirectoryService};

pub struct TenantById {
    pub directory: DirectoryService,
    pub caller: Principal,
}

impl Loader<TenantId> for TenantById {
    type Value = tenant::Model;
    type Error = GqlError;

    async fn load(&self, keys: &[TenantId]) -> Result<HashMap<TenantId, tenant::Model>, GqlError> {
        Ok(self.directory.tenants_by_id(&self.caller, keys).await?)
    }
}

pub struct UserById {
    pub directory: DirectoryService,
    pub caller: Principal,
}

impl Loader<UserId> for UserById {
    type Value = user::Model;
    type Error = GqlError;

    async fn load(&self, keys: &[UserId]) -> Result<HashMap<UserId, user::Model>, GqlError> {
        Ok(self.directory.users_by_id(&self.caller, keys).await?)
    }
}
