//! A member's ad-platform connections: credentials sealed in the vault,
//! "Test connection" through the platform adapter, and the platform reads
//! that need them (Pages, pixels, lead forms, targeting search).

use std::sync::Arc;

use adapters::ad_platform::{
    self as platform, AdPlatform, AdapterRegistry, Assets, TargetingKind, TargetingOption,
    TokenExpiry,
};
use chrono::Utc;
use entities::{
    IntegrationId, IntegrationStatus, Provider, RowScope, TenantScoped, ad_campaign,
    user_integration::{ActiveModel, Column, Entity, Model},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use secrecy::{ExposeSecret, SecretString};

pub mod expiry;
mod failures;

pub use failures::platform_failure;

use failures::{account_problem, failure_message, limitations};

use super::{
    audit::{AuditEntry, AuditService},
    text::TextRule,
};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
    shapes::provider_to_platform,
    vault::{Credentials, RowBinding, Sealed, Vault},
};

const MAX_TOKEN_LEN: usize = 4096;

/// What `saveIntegration` asks for.
#[derive(Debug)]
pub struct SaveIntegration {
    pub provider: Provider,
    pub access_token: SecretString,
    pub ad_account_id: String,
    pub page_id: Option<String>,
}

/// The beneficiary and payor a user names for ads reaching the EU.
#[derive(Debug, Default, Clone)]
pub struct DsaInput {
    pub beneficiary: Option<String>,
    pub payor: Option<String>,
}

const DSA_BENEFICIARY: TextRule =
    TextRule::line("dsaBeneficiary", "The DSA beneficiary", 1, MAX_DSA_CHARS);
const DSA_PAYOR: TextRule = TextRule::line("dsaPayor", "The DSA payor", 1, MAX_DSA_CHARS);
/// Longest beneficiary or payor name (a person's or an organisation's).
pub const MAX_DSA_CHARS: usize = 200;

impl DsaInput {
    /// Trimmed names; empty ones are absent.
    fn cleaned(&self) -> Result<Self, AppError> {
        let one = |rule: &TextRule, raw: Option<&str>| rule.clean_optional(raw);
        let cleaned = Self {
            beneficiary: one(&DSA_BENEFICIARY, self.beneficiary.as_deref())?,
            payor: one(&DSA_PAYOR, self.payor.as_deref())?,
        };
        // Meta takes both or neither from the ad account; half of a pair
        // from the user and half from the account would mix two answers.
        match (&cleaned.beneficiary, &cleaned.payor) {
            (Some(_), None) => Err(AppError::bad_input(
                "dsaPayor",
                "Name the DSA payor too, or leave both empty to use the ad account's.",
            )),
            (None, Some(_)) => Err(AppError::bad_input(
                "dsaBeneficiary",
                "Name the DSA beneficiary too, or leave both empty to use the ad account's.",
            )),
            _ => Ok(cleaned),
        }
    }
}

/// The outcome of "Test connection".
#[derive(Debug)]
pub struct ConnectionTest {
    pub ok: bool,
    /// Plain words; the platform's own on failure.
    pub message: String,
    pub integration: Model,
    pub pages: Vec<platform::account::PageRef>,
}

#[derive(Clone)]
pub struct IntegrationsService {
    db: DatabaseConnection,
    authz: Authorizer,
    audit: AuditService,
    vault: Arc<Vault>,
    platforms: Arc<AdapterRegistry>,
}

impl IntegrationsService {
    pub fn new(
        db: DatabaseConnection,
        authz: Authorizer,
        audit: AuditService,
        vault: Arc<Vault>,
        platforms: Arc<AdapterRegistry>,
    ) -> Self {
        Self {
            db,
            authz,
            audit,
            vault,
            platforms,
        }
    }

    /// The integrations the caller may see, newest first.
    pub async fn list(
        &self,
        principal: &Principal,
        tenant: Option<entities::TenantId>,
    ) -> Result<Vec<Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Integration, Action::Read)
            .await?;
        let scope = crate::authz::narrow(scope, tenant, principal);
        Ok(Entity::within(scope)
            .order_by_desc(Column::CreatedAt)
            .order_by_desc(Column::Id)
            .all(&self.db)
            .await?)
    }

    /// One integration within the caller's scope, or `NOT_FOUND`.
    pub async fn get(
        &self,
        principal: &Principal,
        id: IntegrationId,
        action: Action,
    ) -> Result<Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Integration, action)
            .await?;
        Entity::within(scope)
            .filter(Column::Id.eq(id))
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))
    }

    /// Names (or, both empty, forgets) the DSA beneficiary and payor of the
    /// ads an integration runs in the EU. Nothing about the connection
    /// changes, so it stays verified.
    pub async fn set_dsa(
        &self,
        principal: &Principal,
        id: IntegrationId,
        input: DsaInput,
    ) -> Result<Model, AppError> {
        let row = self.get(principal, id, Action::Update).await?;
        let dsa = input.cleaned()?;
        let mut active: ActiveModel = row.into();
        active.dsa_beneficiary = Set(dsa.beneficiary);
        active.dsa_payor = Set(dsa.payor);
        active.updated_at = Set(Utc::now());
        let saved = active.update(&self.db).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "integration.dsa").target(format!("integration:{id}")),
            )
            .await?;
        Ok(saved)
    }

    /// Stores the caller's credentials for a provider and ad account (sealed
    /// in the vault), replacing earlier ones for the same account. The
    /// connection is `UNVERIFIED` until tested.
    pub async fn save(
        &self,
        principal: &Principal,
        input: SaveIntegration,
    ) -> Result<Model, AppError> {
        self.authz
            .authorize(principal, Resource::Integration, Action::Create)
            .await?;
        let token = check_token(input.provider, &input.access_token)?;
        let ad_account_id = normalize_ad_account(&input.ad_account_id)?;
        let page_id = input
            .page_id
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| check_numeric_id("pageId", p, "Facebook Page ids are digits only."))
            .transpose()?;
        if self
            .platforms
            .get(provider_to_platform(input.provider))
            .is_none()
        {
            return Err(AppError::bad_input(
                "provider",
                format!(
                    "{} is not enabled on this server.",
                    provider_name(input.provider)
                ),
            ));
        }
        let credentials = Credentials {
            access_token: SecretString::from(token),
            ad_account_id: ad_account_id.clone(),
        };
        // Two saves of one account can race; the loser of the unique index
        // finds the winner's row on its second pass and updates it instead.
        let mut attempt = 0;
        let saved = loop {
            attempt += 1;
            match self
                .write_credentials(
                    principal,
                    input.provider,
                    &ad_account_id,
                    page_id.clone(),
                    &credentials,
                )
                .await
            {
                Err(e) if attempt < 2 && is_unique_violation(&e) => continue,
                Err(e) => return Err(e.into()),
                Ok(saved) => break saved,
            }
        };
        self.audit
            .record_now(
                AuditEntry::by(principal, "integration.save")
                    .target(format!("integration:{}", saved.id)),
            )
            .await?;
        Ok(saved)
    }

    /// Inserts or updates the caller's row for (provider, account) with
    /// freshly sealed credentials, as UNVERIFIED.
    async fn write_credentials(
        &self,
        principal: &Principal,
        provider: Provider,
        ad_account_id: &str,
        page_id: Option<String>,
        credentials: &Credentials,
    ) -> Result<Model, sea_orm::DbErr> {
        let own = RowScope::Own {
            tenant: principal.tenant_id,
            user: principal.user_id,
        };
        let existing = Entity::within(own)
            .filter(Column::Provider.eq(provider))
            .filter(Column::AdAccountId.eq(ad_account_id))
            .one(&self.db)
            .await?;
        let now = Utc::now();
        let id = existing
            .as_ref()
            .map_or_else(IntegrationId::generate, |e| e.id);
        let binding = RowBinding {
            integration_id: id,
            user_id: principal.user_id,
            provider,
        };
        let sealed = self
            .vault
            .seal_json(&binding, credentials)
            .map_err(|e| sea_orm::DbErr::Custom(format!("sealing credentials: {e}")))?;
        let is_new = existing.is_none();
        let mut row = match existing {
            Some(existing) => existing.into(),
            None => ActiveModel {
                id: Set(id),
                tenant_id: Set(principal.tenant_id),
                user_id: Set(principal.user_id),
                provider: Set(provider),
                ad_account_id: Set(ad_account_id.to_owned()),
                account_name: Set(None),
                currency: Set(None),
                last_verified_at: Set(None),
                created_at: Set(now),
                ..Default::default()
            },
        };
        apply_sealed(&mut row, sealed);
        row.page_id = Set(page_id);
        row.token_last4 = Set(credentials.token_last4());
        row.token_expires_at = Set(None);
        row.data_access_expires_at = Set(None);
        row.status = Set(IntegrationStatus::Unverified);
        row.last_error = Set(None);
        row.updated_at = Set(now);
        if is_new {
            row.insert(&self.db).await
        } else {
            row.update(&self.db).await
        }
    }

    /// Replaces the access token of integration `id` in place (a token
    /// expired or was rotated): its ad account, Page and campaigns stay as
    /// they are; the new token is sealed, then tested at once, and the
    /// test's outcome is the answer.
    pub async fn update_token(
        &self,
        principal: &Principal,
        id: IntegrationId,
        access_token: SecretString,
    ) -> Result<ConnectionTest, AppError> {
        let row = self.get(principal, id, Action::Update).await?;
        let token = check_token(row.provider, &access_token)?;
        let credentials = Credentials {
            access_token: SecretString::from(token),
            ad_account_id: row.ad_account_id.clone(),
        };
        let sealed = self
            .vault
            .seal_json(&RowBinding::of(&row), &credentials)
            .map_err(|e| sea_orm::DbErr::Custom(format!("sealing credentials: {e}")))?;
        let mut update: ActiveModel = row.clone().into();
        apply_sealed(&mut update, sealed);
        update.token_last4 = Set(credentials.token_last4());
        update.token_expires_at = Set(None);
        update.data_access_expires_at = Set(None);
        update.status = Set(IntegrationStatus::Unverified);
        update.last_error = Set(None);
        update.updated_at = Set(Utc::now());
        update.update(&self.db).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "integration.update_token")
                    .target(format!("integration:{id}")),
            )
            .await?;
        self.test(principal, id).await
    }

    /// "Test connection": asks the platform whether the token works and the
    /// account can run ads, and records the outcome on the integration.
    pub async fn test(
        &self,
        principal: &Principal,
        id: IntegrationId,
    ) -> Result<ConnectionTest, AppError> {
        let row = self.get(principal, id, Action::Update).await?;
        let (adapter, creds) = self.open(&row)?;
        let checked = match adapter.verify(&creds).await {
            Ok(check) => adapter.assets(&creds).await.map(|assets| (check, assets)),
            Err(e) => Err(e),
        };
        let token_expiry = match &checked {
            Ok(_) => adapter.token_expiry(&creds).await,
            Err(_) => TokenExpiry::default(),
        };
        let name = provider_name(row.provider);
        let now = Utc::now();
        let mut update: ActiveModel = row.clone().into();
        update.updated_at = Set(now);
        let (ok, message, pages) = match checked {
            Ok((check, assets)) => {
                update.account_name = Set(Some(check.account_name.clone()));
                update.currency = Set(Some(check.currency.clone()));
                update.last_verified_at = Set(Some(now));
                update.token_expires_at = Set(token_expiry.expires_at);
                update.data_access_expires_at = Set(token_expiry.data_access_expires_at);
                match account_problem(&check, name) {
                    None => {
                        update.status = Set(IntegrationStatus::Verified);
                        update.last_error = Set(None);
                        let mut message = format!(
                            "Connected to {name} ad account “{}” ({}).",
                            check.account_name, check.currency
                        );
                        // A partial connection still works: say what does not.
                        if let Some(limits) = limitations(&check, &assets, row.page_id.as_deref()) {
                            message.push(' ');
                            message.push_str(&limits);
                        }
                        if let Some(found) = expiry::warning(&token_expiry, now) {
                            let (title, _) = expiry::words(&found, name, &check.account_name);
                            message.push_str(&format!(
                                " {title}: replace the token before then, or the numbers freeze while the campaigns keep running."
                            ));
                        }
                        (true, message, assets.pages)
                    }
                    Some(problem) => {
                        update.status = Set(IntegrationStatus::Invalid);
                        update.last_error = Set(Some(problem.clone()));
                        (false, problem, assets.pages)
                    }
                }
            }
            Err(e) => {
                let (message, definite) = failure_message(&e, name);
                // A network failure says nothing about the credentials:
                // keep the status, record the error.
                if definite {
                    update.status = Set(IntegrationStatus::Invalid);
                }
                update.last_error = Set(Some(message.clone()));
                (false, message, Vec::new())
            }
        };
        // Only if the credentials are still the ones tested: a save made
        // during the platform call must not be marked with this outcome.
        let written = Entity::update_many()
            .set(update)
            .filter(Column::Id.eq(row.id))
            .filter(Column::CredentialsNonce.eq(row.credentials_nonce.clone()))
            .exec(&self.db)
            .await?;
        let integration = Entity::by_id(owner_of(&row), row.id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("integration"))?;
        let (ok, message) = if written.rows_affected == 0 {
            (
                false,
                "The credentials were replaced while they were being tested; test again."
                    .to_owned(),
            )
        } else {
            (ok, message)
        };
        self.audit
            .record_now(
                AuditEntry::by(principal, "integration.test")
                    .target(format!("integration:{id}"))
                    .outcome(if ok {
                        entities::AuditOutcome::Success
                    } else {
                        entities::AuditOutcome::Failure
                    }),
            )
            .await?;
        Ok(ConnectionTest {
            ok,
            message,
            integration,
            pages,
        })
    }

    /// Removes an integration, unless a campaign still refers to it.
    pub async fn delete(&self, principal: &Principal, id: IntegrationId) -> Result<bool, AppError> {
        let row = self.get(principal, id, Action::Delete).await?;
        // A campaign runs on its owner's integrations only.
        let in_use = ad_campaign::Entity::within(owner_of(&row))
            .filter(ad_campaign::Column::IntegrationId.eq(row.id))
            .count(&self.db)
            .await?;
        if in_use > 0 {
            return Err(AppError::Conflict(format!(
                "{in_use} campaign(s) use this integration; delete them or move them to another integration first."
            )));
        }
        // A campaign created since the check makes the foreign key refuse.
        Entity::delete_by_id(row.id)
            .exec(&self.db)
            .await
            .map_err(|e| match e.sql_err() {
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => AppError::Conflict(
                    "A campaign uses this integration; delete it or move it to another integration first."
                        .to_owned(),
                ),
                _ => AppError::from(e),
            })?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "integration.delete").target(format!("integration:{id}")),
            )
            .await?;
        Ok(true)
    }

    /// Pages, pixels and lead forms the integration's token may use.
    pub async fn assets(
        &self,
        principal: &Principal,
        id: IntegrationId,
    ) -> Result<Assets, AppError> {
        let row = self.get(principal, id, Action::Read).await?;
        let (adapter, creds) = self.open(&row)?;
        adapter
            .assets(&creds)
            .await
            .map_err(|e| platform_failure(e, provider_name(row.provider)))
    }

    /// Interests, regions or cities matching `query`.
    pub async fn search_targeting(
        &self,
        principal: &Principal,
        id: IntegrationId,
        kind: TargetingKind,
        query: &str,
        country: Option<&str>,
    ) -> Result<Vec<TargetingOption>, AppError> {
        let query = TextRule::line("query", "The search", 1, 100).clean(query)?;
        let query = query.as_str();
        let country = country
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty());
        if let Some(c) = &country
            && (c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(AppError::bad_input(
                "countryCode",
                "Use a two-letter country code such as US or DE.",
            ));
        }
        let row = self.get(principal, id, Action::Read).await?;
        let (adapter, creds) = self.open(&row)?;
        adapter
            .search_targeting(&creds, kind, query, country.as_deref())
            .await
            .map_err(|e| platform_failure(e, provider_name(row.provider)))
    }

    /// The adapter and the decrypted credentials of a row.
    pub(crate) fn open(
        &self,
        row: &Model,
    ) -> Result<(Arc<dyn AdPlatform>, platform::Credentials), AppError> {
        let adapter = self
            .platforms
            .get(provider_to_platform(row.provider))
            .ok_or_else(|| {
                AppError::IntegrationInvalid(format!(
                    "{} is not enabled on this server.",
                    provider_name(row.provider)
                ))
            })?;
        let secret: Credentials = self
            .vault
            .open_json(&RowBinding::of(row), &Sealed::of(row))
            .map_err(AppError::internal)?;
        let creds = platform::Credentials::new(
            secret.access_token.expose_secret().to_owned(),
            &secret.ad_account_id,
        );
        Ok((adapter, creds))
    }
}

fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

fn apply_sealed(row: &mut ActiveModel, sealed: Sealed) {
    row.key_id = Set(sealed.key_id);
    row.credentials = Set(sealed.ciphertext);
    row.credentials_nonce = Set(sealed.nonce);
    row.wrapped_key = Set(sealed.wrapped_key);
    row.wrapped_key_nonce = Set(sealed.wrapped_key_nonce);
}

pub fn provider_name(provider: Provider) -> &'static str {
    match provider {
        Provider::MetaAds => "Meta",
        Provider::Sandbox => "the Sandbox",
    }
}

/// The shortest token a provider issues. `tokenLast4` shows four
/// characters, so a token must be much longer than that: Meta's run to a
/// hundred characters and more; the Sandbox's scripted ones (`expired`,
/// `sandbox-token`) are words.
pub fn min_token_len(provider: Provider) -> usize {
    match provider {
        Provider::MetaAds => 16,
        Provider::Sandbox => 7,
    }
}

fn check_token(provider: Provider, token: &SecretString) -> Result<String, AppError> {
    let token = token.expose_secret().trim();
    if token.is_empty() {
        return Err(AppError::bad_input(
            "accessToken",
            "Paste the access token.",
        ));
    }
    let min = min_token_len(provider);
    if token.chars().count() < min {
        return Err(AppError::bad_input(
            "accessToken",
            format!(
                "That is too short for an access token of {}: it has at least {min} characters. Paste the whole token.",
                provider_name(provider)
            ),
        ));
    }
    if token.len() > MAX_TOKEN_LEN || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(AppError::bad_input(
            "accessToken",
            "That does not look like an access token: it must be one line without spaces.",
        ));
    }
    Ok(token.to_owned())
}

/// `act_` + digits; bare digits get the prefix.
pub fn normalize_ad_account(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    let digits = raw.strip_prefix("act_").unwrap_or(raw);
    check_numeric_id(
        "adAccountId",
        digits,
        "Ad account ids look like act_1234567890 (or just the digits).",
    )
    .map(|d| format!("act_{d}"))
}

fn check_numeric_id(field: &str, value: &str, message: &str) -> Result<String, AppError> {
    if value.is_empty() || value.len() > 32 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::bad_input(field, message));
    }
    Ok(value.to_owned())
}

/// The scope of the integration's owner.
fn owner_of(row: &Model) -> RowScope {
    RowScope::Own {
        tenant: row.tenant_id,
        user: row.user_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ad_accounts_are_normalised_and_checked() {
        assert_eq!(normalize_ad_account(" 12345 ").unwrap(), "act_12345");
        assert_eq!(normalize_ad_account("act_987").unwrap(), "act_987");
        for bad in ["", "act_", "act_12a", "12 34", "act_-1"] {
            assert!(normalize_ad_account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_must_be_one_line() {
        let check = |t: &str| check_token(Provider::Sandbox, &SecretString::from(t));
        assert!(check("  EAAB123 ").is_ok());
        for bad in ["", "   ", "two words", "line\nbreak"] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tokens_are_long_enough_that_last4_hides_them() {
        let check = |p, t: &str| check_token(p, &SecretString::from(t));
        assert!(check(Provider::Sandbox, "sandbox-token").is_ok());
        assert!(check(Provider::Sandbox, "expired").is_ok());
        assert!(check(Provider::Sandbox, "abcd").is_err());
        assert!(check(Provider::MetaAds, "EAAB123").is_err());
        assert!(check(Provider::MetaAds, "EAAstandintoken0001").is_ok());
        for provider in [Provider::Sandbox, Provider::MetaAds] {
            assert!(min_token_len(provider) > 4);
        }
    }
}
