//! `budget_limits`: a tenant's budget policy for one currency.

use sea_orm::entity::prelude::*;

use crate::ids::{TenantId, UserId};

/// A row of `budget_limits`; primary key (tenant, currency). Amounts are in
/// the currency's minor unit; `None` means no limit of that kind.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_limits")]
pub struct Model {
    /// The tenant.
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: TenantId,
    /// ISO 4217 code, upper case.
    #[sea_orm(primary_key, auto_increment = false)]
    pub currency: String,
    /// The largest daily budget one campaign may have.
    pub max_campaign_daily_minor: Option<i64>,
    /// The largest sum of daily budgets of the tenant's campaigns that can
    /// spend (launching, awaiting approval or active).
    pub max_tenant_daily_minor: Option<i64>,
    /// Last change.
    pub updated_at: DateTimeUtc,
    /// Who made the last change.
    pub updated_by: Option<UserId>,
}

/// Relations of `budget_limits`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The tenant.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "Cascade"
    )]
    Tenant,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
