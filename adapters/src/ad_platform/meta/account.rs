//! Token and account checks, asset listing and targeting search.

use serde_json::json;

use secrecy::SecretString;

use super::{MetaAds, PERMISSIONS, REQUIRED_PERMISSIONS, p, wire};
use crate::ad_platform::account::TokenExpiry;
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
        let permission_gaps = PERMISSIONS
            .iter()
            .filter(|(name, _, _)| !granted.iter().any(|g| g == name))
            .map(|(name, purpose, blocks)| PermissionGap {
                permission: (*name).to_owned(),
                purpose: (*purpose).to_owned(),
                blocks: blocks.to_vec(),
            })
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
            permission_gaps,
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

    /// The token's expiry dates from `GET /debug_token` (the token inspecting itself,
    /// which Meta allows a user or system-user token to do). Unknown when Meta does not
    /// answer: the connection test does not fail for it.
    pub(super) async fn read_token_expiry(&self, creds: &Credentials) -> TokenExpiry {
        use secrecy::ExposeSecret;
        let params = vec![p(
            "input_token",
            creds.access_token.expose_secret().to_owned(),
        )];
        match self
            .get::<wire::DebugToken>(creds, "debug_token", params)
            .await
        {
            Ok(debug) => debug.data.expiry(),
            Err(e) => {
                tracing::info!(error = %e, "debug_token did not answer; token expiry unknown");
                TokenExpiry::default()
            }
        }
    }

    /// Pages with their lead forms, and pixels. Page edges take a Page access token (Meta:
    /// `GET /{page}/leadgen_forms` "requires a Page access token"), obtained here from the
    /// user token through `me/accounts` and used for that Page only; it is never stored or
    /// logged. A Page edge refusing its token (even with 190) is that Page's problem,
    /// reported on the Page, never a verdict on the user's token.
    pub(super) async fn list_assets(&self, creds: &Credentials) -> Result<Assets, PlatformError> {
        let token = &creds.access_token;
        let account = Some(creds.account_number());
        let listed = self
            .client
            .get_all::<wire::PageAccount>(
                token,
                "me/accounts",
                vec![p("fields", "id,name,access_token,tasks")],
                account,
            )
            .await;
        let pages = match listed {
            Ok(pages) => pages,
            // Without pages_show_list there are no Pages to list; verify names the
            // permission, and the rest of the account still works.
            Err(PlatformError::Permission { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut out = Assets::default();
        for page in pages {
            let (forms, lead_forms_problem) = match &page.access_token {
                Some(page_token) => self.page_forms(page_token, &page.id, account).await?,
                None => (
                    Vec::new(),
                    Some(
                        "Meta gave no Page access token for this Page: the person needs a task on the Page (Advertiser or higher) and the pages_show_list permission."
                            .to_owned(),
                    ),
                ),
            };
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
                tasks: page.tasks,
                lead_forms_problem,
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

    /// A Page's lead forms, read with that Page's token. Refusals (token, permission,
    /// task, unknown Page) become the Page's problem; rate limits and outages stay errors.
    async fn page_forms(
        &self,
        page_token: &SecretString,
        page_id: &str,
        account: Option<&str>,
    ) -> Result<(Vec<wire::Named>, Option<String>), PlatformError> {
        let forms = self
            .client
            .get_all::<wire::Named>(
                page_token,
                &format!("{page_id}/leadgen_forms"),
                vec![p("fields", "id,name,status")],
                account,
            )
            .await;
        match forms {
            Ok(forms) => Ok((forms, None)),
            Err(
                e @ (PlatformError::Auth { .. }
                | PlatformError::Permission { .. }
                | PlatformError::Blocked { .. }
                | PlatformError::Invalid(_)),
            ) => {
                tracing::info!(
                    page = page_id,
                    class = e.class(),
                    code = e.platform_code().0,
                    "Meta refused a Page's lead forms to its Page token"
                );
                Ok((Vec::new(), Some(e.user_message())))
            }
            Err(e) => Err(e),
        }
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
