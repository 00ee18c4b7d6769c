//! The audit trail and the durable job queue.

use sea_orm_migration::prelude::*;

use crate::common::{
    check_in, check_non_negative, fk, index, int, json, json_null, pk_uuid, short, string_null,
    text_null, ts, ts_null, unique, uuid_null,
};
use crate::m20250101_000001_create_tenants_and_users::{Tenants, Users};

/// Creates `audit_events` and `jobs`.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    // SQLite runs DDL transactionally too; without this a failure halfway
    // would leave some tables behind on that engine.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use AuditEvents as A;
        manager
            .create_table(
                Table::create()
                    .table(A::Table)
                    .col(pk_uuid(A::Id))
                    .col(uuid_null(A::TenantId))
                    .col(uuid_null(A::ActorUserId))
                    .col(ColumnDef::new(A::Action).string_len(100).not_null())
                    .col(string_null(A::Target))
                    .col(short(A::Outcome))
                    .col(json_null(A::Detail))
                    .col(ColumnDef::new(A::RequestId).string_len(64).null())
                    .col(ts(A::At))
                    // Set null, not cascade: the trail outlives the users
                    // and tenants it mentions.
                    .foreign_key(&mut fk(
                        "fk_audit_events_tenant",
                        (A::Table, A::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "fk_audit_events_actor",
                        (A::Table, A::ActorUserId),
                        (Users::Table, Users::Id),
                        ForeignKeyAction::SetNull,
                    ))
                    .check(check_in(
                        "ck_audit_events_outcome",
                        A::Outcome,
                        &["success", "failure", "denied"],
                    ))
                    .take(),
            )
            .await?;
        manager
            .create_index(index("ix_audit_events_at", A::Table, [A::At, A::Id]))
            .await?;
        manager
            .create_index(index(
                "ix_audit_events_tenant_at",
                A::Table,
                [A::TenantId, A::At, A::Id],
            ))
            .await?;
        manager
            .create_index(index(
                "ix_audit_events_actor_at",
                A::Table,
                [A::ActorUserId, A::At, A::Id],
            ))
            .await?;

        use Jobs as J;
        manager
            .create_table(
                Table::create()
                    .table(J::Table)
                    .col(pk_uuid(J::Id))
                    .col(ColumnDef::new(J::Queue).string_len(64).not_null())
                    .col(ColumnDef::new(J::Kind).string_len(64).not_null())
                    .col(json(J::Payload))
                    .col(short(J::Status))
                    .col(int(J::Attempts))
                    .col(int(J::MaxAttempts))
                    .col(ts(J::RunAt))
                    .col(string_null(J::LockedBy))
                    .col(ts_null(J::LockedUntil))
                    .col(text_null(J::LastError))
                    .col(ColumnDef::new(J::DedupeKey).string_len(255).null())
                    .col(uuid_null(J::TenantId))
                    .col(ts(J::CreatedAt))
                    .col(ts(J::UpdatedAt))
                    .col(ts_null(J::FinishedAt))
                    .foreign_key(&mut fk(
                        "fk_jobs_tenant",
                        (J::Table, J::TenantId),
                        (Tenants::Table, Tenants::Id),
                        ForeignKeyAction::Cascade,
                    ))
                    .check(check_in(
                        "ck_jobs_status",
                        J::Status,
                        &["queued", "running", "succeeded", "failed", "cancelled"],
                    ))
                    .check(check_non_negative("ck_jobs_attempts", J::Attempts))
                    .check(Check::named(
                        "ck_jobs_max_attempts",
                        Expr::col(J::MaxAttempts).gte(1),
                    ))
                    .take(),
            )
            .await?;
        // Claiming: `WHERE status = 'queued' AND run_at <= now ORDER BY
        // run_at LIMIT n` (FOR UPDATE SKIP LOCKED on PostgreSQL, one
        // UPDATE … RETURNING on SQLite) reads this index in order.
        manager
            .create_index(index("ix_jobs_claim", J::Table, [J::Status, J::RunAt]))
            .await?;
        // Recovering jobs whose worker died: running rows whose lease ran out.
        manager
            .create_index(index(
                "ix_jobs_lease",
                J::Table,
                [J::Status, J::LockedUntil],
            ))
            .await?;
        // Enqueue with a dedupe key is idempotent (`ON CONFLICT DO NOTHING`);
        // NULL keys never collide on either engine.
        manager
            .create_index(unique("ux_jobs_dedupe_key", J::Table, [J::DedupeKey]))
            .await?;
        manager
            .create_index(index(
                "ix_jobs_tenant_created",
                J::Table,
                [J::TenantId, J::CreatedAt, J::Id],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::common::drop_tables(manager, &["jobs", "audit_events"]).await
    }
}

/// Identifiers of `audit_events`.
#[derive(DeriveIden)]
pub enum AuditEvents {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Tenant concerned, if any.
    TenantId,
    /// Acting user, if known.
    ActorUserId,
    /// What was done, e.g. `campaign.launch`.
    Action,
    /// What it was done to, e.g. `campaign:<id>`.
    Target,
    /// `success` | `failure` | `denied`.
    Outcome,
    /// JSON detail, never secrets.
    Detail,
    /// Request id for log correlation.
    RequestId,
    /// When it happened.
    At,
}

/// Identifiers of `jobs`.
#[derive(DeriveIden)]
pub enum Jobs {
    /// The table.
    Table,
    /// Primary key.
    Id,
    /// Queue name.
    Queue,
    /// Job kind, selects the handler.
    Kind,
    /// JSON arguments.
    Payload,
    /// Lifecycle status.
    Status,
    /// Attempts started so far.
    Attempts,
    /// Attempts allowed.
    MaxAttempts,
    /// Earliest time to run.
    RunAt,
    /// Worker holding the lease.
    LockedBy,
    /// Lease expiry.
    LockedUntil,
    /// Last failure.
    LastError,
    /// Optional unique key.
    DedupeKey,
    /// Tenant concerned, if any.
    TenantId,
    /// Creation time.
    CreatedAt,
    /// Last update time.
    UpdatedAt,
    /// Time it reached a final status.
    FinishedAt,
}
