//! One-line access to what resolvers need, with typed errors instead of panics.

use async_graphql::Context;

use super::error::GqlError;
use crate::{error::AppError, services::Services};

/// Extension methods on the resolver context.
pub trait ContextExt {
    /// The application's services (schema data, always present).
    fn services(&self) -> Result<&Services, GqlError>;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> Result<&Services, GqlError> {
        self.data::<Services>().map_err(|_| {
            GqlError::from(AppError::Internal(
                "services missing from schema data".into(),
            ))
        })
    }
}
