//! The end-to-end suite: one test binary, one module per area. Every test
//! that touches the database runs on SQLite and on PostgreSQL.

mod access;
mod attacks;
mod auth;
mod campaigns;
mod contract;
mod creatives;
mod credits;
mod errors;
mod hardening;
mod health;
mod http;
mod integrations;
mod lead_delivery;
mod leads;
mod leads_live;
mod limits;
mod live;
mod multipart;
mod pagination;
mod platform_changes;
mod scale_out;
mod servers;
mod slow_clients;
mod token_expiry;
mod ui;
mod websocket;
