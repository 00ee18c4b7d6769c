//! The admin UI is served at `/`: hashed assets cached for good, every other
//! path answered with the single-page app, a strict Content-Security-Policy,
//! and plain words at `/` when the UI was never built.

use leadforge_e2e::{Backend, TestApp};

#[tokio::test]
async fn the_built_ui_is_served_with_spa_fallback_and_a_strict_policy() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::create_dir(dist.path().join("assets")).unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><div id=root></div>",
    )
    .unwrap();
    std::fs::write(dist.path().join("assets/app-1a2b3c.js"), "console.log(1)").unwrap();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("LEADFORGE_UI_DIR", dist.path().to_str().unwrap())],
    )
    .await;

    for path in ["/", "/campaigns/0199", "/settings/ad-platforms"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers().clone();
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(r.text().await.unwrap().contains("id=root"));
    }

    let r = app
        .http
        .get(app.url("/assets/app-1a2b3c.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    // A script of another build is missing, not the page.
    let r = app
        .http
        .get(app.url("/assets/app-old.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // The API keeps its routes.
    let r = app.query("{ __typename }").await;
    assert_eq!(r.data()["__typename"], "Query");
    let r = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.get(app.url("/graphiql")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("GraphiQL"));
    // API prefixes are never the app.
    for path in ["/graphql/nope", "/blobs", "/metricsx/../healthz/x"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn without_a_built_ui_the_root_says_how_to_get_it() {
    let empty = tempfile::tempdir().unwrap();
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("LEADFORGE_UI_DIR", empty.path().to_str().unwrap())],
    )
    .await;
    let r = app.http.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    assert!(page.contains("not built") && page.contains("npm"), "{page}");
    let r = app.http.get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    app.query("{ __typename }").await.data();
}
