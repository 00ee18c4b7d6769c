//! The durable job queue on the `jobs` table and the worker that runs it.
//! Generic: a job kind is a name and a [`worker::Handler`]; what a job does
//! lives with the service it belongs to (the launch: `services::launch`).

pub mod queue;
pub mod worker;

pub use queue::{JobQueue, Lease, NewJob};
pub use worker::{Handler, Handlers, Outcome};
