//! The worker: a few tasks that claim due jobs, keep their lease while they
//! run, hand each to the [`Handler`] of its kind, and sleep until the
//! queue's bell rings (a job was enqueued in this process) or a slow poll
//! comes round (jobs enqueued by other instances, retries coming due,
//! leases of dead workers running out).
//!
//! The worker knows job kinds only by name: what a job does, and whether a
//! failure uses up an attempt, is its handler's business. On shutdown no
//! new job is claimed; a running job finishes the step it is in and says
//! when it may resume.

use std::{collections::HashMap, sync::Arc, time::Duration};

use async_trait::async_trait;
use chrono::Utc;
use entities::{JobStatus, job};
use tokio::{sync::watch, task::JoinSet};

use super::queue::{CHANNEL, JobQueue, LEASE, Lease};

/// The fallback poll between bells.
pub const POLL: Duration = Duration::from_secs(5);

/// What a handler says of one run of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished.
    Done,
    /// Failed for good; the job ends `failed` with this (internal) reason.
    Failed(String),
    /// Run again after `after`. `uses_attempt: false` gives the attempt
    /// back (the failure was not the job's, e.g. the database was down).
    Retry {
        after: Duration,
        error: String,
        uses_attempt: bool,
    },
    /// Stopped by a shutdown; resumes after `resume_after` (time for
    /// anything the run had in flight to land), the attempt given back.
    Interrupted { resume_after: Duration },
    /// The lease was lost: whoever holds the job now decides; nothing is
    /// written.
    LostLease,
}

/// Runs the jobs of one kind.
#[async_trait]
pub trait Handler: Send + Sync {
    /// Runs `job` under `lease`; `stop` turns true on shutdown.
    async fn run(&self, job: &job::Model, lease: &Lease, stop: watch::Receiver<bool>) -> Outcome;
}

/// The handlers by job kind.
#[derive(Clone, Default)]
pub struct Handlers(HashMap<&'static str, Arc<dyn Handler>>);

impl Handlers {
    /// Adds the handler of `kind`.
    #[must_use]
    pub fn with(mut self, kind: &'static str, handler: Arc<dyn Handler>) -> Self {
        self.0.insert(kind, handler);
        self
    }
}

/// Starts `tasks` worker tasks (jobs run at once); the returned set ends
/// once `shutdown` turned true (or its sender is gone) and the running jobs
/// let go. With no tasks, nothing runs here, not even the listener.
pub fn spawn(
    queue: JobQueue,
    handlers: Handlers,
    shutdown: watch::Receiver<bool>,
    tasks: usize,
) -> JoinSet<()> {
    let mut set = JoinSet::new();
    if tasks == 0 {
        return set;
    }
    let process = uuid::Uuid::now_v7().simple().to_string();
    for n in 0..tasks {
        let worker = format!("worker-{}-{n}", &process[..12]);
        set.spawn(run(
            queue.clone(),
            handlers.clone(),
            shutdown.clone(),
            worker,
        ));
    }
    if let Some(pool) = queue.postgres_pool() {
        set.spawn(listen(pool, queue, shutdown));
    }
    set
}
/// Rings this process's bell when any instance enqueued a job (PostgreSQL
/// LISTEN/NOTIFY); the slow poll covers a lost listener connection.
async fn listen(pool: sqlx::PgPool, queue: JobQueue, mut shutdown: watch::Receiver<bool>) {
    while !stopping(&shutdown) {
        match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => loop {
                    tokio::select! {
                        received = listener.recv() => match received {
                            Ok(_) => queue.wake(),
                            Err(e) => {
                                tracing::warn!(error = %e, "job notifications lost; reconnecting");
                                break;
                            }
                        },
                        _ = shutdown.changed() => return,
                    }
                },
                Err(e) => tracing::warn!(error = %e, "cannot listen for job notifications"),
            },
            Err(e) => tracing::warn!(error = %e, "cannot connect to listen for job notifications"),
        }
        tokio::select! {
            () = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => {}
        }
    }
}

fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
}

async fn run(
    queue: JobQueue,
    handlers: Handlers,
    mut shutdown: watch::Receiver<bool>,
    worker: String,
) {
    let bell = queue.bell();
    while !stopping(&shutdown) {
        // Listen before looking, so a bell rung between an empty claim and
        // the wait is not missed.
        let rung = bell.notified();
        tokio::pin!(rung);
        rung.as_mut().enable();
        match queue.claim(&worker).await {
            Ok(Some(job)) => handle(&queue, &handlers, &shutdown, &worker, job).await,
            Ok(None) => {
                tokio::select! {
                    () = &mut rung => {}
                    () = tokio::time::sleep(POLL) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "claiming a job failed; retrying after the poll interval");
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}

async fn handle(
    queue: &JobQueue,
    handlers: &Handlers,
    shutdown: &watch::Receiver<bool>,
    worker: &str,
    job: job::Model,
) {
    let lease = Lease {
        job: job.id,
        worker: worker.to_owned(),
    };
    // The lease is renewed in this same task, so a job cut off by an abort
    // stops renewing with it and another worker may take it over. A lease
    // that could not be renewed is not the handler's to act on: every write
    // it makes is fenced by the lease (see `Lease::holds`), so it stops at
    // its next write instead of being cut off mid-request.
    let renewals = async {
        let mut tick = tokio::time::interval(LEASE / 3);
        tick.tick().await;
        loop {
            tick.tick().await;
            match queue.renew(job.id, worker).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(job = %job.id, "the job's lease was lost; its next write stops it");
                    break;
                }
                Err(e) => tracing::warn!(error = %e, job = %job.id, "renewing a job lease failed"),
            }
        }
        std::future::pending::<std::convert::Infallible>().await
    };
    let work = async {
        match handlers.0.get(job.kind.as_str()) {
            Some(handler) => handler.run(&job, &lease, shutdown.clone()).await,
            None => Outcome::Failed(format!("no handler for job kind {:?}", job.kind)),
        }
    };
    let outcome = tokio::select! {
        outcome = work => outcome,
        never = renewals => match never {},
    };
    let settled = match outcome {
        Outcome::Done => {
            queue
                .finish(job.id, worker, JobStatus::Succeeded, None)
                .await
        }
        Outcome::Failed(error) => {
            tracing::error!(job = %job.id, kind = job.kind, %error, "job failed for good");
            queue
                .finish(job.id, worker, JobStatus::Failed, Some(error))
                .await
        }
        Outcome::Interrupted { resume_after } => {
            let at = Utc::now() + chrono::Duration::from_std(resume_after).unwrap_or_default();
            queue
                .requeue(
                    job.id,
                    worker,
                    at,
                    Some("interrupted by a shutdown".into()),
                    true,
                )
                .await
        }
        Outcome::Retry {
            after,
            error,
            uses_attempt,
        } => {
            tracing::info!(job = %job.id, kind = job.kind, attempt = job.attempts, ?after, %error, "job will be retried");
            let at = Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
            let requeued = queue
                .requeue(job.id, worker, at, Some(error), !uses_attempt)
                .await;
            // Ring when it comes due rather than waiting for the slow poll.
            let bell = queue.clone();
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                bell.wake();
            });
            requeued
        }
        Outcome::LostLease => Ok(()),
    };
    if let Err(e) = settled {
        // The lease runs out and another worker takes the job over.
        tracing::warn!(error = %e, job = %job.id, "recording a job's outcome failed");
    }
}
