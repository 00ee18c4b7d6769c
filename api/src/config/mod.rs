//! Configuration: compiled-in defaults (the embedded mode), then an optional
//! `leadforge.toml`, then the environment, then validation.
//!
//! Every setting has one environment name (the table in [`env`]); secrets may
//! also come from a file named by `<NAME>_FILE`. Validation turns the loose,
//! layered values into a typed [`Config`] and names the offending setting in
//! every error, so a bad deployment fails at start with one clear line.

mod env;
mod raw;
mod validate;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;
use url::Url;

pub use env::{ENV_SETTINGS, EnvSetting};
pub use raw::RawConfig;

/// The name of the optional configuration file read from the working directory.
pub const DEFAULT_CONFIG_FILE: &str = "leadforge.toml";

/// A setting that cannot be used, named as the operator wrote it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {setting}: {message}")]
pub struct ConfigError {
    /// The environment variable (or `leadforge.toml` key) at fault.
    pub setting: String,
    /// What is wrong with it, in plain words; never the secret's value.
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(setting: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            setting: setting.into(),
            message: message.into(),
        }
    }
}

/// The validated configuration of one Leadforge process.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseConfig,
    /// Base of signed blob URLs and links sent to users.
    pub public_url: Url,
    pub migrate_on_start: bool,
    pub shutdown_grace: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpRange>,
    /// The built admin UI (`index.html` and `assets/`), served at `/`.
    pub ui_dir: PathBuf,
    pub http: HttpConfig,
    pub log: LogConfig,
    pub graphql: GraphqlConfig,
    pub uploads: UploadConfig,
    pub metrics: MetricsConfig,
    pub auth: AuthConfig,
    pub vault: VaultConfig,
    pub agents: AgentsConfig,
    pub insights_interval: Duration,
    /// How often every verified integration's token expiry is read again.
    pub token_check_interval: Duration,
    /// How often the reconciliation pass reads Meta's lead listings.
    pub leads_reconcile_interval: Duration,
    /// Launch jobs this instance runs at once (0: none, it only serves).
    pub job_workers: usize,
    /// See `LaunchSettings::lookup_delay`.
    pub launch_lookup_delay: Duration,
    /// `None`: creatives live in the local directory store under `data_dir`.
    pub s3: Option<S3Config>,
    pub deliveries: DeliveryConfig,
    /// `None`: e-mail is off (no e-mail destination can be added).
    pub smtp: Option<SmtpConfig>,
    pub meta: MetaConfig,
    pub gemini: GeminiConfig,
}

/// An IP address or a CIDR block, e.g. `10.0.0.0/8` or `192.0.2.7`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: std::net::IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr::{V4, V6};
        match (self.network, ip) {
            (V4(net), V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (V6(net), V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl std::str::FromStr for IpRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s.trim(), None),
        };
        let network: std::net::IpAddr = addr
            .parse()
            .map_err(|_| format!("`{s}` is not an IP address or CIDR block"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}` has a bad prefix length"))?,
        };
        Ok(Self { network, prefix })
    }
}

/// Which database engine a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

impl DatabaseBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgresql",
        }
    }
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    /// May carry a password: never printed or logged as it is (see [`Config::masked`]).
    pub url: SecretString,
    pub backend: DatabaseBackend,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone)]
pub struct LogConfig {
    /// A `tracing` filter, already checked to parse.
    pub filter: String,
    pub format: LogFormat,
}

/// Limits and switches of the GraphQL endpoint.
#[derive(Debug, Clone)]
pub struct GraphqlConfig {
    pub introspection: bool,
    pub graphiql: bool,
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_selections: usize,
    pub max_batch: usize,
    pub max_body_bytes: usize,
    pub max_page_size: usize,
    /// Test-only (`LEADFORGE_TEST_UNBATCHED_LOADERS`): loaders read one key
    /// per statement, so the statement-count test can show it would catch
    /// an N+1. Never set it elsewhere.
    pub unbatched_loaders: bool,
}

/// How long slow clients may hold a connection, and how many may.
#[derive(Debug, Clone, Copy)]
pub struct HttpConfig {
    pub header_timeout: Duration,
    /// Longest pause in a request body.
    pub body_timeout: Duration,
    /// Longest a request body may take in all.
    pub body_deadline: Duration,
    pub max_connections: usize,
    /// Open connections per client address; `None` = unbounded.
    pub max_connections_per_address: Option<usize>,
    /// Whether HTTP/2 with prior knowledge is spoken on the plain listener.
    pub h2c: bool,
    /// How long an HTTP/2 connection with no open stream stays open.
    pub h2_idle_timeout: Duration,
    /// How often a WebSocket re-reads its user.
    pub ws_recheck: Duration,
    pub max_subscriptions_per_socket: usize,
    pub max_subscriptions_per_user: usize,
}

/// Who may read `/metrics`.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// The bearer token `/metrics` asks for; without one it is not served
    /// (its counters tell sign-in failures and launches apart).
    pub token: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct UploadConfig {
    pub max_bytes: u64,
    /// Files one multipart request may carry.
    pub max_files: usize,
}

#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub jwt_ttl: Duration,
    pub signup_credits: i64,
    /// Sign-ups allowed per client address per hour (bursts up to this many).
    pub signups_per_hour: u32,
    /// `None`: generated once into the data dir.
    pub jwt_secret: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct VaultConfig {
    /// `None`: generated once into the data dir.
    pub master_key: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct AgentsConfig {
    /// Providers a new tenant's media buyer starts with, e.g. `sandbox`, `meta_ads`.
    pub default_providers: Vec<String>,
    /// The largest daily budget a campaign may ask for, in major units
    /// (dollars, yen) of its ad account's currency, wherever the tenant has
    /// no budget policy for that currency: a guardrail against a typo
    /// costing real money.
    pub default_max_campaign_daily_budget: i64,
}

#[derive(Debug, Clone)]
pub struct S3Config {
    pub bucket: String,
    pub endpoint: Option<Url>,
    pub region: Option<String>,
    pub force_path_style: bool,
}

/// How leads are delivered to their owners' destinations.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryConfig {
    /// Whether destinations may be private, loopback or link-local
    /// addresses (local receivers in development and tests).
    pub allow_private: bool,
    /// The first retry's wait; each next one doubles it.
    pub backoff: Duration,
    /// Failed attempts in a row after which a destination is paused.
    pub pause_after: u32,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS, which must succeed.
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS at all: only for a relay on the same host or in tests.
    None,
}

/// The SMTP server e-mails go through.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The `From:` address, e.g. `Leadforge <leads@example.com>`.
    pub from: String,
    pub tls: SmtpTls,
}

#[derive(Debug, Clone)]
pub struct MetaConfig {
    pub graph_url: Url,
    pub api_version: String,
    pub app_id: Option<String>,
    pub app_secret: Option<SecretString>,
    /// What Meta's webhook handshake must present (`hub.verify_token`).
    pub webhook_verify_token: Option<SecretString>,
}

#[derive(Debug, Clone)]
pub struct GeminiConfig {
    /// `None`: the offline Template copywriter writes the copy.
    pub api_key: Option<SecretString>,
    pub model: String,
    pub base_url: Url,
}

/// Where configuration comes from; the process environment by default.
pub trait EnvSource {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

impl EnvSource for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Config {
    /// Loads defaults, then `file` (or `leadforge.toml` in the working
    /// directory when it exists, or the file named by `LEADFORGE_CONFIG`), then
    /// the environment; then validates.
    pub fn load(file: Option<PathBuf>) -> Result<Self, ConfigError> {
        Self::load_from(file, &ProcessEnv)
    }

    /// [`Config::load`] with an explicit environment (tests use a map).
    pub fn load_from(file: Option<PathBuf>, env: &dyn EnvSource) -> Result<Self, ConfigError> {
        let raw = RawConfig::load(file, env)?;
        validate::validate(raw)
    }

    /// The embedded defaults rooted at `data_dir`, validated, with no file or
    /// environment involved.
    pub fn embedded(data_dir: PathBuf) -> Result<Self, ConfigError> {
        let mut raw = RawConfig::defaults()?;
        raw.data_dir = data_dir.to_string_lossy().into_owned();
        validate::validate(raw)
    }

    /// The configuration as TOML with every secret replaced by `"***"`, for
    /// `leadforge config` and the start-up log.
    pub fn masked(&self) -> String {
        validate::masked_toml(self)
    }

    /// `true` when running on the embedded defaults' database engine.
    pub fn is_embedded(&self) -> bool {
        self.database.backend == DatabaseBackend::Sqlite
    }
}

#[cfg(test)]
mod tests;
