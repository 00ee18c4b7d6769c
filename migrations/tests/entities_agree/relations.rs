//! Relations resolve and tenant-scoped finders filter.

use entities::prelude::*;
use entities::tenant_agent;
use sea_orm_migration::sea_orm::{DatabaseConnection, EntityTrait, ModelTrait, PaginatorTrait};

use crate::common::TestResult;
use crate::fixture::Fixture;

pub async fn relations_and_scopes(db: &DatabaseConnection, f: &Fixture) -> TestResult {
    // Many-to-many both ways through campaign_creatives.
    assert_eq!(
        f.campaign.find_related(Creative).all(db).await?,
        vec![f.creative.clone()]
    );
    assert_eq!(
        f.creative.find_related(AdCampaign).all(db).await?,
        vec![f.campaign.clone()]
    );
    // Belongs-to and has-many.
    assert_eq!(
        f.campaign.find_related(UserIntegration).one(db).await?,
        Some(f.integration.clone())
    );
    assert_eq!(
        f.user.find_related(Tenant).one(db).await?,
        Some(f.tenant.clone())
    );
    assert_eq!(
        f.tenant.find_related(User).all(db).await?,
        vec![f.user.clone()]
    );
    assert_eq!(
        f.campaign
            .find_related(PerformanceSnapshot)
            .count(db)
            .await?,
        1
    );
    assert_eq!(f.campaign.find_related(CreditLedger).count(db).await?, 1);
    assert_eq!(
        f.creative
            .find_related(CreativePlatformAsset)
            .count(db)
            .await?,
        1
    );
    let balance = f
        .user
        .find_related(CreditAccount)
        .one(db)
        .await?
        .ok_or("no account")?;
    assert_eq!(balance.balance, 50);
    let setting = tenant_agent::Entity::find_by_id((f.tenant.id, "media-buyer".to_owned()))
        .one(db)
        .await?
        .ok_or("no tenant agent")?;
    assert_eq!(
        setting.find_related(TenantAgentProvider).count(db).await?,
        2
    );
    assert_eq!(
        setting
            .find_related(Agent)
            .one(db)
            .await?
            .map(|a| a.credit_cost),
        Some(5)
    );

    // Tenant-scoped finders.
    let other = TenantId::generate();
    assert_eq!(
        AdCampaign::owned_by(f.tenant.id, f.user.id).all(db).await?,
        vec![f.campaign.clone()]
    );
    assert!(
        AdCampaign::owned_by(other, f.user.id)
            .all(db)
            .await?
            .is_empty()
    );
    assert!(
        AdCampaign::owned_by(f.tenant.id, UserId::generate())
            .all(db)
            .await?
            .is_empty()
    );
    assert_eq!(Creative::scoped(f.tenant.id).count(db).await?, 1);
    assert_eq!(Creative::scoped(other).count(db).await?, 0);
    assert_eq!(AuditEvent::within(RowScope::All).count(db).await?, 2);
    assert_eq!(
        AuditEvent::within(RowScope::Tenant(f.tenant.id))
            .count(db)
            .await?,
        1
    );
    assert_eq!(
        User::within(RowScope::Own {
            tenant: f.tenant.id,
            user: f.user.id
        })
        .one(db)
        .await?,
        Some(f.user.clone())
    );
    Ok(())
}
