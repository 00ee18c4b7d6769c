//! The job claim statement the worker is designed around.

use chrono::{DateTime, Duration, TimeZone, Utc};
use entities::job;
use entities::prelude::*;
use sea_orm_migration::sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, Statement,
};

use crate::common::TestResult;
use crate::fixture::at;

/// The claim statement the job worker is designed around: one UPDATE whose
/// subquery picks the oldest due job (with FOR UPDATE SKIP LOCKED on
/// PostgreSQL; SQLite's single writer makes the statement atomic), bound
/// with a `now` from Rust so SQLite compares RFC 3339 text with RFC 3339
/// text.
pub async fn claim(
    db: &DatabaseConnection,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Option<JobId>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3 \
             ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id"
        }
        _ => {
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' AND run_at <= $3 \
             ORDER BY run_at, id LIMIT 1) RETURNING id"
        }
    };
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [
            worker.into(),
            (now + Duration::seconds(60)).into(),
            now.into(),
        ],
    );
    match db.query_one_raw(stmt).await? {
        Some(row) => Ok(Some(row.try_get::<JobId>("", "id")?)),
        None => Ok(None),
    }
}

pub async fn jobs_can_be_claimed(db: &DatabaseConnection) -> TestResult {
    let job = |minute: u32, key: &str| job::Model {
        id: JobId::generate(),
        queue: "default".to_owned(),
        kind: "sync_insights".to_owned(),
        payload: serde_json::json!({}),
        status: JobStatus::Queued,
        attempts: 0,
        max_attempts: 3,
        run_at: at(minute),
        locked_by: None,
        locked_until: None,
        last_error: None,
        dedupe_key: Some(key.to_owned()),
        tenant_id: None,
        created_at: at(0),
        updated_at: at(0),
        finished_at: None,
    };
    // Whole-second and fractional timestamps mix on purpose: SQLite orders
    // them as text.
    let mut late = job(40, "late");
    late.run_at = Utc.with_ymd_and_hms(2025, 3, 4, 5, 40, 7).unwrap();
    let early = job(20, "early");
    let future = job(50, "future");
    for j in [&late, &early, &future] {
        j.clone().into_active_model().insert(db).await?;
    }
    // Enqueueing the same dedupe key twice is refused.
    assert!(
        job(45, "early")
            .into_active_model()
            .insert(db)
            .await
            .is_err()
    );

    let now = at(45);
    assert_eq!(claim(db, "w1", now).await?, Some(early.id));
    assert_eq!(claim(db, "w2", now).await?, Some(late.id));
    assert_eq!(
        claim(db, "w3", now).await?,
        None,
        "a future job was claimed"
    );
    let claimed = Job::find_by_id(early.id)
        .one(db)
        .await?
        .ok_or("job vanished")?;
    assert_eq!(claimed.status, JobStatus::Running);
    assert_eq!(claimed.attempts, 1);
    assert_eq!(claimed.locked_by.as_deref(), Some("w1"));
    Job::delete_many()
        .filter(job::Column::TenantId.is_null())
        .exec(db)
        .await?;
    Ok(())
}
