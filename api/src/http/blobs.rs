//! `GET /blobs/{key}?expires=…&sig=…`: the local store's signed creative
//! URLs. The key is parsed into a [`BlobKey`] (canonical form only, so no
//! `..` or other spelling reaches the file system) and the signature covers
//! that key and the expiry, so changing either part of the URL breaks it.
//! With the S3 store configured, there is nothing to serve here: 404.

use axum::{
    extract::{Path, RawQuery, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;

use super::AppState;
use crate::storage::{BlobKey, StorageError};

/// `expires` and `sig` from the query string; `None` when either is
/// missing, repeated or unreadable.
fn signature(query: Option<&str>) -> Option<(i64, String)> {
    let (mut expires, mut sig) = (None, None);
    for (name, value) in url::form_urlencoded::parse(query?.as_bytes()) {
        let slot = match name.as_ref() {
            "expires" => &mut expires,
            "sig" => &mut sig,
            _ => continue,
        };
        if slot.replace(value.into_owned()).is_some() {
            return None;
        }
    }
    Some((expires?.parse().ok()?, sig?))
}

pub async fn serve(
    State(state): State<AppState>,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(store) = state.services.creatives.local_store() else {
        return status(StatusCode::NOT_FOUND);
    };
    let Ok(key) = BlobKey::parse(&key) else {
        return status(StatusCode::NOT_FOUND);
    };
    let Some((expires, sig)) = signature(query.as_deref()) else {
        return status(StatusCode::FORBIDDEN);
    };
    let now = Utc::now();
    if store.verify_signed(&key, expires, &sig, now).is_err() {
        return status(StatusCode::FORBIDDEN);
    }
    let blob = match crate::storage::BlobStore::get(store.as_ref(), &key).await {
        Ok(blob) => blob,
        // Deleted since the URL was signed.
        Err(StorageError::NotFound(_)) => return status(StatusCode::NOT_FOUND),
        Err(e) => {
            tracing::error!(error = %e, "a signed blob could not be read");
            return status(StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let Ok(content_type) = HeaderValue::from_str(&blob.content_type) else {
        return status(StatusCode::INTERNAL_SERVER_ERROR);
    };
    // Caches may keep it as long as the URL is valid, and no longer.
    let max_age = (expires - now.timestamp()).max(0);
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_str(&format!("private, max-age={max_age}"))
                    .unwrap_or(HeaderValue::from_static("private, no-store")),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Served from the API's origin: even a stored file that some
            // browser mistook for a document could run nothing.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; sandbox"),
            ),
        ],
        blob.bytes,
    )
        .into_response()
}

fn status(code: StatusCode) -> Response {
    code.into_response()
}

#[cfg(test)]
mod tests {
    use super::signature;

    #[test]
    fn signature_needs_exactly_one_expires_and_sig() {
        assert_eq!(
            signature(Some("expires=12&sig=ab")),
            Some((12, "ab".to_owned()))
        );
        assert_eq!(
            signature(Some("x=1&sig=ab&expires=12")),
            Some((12, "ab".to_owned()))
        );
        for bad in [
            "",
            "expires=12",
            "sig=ab",
            "expires=x&sig=ab",
            "expires=1&expires=2&sig=ab",
        ] {
            assert_eq!(signature(Some(bad)), None, "{bad}");
        }
        assert_eq!(signature(None), None);
    }
}
