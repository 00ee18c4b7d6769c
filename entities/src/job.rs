//! `jobs`: the durable job queue, shared by every API instance.
//!
//! Claimed with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and a single
//! `UPDATE … RETURNING` on SQLite; a claim sets `status = running`,
//! `locked_by`, `locked_until` and bumps `attempts`. A running row whose
//! `locked_until` has passed belongs to a dead worker and may be reclaimed.
//!
//! Bind "now" from Rust rather than using the database clock: on SQLite the
//! timestamps are RFC 3339 text in UTC, which orders correctly against
//! itself but not against `CURRENT_TIMESTAMP`'s `YYYY-MM-DD HH:MM:SS`.

use sea_orm::entity::prelude::*;

use crate::enums::JobStatus;
use crate::ids::{JobId, TenantId};

/// A row of `jobs`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    /// Primary key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JobId,
    /// Queue name.
    pub queue: String,
    /// Job kind; selects the handler.
    pub kind: String,
    /// Handler arguments.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    /// Lifecycle status.
    pub status: JobStatus,
    /// Attempts started so far.
    pub attempts: i32,
    /// Attempts allowed.
    pub max_attempts: i32,
    /// Earliest time to run.
    pub run_at: DateTimeUtc,
    /// Worker holding the lease.
    pub locked_by: Option<String>,
    /// Lease expiry.
    pub locked_until: Option<DateTimeUtc>,
    /// Last failure.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// Optional unique key making enqueue idempotent.
    #[sea_orm(unique)]
    pub dedupe_key: Option<String>,
    /// Tenant concerned, if any.
    pub tenant_id: Option<TenantId>,
    /// Creation time.
    pub created_at: DateTimeUtc,
    /// Last update time.
    pub updated_at: DateTimeUtc,
    /// Time it reached a final status.
    pub finished_at: Option<DateTimeUtc>,
}

/// Relations of `jobs`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Tenant concerned.
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
