//! The batched reads behind a campaign's nested fields. Each takes the
//! caller and filters by the caller's row scope, so a batch can only ever
//! return rows the caller may read, whatever keys it is handed.

use std::collections::HashMap;

use entities::{
    CampaignId, IntegrationId, TenantScoped, campaign_creative, creative, performance_snapshot,
    user_integration,
};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QueryTrait,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Order, Query, WindowStatement},
};

use super::{CampaignsService, LinkedCreative};
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
};

/// The name of the rank column of [`CampaignsService::snapshots_of`].
const RANK: &str = "snapshot_rank";

impl CampaignsService {
    /// The creatives of each campaign the caller may read, in their order
    /// (one statement).
    pub async fn creatives_of(
        &self,
        principal: &Principal,
        campaigns: &[CampaignId],
    ) -> Result<HashMap<CampaignId, Vec<LinkedCreative>>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Read)
            .await?;
        let rows = campaign_creative::Entity::within(scope)
            .filter(campaign_creative::Column::CampaignId.is_in(campaigns.iter().copied()))
            .find_also_related(creative::Entity)
            .filter(creative::Entity::scope_condition(scope))
            .order_by_asc(campaign_creative::Column::Position)
            .all(&self.db)
            .await?;
        let mut out: HashMap<CampaignId, Vec<LinkedCreative>> = HashMap::new();
        for (link, creative) in rows {
            if let Some(creative) = creative {
                out.entry(link.campaign_id)
                    .or_default()
                    .push((link, creative));
            }
        }
        Ok(out)
    }

    /// The integrations the caller may read among `ids` (one statement).
    pub async fn integrations_by_id(
        &self,
        principal: &Principal,
        ids: &[IntegrationId],
    ) -> Result<HashMap<IntegrationId, user_integration::Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Integration, Action::Read)
            .await?;
        Ok(user_integration::Entity::within(scope)
            .filter(user_integration::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect())
    }

    /// The latest `last` snapshots of each campaign the caller may read,
    /// oldest first: one statement, which ranks each campaign's snapshots
    /// newest first (`ROW_NUMBER() OVER (PARTITION BY campaign_id …)`) and
    /// keeps the first `last`, so a page of campaigns never reads more
    /// history than it shows.
    pub async fn snapshots_of(
        &self,
        principal: &Principal,
        campaigns: &[CampaignId],
        last: usize,
    ) -> Result<HashMap<CampaignId, Vec<performance_snapshot::Model>>, AppError> {
        use performance_snapshot::{Column, Entity};
        if campaigns.is_empty() || last == 0 {
            return Ok(HashMap::new());
        }
        let scope = self
            .authz
            .authorize(principal, Resource::Campaign, Action::Read)
            .await?;
        let mut ranked = Entity::within(scope)
            .filter(Column::CampaignId.is_in(campaigns.iter().copied()))
            .into_query();
        ranked.expr_window_as(
            Func::cust("ROW_NUMBER"),
            WindowStatement::partition_by(Column::CampaignId)
                .order_by(Column::CapturedAt, Order::Desc)
                .order_by(Column::Id, Order::Desc)
                .take(),
            RANK,
        );
        let latest = Query::select()
            .column(Asterisk)
            .from_subquery(ranked, Alias::new("ranked"))
            .and_where(Expr::col(RANK).lte(i64::try_from(last).unwrap_or(i64::MAX)))
            .order_by(Column::CampaignId, Order::Asc)
            .order_by(Column::CapturedAt, Order::Asc)
            .order_by(Column::Id, Order::Asc)
            .to_owned();
        let statement = self.db.get_database_backend().build(&latest);
        let rows = Entity::find().from_raw_sql(statement).all(&self.db).await?;
        let mut out: HashMap<CampaignId, Vec<performance_snapshot::Model>> = HashMap::new();
        for row in rows {
            out.entry(row.campaign_id).or_default().push(row);
        }
        Ok(out)
    }
}
