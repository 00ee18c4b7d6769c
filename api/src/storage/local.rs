//! The local directory store under `<data_dir>/blobs` (the embedded default).
//!
//! Layout: `<root>/{tenant}/{user}/{uuid}.{ext}` for the bytes and a sidecar
//! `{uuid}.{ext}.type` holding the content type. Paths are only ever built
//! from validated [`BlobKey`]s, never from raw request text.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::{DateTime, Utc};
use url::Url;

use super::{
    Blob, BlobKey, BlobStore, SignatureError, StorageError, check_content_type, check_ttl,
    signing::{URL_KEY_FILE, URL_KEY_LEN, UrlSigner},
};
use crate::config::Config;

/// Directory under the data dir that holds the blobs.
pub const BLOB_DIR: &str = "blobs";

/// Content type reported for a blob whose sidecar is missing.
const FALLBACK_CONTENT_TYPE: &str = "application/octet-stream";

/// Blobs in a local directory, with HMAC-signed expiring URLs.
#[derive(Debug)]
pub struct LocalStore {
    root: PathBuf,
    signer: UrlSigner,
}

impl LocalStore {
    /// The store of an (embedded) configuration: blobs under
    /// `<data_dir>/blobs`, URLs under `public_url`, the URL-signing key
    /// generated once into `<data_dir>/blob-url.key`.
    pub fn from_config(config: &Config) -> Result<Self, StorageError> {
        let root = config.data_dir.join(BLOB_DIR);
        std::fs::create_dir_all(&root).map_err(|source| StorageError::Io {
            op: "create directory",
            key: root.display().to_string(),
            source,
        })?;
        let secret =
            crate::keyfile::load_or_create(&config.data_dir.join(URL_KEY_FILE), URL_KEY_LEN)
                .map_err(|e| StorageError::Config(e.to_string()))?;
        let signer = UrlSigner::new(&secret, config.public_url.clone())
            .ok_or_else(|| StorageError::Config(format!("{URL_KEY_FILE} holds no key")))?;
        Ok(Self { root, signer })
    }

    /// Checks a signed URL's parts (the route has parsed `key` from the path
    /// and `expires`, `sig` from the query). Constant-time comparison.
    pub fn verify_signed(
        &self,
        key: &BlobKey,
        expires: i64,
        sig: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        self.signer.verify(key, expires, sig, now)
    }

    /// The directory the store writes to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, key: &BlobKey) -> PathBuf {
        // A validated key has exactly three plain segments.
        key.as_str()
            .split('/')
            .fold(self.root.clone(), |path, part| path.join(part))
    }

    fn type_path(path: &Path) -> PathBuf {
        let mut name = path.as_os_str().to_owned();
        name.push(".type");
        PathBuf::from(name)
    }
}

fn io<'k>(op: &'static str, key: &'k BlobKey) -> impl FnOnce(std::io::Error) -> StorageError + 'k {
    move |source| StorageError::Io {
        op,
        key: key.to_string(),
        source,
    }
}

/// Writes `bytes` to a unique temp file in the target's directory, syncs it,
/// then renames it over the target: readers never see a partial file.
async fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;

    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("blob path has no parent"))?;
    tokio::fs::create_dir_all(dir).await?;
    let temp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
    let result = async {
        let mut file = tokio::fs::File::create(&temp).await?;
        file.write_all(bytes).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&temp, path).await
    }
    .await;
    if result.is_err() {
        // Best effort: a leftover temp file is harmless but untidy.
        let _ = tokio::fs::remove_file(&temp).await;
    }
    result
}

async fn remove_if_present(path: &Path) -> std::io::Result<()> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[async_trait::async_trait]
impl BlobStore for LocalStore {
    async fn put(
        &self,
        key: &BlobKey,
        bytes: Vec<u8>,
        content_type: &str,
    ) -> Result<(), StorageError> {
        check_content_type(content_type)?;
        let path = self.path(key);
        // The type first: a reader that finds the new bytes also finds
        // their type (an overwrite keeps the extension, hence the type).
        write_atomic(&Self::type_path(&path), content_type.as_bytes())
            .await
            .map_err(io("write", key))?;
        write_atomic(&path, &bytes).await.map_err(io("write", key))
    }

    async fn get(&self, key: &BlobKey) -> Result<Blob, StorageError> {
        let path = self.path(key);
        let bytes = match tokio::fs::read(&path).await {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(StorageError::NotFound(key.to_string()));
            }
            Err(e) => return Err(io("read", key)(e)),
        };
        let content_type = match tokio::fs::read_to_string(Self::type_path(&path)).await {
            Ok(text) if check_content_type(text.trim()).is_ok() => text.trim().to_owned(),
            Ok(_) => FALLBACK_CONTENT_TYPE.to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => FALLBACK_CONTENT_TYPE.to_owned(),
            Err(e) => return Err(io("read", key)(e)),
        };
        Ok(Blob {
            bytes,
            content_type,
        })
    }

    async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        let path = self.path(key);
        remove_if_present(&path).await.map_err(io("delete", key))?;
        remove_if_present(&Self::type_path(&path))
            .await
            .map_err(io("delete", key))
    }

    async fn exists(&self, key: &BlobKey) -> Result<bool, StorageError> {
        tokio::fs::try_exists(self.path(key))
            .await
            .map_err(io("stat", key))
    }

    async fn signed_url(&self, key: &BlobKey, ttl: Duration) -> Result<Url, StorageError> {
        check_ttl(ttl)?;
        // Whole seconds, rounded up, from a "now" also rounded up: the URL
        // lives at least `ttl`, never a fraction of a second less.
        let secs = i64::try_from(ttl.as_secs() + u64::from(ttl.subsec_nanos() > 0))
            .map_err(|_| StorageError::Ttl)?;
        let now = Utc::now();
        let now_ceil = now.timestamp() + i64::from(now.timestamp_subsec_nanos() > 0);
        let expires = now_ceil + secs;
        Ok(self.signer.url(key, expires))
    }
}
