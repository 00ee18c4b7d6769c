//! Creatives end to end: upload → gallery → signed URLs fetched over HTTP →
//! delete, on both engines and on both stores, plus every bad input and
//! another member's creative.

mod bad_input;
mod campaigns;
mod s3;

use std::path::PathBuf;

use image::GenericImageView;

use leadforge_e2e::{Account, Backend, TestApp, both_backends, images};
use reqwest::StatusCode;
use serde_json::{Value, json};

pub(crate) const GALLERY: &str = "query($first: Int, $after: String) { creatives(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id fileName url thumbnailUrl } } } }";
pub(crate) const DELETE: &str = "mutation($id: ID!) { deleteCreative(id: $id) }";

/// Uploads `bytes` as `token` and returns the `Creative`, asserting success.
pub(crate) async fn upload(app: &TestApp, account: &Account, name: &str, bytes: Vec<u8>) -> Value {
    let r = app.upload_creative(&account.token, name, bytes).await;
    r.data()["uploadCreative"].clone()
}

pub(crate) async fn gallery(
    app: &TestApp,
    account: &Account,
    first: i32,
    after: Option<&str>,
) -> Value {
    let r = app
        .graphql_as(
            &account.token,
            GALLERY,
            json!({ "first": first, "after": after }),
        )
        .await;
    r.data()["creatives"].clone()
}

/// GETs a URL, returning the status, content type and body.
pub(crate) async fn fetch(app: &TestApp, url: &str) -> (StatusCode, String, Vec<u8>) {
    let response = app.http.get(url).send().await.expect("GET blob");
    let status = response.status();
    let content_type = header(&response, "content-type");
    let body = response.bytes().await.expect("blob body").to_vec();
    (status, content_type, body)
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Where the local store keeps a signed URL's blob.
pub(crate) fn blob_path(app: &TestApp, url: &str) -> PathBuf {
    let url = url::Url::parse(url).unwrap();
    let key = url
        .path()
        .strip_prefix("/blobs/")
        .expect("a local blob URL");
    app.db.dir().join("data").join("blobs").join(key)
}

fn edge_ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

both_backends!(
    upload_gallery_fetch_and_delete,
    the_same_image_twice_is_one_creative,
    altered_or_expired_urls_are_refused,
    another_members_creative_is_not_found,
    a_gallery_page_costs_the_same_statements_whatever_its_size,
);

async fn upload_gallery_fetch_and_delete(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let files = [
        ("wide.png", images::png(800, 600, 1)),
        ("banner.jpg", images::jpeg(1200, 300, 2)),
        ("tiny.png", images::png_with_alpha(50, 40, 3)),
    ];
    let mut uploaded = Vec::new();
    for (name, bytes) in &files {
        let c = upload(&app, &ada, name, bytes.clone()).await;
        assert_eq!(c["fileName"], *name);
        // The stored copy is re-encoded (without metadata): its own size.
        assert!(c["byteSize"].as_u64().unwrap() > 0);
        let sha = c["sha256"].as_str().unwrap();
        assert!(
            sha.len() == 64
                && sha
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        uploaded.push(c);
    }
    assert_eq!(uploaded[0]["contentType"], "image/png");
    assert_eq!(
        (uploaded[0]["width"].clone(), uploaded[0]["height"].clone()),
        (json!(800), json!(600))
    );
    assert_eq!(uploaded[1]["contentType"], "image/jpeg");
    assert_eq!(
        (uploaded[1]["width"].clone(), uploaded[1]["height"].clone()),
        (json!(1200), json!(300))
    );
    let id = |i: usize| uploaded[i]["id"].as_str().unwrap().to_owned();

    // Newest first, two per page, then the rest after the cursor.
    let page = gallery(&app, &ada, 2, None).await;
    assert_eq!(page["totalCount"], 3);
    assert_eq!(edge_ids(&page), vec![id(2), id(1)]);
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    assert_eq!(page["pageInfo"]["hasPreviousPage"], false);
    let after = page["pageInfo"]["endCursor"].as_str().unwrap();
    let rest = gallery(&app, &ada, 2, Some(after)).await;
    assert_eq!(rest["totalCount"], 3);
    assert_eq!(edge_ids(&rest), vec![id(0)]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // The URLs give back the stored copy, with the detected type: the
    // same pixels (PNG is lossless), re-encoded without metadata.
    for (i, (_, bytes)) in files.iter().enumerate() {
        let response = app
            .http
            .get(uploaded[i]["url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, "content-type"),
            uploaded[i]["contentType"].as_str().unwrap()
        );
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        let cache = header(&response, "cache-control");
        let max_age: u64 = cache
            .strip_prefix("private, max-age=")
            .unwrap()
            .parse()
            .unwrap();
        // The expiry is rounded up to whole seconds, so up to one more.
        assert!((800..=901).contains(&max_age), "{cache}");
        let body = response.bytes().await.unwrap();
        assert_eq!(uploaded[i]["byteSize"], body.len());
        let stored = image::load_from_memory(&body).unwrap();
        let original = image::load_from_memory(bytes).unwrap();
        assert_eq!(stored.dimensions(), original.dimensions());
        if uploaded[i]["contentType"] == "image/png" {
            assert_eq!(stored.to_rgba8(), original.to_rgba8());
        }
    }
    // Thumbnails: at most 400 px, same proportions; PNG only with alpha.
    let expected = [
        (400, 300, "image/jpeg"),
        (400, 100, "image/jpeg"),
        (50, 40, "image/png"),
    ];
    for (i, (w, h, kind)) in expected.into_iter().enumerate() {
        let (status, content_type, body) =
            fetch(&app, uploaded[i]["thumbnailUrl"].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(content_type, kind);
        assert_eq!(images::dimensions(&body), (w, h));
    }

    // Delete removes the row, the image and the thumbnail.
    let paths = [
        blob_path(&app, uploaded[1]["url"].as_str().unwrap()),
        blob_path(&app, uploaded[1]["thumbnailUrl"].as_str().unwrap()),
    ];
    assert!(paths.iter().all(|p| p.exists()));
    let r = app
        .graphql_as(&ada.token, DELETE, json!({ "id": id(1) }))
        .await;
    assert_eq!(r.data()["deleteCreative"], true);
    assert!(paths.iter().all(|p| !p.exists()), "blobs left behind");
    for field in ["url", "thumbnailUrl"] {
        let (status, _, _) = fetch(&app, uploaded[1][field].as_str().unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let page = gallery(&app, &ada, 10, None).await;
    assert_eq!(page["totalCount"], 2);
    assert_eq!(edge_ids(&page), vec![id(2), id(0)]);
    let r = app
        .graphql_as(&ada.token, DELETE, json!({ "id": id(1) }))
        .await;
    assert_eq!(r.error_codes(), vec!["NOT_FOUND"]);

    // Both mutations are in the audit trail.
    let r = app
        .graphql_as(
            &ada.token,
            "{ auditEvents(first: 100) { edges { node { action target } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<(String, String)> = r.data()["auditEvents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["action"].as_str().unwrap().to_owned(),
                e["node"]["target"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        actions.contains(&("creative.delete".into(), format!("creative:{}", id(1)))),
        "{actions:?}"
    );
    assert_eq!(
        actions
            .iter()
            .filter(|(a, _)| a == "creative.upload")
            .count(),
        3
    );
}

async fn the_same_image_twice_is_one_creative(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let bob = app.sign_up("bob@b.test", "Bob Co").await;
    let bytes = images::jpeg(640, 480, 7);
    let first = upload(&app, &ada, "first.jpg", bytes.clone()).await;
    let again = upload(&app, &ada, "renamed copy.jpg", bytes.clone()).await;
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["fileName"], "first.jpg");
    assert_eq!(gallery(&app, &ada, 10, None).await["totalCount"], 1);
    // Nothing was stored the second time: one image and one thumbnail,
    // each with its content-type sidecar.
    let dir = blob_path(&app, first["url"].as_str().unwrap());
    let files = std::fs::read_dir(dir.parent().unwrap()).unwrap().count();
    assert_eq!(files, 4);

    // Another member's copy of the same image is their own creative.
    let theirs = upload(&app, &bob, "first.jpg", bytes).await;
    assert_ne!(theirs["id"], first["id"]);
    assert_eq!(theirs["sha256"], first["sha256"]);
}

async fn altered_or_expired_urls_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let bob = app.sign_up("bob@b.test", "Bob Co").await;
    let mine = upload(&app, &ada, "mine.png", images::png(64, 64, 1)).await;
    let theirs = upload(&app, &bob, "theirs.png", images::png(64, 64, 2)).await;
    let url = url::Url::parse(mine["url"].as_str().unwrap()).unwrap();
    let other = url::Url::parse(theirs["url"].as_str().unwrap()).unwrap();
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let (expires, sig) = (&query[0].1, &query[1].1);
    assert_eq!(
        (query[0].0.as_str(), query[1].0.as_str()),
        ("expires", "sig")
    );

    let with_query = |path: &str, q: &str| app.url(&format!("{path}?{q}"));
    let flipped = format!(
        "{}{}",
        &sig[..sig.len() - 1],
        if sig.ends_with('0') { '1' } else { '0' }
    );
    let later = expires.parse::<i64>().unwrap() + 3600;
    let refused = [
        // The signature altered, the expiry moved, either one missing.
        with_query(url.path(), &format!("expires={expires}&sig={flipped}")),
        with_query(url.path(), &format!("expires={later}&sig={sig}")),
        with_query(url.path(), &format!("expires={expires}")),
        app.url(url.path()),
        // Another member's file under this URL's signature.
        with_query(other.path(), &format!("expires={expires}&sig={sig}")),
    ];
    for attempt in &refused {
        assert_eq!(
            fetch(&app, attempt).await.0,
            StatusCode::FORBIDDEN,
            "{attempt}"
        );
    }
    // Paths that are not blob keys never reach the file system.
    let segments: Vec<&str> = url
        .path()
        .trim_start_matches("/blobs/")
        .split('/')
        .collect();
    let q = format!("expires={expires}&sig={sig}");
    for path in [
        format!(
            "/blobs/{}/{}/..%2F..%2F..%2Fleadforge.db",
            segments[0], segments[1]
        ),
        format!(
            "/blobs/{}/{}/%2e%2e/{}",
            segments[0], segments[1], segments[2]
        ),
        format!("/blobs/{}/{}", segments[0], segments[2]),
        "/blobs/..%2Fblob-url.key".to_owned(),
    ] {
        assert_eq!(
            fetch(&app, &with_query(&path, &q)).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }

    // A URL that was valid and has expired.
    let store = app
        .services
        .creatives
        .local_store()
        .expect("the local store");
    let key = leadforge::storage::BlobKey::parse(&segments.join("/")).unwrap();
    let short = leadforge::storage::BlobStore::signed_url(
        store.as_ref(),
        &key,
        std::time::Duration::from_secs(1),
    )
    .await
    .unwrap();
    assert_eq!(fetch(&app, short.as_str()).await.0, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    assert_eq!(fetch(&app, short.as_str()).await.0, StatusCode::FORBIDDEN);
    // The untouched URL still works.
    assert_eq!(fetch(&app, url.as_str()).await.0, StatusCode::OK);
}

async fn another_members_creative_is_not_found(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    let bob = app.sign_up("bob@b.test", "Bob Co").await;
    let chief = app.chief_architect("chief@leadforge.test").await;
    let mine = upload(&app, &ada, "mine.png", images::png(120, 90, 5)).await;
    let path = blob_path(&app, mine["url"].as_str().unwrap());

    let r = app
        .graphql_as(&bob.token, DELETE, json!({ "id": mine["id"] }))
        .await;
    assert_eq!(r.error_codes(), vec!["NOT_FOUND"], "{}", r.body);
    for bad in ["not-a-uuid", &uuid::Uuid::new_v4().to_string()] {
        let r = app
            .graphql_as(&ada.token, DELETE, json!({ "id": bad }))
            .await;
        assert_eq!(r.error_codes(), vec!["NOT_FOUND"], "{bad}");
    }
    assert!(path.exists());
    assert_eq!(
        fetch(&app, mine["url"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
    assert_eq!(gallery(&app, &bob, 10, None).await["totalCount"], 0);
    assert_eq!(gallery(&app, &ada, 10, None).await["totalCount"], 1);

    // The chief architect sees every tenant's creatives.
    let all = gallery(&app, &chief, 10, None).await;
    assert_eq!(
        edge_ids(&all),
        vec![mine["id"].as_str().unwrap().to_owned()]
    );
}

/// SQL statements the server has run, from its own metrics.
async fn statements(app: &TestApp) -> u64 {
    let text = app.metrics().await;
    text.lines()
        .filter(|l| l.starts_with("leadforge_db_statements_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Signed URLs cost no SQL: a page of 2 and a page of 12 run the same
/// statements (the token check, the rows, the count).
async fn a_gallery_page_costs_the_same_statements_whatever_its_size(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_up("ada@a.test", "Ada Co").await;
    for seed in 0..12 {
        upload(&app, &ada, "many.png", images::png(16, 16, seed)).await;
    }
    let mut costs = Vec::new();
    for n in [2, 12] {
        let before = statements(&app).await;
        let page = gallery(&app, &ada, n, None).await;
        costs.push(statements(&app).await - before);
        assert_eq!(page["edges"].as_array().unwrap().len(), n as usize);
    }
    assert_eq!(costs[0], costs[1], "statements for 2 vs 12 rows: {costs:?}");
    assert!(costs[0] <= 4, "{costs:?}");
}
