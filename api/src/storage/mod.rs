//! Creative storage: the [`BlobStore`] trait, the local directory store (the
//! embedded default) and the S3 store.
//!
//! Keys are [`BlobKey`]s, `{tenant_id}/{user_id}/{uuid}.{ext}`, validated
//! before any store sees them. Stores are built once at start
//! ([`from_config`]) and shared as `Arc<dyn BlobStore>`.

mod key;
pub mod local;
pub mod s3;
mod signing;

use std::{sync::Arc, time::Duration};

use url::Url;

use crate::config::Config;

pub use key::{BlobKey, KeyError};
pub use local::LocalStore;
pub use s3::S3Store;
pub use signing::{BLOB_ROUTE, SignatureError, URL_KEY_FILE};

/// Longest lifetime of a signed URL (S3's own limit for presigned URLs).
pub const MAX_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

/// A stored object.
#[derive(Clone, PartialEq, Eq)]
pub struct Blob {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// The MIME type given to [`BlobStore::put`].
    pub content_type: String,
}

impl std::fmt::Debug for Blob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blob")
            .field("len", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// Storage faults. Messages name the operation and key, never credentials or
/// signed URLs.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No object under this key.
    #[error("no blob under key {0}")]
    NotFound(String),
    /// The content type is not a plain MIME type.
    #[error("invalid content type for a blob")]
    ContentType,
    /// A signed URL was asked for with a lifetime of zero or over seven days.
    #[error("a signed URL must live between 1 second and 7 days")]
    Ttl,
    /// The store's configuration cannot be used.
    #[error("storage is misconfigured: {0}")]
    Config(String),
    /// A local file operation failed.
    #[error("blob {op} failed for {key}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The key (or path) concerned.
        key: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The S3 service or the network failed.
    #[error("S3 {op} failed for {key}: {message}")]
    S3 {
        /// What was being done.
        op: &'static str,
        /// The key concerned.
        key: String,
        /// The SDK's description (no credentials in it).
        message: String,
    },
}

/// Where creatives' bytes live. Object-safe: use it as `Arc<dyn BlobStore>`.
#[async_trait::async_trait]
pub trait BlobStore: Send + Sync + std::fmt::Debug {
    /// Stores `bytes` under `key` with `content_type`, replacing any object
    /// already there. Readers see the old or the new object, never a part.
    async fn put(
        &self,
        key: &BlobKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError>;

    /// Reads an object; [`StorageError::NotFound`] when there is none.
    async fn get(&self, key: &BlobKey) -> Result<Blob, StorageError>;

    /// Removes an object; removing a missing one succeeds.
    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError>;

    /// `true` when an object exists under `key`.
    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError>;

    /// A URL that lets anyone holding it GET the object until `ttl` has
    /// passed: presigned for S3, HMAC-signed for the local store.
    async fn signed_url(&self, key: &BlobKey, ttl: Duration) -> Result<Url, StorageError>;
}

/// The stores of one configuration.
#[derive(Debug, Clone)]
pub struct Storage {
    /// The store creatives go to.
    pub store: Arc<dyn BlobStore>,
    /// The same store when it is the local directory store: the HTTP route
    /// that serves signed blob URLs needs its [`LocalStore::verify_signed`].
    pub local: Option<Arc<LocalStore>>,
}

/// Builds the store the configuration names: S3 when `s3` is set, else the
/// local directory store under `<data_dir>/blobs`.
pub async fn open(config: &Config) -> Result<Storage, StorageError> {
    match &config.s3 {
        Some(s3) => Ok(Storage {
            store: Arc::new(S3Store::from_config(s3).await?),
            local: None,
        }),
        None => {
            let local = Arc::new(LocalStore::from_config(config)?);
            Ok(Storage {
                store: local.clone(),
                local: Some(local),
            })
        }
    }
}

/// [`open`], keeping only the store.
pub async fn from_config(config: &Config) -> Result<Arc<dyn BlobStore>, StorageError> {
    Ok(open(config).await?.store)
}

/// A content type goes into a file and an HTTP header: plain ASCII, no
/// separators that could split a header, bounded.
fn check_content_type(content_type: &str) -> Result<(), StorageError> {
    let ok = !content_type.is_empty()
        && content_type.len() <= 255
        && content_type.contains('/')
        && content_type
            .bytes()
            .all(|b| b.is_ascii_graphic() || b == b' ');
    if ok {
        Ok(())
    } else {
        Err(StorageError::ContentType)
    }
}

fn check_ttl(ttl: Duration) -> Result<(), StorageError> {
    if ttl.is_zero() || ttl > MAX_URL_TTL {
        Err(StorageError::Ttl)
    } else {
        Ok(())
    }
}
