//! `auditEvents`: the caller's own actions; every action for the chief architect.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entities::{AuditOutcome, audit_event};

use super::{
    context::ContextExt,
    error::GqlResult,
    identity::User,
    pagination::{Connected, connection, page_request},
};

/// One recorded action.
pub struct AuditEvent(audit_event::Model);

#[Object]
impl AuditEvent {
    /// The event's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Who acted; absent for anonymous attempts such as a failed sign-in.
    async fn actor(&self, ctx: &Context<'_>) -> GqlResult<Option<User>> {
        let Some(actor) = self.0.actor_user_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()?
            .user_by_id
            .load_one(actor)
            .await?
            .map(User::from))
    }
    /// A dotted verb, e.g. `auth.sign_in`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// What was acted on, e.g. `integration:<id>`.
    async fn target(&self) -> Option<&str> {
        self.0.target.as_deref()
    }
    /// `success`, `failure` or `denied`.
    async fn outcome(&self) -> &'static str {
        match self.0.outcome {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
            AuditOutcome::Denied => "denied",
        }
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only this tenant's events (for the chief architect).")] tenant_id: Option<
            ID,
        >,
    ) -> GqlResult<Connected<AuditEvent>> {
        let principal = ctx.principal()?;
        let request = page_request(ctx, first.unwrap_or(50), after)?;
        let tenant = super::admin::parse_tenant_filter(tenant_id.as_ref())?;
        let page = ctx
            .services()?
            .audit
            .list(principal, tenant, request)
            .await?;
        Ok(connection(page, AuditEvent))
    }
}
