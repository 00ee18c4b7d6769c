//! Budget policy: per tenant and currency, the largest daily budget one
//! campaign may have and the largest sum of daily budgets the tenant's
//! campaigns that can spend may reach. Set by the chief architect in major
//! units (dollars, yen) and kept in minor units, converted with the
//! currency's exponent; where a tenant has no policy for a currency, the
//! server's default caps a campaign (and nothing caps the sum).
//!
//! Every way a campaign's budget comes to spend asks this module: a draft
//! saved (the campaign cap), a launch accepted and a resume (both caps,
//! under the tenant's lock, see [`hold_for`]), and the dry run (both, as a
//! check). A later change of the policy binds what starts after it; what
//! runs keeps running.

use adapters::ad_platform::money::{self, MAX_MAJOR_AMOUNT};
use chrono::Utc;
use entities::{
    CampaignId, CampaignStatus, TenantId, ad_campaign, budget_limit, tenant, user_integration,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, FromQueryResult,
    JoinType, QueryFilter, QueryOrder, QuerySelect, RelationTrait, TransactionTrait,
    sea_query::{Alias, Expr, Func, OnConflict, SimpleExpr},
};

use super::audit::{AuditEntry, AuditService};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
};

/// Statuses in which a campaign's daily budget can be spent (or is about to
/// be): what the tenant's total counts.
pub const SPENDING: [CampaignStatus; 3] = [
    CampaignStatus::AwaitingApproval,
    CampaignStatus::Launching,
    CampaignStatus::Active,
];

/// The limits that bind campaigns of one tenant in one currency, in minor
/// units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub currency: String,
    /// The largest daily budget of one campaign.
    pub campaign_daily: i64,
    /// Whether `campaign_daily` is the server's default (no policy row).
    pub campaign_daily_is_default: bool,
    /// The largest sum of daily budgets of campaigns that can spend.
    pub tenant_daily: Option<i64>,
}

/// Why a budget is refused; each names the limit in the currency's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "The daily budget {} is above {} limit of {} a campaign{}.",
        money::format_minor(*budget, currency),
        if *default { "the server's" } else { "your organisation's" },
        money::format_minor(*limit, currency),
        if *default { " where no budget policy is set for this currency; the chief architect can set one" } else { "; the chief architect can change it" }
    )]
    CampaignDaily {
        budget: i64,
        limit: i64,
        currency: String,
        default: bool,
    },
    #[error(
        "Your organisation's running campaigns in {currency} already spend up to {} a day; with this campaign's {} that would be {}, above the limit of {} a day. Lower a budget or pause a campaign first.",
        money::format_minor(*running, currency),
        money::format_minor(*budget, currency),
        money::format_minor(running.saturating_add(*budget), currency),
        money::format_minor(*limit, currency)
    )]
    TenantDaily {
        budget: i64,
        running: i64,
        limit: i64,
        currency: String,
    },
}

impl Refusal {
    /// The limit that was hit, in minor units.
    pub fn limit(&self) -> i64 {
        match self {
            Self::CampaignDaily { limit, .. } | Self::TenantDaily { limit, .. } => *limit,
        }
    }

    pub fn currency(&self) -> &str {
        match self {
            Self::CampaignDaily { currency, .. } | Self::TenantDaily { currency, .. } => currency,
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::BudgetPolicy {
            message: refusal.to_string(),
            limit: refusal.limit(),
            currency: refusal.currency().to_owned(),
        }
    }
}

/// A tenant's policy as its screen shows it.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub tenant: TenantId,
    /// The campaign cap in major units of any currency without a row.
    pub default_campaign_major: i64,
    /// One row per currency with a policy, by currency.
    pub limits: Vec<budget_limit::Model>,
    /// Daily budgets of campaigns that can spend, per currency (minor
    /// units), by currency.
    pub running: Vec<(String, i64)>,
    /// Launches wait for the chief architect's approval.
    pub approval_required: bool,
}

impl PolicyView {
    /// What campaigns in `currency` spend per day now, in minor units.
    pub fn running_in(&self, currency: &str) -> i64 {
        self.running
            .iter()
            .find(|(c, _)| c == currency)
            .map_or(0, |(_, total)| *total)
    }
}

/// What the chief architect sets for one tenant and currency, in major
/// units; `None` lifts that limit (both `None` removes the policy row).
#[derive(Debug, Clone)]
pub struct LimitSetting {
    pub tenant: TenantId,
    pub currency: String,
    pub max_campaign_daily: Option<i64>,
    pub max_tenant_daily: Option<i64>,
}

/// The policy's rules over the database, built once in `Services::build`.
#[derive(Clone)]
pub struct BudgetPolicy {
    db: DatabaseConnection,
    authz: Authorizer,
    audit: AuditService,
    /// The campaign cap where a tenant has no policy, in major units.
    default_campaign_major: i64,
}

impl BudgetPolicy {
    pub fn new(
        db: DatabaseConnection,
        authz: Authorizer,
        audit: AuditService,
        default_campaign_major: i64,
    ) -> Self {
        Self {
            db,
            authz,
            audit,
            default_campaign_major,
        }
    }

    /// The policy of the caller's tenant (of `tenant`, for the chief
    /// architect) with what its campaigns spend per day now: two
    /// statements, however many currencies.
    pub async fn view(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
    ) -> Result<PolicyView, AppError> {
        let tenant = self.tenant_of(principal, tenant, Action::Read).await?;
        let (limits, running) = tokio::try_join!(
            budget_limit::Entity::find()
                .filter(budget_limit::Column::TenantId.eq(tenant))
                .order_by_asc(budget_limit::Column::Currency)
                .all(&self.db),
            running_totals(&self.db, tenant),
        )?;
        let approval_required =
            crate::services::launch::approval::required(&self.db, tenant).await?;
        Ok(PolicyView {
            tenant,
            default_campaign_major: self.default_campaign_major,
            limits,
            running,
            approval_required,
        })
    }

    /// The limits that bind `tenant`'s campaigns in `currency` (the
    /// server's default where no policy row exists).
    pub async fn limits<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        currency: &str,
    ) -> Result<Limits, AppError> {
        let currency = currency.to_ascii_uppercase();
        let row = budget_limit::Entity::find_by_id((tenant, currency.clone()))
            .one(conn)
            .await?;
        let default =
            money::major_to_minor(self.default_campaign_major, &currency).unwrap_or(i64::MAX);
        Ok(match row {
            Some(row) => Limits {
                campaign_daily: row.max_campaign_daily_minor.unwrap_or(i64::MAX),
                campaign_daily_is_default: false,
                tenant_daily: row.max_tenant_daily_minor,
                currency,
            },
            None => Limits {
                campaign_daily: default,
                campaign_daily_is_default: true,
                tenant_daily: None,
                currency,
            },
        })
    }

    /// Checks one campaign's daily budget against the campaign cap alone:
    /// what a draft must meet to be saved.
    pub async fn check_campaign(
        &self,
        tenant: TenantId,
        currency: &str,
        daily_budget: i64,
    ) -> Result<Result<(), Refusal>, AppError> {
        let limits = self.limits(&self.db, tenant, currency).await?;
        Ok(campaign_cap(&limits, daily_budget))
    }

    /// Checks both caps for campaign `campaign` about to spend
    /// `daily_budget` a day, against the tenant's other campaigns that can
    /// spend in the same currency. Run it inside the transaction that
    /// moves the campaign into a spending status, after [`hold_for`].
    pub async fn check_spend<C: ConnectionTrait>(
        &self,
        conn: &C,
        tenant: TenantId,
        currency: &str,
        campaign: CampaignId,
        daily_budget: i64,
    ) -> Result<Result<(), Refusal>, AppError> {
        let limits = self.limits(conn, tenant, currency).await?;
        if let Err(refusal) = campaign_cap(&limits, daily_budget) {
            return Ok(Err(refusal));
        }
        let Some(limit) = limits.tenant_daily else {
            return Ok(Ok(()));
        };
        let running = running_total(conn, tenant, &limits.currency, Some(campaign)).await?;
        Ok(if running.saturating_add(daily_budget) > limit {
            Err(Refusal::TenantDaily {
                budget: daily_budget,
                running,
                limit,
                currency: limits.currency,
            })
        } else {
            Ok(())
        })
    }

    /// Sets (or, with both limits `None`, removes) one tenant's policy for
    /// one currency: chief architect only; audited with the numbers.
    pub async fn set(
        &self,
        principal: &Principal,
        setting: LimitSetting,
    ) -> Result<Option<budget_limit::Model>, AppError> {
        self.authz
            .authorize(principal, Resource::Budget, Action::Manage)
            .await?;
        let currency = currency_code(&setting.currency)?;
        let campaign = minor_limit(
            "maxCampaignDailyBudget",
            setting.max_campaign_daily,
            &currency,
        )?;
        let total = minor_limit("maxTenantDailyBudget", setting.max_tenant_daily, &currency)?;
        if let (Some(campaign), Some(total)) = (campaign, total)
            && campaign > total
        {
            return Err(AppError::bad_input(
                "maxCampaignDailyBudget",
                "A campaign's daily limit cannot exceed the organisation's total daily limit.",
            ));
        }
        tenant::Entity::find_by_id(setting.tenant)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("tenant"))?;
        let txn = self.db.begin().await?;
        let key = (setting.tenant, currency.clone());
        if campaign.is_none() && total.is_none() {
            budget_limit::Entity::delete_by_id(key.clone())
                .exec(&txn)
                .await?;
        } else {
            budget_limit::Entity::insert(budget_limit::ActiveModel {
                tenant_id: Set(setting.tenant),
                currency: Set(currency.clone()),
                max_campaign_daily_minor: Set(campaign),
                max_tenant_daily_minor: Set(total),
                updated_at: Set(Utc::now()),
                updated_by: Set(Some(principal.user_id)),
            })
            .on_conflict(
                OnConflict::columns([
                    budget_limit::Column::TenantId,
                    budget_limit::Column::Currency,
                ])
                .update_columns([
                    budget_limit::Column::MaxCampaignDailyMinor,
                    budget_limit::Column::MaxTenantDailyMinor,
                    budget_limit::Column::UpdatedAt,
                    budget_limit::Column::UpdatedBy,
                ])
                .to_owned(),
            )
            .exec(&txn)
            .await?;
        }
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "budget.set")
                    .target(format!("tenant:{}", setting.tenant))
                    .detail(serde_json::json!({
                        "currency": currency,
                        "maxCampaignDailyMinor": campaign,
                        "maxTenantDailyMinor": total,
                    })),
            )
            .await?;
        let row = budget_limit::Entity::find_by_id(key).one(&txn).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// The limits and the running total of the caller's tenant (of
    /// `tenant`, for the chief architect) in `currency`: what the policy
    /// screen shows beside each limit.
    pub async fn usage(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        currency: &str,
    ) -> Result<(Limits, i64), AppError> {
        let tenant = self.tenant_of(principal, tenant, Action::Read).await?;
        let currency = currency_code(currency)?;
        let limits = self.limits(&self.db, tenant, &currency).await?;
        let running = running_total(&self.db, tenant, &currency, None).await?;
        Ok((limits, running))
    }

    /// The tenant the caller acts on: their own, or any for a caller whose
    /// scope is every tenant.
    async fn tenant_of(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        action: Action,
    ) -> Result<TenantId, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Budget, action)
            .await?;
        Ok(match (scope, tenant) {
            (entities::RowScope::All, Some(t)) => t,
            (_, Some(t)) if t != principal.tenant_id => return Err(AppError::NotFound("tenant")),
            _ => principal.tenant_id,
        })
    }
}

/// Serialises budget decisions of one tenant across transactions and
/// processes: on PostgreSQL, locks the tenant's row until the transaction
/// ends, so two launches or resumes cannot each see the other's budget as
/// not yet running. SQLite has one writer at a time already (the caller's
/// transaction starts with its write), so nothing more is needed there.
pub async fn hold_for<C: ConnectionTrait>(conn: &C, tenant: TenantId) -> Result<(), AppError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        tenant::Entity::find_by_id(tenant)
            .lock_exclusive()
            .one(conn)
            .await?;
    }
    Ok(())
}

/// The audit entry of an action `action` on campaign `campaign` that the
/// policy refused, with the numbers that decided it.
pub fn refused(
    principal: &Principal,
    action: &'static str,
    campaign: CampaignId,
    refusal: &Refusal,
) -> AuditEntry {
    let (budget, running) = match refusal {
        Refusal::CampaignDaily { budget, .. } => (*budget, None),
        Refusal::TenantDaily {
            budget, running, ..
        } => (*budget, Some(*running)),
    };
    AuditEntry::by(principal, action)
        .target(format!("campaign:{campaign}"))
        .outcome(entities::AuditOutcome::Failure)
        .detail(serde_json::json!({
            "refusedBy": "budget_policy",
            "currency": refusal.currency(),
            "limitMinor": refusal.limit(),
            "dailyBudgetMinor": budget,
            "runningMinor": running,
        }))
}

/// The currency an integration's ad account counts in, known once its
/// connection was tested.
pub fn currency_of(integration: &user_integration::Model) -> Result<&str, AppError> {
    integration.currency.as_deref().ok_or_else(|| {
        AppError::IntegrationInvalid(
            "The ad account's currency is not known yet; test the integration's connection again."
                .to_owned(),
        )
    })
}

fn campaign_cap(limits: &Limits, daily_budget: i64) -> Result<(), Refusal> {
    if daily_budget > limits.campaign_daily {
        Err(Refusal::CampaignDaily {
            budget: daily_budget,
            limit: limits.campaign_daily,
            currency: limits.currency.clone(),
            default: limits.campaign_daily_is_default,
        })
    } else {
        Ok(())
    }
}

/// `SUM(daily_budget_cents)` as a 64-bit integer: PostgreSQL sums
/// `bigint` into `numeric`.
fn sum_of_budgets() -> SimpleExpr {
    Func::cast_as(
        Func::sum(Expr::col((
            ad_campaign::Entity,
            ad_campaign::Column::DailyBudgetCents,
        ))),
        Alias::new("bigint"),
    )
    .into()
}

#[derive(Debug, FromQueryResult)]
struct CurrencyTotal {
    currency: Option<String>,
    total: Option<i64>,
}

/// Daily budgets of `tenant`'s campaigns that can spend, summed per
/// currency of their ad accounts.
async fn running_totals<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
) -> Result<Vec<(String, i64)>, sea_orm::DbErr> {
    let rows = ad_campaign::Entity::find()
        .select_only()
        .column_as(user_integration::Column::Currency, "currency")
        .column_as(sum_of_budgets(), "total")
        .join(
            JoinType::InnerJoin,
            ad_campaign::Relation::UserIntegration.def(),
        )
        .filter(ad_campaign::Column::TenantId.eq(tenant))
        .filter(ad_campaign::Column::Status.is_in(SPENDING))
        .group_by(user_integration::Column::Currency)
        .order_by_asc(user_integration::Column::Currency)
        .into_model::<CurrencyTotal>()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.currency?, r.total.unwrap_or(0))))
        .collect())
}

#[derive(Debug, FromQueryResult)]
struct Total {
    total: Option<i64>,
}

/// The sum of daily budgets of `tenant`'s campaigns that can spend in
/// `currency` (the currency of their ad account), leaving out `except`.
async fn running_total<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    currency: &str,
    except: Option<CampaignId>,
) -> Result<i64, AppError> {
    let mut select = ad_campaign::Entity::find()
        .select_only()
        .column_as(sum_of_budgets(), "total")
        .join(
            JoinType::InnerJoin,
            ad_campaign::Relation::UserIntegration.def(),
        )
        .filter(ad_campaign::Column::TenantId.eq(tenant))
        .filter(ad_campaign::Column::Status.is_in(SPENDING))
        .filter(user_integration::Column::Currency.eq(currency));
    if let Some(except) = except {
        select = select.filter(ad_campaign::Column::Id.ne(except));
    }
    let total = select.into_model::<Total>().one(conn).await?;
    Ok(total.and_then(|t| t.total).unwrap_or(0))
}

/// A currency code as ISO 4217 writes it (three letters, upper case).
fn currency_code(raw: &str) -> Result<String, AppError> {
    let code = raw.trim().to_ascii_uppercase();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(AppError::bad_input(
            "currency",
            "The currency is a three-letter ISO 4217 code such as USD, EUR or JPY.",
        ))
    }
}

/// A limit in major units as minor units of `currency`.
fn minor_limit(field: &str, major: Option<i64>, currency: &str) -> Result<Option<i64>, AppError> {
    let Some(major) = major else {
        return Ok(None);
    };
    if !(1..=MAX_MAJOR_AMOUNT).contains(&major) {
        return Err(AppError::bad_input(
            field,
            format!(
                "A limit is a whole number of {currency} from 1 to {MAX_MAJOR_AMOUNT}, or empty for none."
            ),
        ));
    }
    money::major_to_minor(major, currency)
        .map(Some)
        .ok_or_else(|| AppError::bad_input(field, "The limit is too large."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(currency: &str, campaign: i64, tenant: Option<i64>) -> Limits {
        Limits {
            currency: currency.to_owned(),
            campaign_daily: campaign,
            campaign_daily_is_default: false,
            tenant_daily: tenant,
        }
    }

    #[test]
    fn limits_are_set_in_major_units_and_kept_in_minor_units() {
        assert_eq!(minor_limit("f", Some(500), "USD").unwrap(), Some(50_000));
        assert_eq!(minor_limit("f", Some(5_000), "JPY").unwrap(), Some(5_000));
        assert_eq!(minor_limit("f", None, "USD").unwrap(), None);
        assert!(minor_limit("f", Some(0), "USD").is_err());
        assert!(minor_limit("f", Some(MAX_MAJOR_AMOUNT + 1), "USD").is_err());
        assert_eq!(
            minor_limit("f", Some(MAX_MAJOR_AMOUNT), "USD").unwrap(),
            Some(MAX_MAJOR_AMOUNT * 100)
        );
    }

    #[test]
    fn the_campaign_cap_names_the_limit_in_the_currency() {
        let refusal = campaign_cap(&limits("JPY", 5_000, None), 5_001).unwrap_err();
        let words = refusal.to_string();
        assert!(
            words.contains("5001 JPY") && words.contains("5000 JPY"),
            "{words}"
        );
        assert!(campaign_cap(&limits("JPY", 5_000, None), 5_000).is_ok());
        let usd = campaign_cap(&limits("USD", 50_000, None), 50_001).unwrap_err();
        assert!(usd.to_string().contains("500.00 USD"), "{usd}");
    }

    #[test]
    fn currency_codes_are_three_letters() {
        assert_eq!(currency_code(" usd ").unwrap(), "USD");
        for bad in ["US", "USDT", "U$D", "", "ÜSD"] {
            assert!(currency_code(bad).is_err(), "{bad}");
        }
    }
}
