//! Bounded lanes for CPU-heavy work: one for password hashing, one for
//! images.
//!
//! `spawn_blocking` alone would start up to 512 threads, each hashing with
//! 19 MiB or decoding with up to 512 MiB: a burst of sign-ups or uploads
//! could exhaust memory. Work here waits for a permit of its lane, so a
//! burst queues instead. The lanes are separate so a queue of uploads
//! never delays a sign-in, and images get at most half the cores, so
//! hashing always finds one.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use crate::error::AppError;

/// Which queue a piece of work waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Password hashing and verification: as many permits as cores.
    Passwords,
    /// Image hashing, decoding and encoding: half the cores, at least one.
    Images,
}

fn semaphore(lane: Lane) -> &'static Semaphore {
    static PASSWORDS: OnceLock<Semaphore> = OnceLock::new();
    static IMAGES: OnceLock<Semaphore> = OnceLock::new();
    let cores = || std::thread::available_parallelism().map_or(2, usize::from);
    match lane {
        Lane::Passwords => PASSWORDS.get_or_init(|| Semaphore::new(cores().max(1))),
        Lane::Images => IMAGES.get_or_init(|| Semaphore::new((cores() / 2).max(1))),
    }
}

/// Runs `work` on the blocking pool once a permit of `lane` is free.
pub async fn run<T, F>(lane: Lane, work: F) -> Result<T, AppError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let _permit = semaphore(lane)
        .acquire()
        .await
        .map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}
