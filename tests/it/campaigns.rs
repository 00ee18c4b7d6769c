//! Campaigns: drafts checked as a whole, edited and deleted while nothing
//! runs, listed within each caller's scope at a constant statement cost,
//! and ad copy from the offline copywriter.

mod approval;
mod budget_policy;
mod dashboard;
mod drafts;
mod exactly_once;
mod kill;
mod launch;
mod lists;
mod meta;
mod pause_all;
mod regional;
mod stop_loss;
