//! The default authorization policy, as Casbin rows (see `api/casbin/model.conf`).
//!
//! Members act on their own rows in their own tenant and read their tenant's
//! agent registry; the chief architect may do everything, on every row.
//! Operators can change these rows without a code change (then reload).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(role, tenant, resource, action, scope)`; `*` matches any value.
pub const DEFAULT_POLICY: &[[&str; 5]] = &[
    ["member", "*", "account", "read", "own"],
    ["member", "*", "integration", "*", "own"],
    ["member", "*", "creative", "*", "own"],
    ["member", "*", "campaign", "*", "own"],
    ["member", "*", "copy", "create", "own"],
    ["member", "*", "credit", "read", "own"],
    ["member", "*", "audit", "read", "own"],
    ["member", "*", "agent", "read", "tenant"],
    ["chief_architect", "*", "*", "*", "all"],
];

#[derive(DeriveIden)]
enum CasbinRule {
    Table,
    Ptype,
    V0,
    V1,
    V2,
    V3,
    V4,
    V5,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut insert = Query::insert();
        insert.into_table(CasbinRule::Table).columns([
            CasbinRule::Ptype,
            CasbinRule::V0,
            CasbinRule::V1,
            CasbinRule::V2,
            CasbinRule::V3,
            CasbinRule::V4,
            CasbinRule::V5,
        ]);
        for [role, tenant, resource, action, scope] in DEFAULT_POLICY {
            insert
                .values([
                    "p".into(),
                    (*role).into(),
                    (*tenant).into(),
                    (*resource).into(),
                    (*action).into(),
                    (*scope).into(),
                    "".into(),
                ])
                .map_err(crate::common::seed_error)?;
        }
        manager.execute(insert).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for [role, tenant, resource, action, scope] in DEFAULT_POLICY {
            let delete = Query::delete()
                .from_table(CasbinRule::Table)
                .and_where(Expr::col(CasbinRule::Ptype).eq("p"))
                .and_where(Expr::col(CasbinRule::V0).eq(*role))
                .and_where(Expr::col(CasbinRule::V1).eq(*tenant))
                .and_where(Expr::col(CasbinRule::V2).eq(*resource))
                .and_where(Expr::col(CasbinRule::V3).eq(*action))
                .and_where(Expr::col(CasbinRule::V4).eq(*scope))
                .to_owned();
            manager.execute(delete).await?;
        }
        Ok(())
    }
}
