//! Internal faults reach clients as INTERNAL with a fixed message: no
//! database text, table or column names.

use leadforge_e2e::{Backend, TestApp, both_backends};
use sea_orm::{ConnectionTrait, Statement};

both_backends!(a_database_fault_is_masked_as_internal);

async fn a_database_fault_is_masked_as_internal(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // The status reads the database for the chief architect only.
    let chief = app.chief_architect("chief@errors.test").await;
    let status = "{ serverStatus { pendingMigrations } }";
    let none = serde_json::json!({});
    let r = app.graphql_as(&chief.token, status, none.clone()).await;
    assert_eq!(r.data()["serverStatus"]["pendingMigrations"], 0);

    // Break the table the query reads, behind the server's back.
    let db = app.db.connect().await;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "ALTER TABLE seaql_migrations RENAME COLUMN version TO broken_version".to_owned(),
    ))
    .await
    .unwrap();

    let r = app.graphql_as(&chief.token, status, none).await;
    assert_eq!(r.status, 200, "an execution error is not a request error");
    assert_eq!(r.error_codes(), vec!["INTERNAL"]);
    let error = &r.body["errors"][0];
    assert_eq!(error["message"], leadforge::error::INTERNAL_MESSAGE);
    assert_eq!(
        error["extensions"].as_object().unwrap().len(),
        1,
        "only the code is exposed: {error}"
    );
    let text = r.body.to_string().to_lowercase();
    for leak in ["seaql", "broken_version", "sql", "relation", "no such"] {
        assert!(
            !text.contains(leak),
            "`{leak}` leaked to the client: {text}"
        );
    }
    assert!(r.body["data"].is_null());
}
