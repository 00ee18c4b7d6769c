//! Every enum value fits its column's CHECK.

use entities::prelude::*;
use entities::{
    ad_campaign, audit_event, creative_platform_asset, credit_ledger, job, lead, user,
    user_integration,
};
use sea_orm_migration::sea_orm::sea_query::Expr;
use sea_orm_migration::sea_orm::{ActiveEnum, DatabaseConnection, EntityTrait, Iterable};

use crate::common::TestResult;

/// Writes every value of enum `V` into `col` of every row of `E`, so a
/// variant missing from its column's CHECK fails here.
pub async fn every_value_fits<E, V>(db: &DatabaseConnection, col: E::Column) -> TestResult
where
    E: EntityTrait,
    V: ActiveEnum + Iterable,
    V::Value: Into<sea_orm_migration::sea_orm::Value>,
{
    let mut seen = 0;
    for value in V::iter() {
        let stored = E::update_many()
            .col_expr(col, Expr::value(value.to_value().into()))
            .exec(db)
            .await?;
        assert!(
            stored.rows_affected > 0,
            "no {} rows",
            E::default().table_name()
        );
        seen += 1;
    }
    assert!(seen > 1);
    Ok(())
}

pub async fn enums_match_checks(db: &DatabaseConnection) -> TestResult {
    every_value_fits::<User, Role>(db, user::Column::Role).await?;
    every_value_fits::<UserIntegration, IntegrationStatus>(db, user_integration::Column::Status)
        .await?;
    every_value_fits::<CreativePlatformAsset, Provider>(
        db,
        creative_platform_asset::Column::Provider,
    )
    .await?;
    every_value_fits::<AdCampaign, Provider>(db, ad_campaign::Column::Provider).await?;
    every_value_fits::<AdCampaign, CampaignObjective>(db, ad_campaign::Column::Objective).await?;
    every_value_fits::<AdCampaign, CampaignStatus>(db, ad_campaign::Column::Status).await?;
    every_value_fits::<CreditLedger, CreditEntryKind>(db, credit_ledger::Column::Kind).await?;
    every_value_fits::<AuditEvent, AuditOutcome>(db, audit_event::Column::Outcome).await?;
    every_value_fits::<Job, JobStatus>(db, job::Column::Status).await?;
    every_value_fits::<Lead, LeadStatus>(db, lead::Column::Status).await?;
    every_value_fits::<Lead, LeadSource>(db, lead::Column::Source).await?;
    every_value_fits::<entities::lead_destination::Entity, entities::LeadDestinationKind>(
        db,
        entities::lead_destination::Column::Kind,
    )
    .await?;
    every_value_fits::<entities::lead_destination::Entity, entities::LeadDestinationStatus>(
        db,
        entities::lead_destination::Column::Status,
    )
    .await?;
    every_value_fits::<entities::lead_delivery::Entity, entities::LeadDeliveryStatus>(
        db,
        entities::lead_delivery::Column::Status,
    )
    .await?;
    // user_integrations.provider is part of a unique key with one row here,
    // so every value fits too.
    every_value_fits::<UserIntegration, Provider>(db, user_integration::Column::Provider).await?;
    // Put back what the later checks rely on.
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(Role::Member.to_value()))
        .exec(db)
        .await?;
    user_integration::Entity::update_many()
        .col_expr(
            user_integration::Column::Provider,
            Expr::value(Provider::MetaAds.to_value()),
        )
        .exec(db)
        .await?;
    Ok(())
}
