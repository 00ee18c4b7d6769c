//! Rows the API cannot make yet, inserted directly for tests that need them.

use entities::{
    CampaignId, CampaignObjective, CampaignStatus, CreativeId, IntegrationId, Provider, SnapshotId,
    ad_campaign, campaign_creative, json::TargetAudience, performance_snapshot,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::Account;

/// A Sandbox TRAFFIC campaign of `owner` on `integration` with `status`.
pub async fn insert_campaign(
    db: &DatabaseConnection,
    owner: &Account,
    integration: IntegrationId,
    name: &str,
    status: CampaignStatus,
) -> CampaignId {
    let now = chrono::Utc::now();
    let id = CampaignId::generate();
    ad_campaign::ActiveModel {
        id: Set(id),
        tenant_id: Set(owner.tenant_id.parse().expect("tenant id")),
        user_id: Set(owner.user_id.parse().expect("user id")),
        provider: Set(Provider::Sandbox),
        integration_id: Set(integration),
        campaign_name: Set(name.into()),
        objective: Set(CampaignObjective::Traffic),
        daily_budget_cents: Set(2000),
        target_audience: Set(TargetAudience {
            countries: vec!["US".into()],
            regions: vec![],
            cities: vec![],
            age_min: 18,
            age_max: 65,
            interests: vec![],
        }),
        destination_url: Set("https://example.com".into()),
        status: Set(status),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("insert a campaign");
    id
}

/// Links `creatives` (in order) to each of `campaigns` of `owner`, in one
/// statement.
pub async fn link_creatives(
    db: &DatabaseConnection,
    owner: &Account,
    campaigns: &[CampaignId],
    creatives: &[CreativeId],
) {
    let rows = campaigns.iter().flat_map(|campaign| {
        creatives
            .iter()
            .enumerate()
            .map(move |(position, creative)| campaign_creative::ActiveModel {
                campaign_id: Set(*campaign),
                creative_id: Set(*creative),
                tenant_id: Set(owner.tenant_id.parse().expect("tenant id")),
                user_id: Set(owner.user_id.parse().expect("user id")),
                position: Set(i32::try_from(position).expect("position")),
                remote_creative_id: Set(None),
                remote_ad_id: Set(None),
                delivery_status: Set(None),
                review_message: Set(None),
            })
    });
    campaign_creative::Entity::insert_many(rows.collect::<Vec<_>>())
        .exec(db)
        .await
        .expect("link creatives");
}

/// `per_campaign` hourly performance snapshots of each of `campaigns` of
/// `owner`, the newest an hour ago, in bulk statements.
pub async fn insert_snapshots(
    db: &DatabaseConnection,
    owner: &Account,
    campaigns: &[CampaignId],
    per_campaign: i64,
) {
    let now = chrono::Utc::now();
    let rows: Vec<_> = campaigns
        .iter()
        .flat_map(|campaign| {
            (1..=per_campaign).map(move |hours_ago| performance_snapshot::ActiveModel {
                id: Set(SnapshotId::generate()),
                tenant_id: Set(owner.tenant_id.parse().expect("tenant id")),
                user_id: Set(owner.user_id.parse().expect("user id")),
                campaign_id: Set(*campaign),
                captured_at: Set(now - chrono::Duration::hours(hours_ago)),
                impressions: Set(1000 * (per_campaign - hours_ago)),
                clicks: Set(10 * (per_campaign - hours_ago)),
                spend_cents: Set(100 * (per_campaign - hours_ago)),
                leads: Set(per_campaign - hours_ago),
            })
        })
        .collect();
    for chunk in rows.chunks(500) {
        performance_snapshot::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await
            .expect("insert snapshots");
    }
}
