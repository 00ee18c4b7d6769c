//! How platform failures are told to people: plain words, the platform's
//! own where it gave some, and whether the failure is about the credentials.

use adapters::ad_platform::{AccountCheck, PlatformError};

use crate::error::AppError;

/// Why a reachable account still cannot run ads, if it cannot.
pub(super) fn account_problem(check: &AccountCheck, name: &str) -> Option<String> {
    if !check.account_status.is_active() {
        return Some(format!(
            "The ad account “{}” is {} on {name}; it cannot run ads until that is resolved there.",
            check.account_name,
            check.account_status.name()
        ));
    }
    if !check.missing_permissions.is_empty() {
        return Some(format!(
            "The token lacks permission(s) {}; create a token that grants them.",
            check.missing_permissions.join(", ")
        ));
    }
    None
}

/// Plain words for a failed test, and whether the failure is about the
/// credentials themselves (rather than the network or the platform).
pub(super) fn failure_message(e: &PlatformError, name: &str) -> (String, bool) {
    let mut theirs = e.user_message().trim().to_owned();
    if !theirs.ends_with(['.', '!', '?']) {
        theirs.push('.');
    }
    match e {
        PlatformError::Auth { .. } => (
            format!(
                "{name} no longer accepts this access token (expired, revoked or wrong): {theirs} Create a new token and save it again."
            ),
            true,
        ),
        PlatformError::Blocked { .. } => (
            format!("{name} has blocked this account until its owner acts there: {theirs}"),
            true,
        ),
        PlatformError::Permission { .. } => (
            format!("The token cannot reach this ad account: {theirs}"),
            true,
        ),
        // Graph API code 100, subcode 33: the object does not exist for this token.
        PlatformError::Invalid(_) if e.platform_code() == (Some(100), Some(33)) => (
            format!(
                "The token cannot reach this ad account (it does not exist or the token has no access to it): {theirs}"
            ),
            true,
        ),
        PlatformError::Invalid(_) => (format!("{name} refused: {theirs}"), true),
        PlatformError::RateLimited { .. } => (
            format!("{name} is rate-limiting this account; test again later. {theirs}"),
            false,
        ),
        PlatformError::Transient { .. } | PlatformError::Unavailable { .. } => (
            format!("Could not reach {name}; check the network and try again. {theirs}"),
            false,
        ),
    }
}

/// A platform failure on a read, as the API reports it.
pub fn platform_failure(e: PlatformError, name: &str) -> AppError {
    match &e {
        PlatformError::Auth { .. }
        | PlatformError::Blocked { .. }
        | PlatformError::Permission { .. } => {
            AppError::IntegrationInvalid(failure_message(&e, name).0)
        }
        PlatformError::RateLimited { retry_after, .. } => AppError::RateLimited {
            message: failure_message(&e, name).0,
            retry_after: *retry_after,
        },
        _ => AppError::Platform {
            message: failure_message(&e, name).0,
            platform_code: e.platform_code().0,
            trace_id: e.trace_id().map(str::to_owned),
        },
    }
}
