//! `integrations`, `saveIntegration`, `testIntegration`, `deleteIntegration`,
//! `platformAssets` and `searchTargeting`.

use adapters::ad_platform::{
    TargetingKind as PlatformTargetingKind,
    account::{NamedRef, PageRef as PlatformPage, TargetingOption as PlatformOption},
};
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{IntegrationId, user_integration};
use secrecy::SecretString;

use super::{admin::parse_id, context::ContextExt, error::GqlResult};
use crate::services::integrations::{ConnectionTest, DsaInput, SaveIntegration};

/// An ad platform.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::Provider")]
pub enum Provider {
    MetaAds,
    Sandbox,
}

/// Whether the stored credentials were checked with the platform.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::IntegrationStatus")]
pub enum IntegrationStatus {
    Unverified,
    Verified,
    Invalid,
}

/// A member's connection to an ad platform. The token itself is never shown.
pub struct Integration(pub user_integration::Model);

#[Object]
impl Integration {
    /// The integration's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The ad platform.
    async fn provider(&self) -> Provider {
        self.0.provider.into()
    }
    /// The ad account, as `act_<digits>`.
    async fn ad_account_id(&self) -> &str {
        &self.0.ad_account_id
    }
    /// The account's name, known once the connection was tested.
    async fn account_name(&self) -> Option<&str> {
        self.0.account_name.as_deref()
    }
    /// The account's currency (ISO 4217), known once tested.
    async fn currency(&self) -> Option<&str> {
        self.0.currency.as_deref()
    }
    /// The last four characters of the token — never the token itself.
    async fn token_last4(&self) -> &str {
        &self.0.token_last4
    }
    /// Whether the credentials were tested, and how that went.
    async fn status(&self) -> IntegrationStatus {
        self.0.status.into()
    }
    /// When the platform last accepted the credentials.
    async fn last_verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_verified_at
    }
    /// Why the last test failed, in the platform's own words when it gave some.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the token stops working, as the platform last said (null:
    /// never, or not known).
    async fn token_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.token_expires_at
    }
    /// When the token may no longer read data (Meta: 90 days after the
    /// user last used the app).
    async fn data_access_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.data_access_expires_at
    }
    /// A warning when reading this account stops within 7 days or has
    /// stopped: the dashboard's numbers freeze while campaigns keep running.
    async fn token_warning(&self) -> Option<String> {
        use crate::services::integrations::expiry;
        let found = expiry::warning(&expiry::expiry_of(&self.0), Utc::now())?;
        let platform = crate::services::integrations::provider_name(self.0.provider);
        let account = self
            .0
            .account_name
            .as_deref()
            .unwrap_or(&self.0.ad_account_id);
        let (title, body) = expiry::words(&found, platform, account);
        Some(format!("{title}. {body}"))
    }
    /// The Facebook Page the ads run as.
    async fn page_id(&self) -> Option<&str> {
        self.0.page_id.as_deref()
    }
    /// Who benefits from ads reaching the EU, as the user named them
    /// (absent: the ad account's default, else Meta's recommendation).
    async fn dsa_beneficiary(&self) -> Option<&str> {
        self.0.dsa_beneficiary.as_deref()
    }
    /// Who pays for ads reaching the EU, as the user named them.
    async fn dsa_payor(&self) -> Option<&str> {
        self.0.dsa_payor.as_deref()
    }
    /// When the integration was first saved.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the credentials or their test result last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A Facebook Page.
#[derive(SimpleObject)]
pub struct PageRef {
    /// The Page's id on the platform.
    id: ID,
    /// The Page's name.
    name: String,
}

impl From<&PlatformPage> for PageRef {
    fn from(p: &PlatformPage) -> Self {
        Self {
            id: ID(p.id.clone()),
            name: p.name.clone(),
        }
    }
}

/// A pixel, or a lead form with the Page it belongs to.
#[derive(SimpleObject)]
pub struct AssetRef {
    /// The pixel's or lead form's id on the platform.
    id: ID,
    /// Its name.
    name: String,
    /// For a lead form, the Page it belongs to.
    page_id: Option<String>,
}

impl AssetRef {
    fn of(r: &NamedRef, page_id: Option<&str>) -> Self {
        Self {
            id: ID(r.id.clone()),
            name: r.name.clone(),
            page_id: page_id.map(str::to_owned),
        }
    }
}

/// The outcome of "Test connection".
#[derive(SimpleObject)]
pub struct ConnectionTestResult {
    ok: bool,
    /// Plain words; the platform's own on failure.
    message: String,
    integration: Integration,
    /// Pages the token may advertise as.
    pages: Vec<PageRef>,
}

impl From<ConnectionTest> for ConnectionTestResult {
    fn from(t: ConnectionTest) -> Self {
        Self {
            ok: t.ok,
            message: t.message,
            pages: t.pages.iter().map(PageRef::from).collect(),
            integration: Integration(t.integration),
        }
    }
}

/// What the integration's token may use in a campaign.
#[derive(SimpleObject)]
pub struct PlatformAssets {
    /// Pages the token may advertise as.
    pages: Vec<PageRef>,
    /// Pixels of the ad account (website leads and conversions).
    pixels: Vec<AssetRef>,
    /// Instant forms of the integration's Page(s).
    lead_forms: Vec<AssetRef>,
}

/// What `searchTargeting` looks for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "adapters::ad_platform::TargetingKind")]
pub enum TargetingKind {
    Interest,
    Region,
    City,
}

/// A targeting choice; pass its `id` and `name` back in the audience.
#[derive(SimpleObject)]
pub struct TargetingOption {
    /// The platform's id (interest id, region or city key).
    id: ID,
    /// A human name to show and to send back with the id.
    name: String,
    /// What kind of option it is.
    kind: TargetingKind,
    /// For regions and cities, their country (ISO 3166-1 alpha-2).
    country_code: Option<String>,
    /// The platform's estimate of the people it reaches, low end.
    audience_size_lower: Option<i32>,
    /// The platform's estimate of the people it reaches, high end.
    audience_size_upper: Option<i32>,
}

impl From<PlatformOption> for TargetingOption {
    fn from(o: PlatformOption) -> Self {
        let size = o
            .audience_size
            .map(|s| i32::try_from(s).unwrap_or(i32::MAX));
        Self {
            id: ID(o.id),
            name: o.name,
            kind: o.kind.into(),
            country_code: o.country_code,
            audience_size_lower: size,
            audience_size_upper: size,
        }
    }
}

#[derive(Default)]
pub struct IntegrationsQuery;

#[Object]
impl IntegrationsQuery {
    /// The caller's ad-platform connections (every one for the chief architect).
    async fn integrations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this tenant's rows (for the chief architect).")] tenant_id: Option<
            ID,
        >,
    ) -> GqlResult<Vec<Integration>> {
        let principal = ctx.principal()?;
        let tenant = super::admin::parse_tenant_filter(tenant_id.as_ref())?;
        let rows = ctx.services()?.integrations.list(principal, tenant).await?;
        Ok(rows.into_iter().map(Integration).collect())
    }

    /// Pages, pixels and lead forms the integration's token may use.
    async fn platform_assets(
        &self,
        ctx: &Context<'_>,
        integration_id: ID,
    ) -> GqlResult<PlatformAssets> {
        let principal = ctx.principal()?;
        let id: IntegrationId = parse_id(&integration_id, "integration")?;
        let assets = ctx.services()?.integrations.assets(principal, id).await?;
        Ok(PlatformAssets {
            pages: assets.pages.iter().map(PageRef::from).collect(),
            pixels: assets
                .pixels
                .iter()
                .map(|p| AssetRef::of(p, None))
                .collect(),
            lead_forms: assets
                .pages
                .iter()
                .flat_map(|page| {
                    page.lead_forms
                        .iter()
                        .map(|f| AssetRef::of(f, Some(&page.id)))
                })
                .collect(),
        })
    }

    /// Interests, regions or cities matching `query` (regions and cities
    /// narrowed by `countryCode`).
    async fn search_targeting(
        &self,
        ctx: &Context<'_>,
        integration_id: ID,
        kind: TargetingKind,
        query: String,
        country_code: Option<String>,
    ) -> GqlResult<Vec<TargetingOption>> {
        let principal = ctx.principal()?;
        let id: IntegrationId = parse_id(&integration_id, "integration")?;
        let kind: PlatformTargetingKind = kind.into();
        let options = ctx
            .services()?
            .integrations
            .search_targeting(principal, id, kind, &query, country_code.as_deref())
            .await?;
        Ok(options.into_iter().map(TargetingOption::from).collect())
    }
}

#[derive(Default)]
pub struct IntegrationsMutation;

#[Object]
impl IntegrationsMutation {
    /// Stores credentials for an ad account, encrypted; replaces earlier ones
    /// for the same account. Test the connection next.
    async fn save_integration(
        &self,
        ctx: &Context<'_>,
        provider: Provider,
        access_token: String,
        ad_account_id: String,
        page_id: Option<String>,
    ) -> GqlResult<Integration> {
        let principal = ctx.principal()?;
        let input = SaveIntegration {
            provider: provider.into(),
            access_token: SecretString::from(access_token),
            ad_account_id,
            page_id,
        };
        Ok(Integration(
            ctx.services()?.integrations.save(principal, input).await?,
        ))
    }

    /// Replaces an integration's access token in place, keeping its ad
    /// account, Page and campaigns, and tests the new token at once.
    async fn update_integration(
        &self,
        ctx: &Context<'_>,
        id: ID,
        access_token: String,
    ) -> GqlResult<ConnectionTestResult> {
        let principal = ctx.principal()?;
        let id: IntegrationId = parse_id(&id, "integration")?;
        Ok(ctx
            .services()?
            .integrations
            .update_token(principal, id, SecretString::from(access_token))
            .await?
            .into())
    }

    /// Names who benefits from and who pays for the integration's ads that
    /// reach the EU (Digital Services Act): both, or neither to use the ad
    /// account's defaults (else Meta's recommendations). Leaves the
    /// connection as it was.
    async fn set_integration_dsa(
        &self,
        ctx: &Context<'_>,
        id: ID,
        dsa_beneficiary: Option<String>,
        dsa_payor: Option<String>,
    ) -> GqlResult<Integration> {
        let principal = ctx.principal()?;
        let id: IntegrationId = parse_id(&id, "integration")?;
        let input = DsaInput {
            beneficiary: dsa_beneficiary,
            payor: dsa_payor,
        };
        Ok(Integration(
            ctx.services()?
                .integrations
                .set_dsa(principal, id, input)
                .await?,
        ))
    }

    /// "Test connection": checks the token and the ad account with the platform.
    async fn test_integration(&self, ctx: &Context<'_>, id: ID) -> GqlResult<ConnectionTestResult> {
        let principal = ctx.principal()?;
        let id: IntegrationId = parse_id(&id, "integration")?;
        Ok(ctx
            .services()?
            .integrations
            .test(principal, id)
            .await?
            .into())
    }

    /// Removes an integration; refused with CONFLICT while a campaign uses it.
    async fn delete_integration(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let principal = ctx.principal()?;
        let id: IntegrationId = parse_id(&id, "integration")?;
        Ok(ctx.services()?.integrations.delete(principal, id).await?)
    }
}
