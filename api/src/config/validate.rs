//! From loose settings to a typed [`Config`], naming the setting at fault.

use std::{
    net::{SocketAddr, ToSocketAddrs},
    path::{Path, PathBuf},
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use url::Url;

/// The UI's build output in the source tree this binary was built from.
const DEFAULT_UI_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../admin-ui/dist");

use super::{
    AgentsConfig, AuthConfig, Config, ConfigError, DatabaseBackend, DatabaseConfig, DeliveryConfig,
    GeminiConfig, GraphqlConfig, HttpConfig, LogConfig, LogFormat, MetaConfig, MetricsConfig,
    RawConfig, S3Config, SmtpConfig, SmtpTls, UploadConfig, VaultConfig,
};

/// Credits a new member gets in embedded mode, so the Quick start can launch
/// a campaign on the Sandbox without an operator.
const EMBEDDED_SIGNUP_CREDITS: i64 = 50;
const SQLITE_FILE: &str = "leadforge.db";

pub(super) fn validate(raw: RawConfig) -> Result<Config, ConfigError> {
    let addr = parse_addr(&raw.addr)?;
    let data_dir = check_data_dir(&raw.data_dir)?;
    let database = parse_database(&raw.database_url, &data_dir)?;
    // Embedded mode (SQLite) turns on what a production database keeps off.
    let embedded = database.backend == DatabaseBackend::Sqlite;
    let public_url = if raw.public_url.is_empty() {
        parse_url("LEADFORGE_PUBLIC_URL", &format!("http://{addr}"))?
    } else {
        parse_url("LEADFORGE_PUBLIC_URL", &raw.public_url)?
    };

    let trusted_proxies = raw
        .trusted_proxies
        .iter()
        .map(|r| {
            r.parse()
                .map_err(|e: String| ConfigError::new("LEADFORGE_TRUSTED_PROXIES", e))
        })
        .collect::<Result<Vec<_>, _>>()?;

    tracing_subscriber::EnvFilter::try_new(&raw.log.filter)
        .map_err(|e| ConfigError::new("LEADFORGE_LOG", format!("not a log filter: {e}")))?;
    let format = match raw.log.format.as_str() {
        "pretty" => LogFormat::Pretty,
        "json" => LogFormat::Json,
        other => {
            return Err(ConfigError::new(
                "LEADFORGE_LOG_FORMAT",
                format!("expected `pretty` or `json`, got `{other}`"),
            ));
        }
    };

    let g = &raw.graphql;
    for (setting, value) in [
        ("LEADFORGE_MAX_QUERY_DEPTH", g.max_depth),
        ("LEADFORGE_MAX_QUERY_COMPLEXITY", g.max_complexity),
        ("LEADFORGE_MAX_ALIASES", g.max_aliases),
        ("LEADFORGE_MAX_QUERY_SELECTIONS", g.max_selections),
        ("LEADFORGE_MAX_BATCH", g.max_batch),
        ("LEADFORGE_MAX_BODY_BYTES", g.max_body_bytes),
        ("LEADFORGE_MAX_PAGE_SIZE", g.max_page_size),
    ] {
        if value == 0 {
            return Err(ConfigError::new(setting, "must be at least 1"));
        }
    }
    for (setting, value) in [
        (
            "LEADFORGE_HEADER_TIMEOUT_SECS",
            raw.http.header_timeout_secs,
        ),
        ("LEADFORGE_BODY_TIMEOUT_SECS", raw.http.body_timeout_secs),
        ("LEADFORGE_BODY_DEADLINE_SECS", raw.http.body_deadline_secs),
        ("LEADFORGE_MAX_CONNECTIONS", raw.http.max_connections as u64),
        ("LEADFORGE_WS_RECHECK_SECS", raw.http.ws_recheck_secs),
        (
            "LEADFORGE_H2_IDLE_TIMEOUT_SECS",
            raw.http.h2_idle_timeout_secs,
        ),
        (
            "LEADFORGE_MAX_SUBSCRIPTIONS_PER_SOCKET",
            raw.http.max_subscriptions_per_socket as u64,
        ),
        (
            "LEADFORGE_MAX_SUBSCRIPTIONS_PER_USER",
            raw.http.max_subscriptions_per_user as u64,
        ),
    ] {
        if value == 0 {
            return Err(ConfigError::new(setting, "must be at least 1"));
        }
    }
    let ui_dir = if raw.ui_dir.trim().is_empty() {
        PathBuf::from(DEFAULT_UI_DIR)
    } else {
        PathBuf::from(raw.ui_dir.trim())
    };
    if raw.uploads.max_files == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_MAX_UPLOAD_FILES",
            "must be at least 1",
        ));
    }
    if raw.uploads.max_bytes == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_MAX_UPLOAD_BYTES",
            "must be at least 1",
        ));
    }
    if raw.auth.jwt_ttl_secs == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_JWT_TTL_SECS",
            "must be at least 1",
        ));
    }
    if raw.auth.signups_per_hour == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_SIGNUPS_PER_HOUR",
            "must be at least 1",
        ));
    }
    if raw.insights.interval_secs == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_INSIGHTS_INTERVAL_SECS",
            "must be at least 1",
        ));
    }
    if raw.insights.token_check_interval_secs == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_TOKEN_CHECK_INTERVAL_SECS",
            "must be at least 1",
        ));
    }
    if raw.leads.reconcile_interval_secs == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_RECONCILE_INTERVAL_SECS",
            "must be at least 1",
        ));
    }
    let signup_credits = match raw.auth.signup_credits {
        Some(n) if n < 0 => {
            return Err(ConfigError::new(
                "LEADFORGE_SIGNUP_CREDITS",
                "must not be negative",
            ));
        }
        Some(n) => n,
        None if database.backend == DatabaseBackend::Sqlite => EMBEDDED_SIGNUP_CREDITS,
        None => 0,
    };
    if raw.agents.default_max_campaign_daily_budget <= 0
        || raw.agents.default_max_campaign_daily_budget
            > adapters::ad_platform::money::MAX_MAJOR_AMOUNT
    {
        return Err(ConfigError::new(
            "LEADFORGE_DEFAULT_MAX_CAMPAIGN_DAILY_BUDGET",
            format!(
                "must be a whole number of major units (dollars, yen) from 1 to {}",
                adapters::ad_platform::money::MAX_MAJOR_AMOUNT
            ),
        ));
    }
    for provider in &raw.agents.default_providers {
        if crate::shapes::parse_provider(provider).is_err() {
            let known: Vec<&str> = <entities::Provider as sea_orm::Iterable>::iter()
                .map(|p| crate::shapes::provider_to_platform(p).as_str())
                .collect();
            return Err(ConfigError::new(
                "LEADFORGE_DEFAULT_PROVIDERS",
                format!(
                    "unknown provider `{provider}` (known: {})",
                    known.join(", ")
                ),
            ));
        }
    }

    let s3 = match raw.s3.bucket {
        None => None,
        Some(bucket) => Some(S3Config {
            bucket,
            endpoint: raw
                .s3
                .endpoint
                .as_deref()
                .map(|u| parse_url("S3_ENDPOINT", u))
                .transpose()?,
            region: raw.s3.region,
            force_path_style: raw.s3.force_path_style,
        }),
    };

    let deliveries = DeliveryConfig {
        allow_private: raw
            .deliveries
            .allow_private_destinations
            .unwrap_or(database.backend == DatabaseBackend::Sqlite),
        backoff: Duration::from_millis(raw.deliveries.backoff_ms),
        pause_after: raw.deliveries.pause_after,
    };
    if deliveries.backoff.is_zero() {
        return Err(ConfigError::new(
            "LEADFORGE_DELIVERY_BACKOFF_MS",
            "must be at least 1",
        ));
    }
    if deliveries.pause_after == 0 {
        return Err(ConfigError::new(
            "LEADFORGE_DELIVERY_PAUSE_AFTER",
            "must be at least 1",
        ));
    }
    let smtp = parse_smtp(raw.smtp)?;

    Ok(Config {
        addr,
        data_dir,
        database,
        public_url,
        migrate_on_start: raw.migrate_on_start,
        shutdown_grace: Duration::from_secs(raw.shutdown_grace_secs),
        trusted_proxies,
        ui_dir,
        http: HttpConfig {
            header_timeout: Duration::from_secs(raw.http.header_timeout_secs),
            body_timeout: Duration::from_secs(raw.http.body_timeout_secs),
            body_deadline: Duration::from_secs(raw.http.body_deadline_secs),
            max_connections: raw.http.max_connections,
            max_connections_per_address: (raw.http.max_connections_per_address > 0)
                .then_some(raw.http.max_connections_per_address),
            h2c: raw.http.h2c,
            h2_idle_timeout: Duration::from_secs(raw.http.h2_idle_timeout_secs),
            ws_recheck: Duration::from_secs(raw.http.ws_recheck_secs),
            max_subscriptions_per_socket: raw.http.max_subscriptions_per_socket,
            max_subscriptions_per_user: raw.http.max_subscriptions_per_user,
        },
        log: LogConfig {
            filter: raw.log.filter,
            format,
        },
        graphql: GraphqlConfig {
            introspection: g.introspection,
            graphiql: g.graphiql.unwrap_or(embedded),
            max_depth: g.max_depth,
            max_complexity: g.max_complexity,
            max_aliases: g.max_aliases,
            max_selections: g.max_selections,
            max_batch: g.max_batch,
            max_body_bytes: g.max_body_bytes,
            max_page_size: g.max_page_size,
            unbatched_loaders: g.unbatched_loaders,
        },
        uploads: UploadConfig {
            max_bytes: raw.uploads.max_bytes,
            max_files: raw.uploads.max_files,
        },
        metrics: MetricsConfig {
            token: raw.metrics.token.map(SecretString::from),
        },
        auth: AuthConfig {
            jwt_ttl: Duration::from_secs(raw.auth.jwt_ttl_secs),
            signup_credits,
            signups_per_hour: raw.auth.signups_per_hour,
            jwt_secret: raw.auth.jwt_secret.map(SecretString::from),
        },
        vault: VaultConfig {
            master_key: raw.vault.master_key.map(SecretString::from),
        },
        agents: AgentsConfig {
            default_providers: raw.agents.default_providers,
            default_max_campaign_daily_budget: raw.agents.default_max_campaign_daily_budget,
        },
        insights_interval: Duration::from_secs(raw.insights.interval_secs),
        token_check_interval: Duration::from_secs(raw.insights.token_check_interval_secs),
        leads_reconcile_interval: Duration::from_secs(raw.leads.reconcile_interval_secs),
        job_workers: raw.jobs.workers,
        launch_lookup_delay: Duration::from_secs(raw.jobs.lookup_delay_secs),
        s3,
        deliveries,
        smtp,
        meta: MetaConfig {
            graph_url: parse_url("META_GRAPH_URL", &raw.meta.graph_url)?,
            api_version: check_api_version(raw.meta.api_version)?,
            app_id: raw.meta.app_id,
            app_secret: raw.meta.app_secret.map(SecretString::from),
            webhook_verify_token: raw.meta.webhook_verify_token.map(SecretString::from),
        },
        gemini: GeminiConfig {
            api_key: raw.gemini.api_key.map(SecretString::from),
            model: raw.gemini.model,
            base_url: parse_url("GEMINI_BASE_URL", &raw.gemini.base_url)?,
        },
    })
}

fn parse_addr(addr: &str) -> Result<SocketAddr, ConfigError> {
    let bad = |why: String| ConfigError::new("LEADFORGE_ADDR", why);
    if let Ok(addr) = addr.parse::<SocketAddr>() {
        return Ok(addr);
    }
    addr.to_socket_addrs()
        .map_err(|e| bad(format!("`{addr}` is not host:port ({e})")))?
        .next()
        .ok_or_else(|| bad(format!("`{addr}` resolves to no address")))
}

/// The data dir must exist (it is created) and be writable: SQLite, the
/// generated keys and the local blob store all live there.
fn check_data_dir(dir: &str) -> Result<PathBuf, ConfigError> {
    let bad = |why: String| ConfigError::new("LEADFORGE_DATA_DIR", why);
    if dir.is_empty() {
        return Err(bad("must not be empty".into()));
    }
    let path = PathBuf::from(dir);
    let existed = path.exists();
    std::fs::create_dir_all(&path).map_err(|e| bad(format!("cannot create {dir}: {e}")))?;
    // It holds the database, the keys and the uploads: owner only, when we
    // create it (an operator's own directory keeps its permissions).
    #[cfg(unix)]
    if !existed {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| bad(format!("cannot restrict {dir} to its owner: {e}")))?;
    }
    let probe = path.join(format!(".write-check-{}", std::process::id()));
    std::fs::write(&probe, b"ok").map_err(|e| bad(format!("{dir} is not writable: {e}")))?;
    let _ = std::fs::remove_file(&probe);
    Ok(path)
}

fn parse_database(url: &str, data_dir: &Path) -> Result<DatabaseConfig, ConfigError> {
    let bad = |why: String| ConfigError::new("DATABASE_URL", why);
    if url.is_empty() {
        let file = data_dir.join(SQLITE_FILE);
        return Ok(DatabaseConfig {
            url: SecretString::from(format!("sqlite://{}?mode=rwc", file.display())),
            backend: DatabaseBackend::Sqlite,
        });
    }
    // Never echo the URL back: it may hold a password.
    let parsed = Url::parse(url).map_err(|e| bad(format!("not a URL ({e})")))?;
    let backend = match parsed.scheme() {
        "sqlite" => DatabaseBackend::Sqlite,
        "postgres" | "postgresql" => {
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(bad("a PostgreSQL URL needs a host".into()));
            }
            DatabaseBackend::Postgres
        }
        other => {
            return Err(bad(format!(
                "unsupported scheme `{other}` (use postgres:// or sqlite://)"
            )));
        }
    };
    Ok(DatabaseConfig {
        url: SecretString::from(url.to_owned()),
        backend,
    })
}

/// The SMTP settings: none without a host; with one, a `From:` address is
/// required and the port defaults to the TLS mode's usual one.
fn parse_smtp(raw: super::raw::RawSmtp) -> Result<Option<SmtpConfig>, ConfigError> {
    let Some(host) = raw.host.filter(|h| !h.trim().is_empty()) else {
        return Ok(None);
    };
    let tls = match raw.tls.as_deref().map(str::trim) {
        None | Some("") | Some("starttls") => SmtpTls::Starttls,
        Some("tls") => SmtpTls::Tls,
        Some("none") => SmtpTls::None,
        Some(other) => {
            return Err(ConfigError::new(
                "SMTP_TLS",
                format!("`{other}` is not one of starttls, tls, none"),
            ));
        }
    };
    let from = raw
        .from
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| ConfigError::new("SMTP_FROM", "is required when SMTP_HOST is set"))?;
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(ConfigError::new(
            "SMTP_FROM",
            format!("`{from}` is not an e-mail address (e.g. Leadforge <leads@example.com>)"),
        ));
    }
    if raw.password.is_some() && raw.username.is_none() {
        return Err(ConfigError::new(
            "SMTP_USERNAME",
            "is required when SMTP_PASSWORD is set",
        ));
    }
    let port = raw.port.unwrap_or(match tls {
        SmtpTls::Starttls => 587,
        SmtpTls::Tls => 465,
        SmtpTls::None => 25,
    });
    Ok(Some(SmtpConfig {
        host: host.trim().to_owned(),
        port,
        username: raw.username,
        password: raw.password.map(SecretString::from),
        from,
        tls,
    }))
}

fn parse_url(setting: &str, url: &str) -> Result<Url, ConfigError> {
    let parsed = Url::parse(url)
        .map_err(|e| ConfigError::new(setting, format!("`{url}` is not a URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(ConfigError::new(
            setting,
            format!("`{url}` must be an http(s) URL"),
        ));
    }
    Ok(parsed)
}

fn check_api_version(version: String) -> Result<String, ConfigError> {
    let ok = version
        .strip_prefix('v')
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        });
    if ok {
        Ok(version)
    } else {
        Err(ConfigError::new(
            "META_API_VERSION",
            format!("`{version}` is not a Graph API version like v27.0"),
        ))
    }
}

const MASK: &str = "***";

fn mask(secret: Option<&SecretString>) -> serde_json::Value {
    match secret {
        Some(_) => json!(MASK),
        None => serde_json::Value::Null,
    }
}

/// The database URL with its secrets masked — the password of the
/// authority and any query parameter (sqlx accepts `?password=…`) — so
/// operators can still see which server they point at.
fn masked_database_url(db: &DatabaseConfig) -> String {
    let raw = db.url.expose_secret();
    let Ok(mut url) = Url::parse(raw) else {
        return MASK.to_owned();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some(MASK));
    }
    if url.query().is_some() {
        let masked: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = ["password", "sslpassword", "pass", "pwd"]
                    .iter()
                    .any(|s| k.eq_ignore_ascii_case(s));
                (
                    k.into_owned(),
                    if secret {
                        MASK.to_owned()
                    } else {
                        v.into_owned()
                    },
                )
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(masked);
    }
    url.to_string()
}

pub(super) fn masked_toml(c: &Config) -> String {
    let value = json!({
        "addr": c.addr.to_string(),
        "data_dir": c.data_dir.display().to_string(),
        "database_url": masked_database_url(&c.database),
        "public_url": c.public_url.as_str(),
        "migrate_on_start": c.migrate_on_start,
        "shutdown_grace_secs": c.shutdown_grace.as_secs(),
        "trusted_proxies": c.trusted_proxies.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "ui_dir": c.ui_dir.display().to_string(),
        "http": { "header_timeout_secs": c.http.header_timeout.as_secs(), "body_timeout_secs": c.http.body_timeout.as_secs(), "body_deadline_secs": c.http.body_deadline.as_secs(), "max_connections": c.http.max_connections, "max_connections_per_address": c.http.max_connections_per_address.unwrap_or(0), "h2c": c.http.h2c, "h2_idle_timeout_secs": c.http.h2_idle_timeout.as_secs(), "ws_recheck_secs": c.http.ws_recheck.as_secs(), "max_subscriptions_per_socket": c.http.max_subscriptions_per_socket, "max_subscriptions_per_user": c.http.max_subscriptions_per_user },
        "log": { "filter": c.log.filter, "format": match c.log.format { LogFormat::Pretty => "pretty", LogFormat::Json => "json" } },
        "graphql": {
            "introspection": c.graphql.introspection,
            "graphiql": c.graphql.graphiql,
            "max_depth": c.graphql.max_depth,
            "max_complexity": c.graphql.max_complexity,
            "max_aliases": c.graphql.max_aliases,
            "max_selections": c.graphql.max_selections,
            "max_batch": c.graphql.max_batch,
            "max_body_bytes": c.graphql.max_body_bytes,
            "max_page_size": c.graphql.max_page_size,
            "unbatched_loaders": c.graphql.unbatched_loaders,
        },
        "uploads": { "max_bytes": c.uploads.max_bytes, "max_files": c.uploads.max_files },
        "metrics": { "token": mask(c.metrics.token.as_ref()) },
        "auth": { "jwt_ttl_secs": c.auth.jwt_ttl.as_secs(), "signup_credits": c.auth.signup_credits, "signups_per_hour": c.auth.signups_per_hour, "jwt_secret": mask(c.auth.jwt_secret.as_ref()) },
        "vault": { "master_key": mask(c.vault.master_key.as_ref()) },
        "agents": { "default_providers": c.agents.default_providers, "default_max_campaign_daily_budget": c.agents.default_max_campaign_daily_budget },
        "insights": {
            "interval_secs": c.insights_interval.as_secs(),
            "token_check_interval_secs": c.token_check_interval.as_secs(),
        },
        "leads": { "reconcile_interval_secs": c.leads_reconcile_interval.as_secs() },
        "jobs": { "workers": c.job_workers, "lookup_delay_secs": c.launch_lookup_delay.as_secs() },
        "deliveries": { "allow_private_destinations": c.deliveries.allow_private, "backoff_ms": u64::try_from(c.deliveries.backoff.as_millis()).unwrap_or(u64::MAX), "pause_after": c.deliveries.pause_after },
        "smtp": c.smtp.as_ref().map(|s| json!({
            "host": s.host,
            "port": s.port,
            "username": s.username,
            "password": mask(s.password.as_ref()),
            "from": s.from,
            "tls": match s.tls { SmtpTls::Starttls => "starttls", SmtpTls::Tls => "tls", SmtpTls::None => "none" },
        })),
        "s3": c.s3.as_ref().map(|s| json!({
            "bucket": s.bucket,
            "endpoint": s.endpoint.as_ref().map(Url::as_str),
            "region": s.region,
            "force_path_style": s.force_path_style,
        })),
        "meta": {
            "graph_url": c.meta.graph_url.as_str(),
            "api_version": c.meta.api_version,
            "app_id": c.meta.app_id,
            "app_secret": mask(c.meta.app_secret.as_ref()),
            "webhook_verify_token": mask(c.meta.webhook_verify_token.as_ref()),
        },
        "gemini": {
            "api_key": mask(c.gemini.api_key.as_ref()),
            "model": c.gemini.model,
            "base_url": c.gemini.base_url.as_str(),
        },
    });
    let value = strip_nulls(value);
    toml::to_string_pretty(&value).unwrap_or_else(|_| value.to_string())
}

/// TOML has no null: unset settings are left out of the printout.
fn strip_nulls(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        other => other,
    }
}
