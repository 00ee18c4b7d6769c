//! The whole creative flow on the S3 store, against the SigV4-verifying
//! S3-compatible server `scripts/s3-server` starts (`scripts/test` starts
//! it; by hand: `eval "$(scripts/s3-server)"`). Fails, never skips, when
//! that server is not configured.

use leadforge_e2e::{Backend, TestApp, images};
use reqwest::StatusCode;
use serde_json::json;

use super::{DELETE, fetch, gallery, upload};

const HINT: &str = "the S3 creative test needs the S3-compatible test server: run it through \
    scripts/test, or `eval \"$(scripts/s3-server)\"` first in this shell";

fn var(name: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{name} is not set; {HINT}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_gallery_fetch_and_delete_on_s3() {
    let endpoint = var("LEADFORGE_TEST_S3_ENDPOINT");
    let bucket = var("LEADFORGE_TEST_S3_BUCKET");
    // The store reads its credentials from the standard AWS chain.
    var("AWS_ACCESS_KEY_ID");
    var("AWS_SECRET_ACCESS_KEY");
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("S3_BUCKET", &bucket),
            ("S3_ENDPOINT", &endpoint),
            ("S3_FORCE_PATH_STYLE", "true"),
            ("S3_REGION", "us-east-1"),
        ],
    )
    .await;
    assert!(app.services.creatives.local_store().is_none());
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let bytes = images::jpeg(900, 600, 11);
    let c = upload(&app, &ada, "on-s3.jpg", bytes.clone()).await;
    let url = c["url"].as_str().unwrap();
    assert!(url.starts_with(&endpoint), "a presigned S3 URL: {url}");
    assert!(url.contains("X-Amz-Signature="), "{url}");

    let (status, content_type, body) = fetch(&app, url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "image/jpeg");
    assert_eq!(c["byteSize"], body.len());
    assert_eq!(images::dimensions(&body), (900, 600));
    let (status, _, thumbnail) = fetch(&app, c["thumbnailUrl"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (w, h) = images::dimensions(&thumbnail);
    assert!(w == 400 && (266..=267).contains(&h), "{w}×{h}");
    // A tampered presigned URL is refused by S3 itself.
    let tampered = url.replace("X-Amz-Expires=900", "X-Amz-Expires=901");
    assert_ne!(tampered, url);
    assert_eq!(fetch(&app, &tampered).await.0, StatusCode::FORBIDDEN);
    // The app's own blob route serves nothing with S3 configured.
    let path = url::Url::parse(url).unwrap();
    let key = path.path().trim_start_matches(&format!("/{bucket}/"));
    let local = app.url(&format!("/blobs/{key}?expires=1&sig=00"));
    assert_eq!(fetch(&app, &local).await.0, StatusCode::NOT_FOUND);

    // Same bytes again: the same creative.
    let again = upload(&app, &ada, "again.jpg", bytes).await;
    assert_eq!(again["id"], c["id"]);
    assert_eq!(gallery(&app, &ada, 10, None).await["totalCount"], 1);

    let r = app
        .graphql_as(&ada.token, DELETE, json!({ "id": c["id"] }))
        .await;
    assert_eq!(r.data()["deleteCreative"], true);
    for field in ["url", "thumbnailUrl"] {
        assert_eq!(
            fetch(&app, c[field].as_str().unwrap()).await.0,
            StatusCode::NOT_FOUND,
            "{field}"
        );
    }
    assert_eq!(gallery(&app, &ada, 10, None).await["totalCount"], 0);
}
