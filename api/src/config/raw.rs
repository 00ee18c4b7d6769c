//! The layered, not yet validated settings, as figment reads them.

use std::path::{Path, PathBuf};

use figment::{
    Figment, Metadata, Profile, Provider,
    providers::{Format, Toml},
    value::{Dict, Map, Value},
};
use serde::{Deserialize, Deserializer, Serialize};

use super::{ConfigError, DEFAULT_CONFIG_FILE, ENV_SETTINGS, EnvSource, env::env_name_of};

const DEFAULTS: &str = include_str!("../../config/defaults.toml");
const ENV_PROVIDER_NAME: &str = "environment";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(deserialize_with = "lenient_string")]
    pub addr: String,
    #[serde(deserialize_with = "lenient_string")]
    pub data_dir: String,
    #[serde(deserialize_with = "lenient_string")]
    pub database_url: String,
    #[serde(deserialize_with = "lenient_string")]
    pub public_url: String,
    pub migrate_on_start: bool,
    pub shutdown_grace_secs: u64,
    #[serde(default, deserialize_with = "string_list")]
    pub trusted_proxies: Vec<String>,
    #[serde(deserialize_with = "lenient_string")]
    pub ui_dir: String,
    pub http: RawHttp,
    pub log: RawLog,
    pub graphql: RawGraphql,
    pub uploads: RawUploads,
    #[serde(default)]
    pub metrics: RawMetrics,
    pub auth: RawAuth,
    #[serde(default)]
    pub vault: RawVault,
    pub agents: RawAgents,
    pub insights: RawInsights,
    pub leads: RawLeads,
    pub jobs: RawJobs,
    pub deliveries: RawDeliveries,
    #[serde(default)]
    pub smtp: RawSmtp,
    pub s3: RawS3,
    pub meta: RawMeta,
    pub gemini: RawGemini,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub header_timeout_secs: u64,
    pub body_timeout_secs: u64,
    pub body_deadline_secs: u64,
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    pub h2c: bool,
    pub h2_idle_timeout_secs: u64,
    pub ws_recheck_secs: u64,
    pub max_subscriptions_per_socket: usize,
    pub max_subscriptions_per_user: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    #[serde(deserialize_with = "lenient_string")]
    pub filter: String,
    #[serde(deserialize_with = "lenient_string")]
    pub format: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGraphql {
    pub introspection: bool,
    /// Unset: on in embedded mode (SQLite), off otherwise.
    pub graphiql: Option<bool>,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_selections: usize,
    pub max_batch: usize,
    pub max_body_bytes: usize,
    pub max_page_size: usize,
    /// Test-only; see `GraphqlConfig::unbatched_loaders`.
    #[serde(default)]
    pub unbatched_loaders: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMetrics {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUploads {
    pub max_bytes: u64,
    pub max_files: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    pub jwt_ttl_secs: u64,
    pub signups_per_hour: u32,
    #[serde(default)]
    pub signup_credits: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub jwt_secret: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVault {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub master_key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgents {
    #[serde(deserialize_with = "string_list")]
    pub default_providers: Vec<String>,
    pub default_max_campaign_daily_budget: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInsights {
    pub interval_secs: u64,
    pub token_check_interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLeads {
    pub reconcile_interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJobs {
    pub workers: usize,
    pub lookup_delay_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeliveries {
    /// Unset: on in embedded mode (SQLite), off otherwise.
    #[serde(default)]
    pub allow_private_destinations: Option<bool>,
    pub backoff_ms: u64,
    pub pause_after: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub password: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub tls: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawS3 {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub bucket: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub endpoint: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub region: Option<String>,
    pub force_path_style: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    #[serde(deserialize_with = "lenient_string")]
    pub graph_url: String,
    #[serde(deserialize_with = "lenient_string")]
    pub api_version: String,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub app_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub app_secret: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub webhook_verify_token: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGemini {
    #[serde(default, deserialize_with = "lenient_opt_string")]
    pub api_key: Option<String>,
    #[serde(deserialize_with = "lenient_string")]
    pub model: String,
    #[serde(deserialize_with = "lenient_string")]
    pub base_url: String,
}

impl RawConfig {
    /// The compiled-in defaults alone.
    pub fn defaults() -> Result<Self, ConfigError> {
        extract(Figment::from(Toml::string(DEFAULTS)))
    }

    /// Defaults, then the configuration file, then the environment.
    pub fn load(file: Option<PathBuf>, env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        if let Some(path) = config_file(file, env)? {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment = figment.merge(EnvLayer::read(env)?);
        extract(figment)
    }
}

/// The file to read: the one asked for (flag or `LEADFORGE_CONFIG`), which
/// must exist, or `leadforge.toml` in the working directory when present.
fn config_file(file: Option<PathBuf>, env: &dyn EnvSource) -> Result<Option<PathBuf>, ConfigError> {
    let (path, setting) = match (file, env.var("LEADFORGE_CONFIG")) {
        (Some(path), _) => (path, "--config"),
        (None, Some(path)) if !path.is_empty() => (PathBuf::from(path), "LEADFORGE_CONFIG"),
        _ => {
            let default = Path::new(DEFAULT_CONFIG_FILE);
            return Ok(default.is_file().then(|| default.to_path_buf()));
        }
    };
    if path.is_file() {
        Ok(Some(path))
    } else {
        Err(ConfigError::new(
            setting,
            format!("no configuration file at {}", path.display()),
        ))
    }
}

fn extract(figment: Figment) -> Result<RawConfig, ConfigError> {
    figment.extract::<RawConfig>().map_err(|err| {
        let key = err.path.join(".");
        let from_env = err
            .metadata
            .as_ref()
            .is_some_and(|m| m.name == ENV_PROVIDER_NAME);
        let setting = match (from_env, env_name_of(&key)) {
            (true, Some(env)) => env.to_owned(),
            _ if key.is_empty() => "leadforge.toml".to_owned(),
            _ => key,
        };
        ConfigError::new(setting, err.kind.to_string())
    })
}

/// The environment as a figment provider: only the names of
/// [`ENV_SETTINGS`], plus `<NAME>_FILE` for secrets.
struct EnvLayer(Dict);

impl EnvLayer {
    fn read(env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let mut dict = Dict::new();
        for setting in ENV_SETTINGS {
            let file_var = format!("{}_FILE", setting.env);
            let direct = env.var(setting.env).filter(|v| !v.is_empty());
            let from_file = if setting.secret {
                env.var(&file_var).filter(|v| !v.is_empty())
            } else {
                None
            };
            let value = match (direct, from_file) {
                (Some(_), Some(_)) => {
                    return Err(ConfigError::new(
                        setting.env,
                        format!("set either {} or {file_var}, not both", setting.env),
                    ));
                }
                // Secrets are taken verbatim: a key or token must never be
                // reinterpreted as a number or a list.
                (Some(v), None) if setting.secret => Value::from(v),
                (Some(v), None) => v.parse::<Value>().unwrap_or_else(|_| Value::from(v)),
                (None, Some(path)) => Value::from(read_secret_file(&file_var, &path)?),
                (None, None) => continue,
            };
            insert_path(&mut dict, setting.key, value);
        }
        Ok(Self(dict))
    }
}

fn read_secret_file(setting: &str, path: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(setting, format!("cannot read {path}: {e}")))?;
    let text = text.trim_end_matches(['\r', '\n']).to_owned();
    if text.is_empty() {
        return Err(ConfigError::new(setting, format!("{path} is empty")));
    }
    Ok(text)
}

fn insert_path(dict: &mut Dict, key: &str, value: Value) {
    match key.split_once('.') {
        None => {
            dict.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = dict
                .entry(head.to_owned())
                .or_insert_with(|| Value::from(Dict::new()));
            if let Value::Dict(_, inner) = entry {
                insert_path(inner, rest, value);
            }
        }
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        Metadata::named(ENV_PROVIDER_NAME)
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.0.clone()))
    }
}

/// Accepts a string, or a number or boolean written where a string is meant
/// (`META_APP_ID=1234` arrives as a number).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        S(String),
        I(i64),
        U(u64),
        F(f64),
        B(bool),
    }
    Ok(match Loose::deserialize(d)? {
        Loose::S(s) => s,
        Loose::I(i) => i.to_string(),
        Loose::U(u) => u.to_string(),
        Loose::F(f) => f.to_string(),
        Loose::B(b) => b.to_string(),
    })
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = lenient_string(d)?;
    Ok((!s.is_empty()).then_some(s))
}

/// A list written either as a TOML array or as `a,b,c`.
fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Loose {
        List(Vec<String>),
        Csv(String),
    }
    let items = match Loose::deserialize(d)? {
        Loose::List(items) => items,
        Loose::Csv(csv) => csv.split(',').map(str::to_owned).collect(),
    };
    Ok(items
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect())
}
