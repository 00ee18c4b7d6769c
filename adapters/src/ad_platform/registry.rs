//! The ad platforms available to this process, keyed by provider.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::AdPlatform;

/// An ad platform provider, as stored in integrations and tenant settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Meta (Facebook/Instagram) ads through the Marketing API.
    MetaAds,
    /// The offline simulator.
    Sandbox,
}

impl Provider {
    /// Stored name (`meta_ads`, `sandbox`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MetaAds => "meta_ads",
            Self::Sandbox => "sandbox",
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is not known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ad platform provider {0:?}")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "meta_ads" => Ok(Self::MetaAds),
            "sandbox" => Ok(Self::Sandbox),
            other => Err(UnknownProvider(other.to_owned())),
        }
    }
}

/// The ad platforms built once at start. Which of them a tenant may use is decided
/// elsewhere (the agent registry); this only knows what exists.
#[derive(Clone, Default)]
pub struct AdapterRegistry {
    platforms: BTreeMap<Provider, Arc<dyn AdPlatform>>,
}

impl std::fmt::Debug for AdapterRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterRegistry")
            .field("providers", &self.providers())
            .finish()
    }
}

impl AdapterRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a platform under its own provider key.
    pub fn with(mut self, platform: Arc<dyn AdPlatform>) -> Self {
        self.platforms.insert(platform.provider(), platform);
        self
    }

    /// Builds the registry from settings: Meta when configured, the Sandbox when enabled.
    pub fn build(
        meta: Option<super::meta::MetaConfig>,
        sandbox: bool,
    ) -> Result<Self, super::PlatformError> {
        let mut registry = Self::new();
        if let Some(config) = meta {
            registry = registry.with(Arc::new(super::meta::MetaAds::new(config)?));
        }
        if sandbox {
            registry = registry.with(Arc::new(super::sandbox::Sandbox::new()));
        }
        Ok(registry)
    }

    /// The platform of `provider`, if configured.
    pub fn get(&self, provider: Provider) -> Option<Arc<dyn AdPlatform>> {
        self.platforms.get(&provider).cloned()
    }

    /// The configured providers, in a stable order.
    pub fn providers(&self) -> Vec<Provider> {
        self.platforms.keys().copied().collect()
    }
}
