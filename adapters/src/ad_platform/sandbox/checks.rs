//! The Sandbox's checks of assets and targeting, and its scripted errors.

use std::time::Duration;

use super::catalog;
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::types::{AdSetSpec, Conversion, TargetingKind};
use crate::ad_platform::validate;

/// The scripted rate limit (Meta's 80004 text).
pub fn rate_limited() -> PlatformError {
    PlatformError::RateLimited {
        retry_after: Some(Duration::from_secs(60)),
        message: "There have been too many calls to this ad-account. Wait a bit and try again."
            .to_owned(),
        code: Some(80004),
        trace_id: Some("sandbox".to_owned()),
    }
}

/// The scripted temporary failure; `outcome_unknown` simulates a lost answer.
pub fn transient(outcome_unknown: bool) -> PlatformError {
    PlatformError::Transient {
        message: "An unexpected error has occurred. Please retry your request later.".to_owned(),
        code: (!outcome_unknown).then_some(2),
        trace_id: Some("sandbox".to_owned()),
        outcome_unknown,
    }
}

/// The ad set may only use the account's own Page, form, pixel and catalogue entries.
pub fn check_assets(n: &str, spec: &AdSetSpec) -> Result<(), PlatformError> {
    if spec.page_id != catalog::page(n).id {
        return Err(validate::invalid(
            "promoted_object",
            Some(1_885_154),
            "The ad set needs a Page you can promote",
            None,
        ));
    }
    match &spec.conversion {
        Conversion::Pixel { pixel_id } if *pixel_id != catalog::pixel(n).id => {
            return Err(validate::invalid(
                "promoted_object",
                None,
                "Invalid pixel id for this ad account",
                None,
            ));
        }
        Conversion::LeadForm { form_id } if *form_id != catalog::lead_form(n).id => {
            return Err(validate::invalid(
                "promoted_object",
                Some(3_390_001),
                "Missing Lead Form",
                None,
            ));
        }
        _ => {}
    }
    if let Some(bad) = spec
        .audience
        .interests
        .iter()
        .find(|i| !catalog::interest_exists(&i.id))
    {
        return Err(validate::invalid(
            "targeting",
            None,
            &format!("Invalid interest id {}", bad.id),
            Some("One of the chosen interests is not available."),
        ));
    }
    let unknown_geo = spec
        .audience
        .regions
        .iter()
        .any(|g| !catalog::geo_exists(TargetingKind::Region, &g.key))
        || spec
            .audience
            .cities
            .iter()
            .any(|g| !catalog::geo_exists(TargetingKind::City, &g.key));
    if unknown_geo {
        return Err(validate::invalid(
            "targeting",
            None,
            "Invalid location key in geo_locations",
            None,
        ));
    }
    Ok(())
}
