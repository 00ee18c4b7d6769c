//! A bounded lane for CPU-heavy work (password hashing, image decoding).
//!
//! `spawn_blocking` alone would start up to 512 threads, each hashing with
//! 19 MiB or decoding with up to 512 MiB: a burst of sign-ups or uploads
//! could exhaust memory. Work here waits for one of as many permits as the
//! machine has cores, so a burst queues instead.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use crate::error::AppError;

fn lane() -> &'static Semaphore {
    static LANE: OnceLock<Semaphore> = OnceLock::new();
    LANE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Semaphore::new(cores.max(1))
    })
}

/// Runs `work` on the blocking pool once a permit is free.
pub async fn run<T, F>(work: F) -> Result<T, AppError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let _permit = lane().acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}
