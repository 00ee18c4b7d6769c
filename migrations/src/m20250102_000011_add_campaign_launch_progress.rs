//! The whole launch progress of a campaign (remote ids, the creates
//! attempted, whether it was activated) as one JSON column, written before
//! every create and after every step, so a resumed launch adopts what may
//! have been created instead of creating it twice. `launch_step` alone
//! cannot say which creates were sent.

use sea_orm_migration::prelude::*;

use crate::common::json_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AdCampaigns {
    Table,
    LaunchProgress,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AdCampaigns::Table)
                    .add_column(json_null(AdCampaigns::LaunchProgress))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AdCampaigns::Table)
                    .drop_column(AdCampaigns::LaunchProgress)
                    .to_owned(),
            )
            .await
    }
}
