//! The one table that ties each environment variable to its `leadforge.toml` key.

/// One setting: its environment name, its key in `leadforge.toml`, and
/// whether it is a secret (masked when printed, readable from `<NAME>_FILE`).
#[derive(Debug, Clone, Copy)]
pub struct EnvSetting {
    pub env: &'static str,
    pub key: &'static str,
    pub secret: bool,
}

const fn plain(env: &'static str, key: &'static str) -> EnvSetting {
    EnvSetting {
        env,
        key,
        secret: false,
    }
}

const fn secret(env: &'static str, key: &'static str) -> EnvSetting {
    EnvSetting {
        env,
        key,
        secret: true,
    }
}

/// Every setting the environment can change. The README's configuration
/// table is written from this list.
pub const ENV_SETTINGS: &[EnvSetting] = &[
    plain("LEADFORGE_ADDR", "addr"),
    plain("LEADFORGE_DATA_DIR", "data_dir"),
    // A database URL can carry a password.
    secret("DATABASE_URL", "database_url"),
    plain("LEADFORGE_PUBLIC_URL", "public_url"),
    plain("LEADFORGE_MIGRATE_ON_START", "migrate_on_start"),
    plain("LEADFORGE_SHUTDOWN_GRACE_SECS", "shutdown_grace_secs"),
    plain("LEADFORGE_TRUSTED_PROXIES", "trusted_proxies"),
    plain("LEADFORGE_UI_DIR", "ui_dir"),
    plain("LEADFORGE_HEADER_TIMEOUT_SECS", "http.header_timeout_secs"),
    plain("LEADFORGE_BODY_TIMEOUT_SECS", "http.body_timeout_secs"),
    plain("LEADFORGE_BODY_DEADLINE_SECS", "http.body_deadline_secs"),
    plain("LEADFORGE_MAX_CONNECTIONS", "http.max_connections"),
    plain(
        "LEADFORGE_MAX_CONNECTIONS_PER_ADDRESS",
        "http.max_connections_per_address",
    ),
    plain("LEADFORGE_H2C", "http.h2c"),
    plain(
        "LEADFORGE_H2_IDLE_TIMEOUT_SECS",
        "http.h2_idle_timeout_secs",
    ),
    plain("LEADFORGE_WS_RECHECK_SECS", "http.ws_recheck_secs"),
    plain(
        "LEADFORGE_MAX_SUBSCRIPTIONS_PER_SOCKET",
        "http.max_subscriptions_per_socket",
    ),
    plain(
        "LEADFORGE_MAX_SUBSCRIPTIONS_PER_USER",
        "http.max_subscriptions_per_user",
    ),
    secret("LEADFORGE_METRICS_TOKEN", "metrics.token"),
    plain("LEADFORGE_LOG", "log.filter"),
    plain("LEADFORGE_LOG_FORMAT", "log.format"),
    plain("LEADFORGE_INTROSPECTION", "graphql.introspection"),
    plain("LEADFORGE_GRAPHIQL", "graphql.graphiql"),
    plain("LEADFORGE_MAX_QUERY_DEPTH", "graphql.max_depth"),
    plain("LEADFORGE_MAX_QUERY_COMPLEXITY", "graphql.max_complexity"),
    plain("LEADFORGE_MAX_ALIASES", "graphql.max_aliases"),
    plain("LEADFORGE_MAX_QUERY_SELECTIONS", "graphql.max_selections"),
    plain("LEADFORGE_MAX_BATCH", "graphql.max_batch"),
    plain("LEADFORGE_MAX_BODY_BYTES", "graphql.max_body_bytes"),
    plain("LEADFORGE_MAX_PAGE_SIZE", "graphql.max_page_size"),
    // Test-only: loaders without batching (see GraphqlConfig).
    plain(
        "LEADFORGE_TEST_UNBATCHED_LOADERS",
        "graphql.unbatched_loaders",
    ),
    plain("LEADFORGE_MAX_UPLOAD_BYTES", "uploads.max_bytes"),
    plain("LEADFORGE_MAX_UPLOAD_FILES", "uploads.max_files"),
    plain("LEADFORGE_JWT_TTL_SECS", "auth.jwt_ttl_secs"),
    plain("LEADFORGE_SIGNUP_CREDITS", "auth.signup_credits"),
    plain("LEADFORGE_SIGNUPS_PER_HOUR", "auth.signups_per_hour"),
    secret("LEADFORGE_JWT_SECRET", "auth.jwt_secret"),
    secret("LEADFORGE_MASTER_KEY", "vault.master_key"),
    plain("LEADFORGE_DEFAULT_PROVIDERS", "agents.default_providers"),
    plain(
        "LEADFORGE_DEFAULT_MAX_CAMPAIGN_DAILY_BUDGET",
        "agents.default_max_campaign_daily_budget",
    ),
    plain("LEADFORGE_INSIGHTS_INTERVAL_SECS", "insights.interval_secs"),
    plain(
        "LEADFORGE_TOKEN_CHECK_INTERVAL_SECS",
        "insights.token_check_interval_secs",
    ),
    plain(
        "LEADFORGE_RECONCILE_INTERVAL_SECS",
        "leads.reconcile_interval_secs",
    ),
    plain("LEADFORGE_JOB_WORKERS", "jobs.workers"),
    plain(
        "LEADFORGE_LAUNCH_LOOKUP_DELAY_SECS",
        "jobs.lookup_delay_secs",
    ),
    plain(
        "LEADFORGE_ALLOW_PRIVATE_DESTINATIONS",
        "deliveries.allow_private_destinations",
    ),
    plain("LEADFORGE_DELIVERY_BACKOFF_MS", "deliveries.backoff_ms"),
    plain("LEADFORGE_DELIVERY_PAUSE_AFTER", "deliveries.pause_after"),
    plain("SMTP_HOST", "smtp.host"),
    plain("SMTP_PORT", "smtp.port"),
    plain("SMTP_USERNAME", "smtp.username"),
    secret("SMTP_PASSWORD", "smtp.password"),
    plain("SMTP_FROM", "smtp.from"),
    plain("SMTP_TLS", "smtp.tls"),
    plain("S3_BUCKET", "s3.bucket"),
    plain("S3_ENDPOINT", "s3.endpoint"),
    plain("S3_REGION", "s3.region"),
    plain("S3_FORCE_PATH_STYLE", "s3.force_path_style"),
    plain("META_GRAPH_URL", "meta.graph_url"),
    plain("META_API_VERSION", "meta.api_version"),
    plain("META_APP_ID", "meta.app_id"),
    secret("META_APP_SECRET", "meta.app_secret"),
    secret("META_WEBHOOK_VERIFY_TOKEN", "meta.webhook_verify_token"),
    secret("GEMINI_API_KEY", "gemini.api_key"),
    plain("GEMINI_MODEL", "gemini.model"),
    plain("GEMINI_BASE_URL", "gemini.base_url"),
];

/// The environment name of a `leadforge.toml` key path, for error messages.
pub fn env_name_of(key: &str) -> Option<&'static str> {
    ENV_SETTINGS.iter().find(|s| s.key == key).map(|s| s.env)
}
