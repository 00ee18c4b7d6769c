//! `creatives`, `uploadCreative`, `deleteCreative` and the `Creative` type.

use async_graphql::{Context, ID, Object, Upload};
use chrono::{DateTime, Utc};
use entities::{CreativeId, creative};

use super::{
    admin::parse_id,
    context::ContextExt,
    error::GqlResult,
    pagination::{Connected, connection, page_request},
};
use crate::error::AppError;

/// An uploaded ad image (JPEG or PNG) with its thumbnail.
pub struct Creative(pub creative::Model);

#[Object]
impl Creative {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The uploader's file name, cleaned for display (no directories or
    /// control characters). Display only: never a path.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    /// `image/jpeg` or `image/png`, as detected from the file's bytes.
    async fn content_type(&self) -> &str {
        &self.0.content_type
    }
    /// Size of the original file in bytes.
    async fn byte_size(&self) -> i32 {
        i32::try_from(self.0.byte_size).unwrap_or(i32::MAX)
    }
    /// Width in pixels.
    async fn width(&self) -> i32 {
        self.0.width
    }
    /// Height in pixels.
    async fn height(&self) -> i32 {
        self.0.height
    }
    /// Lower-case hex SHA-256 of the original file.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }
    /// A URL of the original image, valid for 15 minutes from this read.
    async fn url(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(ctx.services()?.creatives.image_url(&self.0).await?)
    }
    /// A URL of the thumbnail (at most 400 px on its longest side), valid for
    /// 15 minutes from this read.
    async fn thumbnail_url(&self, ctx: &Context<'_>) -> GqlResult<String> {
        Ok(ctx.services()?.creatives.thumbnail_url(&self.0).await?)
    }
    /// When it was uploaded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct CreativesQuery;

#[Object]
impl CreativesQuery {
    /// The caller's creatives (everyone's for the chief architect), newest
    /// first.
    async fn creatives(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only this tenant's rows (for the chief architect).")] tenant_id: Option<
            ID,
        >,
    ) -> GqlResult<Connected<Creative>> {
        let principal = ctx.principal()?;
        let request = page_request(ctx, first.unwrap_or(50), after)?;
        let tenant = super::admin::parse_tenant_filter(tenant_id.as_ref())?;
        let page = ctx
            .services()?
            .creatives
            .list(principal, tenant, request)
            .await?;
        Ok(connection(page, Creative))
    }
}

#[derive(Default)]
pub struct CreativesMutation;

#[Object]
impl CreativesMutation {
    /// Uploads a JPEG or PNG image (GraphQL multipart request; send an
    /// `apollo-require-preflight: true` header). The type is detected from
    /// the bytes; empty, oversized, damaged and huge-dimension images are
    /// refused with `BAD_USER_INPUT`. Uploading the same image again returns
    /// the existing creative.
    async fn upload_creative(&self, ctx: &Context<'_>, file: Upload) -> GqlResult<Creative> {
        let principal = ctx.principal()?;
        let services = ctx.services()?;
        let upload = file.value(ctx).map_err(AppError::internal)?;
        // The multipart parser has spooled the part to a temporary file;
        // reading it through tokio keeps the runtime free.
        let reader = tokio::fs::File::from_std(upload.content);
        let model = services
            .creatives
            .upload(
                principal,
                &upload.filename,
                upload.content_type.as_deref(),
                reader,
            )
            .await?;
        Ok(Creative(model))
    }

    /// Deletes a creative with its image and thumbnail, and removes it from
    /// draft campaigns. `CONFLICT` while a campaign that is not a draft uses
    /// it.
    async fn delete_creative(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let principal = ctx.principal()?;
        let id: CreativeId = parse_id(&id, "creative")?;
        Ok(ctx.services()?.creatives.delete(principal, id).await?)
    }
}
