//! A campaign's special ad category (housing, employment, financial products
//! and services, issues/elections/politics), which Meta requires on the
//! campaign and which narrows what may be targeted; and the Digital Services
//! Act beneficiary and payor an integration names for ads reaching the EU.

use sea_orm_migration::prelude::*;

use crate::common::text_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdCampaigns {
    Table,
    SpecialAdCategory,
}

#[derive(DeriveIden)]
enum UserIntegrations {
    Table,
    DsaBeneficiary,
    DsaPayor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER. Rows
        // written before the column existed declare no category.
        manager
            .alter_table(
                Table::alter()
                    .table(AdCampaigns::Table)
                    .add_column(
                        ColumnDef::new(AdCampaigns::SpecialAdCategory)
                            .string_len(40)
                            .not_null()
                            .default("NONE"),
                    )
                    .to_owned(),
            )
            .await?;
        for column in [UserIntegrations::DsaBeneficiary, UserIntegrations::DsaPayor] {
            manager
                .alter_table(
                    Table::alter()
                        .table(UserIntegrations::Table)
                        .add_column(text_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [UserIntegrations::DsaPayor, UserIntegrations::DsaBeneficiary] {
            manager
                .alter_table(
                    Table::alter()
                        .table(UserIntegrations::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AdCampaigns::Table)
                    .drop_column(AdCampaigns::SpecialAdCategory)
                    .to_owned(),
            )
            .await
    }
}
