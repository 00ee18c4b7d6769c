//! One behaviour suite for every `BlobStore`: the local directory store and
//! the S3 store against a real S3-compatible server (s3s-fs, which verifies
//! SigV4 signatures and presigned URLs).
//!
//! The S3 half reads `LEADFORGE_TEST_S3_ENDPOINT`, `LEADFORGE_TEST_S3_BUCKET`,
//! `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, which `scripts/test` sets
//! up by sourcing `scripts/s3-server`. Without them the S3 tests fail.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "storage/http_get.rs"]
mod http_get;

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use entities::{TenantId, UserId};
use leadforge::{
    Config,
    config::EnvSource,
    storage::{self, BlobKey, BlobStore, LocalStore, SignatureError, StorageError},
};
use tempfile::TempDir;

struct MapEnv(HashMap<&'static str, String>);

impl EnvSource for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// A store under test, with what keeps it alive.
struct Fixture {
    store: Arc<dyn BlobStore>,
    local: Option<Arc<LocalStore>>,
    _dir: TempDir,
}

fn key(ext: &str) -> BlobKey {
    BlobKey::new(TenantId::generate(), UserId::generate(), ext).unwrap()
}

/// The local store, plus a stand-in for the HTTP route that will serve its
/// signed URLs (it does what that route must: parse the key, verify, read).
async fn local() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let env = MapEnv(HashMap::from([
        ("LEADFORGE_DATA_DIR", dir.path().display().to_string()),
        ("LEADFORGE_PUBLIC_URL", format!("http://{addr}/")),
    ]));
    let config = Config::load_from(None, &env).unwrap();
    assert!(config.s3.is_none());
    let storage = storage::open(&config).await.unwrap();
    let local = storage.local.clone().unwrap();
    let app = Router::new()
        .route("/blobs/{*key}", get(serve_blob))
        .with_state(local.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Fixture {
        store: storage.store,
        local: Some(local),
        _dir: dir,
    }
}

#[derive(serde::Deserialize)]
struct Signed {
    expires: i64,
    sig: String,
}

async fn serve_blob(
    State(store): State<Arc<LocalStore>>,
    Path(key): Path<String>,
    Query(signed): Query<Signed>,
) -> Response {
    let Ok(key) = BlobKey::parse(&key) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if store
        .verify_signed(&key, signed.expires, &signed.sig, chrono::Utc::now())
        .is_err()
    {
        return StatusCode::FORBIDDEN.into_response();
    }
    match store.get(&key).await {
        Ok(blob) => ([(header::CONTENT_TYPE, blob.content_type)], blob.bytes).into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// The S3 store on the server `scripts/s3-server` started.
async fn s3() -> Fixture {
    const HINT: &str = "the S3 store tests need the S3-compatible test server: run them \
        through scripts/test (or `. scripts/s3-server` first in this shell)";
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| panic!("{name} is not set; {HINT}"))
    };
    let endpoint = var("LEADFORGE_TEST_S3_ENDPOINT");
    let bucket = var("LEADFORGE_TEST_S3_BUCKET");
    var("AWS_ACCESS_KEY_ID");
    var("AWS_SECRET_ACCESS_KEY");
    let url = url::Url::parse(&endpoint).unwrap();
    let authority = format!(
        "{}:{}",
        url.host_str().unwrap(),
        url.port_or_known_default().unwrap()
    );
    if let Err(e) = tokio::net::TcpStream::connect(&authority).await {
        panic!("the S3 test server at {endpoint} is unreachable ({e}); {HINT}");
    }
    let dir = tempfile::tempdir().unwrap();
    let env = MapEnv(HashMap::from([
        ("LEADFORGE_DATA_DIR", dir.path().display().to_string()),
        ("S3_BUCKET", bucket),
        ("S3_ENDPOINT", endpoint),
        ("S3_FORCE_PATH_STYLE", "true".to_owned()),
    ]));
    let config = Config::load_from(None, &env).unwrap();
    let storage = storage::open(&config).await.unwrap();
    assert!(storage.local.is_none());
    Fixture {
        store: storage.store,
        local: None,
        _dir: dir,
    }
}

mod cases {
    use super::*;

    pub async fn put_get_exists_delete(f: Fixture) {
        let store = &f.store;
        let key = key("png");
        assert!(!store.exists(&key).await.unwrap());
        store
            .put(&key, b"\x89PNG fake bytes".to_vec(), "image/png")
            .await
            .unwrap();
        assert!(store.exists(&key).await.unwrap());
        let blob = store.get(&key).await.unwrap();
        assert_eq!(blob.bytes, b"\x89PNG fake bytes");
        assert_eq!(blob.content_type, "image/png");
        store.delete(&key).await.unwrap();
        assert!(!store.exists(&key).await.unwrap());
        assert!(matches!(
            store.get(&key).await,
            Err(StorageError::NotFound(_))
        ));
        // Idempotent.
        store.delete(&key).await.unwrap();
    }

    pub async fn overwrite_replaces_bytes_and_type(f: Fixture) {
        let key = key("jpg");
        f.store.put(&key, vec![1; 10], "image/jpeg").await.unwrap();
        f.store
            .put(&key, vec![2; 3], "application/octet-stream")
            .await
            .unwrap();
        let blob = f.store.get(&key).await.unwrap();
        assert_eq!(blob.bytes, vec![2; 3]);
        assert_eq!(blob.content_type, "application/octet-stream");
    }

    pub async fn missing_key(f: Fixture) {
        let key = key("png");
        assert!(!f.store.exists(&key).await.unwrap());
        match f.store.get(&key).await {
            Err(StorageError::NotFound(k)) => assert_eq!(k, key.as_str()),
            other => panic!("expected NotFound, got {other:?}"),
        }
        f.store.delete(&key).await.unwrap();
    }

    pub async fn large_and_empty_blobs(f: Fixture) {
        let key = key("jpg");
        let big: Vec<u8> = (0..6_000_000u32).map(|i| (i % 251) as u8).collect();
        f.store.put(&key, big.clone(), "image/jpeg").await.unwrap();
        assert_eq!(f.store.get(&key).await.unwrap().bytes, big);
        f.store.put(&key, Vec::new(), "image/jpeg").await.unwrap();
        assert!(f.store.get(&key).await.unwrap().bytes.is_empty());
    }

    pub async fn bad_content_types_and_ttls_are_refused(f: Fixture) {
        let key = key("png");
        for bad in ["", "png", "image/png\r\nX-Evil: 1", "image/pngé"] {
            assert!(matches!(
                f.store.put(&key, vec![1], bad).await,
                Err(StorageError::ContentType)
            ));
        }
        assert!(!f.store.exists(&key).await.unwrap());
        for ttl in [Duration::ZERO, Duration::from_secs(8 * 24 * 3600)] {
            assert!(matches!(
                f.store.signed_url(&key, ttl).await,
                Err(StorageError::Ttl)
            ));
        }
    }

    pub async fn signed_url_fetches_over_http(f: Fixture) {
        let key = key("png");
        let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
        f.store.put(&key, bytes.clone(), "image/png").await.unwrap();
        let url = f
            .store
            .signed_url(&key, Duration::from_secs(300))
            .await
            .unwrap();
        let response = http_get::get(&url).await;
        assert_eq!(
            response.status,
            200,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        assert_eq!(response.body, bytes);
        assert_eq!(response.header("content-type"), Some("image/png"));

        // The URL names exactly one object: pointing it at another fails.
        let other = key_beside(&key);
        f.store.put(&other, vec![9; 9], "image/png").await.unwrap();
        let moved = url::Url::parse(&url.as_str().replace(key.as_str(), other.as_str())).unwrap();
        assert_ne!(http_get::get(&moved).await.status, 200);
        // A changed query (longer expiry, altered signature) fails.
        let presigned = url.query_pairs().any(|(k, _)| k == "X-Amz-Signature");
        let (expiry, signature) = if presigned {
            ("X-Amz-Expires", "X-Amz-Signature")
        } else {
            ("expires", "sig")
        };
        for (name, change) in [(expiry, "9999999"), (signature, "00")] {
            let tampered = with_query(&url, name, change);
            assert_ne!(tampered, url);
            assert_ne!(http_get::get(&tampered).await.status, 200, "{name}");
        }
    }

    pub async fn expired_signed_url_fails(f: Fixture) {
        let key = key("png");
        f.store.put(&key, vec![1, 2, 3], "image/png").await.unwrap();
        let url = f
            .store
            .signed_url(&key, Duration::from_secs(1))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(http_get::get(&url).await.status, 403);
    }

    pub async fn local_signatures_verify(f: Fixture) {
        let Some(local) = &f.local else { return };
        let key = key("jpg");
        let url = f
            .store
            .signed_url(&key, Duration::from_secs(60))
            .await
            .unwrap();
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .unwrap()
        };
        let (expires, sig): (i64, String) = (param("expires").parse().unwrap(), param("sig"));
        let now = chrono::Utc::now();
        assert_eq!(local.verify_signed(&key, expires, &sig, now), Ok(()));
        let other = key_beside(&key);
        assert_eq!(
            local.verify_signed(&other, expires, &sig, now),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            local.verify_signed(&key, expires + 1, &sig, now),
            Err(SignatureError::Invalid)
        );
        let mut flipped = sig.clone().into_bytes();
        flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        for bad in [flipped.as_str(), "", "not-hex", &sig[..sig.len() - 2]] {
            assert_eq!(
                local.verify_signed(&key, expires, bad, now),
                Err(SignatureError::Invalid)
            );
        }
        let later = now + chrono::Duration::seconds(61);
        assert_eq!(
            local.verify_signed(&key, expires, &sig, later),
            Err(SignatureError::Expired)
        );
    }

    /// Another key under the same owner's prefix.
    fn key_beside(key: &BlobKey) -> BlobKey {
        BlobKey::new(key.tenant_id(), key.user_id(), key.extension()).unwrap()
    }

    fn with_query(url: &url::Url, name: &str, value: &str) -> url::Url {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == name {
                    value.to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        let mut out = url.clone();
        out.query_pairs_mut().clear().extend_pairs(pairs);
        out
    }
}

macro_rules! suite {
    ($store:ident: $($case:ident),* $(,)?) => {
        mod $store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    super::cases::$case(super::$store().await).await;
                }
            )*
        }
    };
}

suite!(local:
    put_get_exists_delete,
    overwrite_replaces_bytes_and_type,
    missing_key,
    large_and_empty_blobs,
    bad_content_types_and_ttls_are_refused,
    signed_url_fetches_over_http,
    expired_signed_url_fails,
    local_signatures_verify,
);

suite!(s3:
    put_get_exists_delete,
    overwrite_replaces_bytes_and_type,
    missing_key,
    large_and_empty_blobs,
    bad_content_types_and_ttls_are_refused,
    signed_url_fetches_over_http,
    expired_signed_url_fails,
);
