//! `generateAdCopy`.

use async_graphql::{Context, Object};
use entities::json;

use super::{
    campaign_types::{AdCopy, GenerateAdCopyInput},
    context::ContextExt,
    error::GqlResult,
};
use crate::{
    services::copy::CopyRequest,
    shapes::{FromPlatform, objective_to_platform},
};

#[derive(Default)]
pub struct CopyMutation;

#[Object]
impl CopyMutation {
    /// Writes 1–5 variants of ad copy with the tenant's copywriter (Gemini
    /// when configured, else the offline Template copywriter). A copywriter
    /// failure is a coded error saying what to do, never `INTERNAL`.
    async fn generate_ad_copy(
        &self,
        ctx: &Context<'_>,
        input: GenerateAdCopyInput,
    ) -> GqlResult<Vec<AdCopy>> {
        let principal = ctx.principal()?;
        let request = CopyRequest {
            niche: input.niche,
            audience: input.audience.into(),
            objective: objective_to_platform(input.objective.into()),
            variants: input.variants.unwrap_or(3),
        };
        let copy = &ctx.services()?.copy;
        let written = copy.generate(principal, request).await?;
        let author = copy.author();
        Ok(written
            .iter()
            .map(|c| {
                AdCopy::from(&json::AdCopy {
                    written_by: Some(author),
                    ..json::AdCopy::from_platform(c)
                })
            })
            .collect())
    }
}
