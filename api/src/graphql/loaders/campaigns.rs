//! Loaders of a campaign's nested fields, each for one caller.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entities::{CampaignId, IntegrationId, performance_snapshot, user_integration};

use crate::{
    auth::Principal,
    graphql::error::GqlError,
    services::campaigns::{CampaignsService, LinkedCreative},
};

/// A campaign's creatives with their links (remote ids), in order.
pub struct CreativesByCampaign {
    pub campaigns: CampaignsService,
    pub caller: Principal,
}

impl Loader<CampaignId> for CreativesByCampaign {
    type Value = Vec<LinkedCreative>;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[CampaignId],
    ) -> Result<HashMap<CampaignId, Vec<LinkedCreative>>, GqlError> {
        Ok(self.campaigns.creatives_of(&self.caller, keys).await?)
    }
}

/// The integration a campaign launches with.
pub struct IntegrationById {
    pub campaigns: CampaignsService,
    pub caller: Principal,
}

impl Loader<IntegrationId> for IntegrationById {
    type Value = user_integration::Model;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[IntegrationId],
    ) -> Result<HashMap<IntegrationId, user_integration::Model>, GqlError> {
        Ok(self
            .campaigns
            .integrations_by_id(&self.caller, keys)
            .await?)
    }
}

/// The latest snapshots of a campaign; the key carries how many.
pub struct SnapshotsByCampaign {
    pub campaigns: CampaignsService,
    pub caller: Principal,
}

impl Loader<(CampaignId, usize)> for SnapshotsByCampaign {
    type Value = Vec<performance_snapshot::Model>;
    type Error = GqlError;

    async fn load(
        &self,
        keys: &[(CampaignId, usize)],
    ) -> Result<HashMap<(CampaignId, usize), Vec<performance_snapshot::Model>>, GqlError> {
        // One statement for the widest request; narrower ones keep its
        // newest rows.
        let widest = keys.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let ids: Vec<CampaignId> = keys.iter().map(|(id, _)| *id).collect();
        let all = self
            .campaigns
            .snapshots_of(&self.caller, &ids, widest)
            .await?;
        Ok(keys
            .iter()
            .map(|(id, n)| {
                let list = all.get(id).map(Vec::as_slice).unwrap_or_default();
                let newest = &list[list.len().saturating_sub(*n)..];
                ((*id, *n), newest.to_vec())
            })
            .collect())
    }
}

/// How many leads a campaign received: one grouped count per page.
pub struct LeadsReceivedByCampaign {
    pub leads: crate::services::leads::LeadsService,
    pub caller: Principal,
}

impl Loader<CampaignId> for LeadsReceivedByCampaign {
    type Value = u64;
    type Error = GqlError;

    async fn load(&self, keys: &[CampaignId]) -> Result<HashMap<CampaignId, u64>, GqlError> {
        let counted = self.leads.received_by_campaigns(&self.caller, keys).await?;
        // A campaign with no lead counts 0, not "missing".
        Ok(keys
            .iter()
            .map(|k| (*k, counted.get(k).copied().unwrap_or(0)))
            .collect())
    }
}
