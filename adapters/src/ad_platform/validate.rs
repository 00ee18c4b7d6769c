//! Input checks shared by the offline Sandbox, mirroring what Meta rejects (same codes and
//! subcodes where the reference names them), so a campaign Meta would refuse is refused
//! offline too.

use super::error::{InvalidRequest, PlatformError};
use super::types::{
    AdSetSpec, Audience, CampaignSpec, Conversion, CreativeSpec, Objective, SpecialAdCategory,
};

/// Youngest age Meta lets ads target.
pub const AGE_MIN: u8 = 18;
/// Oldest age value; 65 means "65 and older".
pub const AGE_MAX: u8 = 65;

/// Builds a Meta-like invalid-parameter error.
pub fn invalid(
    field: &str,
    subcode: Option<i64>,
    message: &str,
    user: Option<&str>,
) -> PlatformError {
    PlatformError::Invalid(Box::new(InvalidRequest {
        field: Some(field.to_owned()),
        message: format!("(#100) {message}"),
        code: Some(100),
        subcode,
        user_title: user.map(|_| "Invalid parameter".to_owned()),
        user_message: user.map(str::to_owned),
        trace_id: None,
    }))
}

/// Checks a campaign spec.
pub fn campaign(spec: &CampaignSpec) -> Result<(), PlatformError> {
    if spec.name.trim().is_empty() {
        return Err(invalid(
            "name",
            None,
            "The parameter name is required",
            None,
        ));
    }
    if spec.special_ad_category.is_special() && spec.category_countries.is_empty() {
        return Err(invalid(
            "special_ad_category_country",
            None,
            "The parameter special_ad_category_country is required when special_ad_categories is set",
            None,
        ));
    }
    if let Some(budget) = spec.campaign_daily_budget
        && budget <= 0
    {
        return Err(invalid(
            "daily_budget",
            None,
            "daily_budget must be a positive integer",
            None,
        ));
    }
    Ok(())
}

/// Checks who the ads target.
pub fn audience(audience: &Audience) -> Result<(), PlatformError> {
    if audience.age_min < AGE_MIN || audience.age_max > AGE_MAX {
        return Err(invalid(
            "targeting",
            None,
            &format!("Invalid age range: ages must be between {AGE_MIN} and {AGE_MAX}"),
            Some("Choose ages between 18 and 65 (65 means 65 and older)."),
        ));
    }
    if audience.age_min > audience.age_max {
        return Err(invalid(
            "targeting",
            None,
            "age_min must not be greater than age_max",
            None,
        ));
    }
    if audience.countries.is_empty() && audience.regions.is_empty() && audience.cities.is_empty() {
        return Err(invalid(
            "targeting",
            None,
            "Targeting spec must include geo_locations",
            Some("Choose at least one location."),
        ));
    }
    if let Some(bad) = audience
        .countries
        .iter()
        .find(|c| !super::countries::is_targetable_country(c))
    {
        return Err(invalid(
            "targeting",
            None,
            &format!("Invalid country code {bad:?}"),
            None,
        ));
    }
    Ok(())
}

/// Checks the rules of a special ad category and of regions that need a
/// verified advertiser. Both are refused before anything is created: Meta
/// would refuse the ad set only after the campaign exists.
pub fn regional_rules(
    category: SpecialAdCategory,
    audience: &Audience,
) -> Result<(), PlatformError> {
    if let Some(region) = audience.verified_identity_regions().first() {
        return Err(invalid(
            "targeting",
            None,
            &format!(
                "Ads reaching {region} need an advertiser identity verified for {region} (regional_regulation_identities)"
            ),
            Some(&format!(
                "Ads shown in {region} need an advertiser verified for {region} on Meta, which Leadforge cannot name yet: remove {region} from the audience."
            )),
        ));
    }
    special_category(category, audience)
}

/// Checks the targeting limits of a special ad category: ages 18 to 65+
/// only. Leadforge sends no gender, postcode or exclusion, and reaches at
/// least 15 miles around a city under a category.
pub fn special_category(
    category: SpecialAdCategory,
    audience: &Audience,
) -> Result<(), PlatformError> {
    if !category.is_special() {
        return Ok(());
    }
    if audience.countries_reached().is_empty() {
        return Err(invalid(
            "special_ad_category_country",
            None,
            "The parameter special_ad_category_country is required when special_ad_categories is set",
            Some(&format!(
                "Campaigns about {} must name the countries they run in: add a country to the audience.",
                category.label()
            )),
        ));
    }
    if audience.age_min != AGE_MIN || audience.age_max != AGE_MAX {
        return Err(invalid(
            "targeting",
            None,
            &format!(
                "Ads in the special ad category {} must target ages {AGE_MIN}-{AGE_MAX}+; the age range cannot be narrowed",
                category.as_str()
            ),
            Some(&format!(
                "Campaigns about {} must reach every adult: set the ages to {AGE_MIN}–{AGE_MAX}+ (now {}–{}).",
                category.label(),
                audience.age_min,
                audience.age_max
            )),
        ));
    }
    Ok(())
}

/// The error of an audience in the EU whose DSA parties nobody named.
pub fn dsa_missing() -> PlatformError {
    invalid(
        "dsa_beneficiary",
        None,
        "dsa_beneficiary and dsa_payor are required for ad sets that reach the European Union",
        Some(
            "Ads reaching the EU must name who benefits from them and who pays for them: set the DSA beneficiary and payor on the integration (the ad account names no default).",
        ),
    )
}

/// Checks that the conversion fits the objective (Meta's 2490408 otherwise).
pub fn conversion(objective: Objective, conversion: &Conversion) -> Result<(), PlatformError> {
    let fits = matches!(
        (objective, conversion),
        (Objective::Leads, Conversion::LeadForm { .. })
            | (Objective::Leads, Conversion::Pixel { .. })
            | (Objective::Conversions, Conversion::Pixel { .. })
            | (Objective::Traffic, Conversion::LinkClicks)
    );
    if fits {
        Ok(())
    } else {
        Err(invalid(
            "optimization_goal",
            Some(2_490_408),
            "Performance goal isn't available with the objective you selected",
            Some("The performance goal you chose isn't available with this campaign objective."),
        ))
    }
}

/// Checks an ad set against its campaign's budget placement and the account's minimum.
pub fn ad_set(
    spec: &AdSetSpec,
    campaign_has_budget: bool,
    min_daily_budget: i64,
    currency: &str,
) -> Result<(), PlatformError> {
    audience(&spec.audience)?;
    regional_rules(spec.special_ad_category, &spec.audience)?;
    conversion(spec.objective, &spec.conversion)?;
    match (campaign_has_budget, spec.daily_budget) {
        (true, Some(_)) => Err(invalid(
            "daily_budget",
            Some(1_885_621),
            "Budget cannot be set at both the campaign and the ad set level",
            None,
        )),
        (false, None) => Err(invalid(
            "daily_budget",
            None,
            "The parameter daily_budget is required when the campaign has no budget",
            None,
        )),
        (false, Some(budget)) if budget < min_daily_budget => Err(invalid(
            "daily_budget",
            Some(1_885_272),
            "Budget too low",
            Some(&format!(
                "Your ad set budget must be more than {} or your ads may not be delivered.",
                super::money::format_minor(min_daily_budget, currency)
            )),
        )),
        _ => Ok(()),
    }
}

/// Checks a creative's link and copy.
pub fn creative(spec: &CreativeSpec) -> Result<(), PlatformError> {
    if spec.link_url.trim().is_empty() {
        return Err(invalid(
            "link",
            Some(2_061_015),
            "The link field is required",
            None,
        ));
    }
    let parsed = url::Url::parse(&spec.link_url);
    let ok = matches!(&parsed, Ok(u) if u.scheme() == "https" || u.scheme() == "http")
        && !spec.link_url.contains(' ');
    if !ok {
        return Err(invalid(
            "object_story_spec",
            Some(1_815_166),
            "Invalid creative's object story spec, please check the format of your object story spec.",
            None,
        ));
    }
    if spec.image_hash.is_empty() {
        return Err(invalid(
            "image_hash",
            Some(1_487_212),
            "Missing Image",
            Some("Please specify an image to run with this ad."),
        ));
    }
    spec.copy
        .validate()
        .map_err(|p| invalid("object_story_spec", None, &p.to_string(), None))
}
