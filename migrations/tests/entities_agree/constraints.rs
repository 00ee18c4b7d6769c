//! The constraints the product relies on hold: CHECKs, unique keys,
//! foreign keys, the guarded credit debit, cascades.

use entities::prelude::*;
use entities::{ad_campaign, audit_event, credit_account, credit_ledger};
use sea_orm_migration::sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm_migration::sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, ModelTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};

use crate::common::TestResult;
use crate::fixture::{Fixture, at};

pub async fn constraints_hold(db: &DatabaseConnection, f: &Fixture) -> TestResult {
    // Age range CHECK reads the JSON audience.
    let mut young = f.campaign.clone();
    young.id = CampaignId::generate();
    young.idempotency_key = None;
    for too_young in [10, 13, 17] {
        young.target_audience.age_min = too_young;
        assert!(
            young.clone().into_active_model().insert(db).await.is_err(),
            "age_min {too_young} was accepted"
        );
    }
    young.target_audience.age_min = 40;
    young.target_audience.age_max = 30;
    assert!(young.clone().into_active_model().insert(db).await.is_err());
    young.target_audience.age_max = 65;
    young.into_active_model().insert(db).await?;

    // Launch idempotency key is unique per user.
    let mut twin = f.campaign.clone();
    twin.id = CampaignId::generate();
    assert!(twin.into_active_model().insert(db).await.is_err());

    // Status CHECK, bypassing the typed enum.
    let bogus = ad_campaign::Entity::update_many()
        .col_expr(ad_campaign::Column::Status, Expr::value("bogus"))
        .filter(ad_campaign::Column::Id.eq(f.campaign.id))
        .exec(db)
        .await;
    assert!(bogus.is_err());

    // The guarded debit the credits service uses: too large a debit touches
    // no row, a fitting one succeeds, and the CHECK stops an unguarded one.
    let debit = |delta: i64| {
        credit_account::Entity::update_many()
            .col_expr(
                credit_account::Column::Balance,
                Expr::col(credit_account::Column::Balance).add(delta),
            )
            .filter(credit_account::Column::UserId.eq(f.user.id))
            .filter(Expr::col(credit_account::Column::Balance).add(delta).gte(0))
    };
    let txn = db.begin().await?;
    assert_eq!(debit(-51).exec(&txn).await?.rows_affected, 0);
    assert_eq!(debit(-50).exec(&txn).await?.rows_affected, 1);
    txn.commit().await?;
    let unguarded = credit_account::Entity::update_many()
        .col_expr(
            credit_account::Column::Balance,
            Expr::col(credit_account::Column::Balance).sub(1),
        )
        .filter(credit_account::Column::UserId.eq(f.user.id))
        .exec(db)
        .await;
    assert!(unguarded.is_err(), "balance went below zero");

    // A credit movement happens once.
    let again = credit_ledger::Model {
        id: LedgerEntryId::generate(),
        tenant_id: f.tenant.id,
        user_id: f.user.id,
        delta: -5,
        kind: CreditEntryKind::Reserve,
        reason: None,
        campaign_id: Some(f.campaign.id),
        idempotency_key: format!("reserve:{}:launch-1", f.campaign.id),
        created_at: at(20),
    };
    assert!(again.into_active_model().insert(db).await.is_err());

    // Unique keys named in DESIGN.
    let mut same_account = f.integration.clone();
    same_account.id = IntegrationId::generate();
    assert!(same_account.into_active_model().insert(db).await.is_err());
    let mut same_email = f.user.clone();
    same_email.id = UserId::generate();
    assert!(same_email.into_active_model().insert(db).await.is_err());

    // Foreign keys are enforced (SQLite included).
    let mut orphan = f.user.clone();
    orphan.id = UserId::generate();
    orphan.email = "orphan@acme.test".to_owned();
    orphan.tenant_id = TenantId::generate();
    assert!(orphan.into_active_model().insert(db).await.is_err());

    // An integration in use cannot be deleted; a creative in use neither.
    assert!(f.integration.clone().delete(db).await.is_err());
    assert!(f.creative.clone().delete(db).await.is_err());

    // Deleting the tenant cascades through every owned row and keeps the
    // audit trail with the tenant nulled.
    f.campaign.clone().delete(db).await?;
    let remaining: Vec<ad_campaign::Model> = AdCampaign::scoped(f.tenant.id).all(db).await?;
    for campaign in remaining {
        campaign.delete(db).await?;
    }
    f.tenant.clone().delete(db).await?;
    assert_eq!(User::find().count(db).await?, 0);
    assert_eq!(CreditLedger::find().count(db).await?, 0);
    assert_eq!(Job::find().count(db).await?, 0);
    assert_eq!(AuditEvent::find().count(db).await?, 2);
    assert_eq!(
        AuditEvent::find()
            .filter(audit_event::Column::TenantId.is_not_null())
            .count(db)
            .await?,
        0
    );
    Ok(())
}
