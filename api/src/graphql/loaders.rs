//! DataLoaders for nested fields: one batched statement per key type, so a
//! page of N rows costs a constant number of statements. They carry no
//! cache (async-graphql's default), so they can be schema-wide without
//! serving stale rows; the parent row was authorized before a nested field
//! asks for its children.

use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use entities::{
    CampaignId, IntegrationId, TenantId, UserId, performance_snapshot, tenant, user,
    user_integration,
};

use super::error::GqlError;
use crate::services::{
    Services,
    campaigns::{CampaignsService, LinkedCreative},
    directory::DirectoryService,
};

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

/// A campaign's creatives with their links (remote ids), in order.
pub struct CreativesByCampaign(pub CampaignsService);

impl Loader<CampaignId> for CreativesByCampaign {
    type Value = Vec<LinkedCreative>;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[CampaignId],
    ) -> Result<HashMap<CampaignId, Vec<LinkedCreative>>, GqlError> {
        Ok(self.0.creatives_of(keys).await?)
    }
}

pub struct IntegrationById(pub CampaignsService);

impl Loader<IntegrationId> for IntegrationById {
    type Value = user_integration::Model;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[IntegrationId],
    ) -> Result<HashMap<IntegrationId, user_integration::Model>, GqlError> {
        Ok(self.0.integrations_by_id(keys).await?)
    }
}

/// The latest snapshots of a campaign; the key carries how many.
pub struct SnapshotsByCampaign(pub CampaignsService);

impl Loader<(CampaignId, usize)> for SnapshotsByCampaign {
    type Value = Vec<performance_snapshot::Model>;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[(CampaignId, usize)],
    ) -> Result<HashMap<(CampaignId, usize), Vec<performance_snapshot::Model>>, GqlError> {
        // One statement for the widest request; narrower ones are cut from it.
        let widest = keys.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let ids: Vec<CampaignId> = keys.iter().map(|(id, _)| *id).collect();
        let mut all = self.0.snapshots_of(&ids, widest).await?;
        Ok(keys
            .iter()
            .map(|(id, n)| {
                let list = all.get_mut(id).map(std::mem::take).unwrap_or_default();
                let skip = list.len().saturating_sub(*n);
                let kept: Vec<_> = list.iter().skip(skip).cloned().collect();
                all.insert(*id, list);
                ((*id, *n), kept)
            })
            .collect())
    }
}

/// How long a loader waits for more keys before it runs its batch: long
/// enough that every row of a page asks first even on a busy machine (at
/// the default 1 ms a starved runtime split a 20-row page into several
/// batches), short next to a round trip.
const BATCH_DELAY: std::time::Duration = std::time::Duration::from_millis(10);

/// Every loader, as schema data.
pub struct Loaders {
    pub tenant_by_id: DataLoader<TenantById>,
    pub user_by_id: DataLoader<UserById>,
    pub creatives_by_campaign: DataLoader<CreativesByCampaign>,
    pub integration_by_id: DataLoader<IntegrationById>,
    pub snapshots_by_campaign: DataLoader<SnapshotsByCampaign>,
}

impl Loaders {
    pub fn new(services: &Services) -> Self {
        let directory = services.directory.clone();
        let campaigns = services.campaigns.clone();
        Self {
            tenant_by_id: DataLoader::new(TenantById(directory.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            user_by_id: DataLoader::new(UserById(directory), tokio::spawn).delay(BATCH_DELAY),
            creatives_by_campaign: DataLoader::new(
                CreativesByCampaign(campaigns.clone()),
                tokio::spawn,
            )
            .delay(BATCH_DELAY),
            integration_by_id: DataLoader::new(IntegrationById(campaigns.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            snapshots_by_campaign: DataLoader::new(SnapshotsByCampaign(campaigns), tokio::spawn)
                .delay(BATCH_DELAY),
        }
    }
}
