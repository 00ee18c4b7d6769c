//! When an integration's token may no longer read data (Meta's
//! `data_access_expires_at`, 90 days after the user last used the app), next
//! to `token_expires_at`: the numbers freeze at the first of the two.

use sea_orm_migration::prelude::*;

use crate::common::ts_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum UserIntegrations {
    Table,
    DataAccessExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserIntegrations::Table)
                    .add_column(ts_null(UserIntegrations::DataAccessExpiresAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(UserIntegrations::Table)
                    .drop_column(UserIntegrations::DataAccessExpiresAt)
                    .to_owned(),
            )
            .await
    }
}
