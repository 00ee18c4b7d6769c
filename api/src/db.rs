//! Database connections and migrations, on SQLite (embedded) and PostgreSQL.

use std::time::Duration;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, Statement};
use secrecy::ExposeSecret;

use crate::config::{DatabaseBackend, DatabaseConfig};

/// An arbitrary, fixed key for the PostgreSQL advisory lock that serialises
/// migrations across every `leadforge` instance sharing one database.
const MIGRATION_LOCK_KEY: i64 = 0x4c46_4d49_4752_4154; // "LFMIGRAT"

/// Connection faults, reported without the URL (it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        backend: &'static str,
        #[source]
        source: DbErr,
    },
    #[error("migration failed: {0}")]
    Migrate(#[source] DbErr),
    #[error("the database schema is behind: {0} migration(s) pending (run `leadforge migrate up`)")]
    Pending(usize),
}

/// The pool the application uses.
pub async fn connect(config: &DatabaseConfig) -> Result<DatabaseConnection, DbError> {
    connect_with(config, None).await
}

async fn connect_with(
    config: &DatabaseConfig,
    max_connections: Option<u32>,
) -> Result<DatabaseConnection, DbError> {
    let mut options = ConnectOptions::new(config.url.expose_secret().to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // Statements are logged by our own spans; sqlx's per-statement info
        // lines would drown the request logs.
        .sqlx_logging(false);
    match config.backend {
        DatabaseBackend::Sqlite => {
            options
                .max_connections(max_connections.unwrap_or(8))
                .map_sqlx_sqlite_opts(|opts| {
                    opts.foreign_keys(true)
                        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                        .busy_timeout(Duration::from_secs(10))
                });
        }
        DatabaseBackend::Postgres => {
            options.max_connections(max_connections.unwrap_or(20));
        }
    }
    Database::connect(options)
        .await
        .map_err(|source| DbError::Connect {
            backend: config.backend.as_str(),
            source,
        })
}

/// Applies pending migrations. On PostgreSQL a session advisory lock on a
/// dedicated connection makes concurrent starts wait for each other instead
/// of migrating twice; on SQLite the database file's own write lock does.
pub async fn migrate_up(config: &DatabaseConfig) -> Result<usize, DbError> {
    with_migration_lock(config, |db| async move {
        let pending = Migrator::get_pending_migrations(&db)
            .await
            .map_err(DbError::Migrate)?
            .len();
        Migrator::up(&db, None).await.map_err(DbError::Migrate)?;
        Ok((db, pending))
    })
    .await
}

/// Rolls back `steps` migrations, or all of them.
pub async fn migrate_down(config: &DatabaseConfig, steps: Option<u32>) -> Result<usize, DbError> {
    with_migration_lock(config, |db| async move {
        let applied = Migrator::get_applied_migrations(&db)
            .await
            .map_err(DbError::Migrate)?
            .len();
        Migrator::down(&db, steps).await.map_err(DbError::Migrate)?;
        let rolled_back = steps.map_or(applied, |s| applied.min(s as usize));
        Ok((db, rolled_back))
    })
    .await
}

/// Each migration's name and whether it is applied.
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    let all = Migrator::get_migration_with_status_read_only(db).await?;
    Ok(all
        .into_iter()
        .map(|m| {
            let applied = m.status() == sea_orm_migration::MigrationStatus::Applied;
            (m.name().to_owned(), applied)
        })
        .collect())
}

/// How many migrations this binary knows that the database has not applied.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, DbErr> {
    Ok(Migrator::get_pending_migrations_read_only(db).await?.len())
}

async fn with_migration_lock<F, Fut>(config: &DatabaseConfig, work: F) -> Result<usize, DbError>
where
    F: FnOnce(DatabaseConnection) -> Fut,
    Fut: std::future::Future<Output = Result<(DatabaseConnection, usize), DbError>>,
{
    // One connection only, so the session lock and the migration statements
    // share it.
    let db = connect_with(config, Some(1)).await?;
    let postgres = config.backend == DatabaseBackend::Postgres;
    if postgres {
        advisory(&db, "pg_advisory_lock").await?;
    }
    let result = work(db.clone()).await;
    if postgres {
        // Closing the session would release the lock too; unlock explicitly
        // so a pooled connection never keeps it.
        advisory(&db, "pg_advisory_unlock").await?;
    }
    let _ = db.close().await;
    result.map(|(_, n)| n)
}

async fn advisory(db: &DatabaseConnection, function: &str) -> Result<(), DbError> {
    db.execute_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        format!("SELECT {function}($1)"),
        [MIGRATION_LOCK_KEY.into()],
    ))
    .await
    .map(|_| ())
    .map_err(DbError::Migrate)
}
