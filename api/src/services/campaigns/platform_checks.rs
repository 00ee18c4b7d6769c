//! The checks of a campaign only its ad platform can answer: the account's
//! minimum daily budget, and whether the chosen lead form or pixel belongs
//! to the integration's account and Page.

use adapters::ad_platform::{AdPlatform, Assets, Credentials, money};
use entities::user_integration;

use super::CampaignInput;
use crate::{
    error::{AppError, InputProblem},
    services::integrations::{platform_failure, provider_name},
};

/// The problems found; a platform that cannot be asked is an error of its
/// own (the member learns why, and nothing is saved).
pub async fn check(
    adapter: &dyn AdPlatform,
    creds: &Credentials,
    integration: &user_integration::Model,
    input: &CampaignInput,
) -> Result<Vec<InputProblem>, AppError> {
    let name = provider_name(integration.provider);
    let (account, assets) = tokio::try_join!(adapter.verify(creds), adapter.assets(creds))
        .map_err(|e| platform_failure(e, name))?;
    let mut problems = Vec::new();
    if let Some(min) = account.min_daily_budget
        && input.daily_budget_cents > 0
        && input.daily_budget_cents < min
    {
        problems.push(InputProblem::new(
            "dailyBudgetCents",
            format!(
                "{name} needs a daily budget of at least {} ({min} minor units) on this ad account.",
                money::format_minor(min, &account.currency)
            ),
        ));
    }
    problems.extend(asset_problems(
        &assets,
        integration.page_id.as_deref(),
        input,
    ));
    Ok(problems)
}

/// Whether the lead form and pixel exist for the account and Page, and a
/// Page to run the ads as exists at all.
pub fn asset_problems(
    assets: &Assets,
    page_id: Option<&str>,
    input: &CampaignInput,
) -> Vec<InputProblem> {
    let mut problems = Vec::new();
    let pages: Vec<_> = assets
        .pages
        .iter()
        .filter(|p| page_id.is_none_or(|id| p.id == id))
        .collect();
    if pages.is_empty() {
        problems.push(InputProblem::new(
            "integrationId",
            "Ads run as a Facebook Page, and this integration's token has none: set the integration's Page first.",
        ));
    }
    if let Some(form) = &input.lead_form_id
        && !pages
            .iter()
            .any(|p| p.lead_forms.iter().any(|f| &f.id == form))
    {
        problems.push(InputProblem::new(
            "leadFormId",
            "This lead form is not one of the integration's Page; pick one from platformAssets.",
        ));
    }
    if let Some(pixel) = &input.pixel_id
        && !assets.pixels.iter().any(|p| &p.id == pixel)
    {
        problems.push(InputProblem::new(
            "pixelId",
            "This pixel is not one of the integration's ad account; pick one from platformAssets.",
        ));
    }
    problems
}

/// The Page a campaign's ads run as: the integration's, else the lead
/// form's, else the first the token may use.
pub fn page_for(assets: &Assets, page_id: Option<&str>, lead_form: Option<&str>) -> Option<String> {
    if let Some(id) = page_id {
        return Some(id.to_owned());
    }
    if let Some(form) = lead_form
        && let Some(page) = assets
            .pages
            .iter()
            .find(|p| p.lead_forms.iter().any(|f| f.id == form))
    {
        return Some(page.id.clone());
    }
    assets.pages.first().map(|p| p.id.clone())
}
