//! Leadforge: a multi-tenant GraphQL platform that runs lead-generation agents.
//!
//! Layers go one way: `http` and `graphql` (thin) → `services` (the rules) →
//! `entities` (sea-orm), `adapters` (the outside world).

pub mod app;
pub mod auth;
pub mod authz;
pub mod blocking;
pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod keyfile;
pub mod media;
pub mod metrics;
pub mod services;
pub mod shapes;
pub mod storage;
pub mod telemetry;
pub mod vault;

pub use app::App;
pub use config::Config;
