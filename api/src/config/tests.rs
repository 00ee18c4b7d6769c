use std::collections::HashMap;

use secrecy::ExposeSecret;

use super::*;

#[derive(Default)]
struct MapEnv(HashMap<&'static str, String>);

impl EnvSource for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

fn env(pairs: &[(&'static str, &str)]) -> MapEnv {
    let dir = std::env::temp_dir().join(format!("leadforge-config-test-{}", std::process::id()));
    let mut map: HashMap<&'static str, String> =
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    map.entry("LEADFORGE_DATA_DIR")
        .or_insert_with(|| dir.display().to_string());
    MapEnv(map)
}

#[test]
fn defaults_are_the_embedded_mode() {
    let config = Config::load_from(None, &env(&[])).unwrap();
    assert_eq!(config.database.backend, DatabaseBackend::Sqlite);
    assert!(
        config
            .database
            .url
            .expose_secret()
            .ends_with("leadforge.db?mode=rwc")
    );
    assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
    assert_eq!(config.public_url.as_str(), "http://127.0.0.1:8080/");
    assert_eq!(config.auth.signup_credits, 50);
    assert_eq!(config.agents.default_providers, ["sandbox", "meta_ads"]);
    assert!(config.s3.is_none());
    assert!(config.gemini.api_key.is_none());
    assert_eq!(config.uploads.max_bytes, 31_457_280);
}

#[test]
fn environment_overrides_and_parses_types() {
    let config = Config::load_from(
        None,
        &env(&[
            ("LEADFORGE_ADDR", "0.0.0.0:9000"),
            ("DATABASE_URL", "postgres://u:p@db:5432/lf"),
            ("LEADFORGE_INTROSPECTION", "false"),
            ("LEADFORGE_MAX_QUERY_DEPTH", "7"),
            ("LEADFORGE_DEFAULT_PROVIDERS", "meta_ads"),
            ("META_APP_ID", "1234567890"),
            ("S3_BUCKET", "creatives"),
            ("S3_FORCE_PATH_STYLE", "true"),
        ]),
    )
    .unwrap();
    assert_eq!(config.addr.port(), 9000);
    assert_eq!(config.database.backend, DatabaseBackend::Postgres);
    // Not embedded: new members start without credits.
    assert_eq!(config.auth.signup_credits, 0);
    assert!(!config.graphql.introspection);
    assert_eq!(config.graphql.max_depth, 7);
    assert_eq!(config.agents.default_providers, ["meta_ads"]);
    assert_eq!(config.meta.app_id.as_deref(), Some("1234567890"));
    let s3 = config.s3.unwrap();
    assert_eq!(s3.bucket, "creatives");
    assert!(s3.force_path_style);
}

#[test]
fn a_file_layer_sits_between_defaults_and_environment() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("custom.toml");
    std::fs::write(
        &file,
        "addr = \"127.0.0.1:7000\"\n[graphql]\nmax_aliases = 5\nmax_batch = 3\n",
    )
    .unwrap();
    let config =
        Config::load_from(Some(file.clone()), &env(&[("LEADFORGE_MAX_BATCH", "4")])).unwrap();
    assert_eq!(config.addr.port(), 7000);
    assert_eq!(config.graphql.max_aliases, 5);
    assert_eq!(
        config.graphql.max_batch, 4,
        "environment wins over the file"
    );

    std::fs::write(&file, "[graphql]\nmax_alias = 5\n").unwrap();
    let err = Config::load_from(Some(file), &env(&[])).unwrap_err();
    assert!(err.to_string().contains("max_alias"), "{err}");

    let err = Config::load_from(Some(dir.path().join("absent.toml")), &env(&[])).unwrap_err();
    assert_eq!(err.setting, "--config");
}

#[test]
fn secrets_come_from_files_verbatim_and_are_masked() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("gemini.key");
    std::fs::write(&key_file, "[not-a-list]\n").unwrap();
    let config = Config::load_from(
        None,
        &env(&[
            ("GEMINI_API_KEY_FILE", key_file.to_str().unwrap()),
            ("META_APP_SECRET", "12345"),
            ("DATABASE_URL", "postgres://lf:s3cr3t-pw@db/lf"),
        ]),
    )
    .unwrap();
    let key = config.gemini.api_key.as_ref().unwrap();
    assert_eq!(key.expose_secret(), "[not-a-list]");
    assert_eq!(
        config.meta.app_secret.as_ref().unwrap().expose_secret(),
        "12345"
    );

    let printed = config.masked();
    assert!(!printed.contains("not-a-list"), "{printed}");
    assert!(!printed.contains("12345"), "{printed}");
    assert!(!printed.contains("s3cr3t-pw"), "{printed}");
    assert!(printed.contains("postgres://lf:***@db/lf"), "{printed}");

    let config = Config::load_from(
        None,
        &env(&[(
            "DATABASE_URL",
            "postgres://db/lf?sslmode=require&password=q-s3cr3t",
        )]),
    )
    .unwrap();
    let printed = config.masked();
    assert!(!printed.contains("q-s3cr3t"), "{printed}");
    assert!(printed.contains("sslmode=require"), "{printed}");
    let debug = format!("{config:?}");
    assert!(
        !debug.contains("s3cr3t-pw") && !debug.contains("not-a-list"),
        "{debug}"
    );
}

#[test]
fn bad_values_name_their_setting() {
    for (name, value) in [
        ("DATABASE_URL", "::"),
        ("LEADFORGE_LOG", "=][="),
        ("LEADFORGE_LOG_FORMAT", "xml"),
        ("LEADFORGE_MAX_PAGE_SIZE", "0"),
        ("LEADFORGE_MAX_PAGE_SIZE", "-3"),
        ("LEADFORGE_SIGNUP_CREDITS", "-1"),
        ("META_GRAPH_URL", "ftp://graph"),
        ("S3_ENDPOINT", "not a url"),
    ] {
        let mut pairs = vec![(name, value)];
        if name == "S3_ENDPOINT" {
            pairs.push(("S3_BUCKET", "b"));
        }
        let err = Config::load_from(None, &env(&pairs)).unwrap_err();
        assert_eq!(err.setting, name, "{name}={value}: {err}");
    }
}

#[test]
fn the_readme_documents_every_setting() {
    let readme = include_str!("../../../README.md");
    for setting in ENV_SETTINGS {
        assert!(
            readme.contains(&format!("`{}`", setting.env)),
            "README lacks {}",
            setting.env
        );
        assert!(
            readme.contains(&format!("`{}`", setting.key)),
            "README lacks the key {}",
            setting.key
        );
    }
}

#[test]
fn lead_delivery_and_smtp_settings() {
    let embedded = Config::load_from(None, &env(&[])).unwrap();
    assert!(embedded.deliveries.allow_private, "on in embedded mode");
    assert!(embedded.smtp.is_none(), "e-mail off without a host");
    assert_eq!(embedded.deliveries.pause_after, 20);
    assert_eq!(embedded.deliveries.backoff.as_millis(), 30_000);
    assert_eq!(embedded.leads_reconcile_interval.as_secs(), 900);
    let server =
        Config::load_from(None, &env(&[("DATABASE_URL", "postgres://u@localhost/db")])).unwrap();
    assert!(!server.deliveries.allow_private, "off on PostgreSQL");

    let smtp = Config::load_from(
        None,
        &env(&[
            ("SMTP_HOST", "smtp.example.com"),
            ("SMTP_TLS", "tls"),
            ("SMTP_USERNAME", "leadforge"),
            ("SMTP_PASSWORD", "hunter2hunter2"),
            ("SMTP_FROM", "Leadforge <leads@example.com>"),
        ]),
    )
    .unwrap();
    let s = smtp.smtp.as_ref().unwrap();
    assert_eq!((s.port, s.tls), (465, SmtpTls::Tls));
    assert!(!smtp.masked().contains("hunter2"));

    for (pairs, setting) in [
        (vec![("SMTP_HOST", "smtp.example.com")], "SMTP_FROM"),
        (
            vec![
                ("SMTP_HOST", "smtp.example.com"),
                ("SMTP_FROM", "leads@example.com"),
                ("SMTP_TLS", "maybe"),
            ],
            "SMTP_TLS",
        ),
        (
            vec![
                ("SMTP_HOST", "smtp.example.com"),
                ("SMTP_FROM", "not an address"),
            ],
            "SMTP_FROM",
        ),
        (
            vec![("LEADFORGE_DELIVERY_PAUSE_AFTER", "0")],
            "LEADFORGE_DELIVERY_PAUSE_AFTER",
        ),
    ] {
        let err = Config::load_from(None, &env(&pairs)).unwrap_err();
        assert_eq!(err.setting, setting, "{err}");
    }
}

#[test]
fn graphiql_is_on_in_embedded_mode_and_off_on_a_production_database() {
    let embedded = Config::load_from(None, &env(&[])).unwrap();
    assert!(embedded.graphql.graphiql);
    let server =
        Config::load_from(None, &env(&[("DATABASE_URL", "postgres://u@localhost/db")])).unwrap();
    assert!(
        !server.graphql.graphiql,
        "off on PostgreSQL unless asked for"
    );
    let asked = Config::load_from(
        None,
        &env(&[
            ("DATABASE_URL", "postgres://u@localhost/db"),
            ("LEADFORGE_GRAPHIQL", "true"),
        ]),
    )
    .unwrap();
    assert!(asked.graphql.graphiql);
}
