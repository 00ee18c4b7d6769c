//! The audit trail: who did what, to what, with which outcome. Never a secret.

use chrono::Utc;
use entities::{
    AuditEventId, AuditOutcome, TenantId, TenantScoped, UserId,
    audit_event::{self, ActiveModel, Column, Entity},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseConnection};

use super::pagination::{self, Cursor, Page, PageRequest};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
};

tokio::task_local! {
    /// The id of the HTTP request being served (`x-request-id`), so audit
    /// rows can be matched with the request's log lines.
    pub static REQUEST_ID: String;
}

/// One thing to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub tenant_id: Option<TenantId>,
    pub actor: Option<UserId>,
    /// A dotted verb, e.g. `auth.sign_in`.
    pub action: &'static str,
    /// What was acted on, e.g. `user:<id>`; never a secret.
    pub target: Option<String>,
    pub outcome: AuditOutcome,
    /// Non-secret context (the e-mail tried, the client address…).
    pub detail: Option<serde_json::Value>,
}

impl AuditEntry {
    /// A successful action of a signed-in caller.
    pub fn by(principal: &Principal, action: &'static str) -> Self {
        Self::of_user(principal.tenant_id, principal.user_id, action)
    }

    /// A successful action of a user who is not (yet) a principal, e.g.
    /// while signing up or in.
    pub fn of_user(tenant: TenantId, user: UserId, action: &'static str) -> Self {
        Self {
            tenant_id: Some(tenant),
            actor: Some(user),
            action,
            target: None,
            outcome: AuditOutcome::Success,
            detail: None,
        }
    }

    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn outcome(mut self, outcome: AuditOutcome) -> Self {
        self.outcome = outcome;
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = Some(detail);
        self
    }
}

#[derive(Clone)]
pub struct AuditService {
    db: DatabaseConnection,
    authz: Authorizer,
}

impl AuditService {
    pub fn new(db: DatabaseConnection, authz: Authorizer) -> Self {
        Self { db, authz }
    }

    /// Appends an entry (inside the caller's transaction when given one).
    pub async fn record<C: ConnectionTrait>(
        &self,
        conn: &C,
        entry: AuditEntry,
    ) -> Result<(), AppError> {
        ActiveModel {
            id: Set(AuditEventId::generate()),
            tenant_id: Set(entry.tenant_id),
            actor_user_id: Set(entry.actor),
            action: Set(entry.action.to_owned()),
            target: Set(entry.target),
            outcome: Set(entry.outcome),
            detail: Set(entry.detail),
            request_id: Set(REQUEST_ID.try_with(Clone::clone).ok()),
            at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
        Ok(())
    }

    /// Appends an entry on the service's own connection.
    pub async fn record_now(&self, entry: AuditEntry) -> Result<(), AppError> {
        self.record(&self.db, entry).await
    }

    /// The caller's own actions; every action for the chief architect.
    pub async fn list(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        request: PageRequest,
    ) -> Result<Page<audit_event::Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Audit, Action::Read)
            .await?;
        let scope = crate::authz::narrow(scope, tenant, principal);
        pagination::page(
            &self.db,
            Entity::within(scope),
            Column::At,
            Column::Id,
            request,
            |m| Cursor {
                at: m.at,
                id: m.id.into_uuid(),
            },
        )
        .await
    }
}
