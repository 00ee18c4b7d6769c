//! `audit_events`: the trail of mutations and remote calls. Never holds a
//! secret.

use sea_orm::entity::prelude::*;

use crate::enums::AuditOutcome;
use crate::ids::{AuditEventId, TenantId, UserId};

/// A row of `audit_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AuditEventId,
    /// Tenant concerned, if any (kept as null when the tenant is deleted).
    pub tenant_id: Option<TenantId>,
    /// Acting user, if known (null for anonymous attempts).
    pub actor_user_id: Option<UserId>,
    /// What was done, e.g. `campaign.launch`.
    pub action: String,
    /// What it was done to, e.g. `campaign:<id>`.
    pub target: Option<String>,
    /// Result.
    pub outcome: AuditOutcome,
    /// Structured detail, never secrets.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub detail: Option<Json>,
    /// Request id for log correlation.
    pub request_id: Option<String>,
    /// When it happened.
    pub at: DateTimeUtc,
}

/// Relations of `audit_events`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Tenant concerned.
    #[sea_orm(
        belongs_to = "super::tenant::Entity",
        from = "Column::TenantId",
        to = "super::tenant::Column::Id",
        on_delete = "SetNull"
    )]
    Tenant,
    /// Acting user.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::ActorUserId",
        to = "super::user::Column::Id",
        on_delete = "SetNull"
    )]
    Actor,
}

impl Related<super::tenant::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Tenant.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
