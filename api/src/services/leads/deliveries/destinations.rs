//! A member's destinations and the log of their deliveries: create (the
//! webhook's secret shown once), pause and enable, delete, test, list the
//! deliveries of a lead or a destination, resend. Scoped as leads are
//! (owner, chief architect; another tenant's row is `NOT_FOUND`).

use std::collections::HashMap;

use chrono::Utc;
use entities::{
    LeadDeliveryId, LeadDeliveryStatus, LeadDestinationId, LeadDestinationKind,
    LeadDestinationStatus, LeadId, RowScope, TenantScoped, job, lead_delivery,
    lead_delivery_attempt, lead_destination,
};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use secrecy::SecretString;

use super::{
    DeliveriesService, job_key, job_of,
    payload::{Body, LeadBody, sample_answers},
};
use crate::{
    auth::Principal,
    authz::{Action, Resource},
    error::AppError,
    services::{
        audit::AuditEntry,
        leads::outbound::{Sent, guard},
    },
    vault::DestinationBinding,
};

/// Longest destination name, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest webhook URL, in characters.
pub const MAX_URL_CHARS: usize = 2000;
/// Destinations one member may have.
pub const MAX_DESTINATIONS: u64 = 20;
/// Deliveries one listing shows (newest first).
pub const MAX_LISTED: u64 = 100;

/// A destination to add.
#[derive(Debug, Clone)]
pub struct NewDestination {
    pub kind: LeadDestinationKind,
    pub name: String,
    /// The webhook's URL; none for e-mail.
    pub url: Option<String>,
}

/// A change to a destination.
#[derive(Debug, Clone, Default)]
pub struct DestinationChange {
    pub name: Option<String>,
    /// `true` enables (and releases held deliveries), `false` pauses.
    pub enabled: Option<bool>,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct DeliveryFilter {
    pub lead: Option<LeadId>,
    pub destination: Option<LeadDestinationId>,
}

/// A delivery and its attempts, oldest first.
pub type DeliveryLog = (lead_delivery::Model, Vec<lead_delivery_attempt::Model>);

impl DeliveriesService {
    async fn scope(&self, principal: &Principal, action: Action) -> Result<RowScope, AppError> {
        self.authz
            .authorize(principal, Resource::Lead, action)
            .await
    }

    /// The caller's destinations (everyone's for the chief architect), oldest first.
    pub async fn destinations(
        &self,
        principal: &Principal,
    ) -> Result<Vec<lead_destination::Model>, AppError> {
        let scope = self.scope(principal, Action::Read).await?;
        Ok(lead_destination::Entity::within(scope)
            .order_by_asc(lead_destination::Column::CreatedAt)
            .limit(MAX_LISTED)
            .all(&self.db)
            .await?)
    }

    /// One destination within the caller's scope for `action`, or `NOT_FOUND`.
    pub async fn destination(
        &self,
        principal: &Principal,
        id: LeadDestinationId,
        action: Action,
    ) -> Result<lead_destination::Model, AppError> {
        let scope = self.scope(principal, action).await?;
        lead_destination::Entity::by_id(scope, id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("lead destination"))
    }

    fn checked_name(raw: &str) -> Result<String, AppError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(AppError::bad_input(
                "name",
                format!("Give the destination a name of 1 to {MAX_NAME_CHARS} characters."),
            ));
        }
        Ok(name.to_owned())
    }

    fn checked_url(&self, raw: Option<&str>) -> Result<String, AppError> {
        let bad = |why: &str| AppError::bad_input("url", why);
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Err(bad(
                "A webhook destination needs the URL leads are posted to.",
            ));
        }
        if raw.chars().count() > MAX_URL_CHARS
            || raw.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad(
                "The URL must be one URL without spaces, at most 2000 characters.",
            ));
        }
        let url = url::Url::parse(raw)
            .map_err(|_| bad("The URL must be absolute, e.g. https://example.com/leads."))?;
        let allowed_scheme =
            url.scheme() == "https" || (url.scheme() == "http" && self.settings.allow_private);
        if !allowed_scheme {
            return Err(bad("The URL must start with https://."));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad(
                "The URL must not carry a user name or password (user:pass@).",
            ));
        }
        if guard::check_url(&url, self.settings.allow_private).is_err() {
            return Err(bad(
                "The URL must be a public address: not localhost, a private or link-local IP, or an internal name.",
            ));
        }
        Ok(url.to_string())
    }

    /// Adds a destination for the caller; a webhook's signing secret is
    /// returned here and never again.
    pub async fn create_destination(
        &self,
        principal: &Principal,
        new: NewDestination,
    ) -> Result<(lead_destination::Model, Option<SecretString>), AppError> {
        self.scope(principal, Action::Create).await?;
        let name = Self::checked_name(&new.name)?;
        let url = match new.kind {
            LeadDestinationKind::Webhook => Some(self.checked_url(new.url.as_deref())?),
            LeadDestinationKind::Email => {
                if new.url.as_deref().is_some_and(|u| !u.trim().is_empty()) {
                    return Err(AppError::bad_input(
                        "url",
                        "An e-mail destination has no URL: leads go to your account's e-mail address.",
                    ));
                }
                if self.outbound.mailer.is_none() {
                    return Err(AppError::bad_input(
                        "kind",
                        "E-mail is not configured on this server (SMTP_HOST); add a webhook instead.",
                    ));
                }
                None
            }
        };
        let owned = lead_destination::Entity::owned_by(principal.tenant_id, principal.user_id)
            .count(&self.db)
            .await?;
        if owned >= MAX_DESTINATIONS {
            return Err(AppError::LimitExceeded(format!(
                "A member may have at most {MAX_DESTINATIONS} lead destinations; delete one first."
            )));
        }
        let id = LeadDestinationId::generate();
        let (secret, sealed) = match new.kind {
            LeadDestinationKind::Webhook => {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                let secret = format!("whsec_{}", hex::encode(bytes));
                let sealed = self
                    .vault
                    .seal(
                        &DestinationBinding { destination_id: id },
                        secret.as_bytes(),
                    )
                    .map_err(AppError::internal)?;
                (Some(SecretString::from(secret)), Some(sealed))
            }
            LeadDestinationKind::Email => (None, None),
        };
        let now = Utc::now();
        let row = lead_destination::ActiveModel {
            id: Set(id),
            tenant_id: Set(principal.tenant_id),
            user_id: Set(principal.user_id),
            kind: Set(new.kind),
            name: Set(name),
            url: Set(url),
            secret: Set(sealed.as_ref().map(|s| s.ciphertext.clone())),
            secret_nonce: Set(sealed.as_ref().map(|s| s.nonce.clone())),
            wrapped_key: Set(sealed.as_ref().map(|s| s.wrapped_key.clone())),
            wrapped_key_nonce: Set(sealed.as_ref().map(|s| s.wrapped_key_nonce.clone())),
            key_id: Set(sealed.as_ref().map(|s| s.key_id.clone())),
            status: Set(LeadDestinationStatus::Active),
            paused_reason: Set(None),
            failures_in_a_row: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "lead_destination.create")
                    .target(format!("lead_destination:{id}")),
            )
            .await?;
        Ok((row, secret))
    }

    /// Renames, pauses or enables a destination. Enabling sends the
    /// deliveries held while it was paused.
    pub async fn update_destination(
        &self,
        principal: &Principal,
        id: LeadDestinationId,
        change: DestinationChange,
    ) -> Result<lead_destination::Model, AppError> {
        let name = change.name.as_deref().map(Self::checked_name).transpose()?;
        let current = self.destination(principal, id, Action::Update).await?;
        let mut row: lead_destination::ActiveModel = current.clone().into();
        if let Some(name) = name {
            row.name = Set(name);
        }
        match change.enabled {
            Some(true) => {
                row.status = Set(LeadDestinationStatus::Active);
                row.paused_reason = Set(None);
                row.failures_in_a_row = Set(0);
            }
            Some(false) => {
                row.status = Set(LeadDestinationStatus::Paused);
                row.paused_reason = Set(None);
            }
            None => {}
        }
        row.updated_at = Set(Utc::now());
        let updated = row.update(&self.db).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "lead_destination.update")
                    .target(format!("lead_destination:{id}"))
                    .detail(serde_json::json!({ "enabled": change.enabled })),
            )
            .await?;
        if change.enabled == Some(true) {
            self.release_held(&updated).await?;
        }
        Ok(updated)
    }

    /// Puts the held deliveries of an enabled destination back to work.
    async fn release_held(&self, destination: &lead_destination::Model) -> Result<(), AppError> {
        let held = lead_delivery::Entity::unscoped()
            .filter(lead_delivery::Column::DestinationId.eq(destination.id))
            .filter(lead_delivery::Column::Status.eq(LeadDeliveryStatus::Held))
            .all(&self.db)
            .await?;
        for delivery in &held {
            self.retry_now(delivery).await?;
        }
        if !held.is_empty() {
            self.queue.announce().await;
        }
        Ok(())
    }

    /// Sets `delivery` pending and makes its job run now: revived when it
    /// ended, brought forward when it waits for a retry; `false` when a try
    /// is running right now (it records its own outcome).
    async fn retry_now(&self, delivery: &lead_delivery::Model) -> Result<bool, AppError> {
        lead_delivery::Entity::update_many()
            .col_expr(
                lead_delivery::Column::Status,
                Expr::value(LeadDeliveryStatus::Pending),
            )
            .col_expr(lead_delivery::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(lead_delivery::Column::Id.eq(delivery.id))
            .exec(&self.db)
            .await?;
        let job = job_of(delivery.id, delivery.tenant_id, &self.settings)?;
        if self.queue.revive(job).await? {
            return Ok(true);
        }
        let brought_forward = job::Entity::update_many()
            .col_expr(job::Column::RunAt, Expr::value(Utc::now()))
            .filter(job::Column::DedupeKey.eq(job_key(delivery.id)))
            .filter(job::Column::Status.eq(entities::JobStatus::Queued))
            .exec(&self.db)
            .await?;
        Ok(brought_forward.rows_affected > 0)
    }

    /// Deletes a destination with its deliveries and their log.
    pub async fn delete_destination(
        &self,
        principal: &Principal,
        id: LeadDestinationId,
    ) -> Result<bool, AppError> {
        let destination = self.destination(principal, id, Action::Delete).await?;
        let removed = lead_destination::Entity::delete_by_id(destination.id)
            .exec(&self.db)
            .await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "lead_destination.delete")
                    .target(format!("lead_destination:{id}")),
            )
            .await?;
        Ok(removed.rows_affected > 0)
    }

    /// Sends a sample lead to a destination now and says how it went; not
    /// logged as a delivery and not counted against the destination.
    pub async fn test_destination(
        &self,
        principal: &Principal,
        id: LeadDestinationId,
    ) -> Result<Sent, AppError> {
        let destination = self.destination(principal, id, Action::Update).await?;
        let answers = sample_answers();
        let now = Utc::now();
        let sample = entities::lead::Model {
            id: LeadId::generate(),
            tenant_id: destination.tenant_id,
            user_id: Some(destination.user_id),
            campaign_id: None,
            integration_id: None,
            provider: entities::Provider::Sandbox,
            platform_lead_id: "0".into(),
            page_id: None,
            form_id: None,
            ad_id: None,
            platform_created_at: Some(now),
            received_at: now,
            source: entities::LeadSource::Webhook,
            answers: Vec::new(),
            answers_nonce: Vec::new(),
            wrapped_key: Vec::new(),
            wrapped_key_nonce: Vec::new(),
            key_id: String::new(),
            email_hash: None,
            phone_hash: None,
            status: entities::LeadStatus::New,
            note: None,
            created_at: now,
            updated_at: now,
        };
        let delivery_id = format!("test_{}", uuid::Uuid::now_v7());
        let body = Body {
            delivery_id: delivery_id.clone(),
            event: "lead.test",
            lead: LeadBody::of(&sample, Some("Test delivery"), &answers),
        };
        let sent = self.send_to(&destination, &delivery_id, &body).await?;
        self.audit
            .record_now(
                AuditEntry::by(principal, "lead_destination.test")
                    .target(format!("lead_destination:{id}"))
                    .detail(serde_json::json!({ "ok": sent.ok, "status_code": sent.status_code })),
            )
            .await?;
        Ok(sent)
    }

    /// The deliveries of a lead and/or a destination the caller may see,
    /// newest first, each with its attempts (two statements in all).
    pub async fn deliveries(
        &self,
        principal: &Principal,
        filter: DeliveryFilter,
    ) -> Result<Vec<DeliveryLog>, AppError> {
        if filter.lead.is_none() && filter.destination.is_none() {
            return Err(AppError::bad_input(
                "leadId",
                "Name a lead (leadId) or a destination (destinationId).",
            ));
        }
        let scope = self.scope(principal, Action::Read).await?;
        let mut select = lead_delivery::Entity::within(scope);
        if let Some(lead) = filter.lead {
            select = select.filter(lead_delivery::Column::LeadId.eq(lead));
        }
        if let Some(destination) = filter.destination {
            select = select.filter(lead_delivery::Column::DestinationId.eq(destination));
        }
        let deliveries = select
            .order_by_desc(lead_delivery::Column::CreatedAt)
            .order_by_desc(lead_delivery::Column::Id)
            .limit(MAX_LISTED)
            .all(&self.db)
            .await?;
        let ids: Vec<LeadDeliveryId> = deliveries.iter().map(|d| d.id).collect();
        let mut attempts: HashMap<LeadDeliveryId, Vec<lead_delivery_attempt::Model>> =
            HashMap::new();
        if !ids.is_empty() {
            for attempt in lead_delivery_attempt::Entity::within(scope)
                .filter(lead_delivery_attempt::Column::DeliveryId.is_in(ids))
                .order_by_asc(lead_delivery_attempt::Column::Number)
                .all(&self.db)
                .await?
            {
                attempts
                    .entry(attempt.delivery_id)
                    .or_default()
                    .push(attempt);
            }
        }
        Ok(deliveries
            .into_iter()
            .map(|d| {
                let log = attempts.remove(&d.id).unwrap_or_default();
                (d, log)
            })
            .collect())
    }

    /// Tries a delivery again (same delivery id); its new attempt shows in
    /// its log. The destination must be enabled.
    pub async fn resend(
        &self,
        principal: &Principal,
        id: LeadDeliveryId,
    ) -> Result<DeliveryLog, AppError> {
        let scope = self.scope(principal, Action::Update).await?;
        let delivery = lead_delivery::Entity::by_id(scope, id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("lead delivery"))?;
        let destination = lead_destination::Entity::unscoped_by_id(delivery.destination_id)
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("lead delivery"))?;
        if destination.status == LeadDestinationStatus::Paused {
            return Err(AppError::Conflict(
                "The destination is paused; enable it first (its held leads go out then).".into(),
            ));
        }
        if !self.retry_now(&delivery).await? {
            return Err(AppError::Conflict(
                "A try of this delivery is under way; its outcome shows in the log shortly.".into(),
            ));
        }
        self.queue.announce().await;
        self.audit
            .record_now(
                AuditEntry::by(principal, "lead_delivery.resend")
                    .target(format!("lead_delivery:{id}")),
            )
            .await?;
        let mut logs = self
            .deliveries(
                principal,
                DeliveryFilter {
                    lead: Some(delivery.lead_id),
                    destination: Some(delivery.destination_id),
                },
            )
            .await?;
        logs.pop().ok_or(AppError::NotFound("lead delivery"))
    }
}
