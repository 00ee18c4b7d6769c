//! Liveness, readiness, metrics and GraphiQL.

use leadforge_e2e::{Backend, TestApp, both_backends};
use sea_orm::{ConnectionTrait, Statement};

both_backends!(
    ready_when_migrated_and_not_ready_when_the_schema_is_gone,
    metrics_count_operations
);

async fn ready_when_migrated_and_not_ready_when_the_schema_is_gone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // Forget the migration bookkeeping: the schema is no longer known to be current.
    let db = app.db.connect().await;
    db.execute_raw(Statement::from_string(
        db.get_database_backend(),
        "DROP TABLE seaql_migrations".to_owned(),
    ))
    .await
    .unwrap();
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(
        body["reason"].as_str().unwrap().contains("pending"),
        "{body}"
    );
    // Liveness does not depend on the database.
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

async fn metrics_text(app: &TestApp) -> String {
    app.metrics().await
}

async fn metrics_count_operations(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..3 {
        app.query("query Probe { serverStatus { version } }")
            .await
            .data();
    }
    app.query("query Broken { nope }").await;
    // Operation names are the client's: they never become labels.
    let before = metrics_text(&app).await;
    for i in 0..100 {
        app.query(&format!(
            "query Random{i}x{} {{ serverStatus {{ version }} }}",
            i * 7919
        ))
        .await
        .data();
    }
    let text = metrics_text(&app).await;
    assert!(
        text.contains(
            r#"leadforge_graphql_requests_total{operation="serverStatus",outcome="ok"} 103"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"leadforge_graphql_requests_total{operation="rejected",outcome="error"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(
        r#"leadforge_graphql_request_duration_seconds_count{operation="serverStatus"} 103"#
    ));
    let series = |t: &str| t.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(
        series(&before),
        series(&text),
        "100 new operation names added series"
    );
    assert!(!text.contains("Random"), "{text}");
}

#[tokio::test]
async fn graphiql_is_served_and_can_be_switched_off() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    // Never framed by another site, and it talks to this origin only.
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.text().await.unwrap().contains("GraphiQL"));

    let app = TestApp::spawn_with(Backend::Sqlite, &[("LEADFORGE_GRAPHIQL", "false")]).await;
    let page = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert_eq!(page.status(), 404);
}

/// Every address an HTML page names in `src` and `href` attributes.
fn referenced_urls(page: &str) -> Vec<&str> {
    ["src=\"", "href=\""]
        .iter()
        .flat_map(|attribute| page.split(attribute).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect()
}

#[tokio::test]
async fn graphiql_loads_nothing_from_another_origin() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let page = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    // Only this origin (and inline data for fonts and images): no CDN, no
    // host of any kind, no inline script.
    for directive in csp.split(';') {
        let mut words = directive.split_whitespace();
        let name = words.next().unwrap_or_default();
        for source in words {
            assert!(
                ["'self'", "'none'", "data:"].contains(&source),
                "{name} allows {source}: {csp}"
            );
        }
    }
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("connect-src 'self'"), "{csp}");

    let html = page.text().await.unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("unpkg"),
        "{html}"
    );
    let urls = referenced_urls(&html);
    for url in &urls {
        assert!(
            url.starts_with('/') && !url.starts_with("//"),
            "{url} in {html}"
        );
        let served = app.http.get(app.url(url)).send().await.unwrap();
        assert_eq!(served.status(), 200, "{url}");
    }
    // Where the admin UI is built (as `cargo` builds it when npm is
    // installed), this is GraphiQL's own build, not the "not built" page.
    let built =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../admin-ui/dist/graphiql.html");
    if built.is_file() {
        assert!(
            urls.iter()
                .any(|u| u.starts_with("/assets/") && u.ends_with(".js")),
            "{html}"
        );
    }
    // The page is GraphiQL's route only, never a file of the app.
    let file = app
        .http
        .get(app.url("/graphiql.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 404);
}

#[tokio::test]
async fn graceful_shutdown_finishes_and_releases_the_port() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = app.addr;
    app.query("{ serverStatus { version } }").await.data();
    app.stop().await.expect("clean shutdown");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening"
    );
}
