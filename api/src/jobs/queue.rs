//! The durable queue on the `jobs` table: enqueue inside the caller's
//! transaction, claim with a lease, renew it while working, finish.
//!
//! A claim takes a `queued` job whose time has come, or a `running` one
//! whose lease expired (its worker died), in one statement: `FOR UPDATE
//! SKIP LOCKED` on PostgreSQL so claimers never wait on each other, a plain
//! `UPDATE … RETURNING` on SQLite, whose single writer makes it atomic.
//!
//! Leases are a fence: they are taken, renewed and checked against one
//! clock, the database's on PostgreSQL (instances may disagree about the
//! time), and on SQLite — one embedded instance — the process's, bound from
//! Rust (see `entities::job`).

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use entities::{JobId, JobStatus, TenantId, job};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter,
    Statement, TryInsertResult,
    sea_query::{Expr, ExprTrait, SimpleExpr},
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
    /// The queue: [`QUEUE`] for the workers; another name for jobs a
    /// service runs itself (claimed by key, see [`JobQueue::claim_key`]).
    pub queue: &'static str,
    pub kind: &'static str,
    pub payload: serde_json::Value,
    pub tenant: Option<TenantId>,
    /// A second enqueue with the same key adds nothing.
    pub dedupe_key: String,
    pub max_attempts: i32,
}

/// "Now" on the lease clock (see the module doc).
pub fn db_now(backend: DatabaseBackend) -> SimpleExpr {
    match backend {
        DatabaseBackend::Postgres => Expr::cust("now()"),
        _ => Expr::value(Utc::now()),
    }
}

/// The end of a lease taken or renewed now.
fn lease_end(backend: DatabaseBackend) -> SimpleExpr {
    match backend {
        DatabaseBackend::Postgres => {
            Expr::cust(format!("now() + interval '{} seconds'", LEASE.as_secs()))
        }
        _ => Expr::value(Utc::now() + chrono::Duration::from_std(LEASE).unwrap_or_default()),
    }
}

/// The condition "`worker` holds a live lease on job `id`" on a row of
/// `jobs`: what every write of a running job is guarded by.
pub fn holds_lease(backend: DatabaseBackend, id: JobId, worker: &str) -> SimpleExpr {
    Expr::col((job::Entity, job::Column::Id))
        .eq(id)
        .and(Expr::col((job::Entity, job::Column::LockedBy)).eq(worker))
        .and(Expr::col((job::Entity, job::Column::Status)).eq(JobStatus::Running))
        .and(Expr::col((job::Entity, job::Column::LockedUntil)).gt(db_now(backend)))
}

/// A worker's claim on a running job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub job: JobId,
    pub worker: String,
}

impl Lease {
    /// The condition "this lease still holds" on a query of `jobs` itself.
    pub fn holds_condition(&self, backend: DatabaseBackend) -> SimpleExpr {
        holds_lease(backend, self.job, &self.worker)
    }

    /// The condition "this lease still holds", for the `WHERE` of every
    /// write a job makes (as `EXISTS (SELECT 1 FROM jobs WHERE …)`), so a
    /// worker that lost its lease writes nothing and stops.
    pub fn holds(&self, backend: DatabaseBackend) -> SimpleExpr {
        Expr::exists(
            sea_orm::sea_query::Query::select()
                .expr(Expr::val(1))
                .from(job::Entity)
                .and_where(holds_lease(backend, self.job, &self.worker))
                .to_owned(),
        )
    }
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
    /// call [`JobQueue::announce`] once that transaction committed. `false`
    /// when a job with the same dedupe key exists (whatever its status):
    /// nothing was added, and the transaction is still usable (`ON CONFLICT
    /// DO NOTHING`, never a caught unique violation, which would abort a
    /// PostgreSQL transaction).
    pub async fn enqueue<C: ConnectionTrait>(
        &self,
        conn: &C,
        new: NewJob,
    ) -> Result<bool, AppError> {
        let now = Utc::now();
        let row = job::ActiveModel {
            id: Set(JobId::generate()),
            queue: Set(new.queue.to_owned()),
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
        };
        let inserted = job::Entity::insert(row)
            .on_conflict_do_nothing_on([job::Column::DedupeKey])
            .exec_without_returning(conn)
            .await?;
        Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
    }

    /// Puts the job with `dedupe_key` back in the queue when it ended
    /// (succeeded or failed) or was never written, with its attempts reset:
    /// for work found unfinished although its job is gone. `false` when the
    /// job is queued or running already.
    pub async fn revive(&self, new: NewJob) -> Result<bool, AppError> {
        let now = Utc::now();
        let revived = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Queued))
            .col_expr(job::Column::RunAt, Expr::value(now))
            .col_expr(job::Column::Attempts, Expr::value(0))
            .col_expr(job::Column::LockedBy, Expr::value(Option::<String>::None))
            .col_expr(
                job::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                job::Column::FinishedAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::DedupeKey.eq(new.dedupe_key.as_str()))
            .filter(job::Column::Status.is_in([JobStatus::Succeeded, JobStatus::Failed]))
            .exec(&self.db)
            .await?;
        if revived.rows_affected > 0 {
            return Ok(true);
        }
        self.enqueue(&self.db, new).await
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
        let statement = match backend {
            DatabaseBackend::Postgres => Statement::from_sql_and_values(
                backend,
                format!(
                    "UPDATE jobs SET status = 'running', locked_by = $1, \
                     locked_until = now() + interval '{} seconds', \
                     attempts = attempts + 1, updated_at = now() \
                     WHERE id = (SELECT id FROM jobs WHERE queue = $2 AND \
                     ((status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now())) \
                     ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *",
                    LEASE.as_secs()
                ),
                [worker.into(), QUEUE.into()],
            ),
            _ => {
                let now = Utc::now();
                let until = now + chrono::Duration::from_std(LEASE).unwrap_or_default();
                Statement::from_sql_and_values(
                    backend,
                    "UPDATE jobs SET status = 'running', locked_by = ?1, locked_until = ?2, \
                     attempts = attempts + 1, updated_at = ?3 \
                     WHERE id = (SELECT id FROM jobs WHERE queue = ?4 AND \
                     ((status = 'queued' AND run_at <= ?3) OR (status = 'running' AND locked_until < ?3)) \
                     ORDER BY run_at LIMIT 1) RETURNING *",
                    [worker.into(), until.into(), now.into(), QUEUE.into()],
                )
            }
        };
        Ok(job::Entity::find()
            .from_raw_sql(statement)
            .one(&self.db)
            .await?)
    }

    /// Claims the queued job with `dedupe_key` for `worker`, if it is still
    /// queued: for jobs of a service's own queue, which it runs itself (one
    /// instance wins; the others see `None`).
    pub async fn claim_key(
        &self,
        worker: &str,
        dedupe_key: &str,
    ) -> Result<Option<job::Model>, AppError> {
        let backend = self.db.get_database_backend();
        let claimed = job::Entity::update_many()
            .col_expr(job::Column::Status, Expr::value(JobStatus::Running))
            .col_expr(job::Column::LockedBy, Expr::value(Some(worker.to_owned())))
            .col_expr(job::Column::LockedUntil, lease_end(backend))
            .col_expr(
                job::Column::Attempts,
                Expr::col(job::Column::Attempts).add(1),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(job::Column::DedupeKey.eq(dedupe_key))
            .filter(job::Column::Status.eq(JobStatus::Queued))
            .exec_with_returning(&self.db)
            .await?;
        Ok(claimed.into_iter().next())
    }

    /// Extends `worker`'s lease on `id`; `false` when the job is no longer
    /// this worker's (another took it over after the lease ran out).
    /// A lease that ran out is not renewed: another worker may hold the job
    /// by now, or take it any moment.
    pub async fn renew(&self, id: JobId, worker: &str) -> Result<bool, AppError> {
        let backend = self.db.get_database_backend();
        let updated = job::Entity::update_many()
            .col_expr(job::Column::LockedUntil, lease_end(backend))
            .filter(holds_lease(backend, id, worker))
            .exec(&self.db)
            .await?;
        Ok(updated.rows_affected == 1)
    }

    /// Ends `id` with a final status (only while `worker`'s lease holds).
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
            .filter(holds_lease(self.db.get_database_backend(), id, worker))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Puts `id` back in the queue to run at `at` (a retry after back-off,
    /// or the rest of a launch after a shutdown). `refund_attempt` gives the
    /// attempt back when the job did not fail (it was only interrupted).
    /// Only while `worker`'s lease holds: a lost lease leaves the job to
    /// whoever takes it over.
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
            .filter(holds_lease(self.db.get_database_backend(), id, worker))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}
