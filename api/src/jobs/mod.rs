//! Background work on the durable `jobs` table: the queue, the worker that
//! runs it, and the media-buyer launch job.

pub mod audited;
pub mod insights;
pub mod journal;
pub mod launch;
pub mod queue;
pub mod worker;

pub use queue::{JobQueue, NewJob};
