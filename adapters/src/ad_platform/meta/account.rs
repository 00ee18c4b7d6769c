//! Token and account checks, asset listing and targeting search.

use serde_json::json;

use super::{MetaAds, REQUIRED_PERMISSIONS, p, wire};
use crate::ad_platform::error::PlatformError;
use crate::ad_platform::types::*;

impl MetaAds {
    pub(super) async fn verify_account(
        &self,
        creds: &Credentials,
    ) -> Result<AccountCheck, PlatformError> {
        let me: wire::Named = self.get(creds, "me", vec![p("fields", "id,name")]).await?;
        let perms: wire::Page<wire::Permission> =
            self.get(creds, "me/permissions", Vec::new()).await?;
        let granted: Vec<String> = perms
            .data
            .into_iter()
            .filter(|x| x.status == "granted")
            .map(|x| x.permission)
            .collect();
        let missing = REQUIRED_PERMISSIONS
            .iter()
            .filter(|r| !granted.iter().any(|g| g == *r))
            .map(|r| (*r).to_owned())
            .collect();
        let account: wire::AdAccount = self
            .get(
                creds,
                &creds.ad_account_id,
                vec![p(
                    "fields",
                    "name,account_status,currency,timezone_name,amount_spent,disable_reason",
                )],
            )
            .await?;
        self.remember_currency(creds.account_number(), &account.currency);
        let minimums: wire::Page<wire::MinimumBudget> = self
            .get(
                creds,
                &format!("{}/minimum_budgets", creds.ad_account_id),
                Vec::new(),
            )
            .await?;
        let min_daily_budget = minimums
            .data
            .iter()
            .find(|m| m.currency.as_deref().is_none_or(|c| c == account.currency))
            .and_then(|m| m.min_daily_budget_imp);
        Ok(AccountCheck {
            user_id: me.id,
            user_name: me.name,
            granted_permissions: granted,
            missing_permissions: missing,
            ad_account_id: creds.ad_account_id.clone(),
            account_name: account.name,
            currency: account.currency,
            timezone: account.timezone_name,
            account_status: AccountStatus {
                code: account.account_status,
            },
            min_daily_budget,
        })
    }

    pub(super) async fn list_assets(&self, creds: &Credentials) -> Result<Assets, PlatformError> {
        let token = &creds.access_token;
        let account = Some(creds.account_number());
        let pages: Vec<wire::Named> = self
            .client
            .get_all(token, "me/accounts", vec![p("fields", "id,name")], account)
            .await?;
        let mut out = Assets::default();
        for page in pages {
            let forms: Vec<wire::Named> = self
                .client
                .get_all(
                    token,
                    &format!("{}/leadgen_forms", page.id),
                    vec![p("fields", "id,name,status")],
                    account,
                )
                .await?;
            out.pages.push(PageRef {
                id: page.id,
                name: page.name,
                lead_forms: forms
                    .into_iter()
                    .map(|f| NamedRef {
                        id: f.id,
                        name: f.name,
                    })
                    .collect(),
            });
        }
        let pixels: Vec<wire::Named> = self
            .client
            .get_all(
                token,
                &format!("{}/adspixels", creds.ad_account_id),
                vec![p("fields", "id,name")],
                account,
            )
            .await?;
        out.pixels = pixels
            .into_iter()
            .map(|x| NamedRef {
                id: x.id,
                name: x.name,
            })
            .collect();
        Ok(out)
    }

    pub(super) async fn search(
        &self,
        creds: &Credentials,
        kind: TargetingKind,
        query: &str,
        country: Option<&str>,
    ) -> Result<Vec<TargetingOption>, PlatformError> {
        let mut params = vec![p("q", query), p("limit", "25")];
        if kind == TargetingKind::Interest {
            params.push(p("type", "adinterest"));
            let found: wire::Page<wire::Interest> = self.get(creds, "search", params).await?;
            return Ok(found
                .data
                .into_iter()
                .map(|i| TargetingOption {
                    id: i.id,
                    name: i.name,
                    kind,
                    country_code: None,
                    audience_size: i.audience_size_upper_bound,
                })
                .collect());
        }
        let location_type = if kind == TargetingKind::Region {
            "region"
        } else {
            "city"
        };
        params.push(p("type", "adgeolocation"));
        params.push(p("location_types", json!([location_type]).to_string()));
        if let Some(c) = country {
            params.push(p("country_code", c));
        }
        let found: wire::Page<wire::GeoLocation> = self.get(creds, "search", params).await?;
        Ok(found
            .data
            .into_iter()
            .filter(|g| g.kind == location_type)
            .map(|g| TargetingOption {
                id: g.key,
                name: g.name,
                kind,
                country_code: g.country_code,
                audience_size: None,
            })
            .collect())
    }
}
