//! Leadforge's outside world: ad platforms ([`ad_platform`]: Meta Marketing API, offline
//! Sandbox) and copywriters ([`copywriter`]: Gemini, offline Template). No database
//! access: callers persist what these return.
//!
//! With the `stand-in` feature, [`stand_in`] provides strict local stand-ins for the Meta
//! Graph API and for Gemini, for this crate's tests and the workspace's end-to-end tests.

pub mod ad_platform;
pub mod copywriter;
pub mod http;
#[cfg(feature = "stand-in")]
pub mod stand_in;
