//! The durable queue on the `jobs` table: enqueue inside the caller's
//! transaction, claim with a lease, renew it while working, finish.
//!
//! A claim takes a `queued` job whose time has come, or a `running` one
//! whose lease expired (its worker died), in one statement: `FOR UPDATE
//! SKIP LOCKED` on PostgreSQL so claimers never wait on each other, a plain
//! `UPDATE … RETURNING` on SQLite, whose single writer makes it atomic.
//! "Now" is bound from Rust (see `entities::job`).

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use entities::{JobId, JobStatus, TenantId, job};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    SqlErr, Statement,
    sea_query::{Expr, ExprTrait},
};
use tokio::sync::Notify;

use crate::error::AppError;

/// The queue every job of this product uses.
pub const QUEUE: &str = "default";

/// The PostgreSQL channel on which an enqueue wakes the workers of every
/// instance (each listens; see `worker`).
pub const CHANNEL: &str = "leadforge_jobs";

/// How long a claim holds a job before another worker may take it over.
pub const LEASE: Duration = Duration::from_secs(60);

/// A job to add.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub tenant: Option<TenantId>,
    /// A second enqueue with the same key adds nothing.
    pub dedupe_key: String,
    pub max_attempts: i32,
}

/// Handle to the queue: the database and the in-process wake-up bell.
#[derive(Clone)]
pub struct JobQueue {
    db: DatabaseConnection,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for JobQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobQueue").finish_non_exhaustive()
    }
}

impl JobQueue {
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            wake: Arc::new(Notify::new()),
        }
    }

    /// The bell workers wait on between claims.
    pub fn bell(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Adds a job inside `conn` (the transaction that made it necessary);
    /// call [`JobQueue::announce`] once that transaction committed.
    pub async fn enqueue<C: ConnectionTrait>(&self, conn: &C, new: NewJob) -> Result<(), AppError> {
        let now = Utc::now();
        let inserted = job::ActiveModel {
            id: Set(JobId::generate()),
            queue: Set(QUEUE.to_owned()),
            kind: Set(new.kind.to_owned()),
            payload: Set(new.payload),
            status: Set(JobStatus::Queued),
            attempts: Set(0),
            max_attempts: Set(new.max_attempts),
            run_at: Set(now),
            locked_by: Set(None),
            locked_until: Set(None),
            last_error: Set(None),
            dedupe_key: Set(Some(new.dedupe_key)),
            tenant_id: Set(new.tenant),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
        }
        .insert(conn)
        .await;
        match inserted {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The PostgreSQL pool, for the listener of other instances' enqueues.
    pub fn postgres_pool(&self) -> Option<sqlx::PgPool> {
        (self.db.get_database_backend() == DatabaseBackend::Postgres)
            .then(|| self.db.get_postgres_connection_pool().clone())
    }

    /// Wakes the workers of this process (a job came due).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Wakes every instance's workers once a job was committed: this
    /// process's at once, the others' through `NOTIFY` on PostgreSQL, sent
    /// on its own rather than inside the enqueuing transaction (a `NOTIFY`
    /// there would serialise commits). A lost notification costs only the
    /// wait for the slow poll.
    pub async fn announce(&self) {
        self.wake();
        if self.db.get_database_backend() == DatabaseBackend::Postgres
            && let Err(e) = self
                .db
                .execute_unprepared(&format!("NOTIFY {CHANNEL}"))
                .await
        {
            tracing::warn!(error = %e, "could not notify other instances of a new job");
        }
    }

    /// Claims the next due job for `worker`, if any.
    pub async fn claim(&self, worker: &str) -> Result<Option<job::Model>, AppError> {
        let backend = self.db.get_database_backend();
        let now = Utc::now();
        let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
        let sql = match backend {
            DatabaseBackend::Postgres => {
                "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
                 attempts = attempts + 1, updated_at = $3 \
                 WHERE id = (SELECT id FROM jobs WHERE queue = $4 AND \
                 ((status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)) \
                 ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *"
            }
            _ => {
                "UPDATE jobs SET status = 'running', locked_by = ?1, locked_until = ?2, \
                 attempts = attempts + 1, updated_at = ?3 \
                 WHERE id = (SELECT id FROM jobs WHERE queue = ?4 AND \
                 ((status = 'queued' AND run_at <= ?3) OR (status = 'running' AND locked_until < ?3)) \
                 ORDER BY run_at LIMIT 1) RETURNING *"
            }
        };
        let statement = Statement::from_sql_and_values(
            backend,
            sql,
            [worker.into(), until.into(), now.into(), QUEUE.into()],
        );
        Ok(job::Entity::find()
            .from_raw_sql(statement)
            .one(&self.db)
            .await?)
    }

    /// Extends `worker`'s lease on `id`; `false` when the job is no longer
    /// this worker's (another took it over after the lease ran out).
    pub async fn renew(&self, id: JobId, worker: &str) -> Result<bool, AppError> {
        let until = Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default();
        let updated = job::Entity::update_many()
            .col_expr(job::Column::LockedUntil, Expr::value(until))
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::LockedBy.eq(worker))
            .filter(job::Column::Status.eq(JobStatus::Running))
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Ends `id` with a final status.
    pub async fn finish(
        &self,
        id: JobId,
        worker: &str,
        status: JobStatus,
        error: Option<String>,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(status))
            .col_expr(job::Column::LastError, Expr::value(error))
            .col_expr(job::Column::FinishedAt, Expr::value(Some(now)))
            .col_expr(
                job::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::LockedBy.eq(worker))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Puts `id` back in the queue to run at `at` (a retry after back-off,
    /// or the rest of a launch after a shutdown). `refund_attempt` gives the
    /// attempt back when the job did not fail (it was only interrupted).
    pub async fn requeue(
        &self,
        id: JobId,
        worker: &str,
        at: DateTime<Utc>,
        error: Option<String>,
        refund_attempt: bool,
    ) -> Result<(), AppError> {
        let mut update = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Queued))
            .col_expr(job::Column::RunAt, Expr::value(at))
            .col_expr(job::Column::LastError, Expr::value(error))
            .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                job::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()));
        if refund_attempt {
            update = update.col_expr(
                job::Column::Attempts,
                Expr::col(job::Column::Attempts).sub(1),
            );
        }
        update
            .filter(job::Column::Id.eq(id))
            .filter(job::Column::LockedBy.eq(worker))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
