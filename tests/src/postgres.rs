//! A fresh PostgreSQL database per test, cloned from a template that is
//! migrated once per test process.

use std::sync::atomic::{AtomicU64, Ordering};

use leadforge::config::{DatabaseBackend, DatabaseConfig};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use tokio::sync::OnceCell;

/// The server to create test databases on (trust auth on this machine).
pub fn admin_url() -> String {
    std::env::var("LEADFORGE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `admin_url` with another database name.
pub fn url_for(database: &str) -> String {
    let mut url = url::Url::parse(&admin_url()).expect("LEADFORGE_TEST_PG_URL is a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A database that is dropped (connections forced closed) when this value drops.
#[derive(Debug)]
pub struct TestDatabase {
    pub name: String,
    pub url: String,
}

impl TestDatabase {
    /// Clones the migrated template into a new, uniquely named database.
    pub async fn create() -> Self {
        let template = TEMPLATE.get_or_init(create_template).await.clone();
        let name = format!(
            "lf_t_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        admin_exec(&format!(
            r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#
        ))
        .await;
        Self {
            url: url_for(&name),
            name,
        }
    }

    /// An empty database (for migration tests), not cloned from the template.
    pub async fn create_empty() -> Self {
        let name = format!(
            "lf_e_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        admin_exec(&format!(r#"CREATE DATABASE "{name}""#)).await;
        Self {
            url: url_for(&name),
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs inside the test's runtime; the statement needs a runtime
        // of its own, on a thread of its own.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(async {
                    if let Ok(db) = Database::connect(admin_url()).await {
                        let _ = db
                            .execute_raw(Statement::from_string(
                                sea_orm::DbBackend::Postgres,
                                format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#),
                            ))
                            .await;
                        let _ = db.close().await;
                    }
                });
            }
        })
        .join();
    }
}

async fn admin() -> DatabaseConnection {
    Database::connect(admin_url()).await.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at LEADFORGE_TEST_PG_URL ({e}); start it first")
    })
}

pub async fn admin_exec(sql: &str) {
    let db = admin().await;
    db.execute_raw(Statement::from_string(
        sea_orm::DbBackend::Postgres,
        sql.to_owned(),
    ))
    .await
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let _ = db.close().await;
}

/// Migrates a template database for this process, after dropping databases
/// left behind by test processes that no longer run.
async fn create_template() -> String {
    drop_stale_databases().await;
    let name = format!("lf_tpl_{}", std::process::id());
    admin_exec(&format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#)).await;
    admin_exec(&format!(r#"CREATE DATABASE "{name}""#)).await;
    let config = DatabaseConfig {
        url: url_for(&name).into(),
        backend: DatabaseBackend::Postgres,
    };
    leadforge::db::migrate_up(&config)
        .await
        .expect("migrating the template database");
    name
}

async fn drop_stale_databases() {
    let db = admin().await;
    let rows = db
        .query_all_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'lf\\_%'".to_owned(),
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists());
        if !alive {
            let _ = db
                .execute_raw(Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#),
                ))
                .await;
        }
    }
    let _ = db.close().await;
}
