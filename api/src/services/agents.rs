//! The agent registry per tenant.

use chrono::Utc;
use entities::{MEDIA_BUYER_AGENT_KEY, Provider, TenantId, tenant_agent, tenant_agent_provider};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};

use crate::error::AppError;

/// Parses the configured provider names (validated at start).
pub fn parse_providers(names: &[String]) -> Vec<Provider> {
    names
        .iter()
        .filter_map(|name| match name.as_str() {
            "sandbox" => Some(Provider::Sandbox),
            "meta_ads" => Some(Provider::MetaAds),
            _ => None,
        })
        .collect()
}

/// Enables the media buyer with `providers` for a new tenant.
pub async fn enable_defaults<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    providers: &[Provider],
) -> Result<(), AppError> {
    let now = Utc::now();
    tenant_agent::ActiveModel {
        tenant_id: Set(tenant),
        agent_key: Set(MEDIA_BUYER_AGENT_KEY.to_owned()),
        enabled: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    if !providers.is_empty() {
        tenant_agent_provider::Entity::insert_many(providers.iter().map(|p| {
            tenant_agent_provider::ActiveModel {
                tenant_id: Set(tenant),
                agent_key: Set(MEDIA_BUYER_AGENT_KEY.to_owned()),
                provider: Set(*p),
            }
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}
