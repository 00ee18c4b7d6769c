//! The worker: a few tasks that claim due jobs, keep their lease while they
//! run, and sleep until the queue's bell rings (a job was enqueued in this
//! process) or a slow poll comes round (jobs enqueued by other instances,
//! retries coming due, leases of dead workers running out).
//!
//! On shutdown no new job is claimed; a running launch finishes the step it
//! is in, saves its progress and is put back in the queue for the next
//! start.

use std::time::Duration;

use chrono::Utc;
use entities::{JobStatus, job};
use tokio::{sync::watch, task::JoinSet};

use super::{
    launch::{self, LaunchPayload, Launcher, Outcome},
    queue::{CHANNEL, JobQueue, LEASE},
};

/// The fallback poll between bells.
pub const POLL: Duration = Duration::from_secs(5);
/// Starts `tasks` worker tasks (jobs run at once); the returned set ends
/// once `shutdown` turned true (or its sender is gone) and the running jobs
/// let go. With no tasks, nothing runs here, not even the listener.
pub fn spawn(
    queue: JobQueue,
    launcher: Launcher,
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
            launcher.clone(),
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
    launcher: Launcher,
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
            Ok(Some(job)) => handle(&queue, &launcher, &shutdown, &worker, job).await,
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
    launcher: &Launcher,
    shutdown: &watch::Receiver<bool>,
    worker: &str,
    job: job::Model,
) {
    // The lease is renewed in this same task, so a job cut off by an abort
    // stops renewing with it and another worker may take it over.
    let renewals = async {
        let mut tick = tokio::time::interval(LEASE / 3);
        tick.tick().await;
        loop {
            tick.tick().await;
            match queue.renew(job.id, worker).await {
                Ok(true) => {}
                // Taken over: the journal's lease check stops the launch.
                Ok(false) => break,
                Err(e) => tracing::warn!(error = %e, "renewing a job lease failed"),
            }
        }
        std::future::pending::<std::convert::Infallible>().await
    };
    let work = async {
        match job.kind.as_str() {
            launch::KIND => match serde_json::from_value::<LaunchPayload>(job.payload.clone()) {
                Ok(payload) => launcher
                    .run(
                        &payload,
                        &launch::Lease {
                            job: job.id,
                            worker: worker.to_owned(),
                        },
                        job.attempts,
                        job.max_attempts,
                        shutdown.clone(),
                    )
                    .await
                    .map_err(|e| e.to_string()),
                Err(e) => Err(format!("unreadable payload: {e}")),
            },
            other => Err(format!("no handler for job kind {other:?}")),
        }
    };
    let outcome = tokio::select! {
        outcome = work => outcome,
        never = renewals => match never {},
    };
    let settled = match outcome {
        Ok(Outcome::Done) => {
            queue
                .finish(job.id, worker, JobStatus::Succeeded, None)
                .await
        }
        Ok(Outcome::Interrupted) => {
            queue
                .requeue(
                    job.id,
                    worker,
                    Utc::now(),
                    Some("interrupted by a shutdown".into()),
                    true,
                )
                .await
        }
        Ok(Outcome::Retry { after, error }) => {
            tracing::info!(job = %job.id, attempt = job.attempts, ?after, %error, "job will be retried");
            let at = Utc::now() + chrono::Duration::from_std(after).unwrap_or_default();
            let requeued = queue.requeue(job.id, worker, at, Some(error), false).await;
            // Ring when it comes due rather than waiting for the slow poll.
            let bell = queue.clone();
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                bell.wake();
            });
            requeued
        }
        Err(error) if job.attempts < job.max_attempts => {
            tracing::warn!(job = %job.id, %error, "job failed; it will be retried");
            let at = Utc::now()
                + chrono::Duration::from_std(launch::backoff(job.attempts, None))
                    .unwrap_or_default();
            queue.requeue(job.id, worker, at, Some(error), false).await
        }
        Err(error) => {
            tracing::error!(job = %job.id, %error, "job failed for good");
            queue
                .finish(job.id, worker, JobStatus::Failed, Some(error))
                .await
        }
    };
    if let Err(e) = settled {
        // The lease runs out and another worker takes the job over.
        tracing::warn!(error = %e, job = %job.id, "recording a job's outcome failed");
    }
}
