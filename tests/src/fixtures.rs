//! Rows the API cannot make yet, inserted directly for tests that need them.

use entities::{
    CampaignId, CampaignObjective, CampaignStatus, IntegrationId, Provider, ad_campaign,
    json::TargetAudience,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection};

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
