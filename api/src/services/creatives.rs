//! Creatives: a member's uploaded ad images. An upload is checked by its
//! bytes (never by its name or declared type), stored with a thumbnail under
//! fresh blob keys, and recorded once per user and image; reads hand out
//! time-limited URLs; a creative a launched campaign uses cannot be deleted.

use std::{sync::Arc, time::Duration};

use entities::{
    CampaignStatus, CreativeId, RowScope, TenantId, TenantScoped, ad_campaign, campaign_creative,
    creative::{ActiveModel, Column, Entity, Model},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    SqlErr, TransactionTrait,
};
use serde_json::json;
use tokio::io::AsyncRead;

mod parts;

use parts::{InsertError, blob_keys, in_use_conflict, media_error, new_row, upload_entry};

use super::{
    audit::{AuditEntry, AuditService},
    pagination::{self, Cursor, Page, PageRequest},
};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
    media::{self, ImageLimits, ProcessedImage},
    storage::{BlobKey, BlobStore, LocalStore, Storage},
};

/// How long a creative's URLs stay valid: long enough to render a gallery
/// and let the browser fetch every image, short enough that a leaked URL
/// soon stops working.
pub const URL_TTL: Duration = Duration::from_secs(15 * 60);

#[derive(Clone)]
pub struct CreativesService {
    db: DatabaseConnection,
    authz: Authorizer,
    audit: AuditService,
    store: Arc<dyn BlobStore>,
    local: Option<Arc<LocalStore>>,
    limits: ImageLimits,
}

impl CreativesService {
    pub fn new(
        db: DatabaseConnection,
        authz: Authorizer,
        audit: AuditService,
        storage: Storage,
        limits: ImageLimits,
    ) -> Self {
        Self {
            db,
            authz,
            audit,
            store: storage.store,
            local: storage.local,
            limits,
        }
    }

    /// The local directory store, when creatives live there: the blob route
    /// serves its signed URLs (S3 serves its own presigned URLs).
    pub fn local_store(&self) -> Option<&Arc<LocalStore>> {
        self.local.as_ref()
    }

    /// Stores an uploaded image as a creative of the caller. The same bytes
    /// uploaded again by the same user return the existing creative.
    /// `content_type_claimed` is what the client declared; it decides
    /// nothing (the bytes do), and is only logged when it disagrees.
    pub async fn upload<R: AsyncRead + Unpin + Send>(
        &self,
        principal: &Principal,
        file_name: &str,
        content_type_claimed: Option<&str>,
        reader: R,
    ) -> Result<Model, AppError> {
        // The gate decides whether the role may upload; the row always
        // belongs to the uploader, whatever scope the gate answers.
        self.authz
            .authorize(principal, Resource::Creative, Action::Create)
            .await?;
        let bytes = media::read_limited(reader, self.limits.max_bytes)
            .await
            .map_err(media_error)?;

        // Hash before decoding: a repeated upload costs no decode, no
        // thumbnail and no storage.
        let (bytes, sha256) = crate::blocking::run(crate::blocking::Lane::Images, move || {
            let sha256 = media::digest(&bytes);
            (bytes, sha256)
        })
        .await?;
        if let Some(existing) = self.own_by_sha256(principal, &sha256).await? {
            self.record_upload(principal, &existing, true).await?;
            return Ok(existing);
        }

        let image = media::process_digested_upload(bytes, sha256.clone(), self.limits)
            .await
            .map_err(media_error)?;
        if let Some(claimed) = content_type_claimed
            && !claimed.eq_ignore_ascii_case(image.info.content_type())
        {
            tracing::debug!(
                detected = image.info.content_type(),
                "upload's declared content type differs from its bytes"
            );
        }
        let (key, thumbnail_key) = self.store_blobs(principal, image.clone()).await?;
        let row = new_row(principal, file_name, &image, &key, &thumbnail_key)?;

        let inserted = self.insert(principal, row).await;
        if inserted.is_err() {
            self.delete_blobs(&[key, thumbnail_key]).await;
        }
        match inserted {
            Ok(model) => Ok(model),
            // A concurrent upload of the same image won the unique index on
            // (user, sha256): its row is the answer.
            Err(InsertError::Duplicate) => self
                .own_by_sha256(principal, &sha256)
                .await?
                .ok_or_else(|| AppError::Internal("a duplicate creative vanished".into())),
            Err(InsertError::Other(e)) => Err(e),
        }
    }

    /// The caller's creatives (every creative for the chief architect),
    /// newest first.
    pub async fn list(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        request: PageRequest,
    ) -> Result<Page<Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Creative, Action::Read)
            .await?;
        let scope = crate::authz::narrow(scope, tenant, principal);
        pagination::page(
            &self.db,
            Entity::within(scope),
            Column::CreatedAt,
            Column::Id,
            request,
            |m| Cursor {
                at: m.created_at,
                id: m.id.into_uuid(),
            },
        )
        .await
    }

    /// Deletes a creative, its image and its thumbnail. Drafts using it lose
    /// it; any other campaign using it makes this a `CONFLICT`.
    pub async fn delete(&self, principal: &Principal, id: CreativeId) -> Result<bool, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Creative, Action::Delete)
            .await?;
        let txn = self.db.begin().await?;
        // Locking the creative (PostgreSQL; SQLite serialises writers) makes
        // a concurrent campaign that links it wait on the foreign key.
        let creative = Entity::within(scope)
            .filter(Column::Id.eq(id))
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound("creative"))?;
        // Only the creative's owner's campaigns can link it.
        let owner = RowScope::Own {
            tenant: creative.tenant_id,
            user: creative.user_id,
        };
        let links = campaign_creative::Entity::within(owner)
            .filter(campaign_creative::Column::CreativeId.eq(id))
            .all(&txn)
            .await?;
        // Locked too, so none leaves `draft` between this check and the
        // unlinking below.
        let campaigns = if links.is_empty() {
            Vec::new()
        } else {
            ad_campaign::Entity::within(owner)
                .filter(ad_campaign::Column::Id.is_in(links.iter().map(|l| l.campaign_id)))
                .lock_exclusive()
                .all(&txn)
                .await?
        };
        let (drafts, in_use): (Vec<_>, Vec<_>) = campaigns
            .into_iter()
            .partition(|c| c.status == CampaignStatus::Draft);
        if !in_use.is_empty() {
            return Err(in_use_conflict(&in_use));
        }
        if !drafts.is_empty() {
            campaign_creative::Entity::delete_many()
                .filter(campaign_creative::Column::CreativeId.eq(id))
                .filter(campaign_creative::Column::CampaignId.is_in(drafts.iter().map(|c| c.id)))
                .exec(&txn)
                .await?;
        }
        // A link made since the check above still holds the row (the
        // foreign key restricts): that is the same conflict.
        Entity::delete_by_id(id)
            .exec(&txn)
            .await
            .map_err(|e| match e.sql_err() {
                Some(SqlErr::ForeignKeyConstraintViolation(_)) => in_use_conflict(&[]),
                _ => AppError::from(e),
            })?;
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "creative.delete")
                    .target(format!("creative:{id}"))
                    .detail(json!({ "unlinked_drafts": drafts.len() })),
            )
            .await?;
        txn.commit().await?;
        // After the commit: a failed blob delete leaves an unreachable file
        // (logged), never a row pointing at a missing one.
        let keys: Vec<BlobKey> = blob_keys(&creative).into_iter().flatten().collect();
        self.delete_blobs(&keys).await;
        Ok(true)
    }

    /// The original image's bytes (the launch pipeline uploads them to the
    /// ad platform). The row was read through a scoped finder already.
    pub async fn original_bytes(&self, model: &Model) -> Result<Vec<u8>, AppError> {
        let [key, _] = blob_keys(model);
        let key = key.map_err(AppError::internal)?;
        let blob = self.store.get(&key).await.map_err(AppError::internal)?;
        Ok(blob.bytes)
    }

    /// A time-limited URL of the original image.
    pub async fn image_url(&self, model: &Model) -> Result<String, AppError> {
        let [key, _] = blob_keys(model);
        let key = key.map_err(AppError::internal)?;
        self.sign(&key).await
    }

    /// A time-limited URL of the thumbnail; a row without one shows its image.
    pub async fn thumbnail_url(&self, model: &Model) -> Result<String, AppError> {
        let [key, thumbnail] = blob_keys(model);
        let key = key.map_err(AppError::internal)?;
        self.sign(&thumbnail.unwrap_or(key)).await
    }

    async fn sign(&self, key: &BlobKey) -> Result<String, AppError> {
        self.store
            .signed_url(key, URL_TTL)
            .await
            .map(String::from)
            .map_err(AppError::internal)
    }

    async fn own_by_sha256(
        &self,
        principal: &Principal,
        sha256: &str,
    ) -> Result<Option<Model>, AppError> {
        Ok(Entity::owned_by(principal.tenant_id, principal.user_id)
            .filter(Column::Sha256.eq(sha256))
            .one(&self.db)
            .await?)
    }

    /// Puts the image and its thumbnail under fresh keys; on failure neither
    /// stays behind.
    async fn store_blobs(
        &self,
        principal: &Principal,
        image: ProcessedImage,
    ) -> Result<(BlobKey, BlobKey), AppError> {
        let owner = (principal.tenant_id, principal.user_id);
        let key =
            BlobKey::new(owner.0, owner.1, image.info.extension()).map_err(AppError::internal)?;
        let thumbnail_key = BlobKey::new(owner.0, owner.1, image.thumbnail.format.extension())
            .map_err(AppError::internal)?;
        let stored = tokio::try_join!(
            self.store.put(&key, image.bytes, image.info.content_type()),
            self.store.put(
                &thumbnail_key,
                image.thumbnail.bytes,
                image.thumbnail.format.content_type()
            ),
        );
        if let Err(e) = stored {
            self.delete_blobs(&[key, thumbnail_key]).await;
            return Err(AppError::internal(e));
        }
        Ok((key, thumbnail_key))
    }

    async fn insert(&self, principal: &Principal, row: ActiveModel) -> Result<Model, InsertError> {
        let txn = self.db.begin().await?;
        let model = row.insert(&txn).await.map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => InsertError::Duplicate,
            _ => InsertError::from(e),
        })?;
        self.audit
            .record(&txn, upload_entry(principal, &model, false))
            .await?;
        txn.commit().await?;
        Ok(model)
    }

    async fn record_upload(
        &self,
        principal: &Principal,
        model: &Model,
        deduplicated: bool,
    ) -> Result<(), AppError> {
        self.audit
            .record_now(upload_entry(principal, model, deduplicated))
            .await
    }

    /// Best effort: what cannot be deleted is logged and left behind.
    async fn delete_blobs(&self, keys: &[BlobKey]) {
        for key in keys {
            if let Err(e) = self.store.delete(key).await {
                tracing::warn!(error = %e, "a creative's blob could not be deleted");
            }
        }
    }
}
