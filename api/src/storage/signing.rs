//! Expiring HMAC-signed URLs for the local directory store.
//!
//! The URL is `{public_url}/blobs/{key}?expires={unix seconds}&sig={hex}`,
//! with `sig = HMAC-SHA256(url key, "leadforge-blob-v1\n{key}\n{expires}")`.
//! The key in the path is a validated [`BlobKey`], so a user cannot alter it
//! to reach another file without breaking the signature.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use url::Url;
use zeroize::Zeroizing;

use super::BlobKey;

type HmacSha256 = Hmac<Sha256>;

/// Name of the URL-signing key file in the data directory.
pub const URL_KEY_FILE: &str = "blob-url.key";

/// Length of the URL-signing key in bytes.
pub(crate) const URL_KEY_LEN: usize = 32;

/// Path segment under `public_url` where the HTTP route serves blobs.
pub const BLOB_ROUTE: &str = "blobs";

/// Why a signed blob URL is refused. Deliberately coarse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The signature does not match the key and expiry (or is malformed).
    #[error("the link is not valid")]
    Invalid,
    /// The signature matches but the expiry has passed.
    #[error("the link has expired")]
    Expired,
}

/// Signs and verifies blob URLs.
pub(crate) struct UrlSigner {
    /// Keyed once; cloned per URL (cheaper than re-keying, and no fallible
    /// step on the request path).
    keyed: HmacSha256,
    base: Url,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlSigner")
            .field("base", &self.base.as_str())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl UrlSigner {
    /// `None` for an empty secret (HMAC itself accepts any other length).
    pub(crate) fn new(secret: &Zeroizing<Vec<u8>>, base: Url) -> Option<Self> {
        if secret.is_empty() {
            return None;
        }
        let keyed = HmacSha256::new_from_slice(secret).ok()?;
        Some(Self { keyed, base })
    }

    fn mac(&self, key: &BlobKey, expires: i64) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(format!("leadforge-blob-v1\n{key}\n{expires}").as_bytes());
        mac
    }

    /// The URL of `key`, valid until `expires` (unix seconds).
    pub(crate) fn url(&self, key: &BlobKey, expires: i64) -> Url {
        let sig = hex::encode(self.mac(key, expires).finalize().into_bytes());
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments
                .pop_if_empty()
                .push(BLOB_ROUTE)
                .extend(key.as_str().split('/'));
        }
        url.set_query(None);
        url.set_fragment(None);
        url.query_pairs_mut()
            .append_pair("expires", &expires.to_string())
            .append_pair("sig", &sig);
        url
    }

    /// Checks a signature in constant time, then the expiry.
    pub(crate) fn verify(
        &self,
        key: &BlobKey,
        expires: i64,
        sig: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        let sig = hex::decode(sig).map_err(|_| SignatureError::Invalid)?;
        self.mac(key, expires)
            .verify_slice(&sig)
            .map_err(|_| SignatureError::Invalid)?;
        if now.timestamp() >= expires {
            return Err(SignatureError::Expired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use entities::{TenantId, UserId};

    use super::*;

    fn signer(base: &str) -> UrlSigner {
        UrlSigner::new(&Zeroizing::new(vec![7; 32]), Url::parse(base).unwrap()).unwrap()
    }

    #[test]
    fn urls_keep_the_base_path_and_verify() {
        let key = BlobKey::new(TenantId::generate(), UserId::generate(), "png").unwrap();
        let signer = signer("https://example.com/app/");
        let url = signer.url(&key, 2_000_000_000);
        assert!(url.as_str().starts_with(&format!(
            "https://example.com/app/blobs/{key}?expires=2000000000&sig="
        )));
        let sig = url
            .query_pairs()
            .find(|(k, _)| k == "sig")
            .map(|(_, v)| v.into_owned())
            .unwrap();
        let now = DateTime::from_timestamp(1_999_999_999, 0).unwrap();
        assert_eq!(signer.verify(&key, 2_000_000_000, &sig, now), Ok(()));
        assert_eq!(
            signer.verify(&key, 2_000_000_001, &sig, now),
            Err(SignatureError::Invalid)
        );
        let later = DateTime::from_timestamp(2_000_000_000, 0).unwrap();
        assert_eq!(
            signer.verify(&key, 2_000_000_000, &sig, later),
            Err(SignatureError::Expired)
        );
        let other = signer_with_other_secret();
        assert_eq!(
            other.verify(&key, 2_000_000_000, &sig, now),
            Err(SignatureError::Invalid)
        );
        assert_eq!(
            signer.verify(&key, 2_000_000_000, "zz", now),
            Err(SignatureError::Invalid)
        );
        assert!(!format!("{signer:?}").contains("7, 7"));
    }

    fn signer_with_other_secret() -> UrlSigner {
        UrlSigner::new(
            &Zeroizing::new(vec![8; 32]),
            Url::parse("http://x/").unwrap(),
        )
        .unwrap()
    }
}
