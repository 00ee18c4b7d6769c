//! `previewLaunch`: the dry run of a launch. Every check a launch depends on
//! comes back with a plain message; the platform validates the campaign
//! without creating it (Meta's `validate_only`), and what needs a real
//! parent (ad set, creative) is checked locally the way the platform would,
//! on the same launch plan the launch sends (`services::launch::plan`).
//! Nothing is created remotely and no credit moves; a draft without copy
//! gets the copywriter's, saved on the draft, so what the dry run shows is
//! what launches.

use adapters::ad_platform::{
    AdPlatform, CreateMode,
    launch::{category_countries, check_audience_rules, check_request},
    types::CampaignSpec,
};
use entities::{
    CampaignStatus, IntegrationStatus, MEDIA_BUYER_AGENT_KEY, RowScope, TenantScoped, creative,
    json::{AdCopy, CopyAuthor},
    user_integration,
};
use sea_orm::{ColumnTrait, QueryFilter};

use super::{CampaignsService, EDITABLE};
use crate::{
    auth::Principal,
    authz::Action,
    error::AppError,
    services::{
        agents,
        copy::copy_failure,
        credits,
        integrations::provider_name,
        launch::plan::{CopyFailure, CopySource, LaunchPlan, copy_of, creatives_of},
    },
    shapes::{ToPlatform, category_to_platform, dsa_of, objective_to_platform},
};

/// One check of the dry run.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub message: String,
}

/// What `previewLaunch` answers.
#[derive(Debug, Clone)]
pub struct Preview {
    pub checks: Vec<Check>,
    pub credit_cost: i64,
    pub credit_balance: i64,
    pub ad_copy: Option<AdCopy>,
}

impl Preview {
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

fn check(name: &'static str, ok: bool, message: impl Into<String>) -> Check {
    Check {
        name,
        ok,
        message: message.into(),
    }
}

impl CampaignsService {
    /// Runs every check of a launch of campaign `id` without launching it.
    pub async fn preview(
        &self,
        principal: &Principal,
        id: entities::CampaignId,
    ) -> Result<Preview, AppError> {
        let campaign = self.get(principal, id, Action::Update).await?;
        let owner = RowScope::Own {
            tenant: campaign.tenant_id,
            user: campaign.user_id,
        };
        let mut checks = Vec::new();
        checks.push(if EDITABLE.contains(&campaign.status) {
            check(
                "status",
                true,
                "The campaign is a draft and can be launched.",
            )
        } else if campaign.status == CampaignStatus::Launching {
            check("status", false, "The campaign is launching already.")
        } else {
            check("status", false, "The campaign was launched already.")
        });

        let agent = agents::view_of(&self.db, campaign.tenant_id, MEDIA_BUYER_AGENT_KEY).await?;
        checks.push(match agents::ensure_enabled(&agent, campaign.provider) {
            Ok(()) => check(
                "agent",
                true,
                format!(
                    "The {} agent may use {} in your organisation.",
                    agent.agent.name,
                    provider_name(campaign.provider)
                ),
            ),
            Err(e) => check("agent", false, e.to_string()),
        });
        let cost = i64::from(agent.agent.credit_cost);
        let balance = credits::balance_of(&self.db, campaign.user_id).await?;
        checks.push(if balance >= cost {
            check(
                "credits",
                true,
                format!("A launch costs {cost} credits; the balance is {balance}."),
            )
        } else {
            check(
                "credits",
                false,
                format!("A launch costs {cost} credits and the balance is only {balance}."),
            )
        });

        let creatives = creatives_of(&self.db, &campaign).await?;
        checks.push(if creatives.is_empty() {
            check("creatives", false, "Choose at least one creative.")
        } else {
            check(
                "creatives",
                true,
                format!(
                    "{} creative(s), each a JPEG or PNG checked at upload; one ad each.",
                    creatives.len()
                ),
            )
        });

        let ad_copy = match copy_of(&self.db, self.copywriter.as_ref(), &campaign).await {
            Ok((copy, source)) => Some((copy, source)),
            Err(CopyFailure::Db(e)) => return Err(e.into()),
            Err(CopyFailure::Copywriter(e)) => {
                checks.push(check("copy", false, copy_failure(e).to_string()));
                None
            }
        };
        if let Some((copy, source)) = &ad_copy {
            let words = copy.to_platform().map_err(AppError::internal)?;
            checks.push(match words.validate() {
                Ok(()) => check(
                    "copy",
                    true,
                    match source {
                        CopySource::Draft => "The copy fits the platform's lengths.",
                        CopySource::WrittenNow => match copy.written_by {
                            Some(CopyAuthor::Gemini) => {
                                "Gemini (AI) wrote this copy and it is saved on the draft: these are the words that launch. It fits the platform's lengths."
                            }
                            _ => {
                                "The offline template (not AI) wrote this copy and it is saved on the draft: these are the words that launch. It fits the platform's lengths."
                            }
                        },
                    },
                ),
                Err(problem) => check("copy", false, format!("The copy does not fit: {problem}.")),
            });
        }
        let ad_copy = ad_copy.map(|(copy, _)| copy);

        let integration = user_integration::Entity::within(owner)
            .filter(user_integration::Column::Id.eq(campaign.integration_id))
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        if integration.status != IntegrationStatus::Verified {
            checks.push(check(
                "credentials",
                false,
                "Test the integration's connection successfully first.",
            ));
            return Ok(Preview {
                checks,
                credit_cost: cost,
                credit_balance: balance,
                ad_copy,
            });
        }
        if let Some(currency) = integration.currency.as_deref() {
            checks.push(
                match self
                    .budget
                    .check_spend(
                        &self.db,
                        campaign.tenant_id,
                        currency,
                        campaign.id,
                        campaign.daily_budget_cents,
                    )
                    .await?
                {
                    Ok(()) => check(
                        "policy",
                        true,
                        "The daily budget is within your organisation's budget policy.",
                    ),
                    Err(refusal) => check("policy", false, refusal.to_string()),
                },
            );
        }
        let name = provider_name(integration.provider);
        let (adapter, creds) = self.integrations.open(&integration)?;
        let platform_checks = self
            .platform_checks(
                adapter.as_ref(),
                &creds,
                &campaign,
                &integration,
                ad_copy.as_ref(),
                &creatives,
            )
            .await;
        match platform_checks {
            Ok(found) => checks.extend(found),
            Err(e) => checks.push(check(
                "credentials",
                false,
                format!(
                    "{name} could not be asked: {}",
                    crate::services::integrations::platform_failure(e, name)
                ),
            )),
        }
        Ok(Preview {
            checks,
            credit_cost: cost,
            credit_balance: balance,
            ad_copy,
        })
    }

    async fn platform_checks(
        &self,
        adapter: &dyn AdPlatform,
        creds: &adapters::ad_platform::Credentials,
        campaign: &entities::ad_campaign::Model,
        integration: &user_integration::Model,
        copy: Option<&AdCopy>,
        creatives: &[creative::Model],
    ) -> Result<Vec<Check>, adapters::ad_platform::PlatformError> {
        let name = provider_name(integration.provider);
        let (account, assets) = tokio::try_join!(adapter.verify(creds), adapter.assets(creds))?;
        let mut checks = Vec::new();
        checks.push(if account.account_status.is_active() {
            check(
                "credentials",
                true,
                format!(
                    "The token works and the ad account “{}” can run ads.",
                    account.account_name
                ),
            )
        } else {
            check(
                "credentials",
                false,
                format!(
                    "The ad account is {} on {name}.",
                    account.account_status.name()
                ),
            )
        });
        let min = account.min_daily_budget.unwrap_or(1);
        checks.push(if campaign.daily_budget_cents >= min {
            check(
                "budget",
                true,
                format!(
                    "The daily budget {} meets the account's minimum of {}.",
                    adapters::ad_platform::money::format_minor(
                        campaign.daily_budget_cents,
                        &account.currency
                    ),
                    adapters::ad_platform::money::format_minor(min, &account.currency)
                ),
            )
        } else {
            check(
                "budget",
                false,
                format!(
                    "The daily budget must be at least {} on this account.",
                    adapters::ad_platform::money::format_minor(min, &account.currency)
                ),
            )
        });

        let category = category_to_platform(campaign.special_ad_category);
        let audience = campaign.target_audience.to_platform().ok();
        if let Some(audience) = &audience {
            checks.push(match check_audience_rules(category, audience) {
                Ok(()) if category.is_special() => check(
                    "audience",
                    true,
                    format!(
                        "The audience fits the limits of the special ad category ({}).",
                        category.label()
                    ),
                ),
                Ok(()) => check(
                    "audience",
                    true,
                    "The audience needs no special verification.",
                ),
                Err(e) => check("audience", false, e.user_message()),
            });
            if audience.includes_eu() {
                checks.push(self.dsa_check(adapter, creds, integration).await?);
            }
        }

        // The platform validates the campaign without creating it.
        let spec = CampaignSpec {
            name: campaign.campaign_name.clone(),
            tag: preview_tag(campaign.id),
            objective: objective_to_platform(campaign.objective),
            campaign_daily_budget: None,
            special_ad_category: category,
            category_countries: audience
                .as_ref()
                .map(|a| category_countries(category, a))
                .unwrap_or_default(),
        };
        let validated = adapter
            .create_campaign(creds, &spec, CreateMode::ValidateOnly)
            .await;
        // The ad set and creatives need a real parent: checked here the
        // way the platform checks them.
        let local = match copy {
            Some(copy) => {
                LaunchPlan::build(campaign, integration, &assets, creatives.to_vec(), copy)
                    .and_then(|plan| check_request(&plan.request).map_err(|e| e.user_message()))
            }
            None => Err("There is no copy to check.".to_owned()),
        };
        checks.push(match (validated, local) {
            (Ok(_), Ok(())) => check(
                "platform",
                true,
                format!("{name} accepts the campaign, and the ad set and ads pass its rules."),
            ),
            (Err(e), _) => check(
                "platform",
                false,
                format!("{name} would refuse the campaign: {}", e.user_message()),
            ),
            (_, Err(why)) => check(
                "platform",
                false,
                format!("{name} would refuse the ads: {why}"),
            ),
        });
        Ok(checks)
    }
}

impl CampaignsService {
    /// Who the ads reaching the EU will name as beneficiary and payor, and
    /// where those names come from.
    async fn dsa_check(
        &self,
        adapter: &dyn AdPlatform,
        creds: &adapters::ad_platform::Credentials,
        integration: &user_integration::Model,
    ) -> Result<Check, adapters::ad_platform::PlatformError> {
        let (parties, source) = match dsa_of(integration) {
            Some(named) => (Some(named), "as set on the integration"),
            None => (
                adapter.dsa_defaults(creds).await?,
                "from the ad account's defaults or Meta's recommendations; set them on the integration to choose",
            ),
        };
        Ok(match parties {
            Some(p) => check(
                "dsa",
                true,
                format!(
                    "The audience reaches the EU: the ads name “{}” as beneficiary and “{}” as payor ({source}).",
                    p.beneficiary, p.payor
                ),
            ),
            None => check(
                "dsa",
                false,
                "The audience reaches the EU, whose rules need a beneficiary and a payor for every ad, and the ad account names none: set them on the integration.",
            ),
        })
    }
}

/// The tag the dry run names its validate-only objects with: nothing is
/// created, so it need only look like a real one.
fn preview_tag(campaign: entities::CampaignId) -> String {
    format!("lf-{}-preview", campaign.into_uuid().simple())
}
