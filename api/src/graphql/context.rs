//! One-line access to what resolvers need, with typed errors instead of panics.

use async_graphql::Context;

use super::{error::GqlError, loaders::Loaders};
use crate::{
    auth::{Caller, ClientAddr, Principal},
    error::AppError,
    services::Services,
};

/// Extension methods on the resolver context.
pub trait ContextExt {
    /// The application's services (schema data, always present).
    fn services(&self) -> Result<&Services, GqlError>;
    /// The signed-in caller, or `UNAUTHENTICATED` saying why not.
    fn principal(&self) -> Result<&Principal, GqlError>;
    /// The caller's network address (unspecified when unknown).
    fn client(&self) -> ClientAddr;
    /// The request's loaders, built for its signed-in caller;
    /// `UNAUTHENTICATED` without one.
    fn loaders(&self) -> Result<&Loaders, GqlError>;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> Result<&Services, GqlError> {
        self.data::<Services>().map_err(|_| {
            GqlError::from(AppError::Internal(
                "services missing from schema data".into(),
            ))
        })
    }

    fn principal(&self) -> Result<&Principal, GqlError> {
        match self.data_opt::<Caller>() {
            Some(Caller::User(principal)) => Ok(principal),
            Some(Caller::Rejected(why)) => Err(AppError::Unauthenticated(why.to_string()).into()),
            Some(Caller::Anonymous) | None => Err(AppError::Unauthenticated(
                "Sign in first: send `Authorization: Bearer <token>`.".to_owned(),
            )
            .into()),
        }
    }

    fn client(&self) -> ClientAddr {
        self.data_opt::<ClientAddr>().copied().unwrap_or_default()
    }

    fn loaders(&self) -> Result<&Loaders, GqlError> {
        match self.data_opt::<Loaders>() {
            Some(loaders) => Ok(loaders),
            None => {
                // Loaders exist for every signed-in caller, so their
                // absence means there is none.
                self.principal()?;
                Err(AppError::Internal("loaders missing from request data".into()).into())
            }
        }
    }
}
