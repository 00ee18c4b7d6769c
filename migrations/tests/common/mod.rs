//! Throwaway databases for the migration tests: a SQLite file in a temp dir,
//! and a uniquely named PostgreSQL database dropped WITH (FORCE) afterwards.

#![allow(dead_code)]

use std::future::Future;

use sea_orm_migration::sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

/// Result type of test bodies: errors are reported after cleanup ran.
pub type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs `body` against a fresh SQLite file.
pub async fn with_sqlite<F, Fut>(body: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = TestResult>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("leadforge.db").display()
    );
    let db = Database::connect(&url).await.expect("connect sqlite");
    let outcome = body(db.clone()).await;
    db.close().await.expect("close sqlite");
    outcome.expect("sqlite test body");
}

/// The admin URL of the test PostgreSQL server.
fn pg_admin_url() -> String {
    std::env::var("LEADFORGE_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `admin_url` with its database name replaced by `name` (query kept).
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    // The database name is the path after the authority; a URL without one
    // (`postgres://host:5432`) gets it appended.
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let base = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs `body` against a freshly created PostgreSQL database, then drops it
/// even when the body failed.
pub async fn with_postgres<F, Fut>(body: F)
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: Future<Output = TestResult> + Send + 'static,
{
    let admin_url = pg_admin_url();
    let admin = Database::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("connect to PostgreSQL at {admin_url}: {e}"));
    let name = format!("leadforge_mig_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create database");

    // The body runs as its own task so a failed assertion (a panic) comes
    // back as an error here and the database is still dropped.
    let outcome = match Database::connect(&with_database(&admin_url, &name)).await {
        Ok(db) => {
            let outcome = match tokio::spawn(body(db.clone())).await {
                Ok(outcome) => outcome,
                Err(join) => Err(format!("test body panicked: {join}").into()),
            };
            let _ = db.close().await;
            outcome
        }
        Err(e) => Err(e.into()),
    };

    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .expect("drop database");
    admin.close().await.expect("close admin connection");
    outcome.expect("postgres test body");
}

/// Names of the ordinary tables in the connected database, sorted.
pub async fn table_names(db: &DatabaseConnection) -> Result<Vec<String>, sea_orm_migration::DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let mut names = rows
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect::<Result<Vec<_>, _>>()?;
    names.sort();
    Ok(names)
}

#[test]
fn database_name_replaces_the_path() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u:p@h:5432/postgres?sslmode=disable", "x"),
        "postgres://u:p@h:5432/x?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "x"),
        "postgres://h:5432/x"
    );
}
