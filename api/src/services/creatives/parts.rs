//! The pure pieces of the creatives service: a new row, the stored keys of
//! a row, the audit entry and the errors people see.

use chrono::Utc;
use entities::{
    CreativeId, ad_campaign,
    creative::{ActiveModel, Model},
};
use sea_orm::ActiveValue::Set;
use serde_json::json;

use crate::{
    auth::Principal,
    error::AppError,
    media::{self, MediaError, ProcessedImage},
    services::audit::AuditEntry,
    storage::BlobKey,
};

/// Why a new creative's row was not written.
pub(super) enum InsertError {
    /// The user already has a creative with these bytes.
    Duplicate,
    Other(AppError),
}

impl<E: Into<AppError>> From<E> for InsertError {
    fn from(e: E) -> Self {
        Self::Other(e.into())
    }
}

pub(super) fn upload_entry(principal: &Principal, model: &Model, deduplicated: bool) -> AuditEntry {
    AuditEntry::by(principal, "creative.upload")
        .target(format!("creative:{}", model.id))
        .detail(json!({
            "byte_size": model.byte_size,
            "content_type": model.content_type,
            "deduplicated": deduplicated,
        }))
}

pub(super) fn new_row(
    principal: &Principal,
    file_name: &str,
    image: &ProcessedImage,
    key: &BlobKey,
    thumbnail_key: &BlobKey,
) -> Result<ActiveModel, AppError> {
    let info = &image.info;
    // The limits keep these far inside the column types; a failure is a bug.
    let too_big = || AppError::Internal("image facts exceed their columns".into());
    Ok(ActiveModel {
        id: Set(CreativeId::generate()),
        tenant_id: Set(principal.tenant_id),
        user_id: Set(principal.user_id),
        storage_key: Set(key.as_str().to_owned()),
        thumbnail_key: Set(Some(thumbnail_key.as_str().to_owned())),
        file_name: Set(media::sanitize_file_name(file_name)),
        content_type: Set(info.content_type().to_owned()),
        byte_size: Set(i64::try_from(info.byte_size).map_err(|_| too_big())?),
        width: Set(i32::try_from(info.width).map_err(|_| too_big())?),
        height: Set(i32::try_from(info.height).map_err(|_| too_big())?),
        sha256: Set(info.sha256.clone()),
        created_at: Set(Utc::now()),
    })
}

/// The stored keys of a creative, validated again on the way out of the
/// database so a corrupted row cannot name a path outside its owner's.
pub(super) fn blob_keys(model: &Model) -> [Result<BlobKey, AppError>; 2] {
    let parse = |text: &str| {
        BlobKey::parse(text)
            .map_err(AppError::internal)
            .and_then(|key| {
                if key.is_owned_by(model.tenant_id, model.user_id) {
                    Ok(key)
                } else {
                    Err(AppError::Internal(
                        "a creative's blob key lies outside its owner's prefix".into(),
                    ))
                }
            })
    };
    [
        parse(&model.storage_key),
        model
            .thumbnail_key
            .as_deref()
            .map_or(Err(AppError::NotFound("thumbnail")), parse),
    ]
}

pub(super) fn media_error(e: MediaError) -> AppError {
    if e.is_bad_input() {
        AppError::bad_input("file", e.to_string())
    } else {
        AppError::internal(e)
    }
}

pub(super) fn in_use_conflict(campaigns: &[ad_campaign::Model]) -> AppError {
    let names: Vec<&str> = campaigns
        .iter()
        .map(|c| c.campaign_name.as_str())
        .take(3)
        .collect();
    let which = if names.is_empty() {
        String::new()
    } else {
        format!(" ({})", names.join(", "))
    };
    AppError::Conflict(format!(
        "This creative is used by a campaign that is not a draft{which}; \
         it can only be deleted while no launched campaign uses it."
    ))
}
