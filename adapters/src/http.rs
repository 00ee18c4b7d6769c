//! The shared reqwest client builder: timeouts and a user agent. Clients are built once at
//! start and shared; never one per call.

use std::time::Duration;

/// User agent sent to the platforms.
pub const USER_AGENT: &str = concat!("leadforge-adapters/", env!("CARGO_PKG_VERSION"));

/// A client builder with connect and whole-request timeouts.
pub fn client_builder(
    connect_timeout: Duration,
    request_timeout: Duration,
) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(connect_timeout)
        .timeout(request_timeout)
}
