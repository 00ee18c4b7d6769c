//! The lead inbox (DESIGN §10): leads stored once per platform lead, their
//! answers sealed by the vault, listed and worked within the caller's scope
//! exactly as campaigns are (owner, chief architect; another tenant's lead
//! is `NOT_FOUND`).
//!
//! Personal data (answers, e-mail, phone, the owner's note) never goes into
//! a log line, an audit row or an error: audit rows name the lead's id only.

pub mod deliveries;
pub mod fetch;
pub mod outbound;
pub mod reconcile;
pub mod store;
pub mod webhook;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entities::{
    CampaignId, LeadId, LeadStatus, RowScope, TenantId, TenantScoped,
    lead::{ActiveModel, Column, Entity, Model},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use super::{
    audit::{AuditEntry, AuditService},
    pagination::{self, Cursor, Page, PageRequest},
};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::AppError,
    vault::{LeadBinding, Sealed, Vault},
};

/// Longest note a lead may carry, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;

/// One answer of a lead form: the field's name and what the person wrote.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub name: String,
    pub values: Vec<String>,
}

// Personal data: only the field name is ever shown by `{:?}`.
impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What a list of leads is narrowed to.
#[derive(Debug, Clone, Copy, Default)]
pub struct LeadFilter {
    pub campaign: Option<CampaignId>,
    pub status: Option<LeadStatus>,
    /// Received at or after.
    pub since: Option<DateTime<Utc>>,
}

/// A change to a lead's follow-up.
#[derive(Debug, Clone, Default)]
pub struct LeadUpdate {
    pub status: Option<LeadStatus>,
    /// `Some("")` clears the note.
    pub note: Option<String>,
}

/// Built once in `Services::build`.
#[derive(Clone)]
pub struct LeadsService {
    pub(crate) db: DatabaseConnection,
    pub(crate) authz: Authorizer,
    pub(crate) audit: AuditService,
    pub(crate) vault: Arc<Vault>,
    pub(crate) queue: crate::jobs::JobQueue,
    pub(crate) webhook: webhook::WebhookSettings,
    pub(crate) delivery: deliveries::DeliverySettings,
    /// Campaign ids whose leads (or status) changed, for live updates.
    pub(crate) events: tokio::sync::broadcast::Sender<crate::events::CampaignChange>,
}

impl LeadsService {
    async fn scope(&self, principal: &Principal, action: Action) -> Result<RowScope, AppError> {
        self.authz
            .authorize(principal, Resource::Lead, action)
            .await
    }

    /// Meta's subscription handshake: the challenge to echo.
    pub fn handshake(
        &self,
        mode: Option<&str>,
        token: Option<&str>,
        challenge: Option<&str>,
    ) -> Result<String, webhook::WebhookError> {
        webhook::handshake(&self.webhook, mode, token, challenge)
    }

    /// A webhook delivery: signature first, then one fetch per new lead.
    pub async fn accept_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<usize, webhook::WebhookError> {
        webhook::accept(&self.webhook, &self.queue, &self.db, signature, body).await
    }

    /// The caller's leads, newest received first.
    pub async fn list(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        filter: LeadFilter,
        request: PageRequest,
    ) -> Result<Page<Model>, AppError> {
        let scope = crate::authz::narrow(
            self.scope(principal, Action::Read).await?,
            tenant,
            principal,
        );
        let mut select = Entity::within(scope);
        if let Some(campaign) = filter.campaign {
            select = select.filter(Column::CampaignId.eq(campaign));
        }
        if let Some(status) = filter.status {
            select = select.filter(Column::Status.eq(status));
        }
        if let Some(since) = filter.since {
            select = select.filter(Column::ReceivedAt.gte(since));
        }
        pagination::page(
            &self.db,
            select,
            Column::ReceivedAt,
            Column::Id,
            request,
            |m| Cursor {
                at: m.received_at,
                id: m.id.into_uuid(),
            },
        )
        .await
    }

    /// One lead within the caller's scope for `action`, or `NOT_FOUND`.
    pub async fn get(
        &self,
        principal: &Principal,
        id: LeadId,
        action: Action,
    ) -> Result<Model, AppError> {
        let scope = self.scope(principal, action).await?;
        Entity::by_id(scope, id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("lead"))
    }

    /// Stores a lead read from the platform, for `owner` or kept aside for
    /// the chief architect; `None` when it was stored before. Not a caller's
    /// action: the fetch job (and test fixtures) call it.
    pub async fn receive(
        &self,
        owner: Option<store::LeadOwner>,
        lead: store::IncomingLead,
    ) -> Result<Option<LeadId>, AppError> {
        // The lead, its deliveries and their jobs commit together: a stored
        // lead is never left without its deliveries.
        let txn = self.db.begin().await?;
        let stored = store::insert(&txn, &self.vault, owner, lead).await?;
        let mut queued = 0;
        if let (Some(id), Some(owner)) = (stored, owner) {
            queued = deliveries::plan::for_new_lead(
                &txn,
                &self.queue,
                &self.delivery,
                id,
                owner.tenant,
                owner.user,
            )
            .await?;
        }
        txn.commit().await?;
        if queued > 0 {
            self.queue.announce().await;
        }
        // Its campaign's `leadsReceived` changed, and `leadReceived`
        // subscribers look at that campaign's new leads.
        if let (Some(_), Some(owner)) = (stored, owner) {
            let _ = self.events.send(crate::events::CampaignChange {
                id: owner.campaign,
                tenant: owner.tenant,
                owner: owner.user,
            });
        }
        Ok(stored)
    }

    /// The answers of a lead the caller may read.
    pub fn answers(&self, lead: &Model) -> Result<Vec<Answer>, AppError> {
        self.vault
            .open_json(&LeadBinding { lead_id: lead.id }, &sealed_of(lead))
            .map_err(AppError::internal)
    }

    /// How many leads each of `campaigns` received, within the caller's
    /// scope, in one statement (campaigns with none are absent).
    pub async fn received_by_campaigns(
        &self,
        principal: &Principal,
        campaigns: &[CampaignId],
    ) -> Result<std::collections::HashMap<CampaignId, u64>, AppError> {
        let scope = self.scope(principal, Action::Read).await?;
        let rows: Vec<(Option<CampaignId>, i64)> = Entity::within(scope)
            .filter(Column::CampaignId.is_in(campaigns.iter().copied()))
            .select_only()
            .column(Column::CampaignId)
            .column_as(Column::Id.count(), "received")
            .group_by(Column::CampaignId)
            .into_tuple()
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(c, n)| Some((c?, u64::try_from(n).unwrap_or(0))))
            .collect())
    }

    /// The leads the caller may see received at or after `from` (of one
    /// campaign, or all; `tenant` narrows the chief architect's), oldest
    /// first, at most `limit`: what a `leadReceived` subscriber is sent.
    pub async fn received_since(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        campaign: Option<CampaignId>,
        from: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Model>, AppError> {
        let scope = crate::authz::narrow(
            self.scope(principal, Action::Read).await?,
            tenant,
            principal,
        );
        let mut select = Entity::within(scope).filter(Column::ReceivedAt.gte(from));
        if let Some(campaign) = campaign {
            select = select.filter(Column::CampaignId.eq(campaign));
        }
        Ok(select
            .order_by_asc(Column::ReceivedAt)
            .order_by_asc(Column::Id)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// How many leads each campaign received, within the caller's scope.
    pub async fn received_by(
        &self,
        principal: &Principal,
        campaign: CampaignId,
    ) -> Result<u64, AppError> {
        let scope = self.scope(principal, Action::Read).await?;
        Ok(Entity::within(scope)
            .filter(Column::CampaignId.eq(campaign))
            .select_only()
            .column(Column::Id)
            .count(&self.db)
            .await?)
    }

    /// Sets a lead's status and/or note.
    pub async fn update(
        &self,
        principal: &Principal,
        id: LeadId,
        change: LeadUpdate,
    ) -> Result<Model, AppError> {
        if let Some(note) = &change.note
            && note.chars().count() > MAX_NOTE_CHARS
        {
            return Err(AppError::bad_input(
                "note",
                format!("Keep the note under {MAX_NOTE_CHARS} characters."),
            ));
        }
        let lead = self.get(principal, id, Action::Update).await?;
        let mut row: ActiveModel = lead.into();
        if let Some(status) = change.status {
            row.status = Set(status);
        }
        if let Some(note) = change.note {
            let note = note.trim().to_owned();
            row.note = Set((!note.is_empty()).then_some(note));
        }
        row.updated_at = Set(Utc::now());
        let updated = row.update(&self.db).await?;
        self.audit
            .record_now(AuditEntry::by(principal, "lead.update").target(format!("lead:{id}")))
            .await?;
        Ok(updated)
    }

    /// Erases a lead: the row and its sealed answers are gone.
    pub async fn delete(&self, principal: &Principal, id: LeadId) -> Result<bool, AppError> {
        let lead = self.get(principal, id, Action::Delete).await?;
        let removed = Entity::delete_by_id(lead.id).exec(&self.db).await?;
        self.audit
            .record_now(AuditEntry::by(principal, "lead.delete").target(format!("lead:{id}")))
            .await?;
        Ok(removed.rows_affected > 0)
    }
}

fn sealed_of(lead: &Model) -> Sealed {
    Sealed {
        key_id: lead.key_id.clone(),
        ciphertext: lead.answers.clone(),
        nonce: lead.answers_nonce.clone(),
        wrapped_key: lead.wrapped_key.clone(),
        wrapped_key_nonce: lead.wrapped_key_nonce.clone(),
    }
}
