//! How platform failures are told to people: plain words, the platform's
//! own where it gave some, and whether the failure is about the credentials.

use std::collections::BTreeSet;

use adapters::ad_platform::{AccountCheck, Assets, Capability, PermissionGap, PlatformError};

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
        let gaps: Vec<String> = check
            .missing_permissions
            .iter()
            .map(|name| {
                check
                    .permission_gaps
                    .iter()
                    .find(|g| &g.permission == name)
                    .map_or_else(|| name.clone(), gap_words)
            })
            .collect();
        return Some(format!(
            "The token lacks {}; nothing can be launched until it is granted. Create a token that grants it and save it again.",
            gaps.join(", ")
        ));
    }
    None
}

fn gap_words(gap: &PermissionGap) -> String {
    format!("{} (to {})", gap.permission, gap.purpose)
}

/// What a working connection still cannot do, in plain words ("Can launch traffic and
/// website campaigns; cannot use instant forms: …"), or `None` when nothing is missing.
/// Names every missing permission with what it is for, and the Page problems of lead ads
/// (no ADVERTISE task, lead forms Meta would not show).
pub(super) fn limitations(
    check: &AccountCheck,
    assets: &Assets,
    page_id: Option<&str>,
) -> Option<String> {
    let blocked: BTreeSet<Capability> = check
        .permission_gaps
        .iter()
        .flat_map(|g| g.blocks.iter().copied())
        .collect();
    let mut cannot = Vec::new();
    for capability in [Capability::InstantForms, Capability::LeadRetrieval] {
        let gaps: Vec<String> = check
            .permission_gaps
            .iter()
            .filter(|g| g.blocks.contains(&capability))
            .map(gap_words)
            .collect();
        if !gaps.is_empty() {
            cannot.push(format!(
                "cannot {} because the token lacks {}",
                capability.describe(),
                gaps.join(", ")
            ));
        }
    }
    if !blocked.contains(&Capability::InstantForms)
        && let Some(problem) = page_problem(assets, page_id)
    {
        cannot.push(format!(
            "cannot {}: {problem}",
            Capability::InstantForms.describe()
        ));
    }
    if cannot.is_empty() {
        return None;
    }
    Some(format!(
        "Can {}; {}. Grant what is missing and test again.",
        Capability::Campaigns.describe(),
        cannot.join("; ")
    ))
}

/// Why lead ads cannot run on the integration's Page (or on any listed Page when none is
/// set), if they cannot.
fn page_problem(assets: &Assets, page_id: Option<&str>) -> Option<String> {
    let pages: Vec<_> = assets
        .pages
        .iter()
        .filter(|p| page_id.is_none_or(|id| p.id == id))
        .collect();
    if pages.is_empty() {
        return Some(match page_id {
            Some(id) => format!("the token cannot use the Page {id}"),
            None => "the token lists no Facebook Page".to_owned(),
        });
    }
    let usable = pages
        .iter()
        .any(|p| p.can_advertise() && p.lead_forms_problem.is_none());
    if usable {
        return None;
    }
    let reasons: Vec<String> = pages
        .iter()
        .map(|p| match &p.lead_forms_problem {
            _ if !p.can_advertise() => format!(
                "on the Page “{}” the person lacks the ADVERTISE task (an Advertiser or higher role)",
                p.name
            ),
            Some(problem) => format!(
                "Meta would not show the lead forms of the Page “{}” ({})",
                p.name,
                problem.trim_end_matches('.')
            ),
            None => format!("the Page “{}” cannot be used", p.name),
        })
        .collect();
    Some(reasons.join("; "))
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
