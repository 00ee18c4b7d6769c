//! The `leadforge` binary as an operator runs it: bad configuration fails
//! with one clear line, `schema` prints the SDL, `migrate` creates and
//! removes every table on PostgreSQL and SQLite.

// Helpers of a test binary are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use std::process::{Command, Output};

use sea_orm::{ConnectionTrait, Database, Statement};

const BIN: &str = env!("CARGO_BIN_EXE_leadforge");

/// Runs the binary with a clean environment plus `env`, in a temp directory.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(BIN);
    command.args(args).current_dir(dir.path()).env_clear();
    command.env("PATH", std::env::var("PATH").unwrap_or_default());
    command.env("LEADFORGE_DATA_DIR", dir.path().join("data"));
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A bad setting ends the process with exactly one line naming it.
fn assert_fails_naming(env: &[(&str, &str)], setting: &str) {
    let output = run(&["config"], env);
    let err = stderr(&output);
    assert!(!output.status.success(), "{setting}: expected a failure");
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(err.contains(setting), "{setting} not named in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("backtrace"), "{err}");
}

#[test]
fn bad_configuration_fails_with_one_line_naming_the_setting() {
    assert_fails_naming(&[("DATABASE_URL", "not a url")], "DATABASE_URL");
    assert_fails_naming(&[("DATABASE_URL", "mysql://db/x")], "DATABASE_URL");
    assert_fails_naming(&[("LEADFORGE_LOG", "info,[[[")], "LEADFORGE_LOG");
    assert_fails_naming(
        &[("LEADFORGE_DATA_DIR", "/proc/leadforge")],
        "LEADFORGE_DATA_DIR",
    );
    assert_fails_naming(&[("LEADFORGE_ADDR", "nowhere")], "LEADFORGE_ADDR");
    assert_fails_naming(
        &[("LEADFORGE_INTROSPECTION", "maybe")],
        "LEADFORGE_INTROSPECTION",
    );
    assert_fails_naming(
        &[("LEADFORGE_DEFAULT_PROVIDERS", "tiktok")],
        "LEADFORGE_DEFAULT_PROVIDERS",
    );
    assert_fails_naming(&[("META_API_VERSION", "25")], "META_API_VERSION");
    assert_fails_naming(
        &[
            ("GEMINI_API_KEY", "a"),
            ("GEMINI_API_KEY_FILE", "/etc/hostname"),
        ],
        "GEMINI_API_KEY",
    );
}

#[test]
fn a_database_password_never_appears_in_errors_or_printed_config() {
    let url = "postgres://leadforge:hunter2-secret@db.invalid:5432/leadforge";
    let output = run(
        &["config"],
        &[("DATABASE_URL", url), ("GEMINI_API_KEY", "AIza-secret-key")],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(printed.contains("db.invalid"), "{printed}");
    assert!(!printed.contains("hunter2-secret"), "{printed}");
    assert!(!printed.contains("AIza-secret-key"), "{printed}");
    assert!(printed.contains("***"));

    // Unreachable: the error names the database kind, never the URL.
    let output = run(&["migrate", "up"], &[("DATABASE_URL", url)]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("postgresql"), "{err}");
    assert!(!err.contains("hunter2-secret"), "{err}");
}

#[test]
fn schema_prints_the_sdl_without_any_configuration() {
    let output = run(&["schema"], &[("DATABASE_URL", "garbage")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sdl = String::from_utf8_lossy(&output.stdout);
    assert!(sdl.contains("type Query"), "{sdl}");
    assert!(sdl.contains("serverStatus"), "{sdl}");
}

/// Tables of DESIGN §3 that `migrate up` must create and `down` remove.
const TABLES: &[&str] = &[
    "tenants",
    "users",
    "user_integrations",
    "creatives",
    "creative_platform_assets",
    "ad_campaigns",
    "campaign_creatives",
    "performance_snapshots",
    "agents",
    "tenant_agents",
    "credit_ledger",
    "audit_events",
    "casbin_rule",
    "jobs",
];

async fn tables(url: &str) -> Vec<String> {
    let db = Database::connect(url).await.unwrap();
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table'",
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap();
    let names = rows
        .into_iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect();
    db.close().await.unwrap();
    names
}

async fn migrate_up_down_up(url: &str) {
    let env = [("DATABASE_URL", url)];
    let up = run(&["migrate", "up"], &env);
    assert!(up.status.success(), "{}", stderr(&up));
    let present = tables(url).await;
    for table in TABLES {
        assert!(
            present.iter().any(|t| t == table),
            "{table} missing after up: {present:?}"
        );
    }
    let status = run(&["migrate", "status"], &env);
    let listing = String::from_utf8_lossy(&status.stdout);
    assert!(!listing.contains("pending"), "{listing}");

    let down = run(&["migrate", "down"], &env);
    assert!(down.status.success(), "{}", stderr(&down));
    let present = tables(url).await;
    for table in TABLES {
        assert!(
            !present.iter().any(|t| t == table),
            "{table} left after down: {present:?}"
        );
    }

    let up = run(&["migrate", "up"], &env);
    assert!(up.status.success(), "{}", stderr(&up));
    assert!(tables(url).await.iter().any(|t| t == "ad_campaigns"));
}

#[tokio::test]
async fn migrate_up_down_up_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cli.db").display());
    migrate_up_down_up(&url).await;
}

#[tokio::test]
async fn migrate_up_down_up_on_postgres() {
    let admin = std::env::var("LEADFORGE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("lf_cli_{}", std::process::id());
    let db = Database::connect(&admin)
        .await
        .expect("PostgreSQL is running");
    let exec = |sql: String| {
        let db = db.clone();
        async move {
            db.execute_raw(Statement::from_string(sea_orm::DbBackend::Postgres, sql))
                .await
                .unwrap();
        }
    };
    exec(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)).await;
    exec(format!(r#"CREATE DATABASE "{name}""#)).await;
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    migrate_up_down_up(url.as_str()).await;
    exec(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)).await;
}

#[tokio::test]
async fn two_instances_migrating_one_postgres_database_at_once_both_succeed() {
    let admin = std::env::var("LEADFORGE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("lf_race_{}", std::process::id());
    let db = Database::connect(&admin).await.unwrap();
    let sql = |s: String| Statement::from_string(sea_orm::DbBackend::Postgres, s);
    db.execute_raw(sql(format!(
        r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
    )))
    .await
    .unwrap();
    db.execute_raw(sql(format!(r#"CREATE DATABASE "{name}""#)))
        .await
        .unwrap();
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&format!("/{name}"));
    let url = url.to_string();

    let a = {
        let url = url.clone();
        std::thread::spawn(move || run(&["migrate", "up"], &[("DATABASE_URL", &url)]))
    };
    let b = {
        let url = url.clone();
        std::thread::spawn(move || run(&["migrate", "up"], &[("DATABASE_URL", &url)]))
    };
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    assert!(a.status.success(), "{}", stderr(&a));
    assert!(b.status.success(), "{}", stderr(&b));
    let applied: Vec<String> = [a, b]
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .collect();
    // Exactly one of them did the work; the other waited, then found
    // nothing pending.
    let zero = "applied 0 migration(s)".to_owned();
    assert_eq!(
        applied.iter().filter(|a| **a == zero).count(),
        1,
        "{applied:?}"
    );
    let present = tables(&url).await;
    for table in TABLES {
        assert!(
            present.iter().any(|t| t == table),
            "{table} missing: {present:?}"
        );
    }
    db.execute_raw(sql(format!(
        r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
    )))
    .await
    .unwrap();
}

#[test]
fn create_chief_architect_reads_the_password_from_stdin_and_refuses_weak_ones() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("admin.db").display()
    );
    let create = |password: &str| {
        let mut child = Command::new(BIN)
            .args([
                "admin",
                "create-chief-architect",
                "--email",
                "Boss@Example.com",
            ])
            .current_dir(dir.path())
            .env_clear()
            .env("DATABASE_URL", &url)
            .env("LEADFORGE_DATA_DIR", dir.path().join("data"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = create("short");
    assert!(!weak.status.success());
    assert!(stderr(&weak).contains("at least"), "{}", stderr(&weak));
    assert!(!stderr(&weak).contains("short\n"));

    let ok = create("a long and proper passphrase");
    assert!(ok.status.success(), "{}", stderr(&ok));
    let out = String::from_utf8_lossy(&ok.stdout);
    assert!(out.contains("boss@example.com"), "{out}");
    assert!(!out.contains("passphrase"));

    let again = create("a long and proper passphrase");
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
}
