//! Where each launched ad stands on the platform (in review, running,
//! disapproved, billing hold, …) and the platform's reason, read back by the
//! insights sync. Review and billing exist only on ads, so a campaign's own
//! status cannot say that one of its ads was rejected.

use sea_orm_migration::prelude::*;

use crate::common::text_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CampaignCreatives {
    Table,
    DeliveryStatus,
    ReviewMessage,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER.
        manager
            .alter_table(
                Table::alter()
                    .table(CampaignCreatives::Table)
                    .add_column(
                        ColumnDef::new(CampaignCreatives::DeliveryStatus)
                            .string_len(32)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(CampaignCreatives::Table)
                    .add_column(text_null(CampaignCreatives::ReviewMessage))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            CampaignCreatives::ReviewMessage,
            CampaignCreatives::DeliveryStatus,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(CampaignCreatives::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
