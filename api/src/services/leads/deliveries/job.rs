//! The delivery job: try one delivery once, log the attempt, and say when
//! to try again. Every write is fenced by the job's lease, so a worker that
//! lost its job (it stalled, another took over) records nothing.
//!
//! Exactly once per destination: the delivery row exists once per (lead,
//! destination) and has one job. A try whose answer was lost (the process
//! died after the POST) is tried again with the same delivery id, which the
//! receiver uses to keep it once.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use entities::{
    AuditOutcome, LeadDeliveryAttemptId, LeadDeliveryId, LeadDeliveryStatus, LeadDestinationKind,
    LeadDestinationStatus, TenantScoped, ad_campaign, job, lead, lead_delivery,
    lead_delivery_attempt, lead_destination, user,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, EntityTrait, QueryFilter, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::Deserialize;
use tokio::sync::watch;

use super::{
    DeliveriesService,
    payload::{Body, LeadBody},
};
use crate::{
    error::AppError,
    jobs::{Handler, Lease, Outcome},
    services::{
        audit::AuditEntry,
        leads::outbound::{Sent, mail::Outgoing},
    },
    vault::{DestinationBinding, LeadBinding, Sealed},
};

#[derive(Deserialize)]
struct Payload {
    delivery: LeadDeliveryId,
}

/// What to do after a try was logged.
enum Next {
    Done,
    Retry(Duration),
    GiveUp,
}

impl DeliveriesService {
    /// The webhook secret of `destination`, opened.
    pub(crate) fn secret_of(
        &self,
        destination: &lead_destination::Model,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, AppError> {
        let (
            Some(ciphertext),
            Some(nonce),
            Some(wrapped_key),
            Some(wrapped_key_nonce),
            Some(key_id),
        ) = (
            destination.secret.clone(),
            destination.secret_nonce.clone(),
            destination.wrapped_key.clone(),
            destination.wrapped_key_nonce.clone(),
            destination.key_id.clone(),
        )
        else {
            return Err(AppError::internal(std::io::Error::other(
                "a webhook destination has no secret",
            )));
        };
        let sealed = Sealed {
            key_id,
            ciphertext,
            nonce,
            wrapped_key,
            wrapped_key_nonce,
        };
        self.vault
            .open(
                &DestinationBinding {
                    destination_id: destination.id,
                },
                &sealed,
            )
            .map_err(AppError::internal)
    }

    /// Sends `body` (a lead, or a test sample) to `destination`.
    pub(crate) async fn send_to(
        &self,
        destination: &lead_destination::Model,
        delivery_id: &str,
        body: &Body<'_>,
    ) -> Result<Sent, AppError> {
        match destination.kind {
            LeadDestinationKind::Webhook => {
                let Some(url) = destination.url.as_deref() else {
                    return Ok(Sent::failed(None, "the destination has no URL"));
                };
                let secret = self.secret_of(destination)?;
                let json = serde_json::to_vec(body).map_err(AppError::internal)?;
                Ok(self
                    .outbound
                    .webhook
                    .send(url, &secret, delivery_id, json)
                    .await)
            }
            LeadDestinationKind::Email => {
                let Some(mailer) = &self.outbound.mailer else {
                    return Ok(Sent::failed(
                        None,
                        "e-mail is not configured on this server",
                    ));
                };
                let owner = user::Entity::unscoped_by_id(destination.user_id)
                    .one(&self.db)
                    .await?
                    .ok_or(AppError::NotFound("user"))?;
                let (subject, text) = super::payload::email(&body.lead, delivery_id);
                Ok(mailer
                    .send(Outgoing {
                        to: owner.email,
                        subject,
                        body: text,
                        delivery_id: delivery_id.to_owned(),
                    })
                    .await)
            }
        }
    }

    async fn deliver(
        &self,
        job: &job::Model,
        lease: &Lease,
        id: LeadDeliveryId,
    ) -> Result<Outcome, AppError> {
        let Some(delivery) = lead_delivery::Entity::unscoped_by_id(id)
            .one(&self.db)
            .await?
        else {
            // Its lead was erased or its destination deleted.
            return Ok(Outcome::Done);
        };
        if delivery.status == LeadDeliveryStatus::Delivered {
            // Recorded before a crash kept the job from finishing.
            return Ok(Outcome::Done);
        }
        let Some(destination) = lead_destination::Entity::unscoped_by_id(delivery.destination_id)
            .one(&self.db)
            .await?
        else {
            return Ok(Outcome::Done);
        };
        if destination.status == LeadDestinationStatus::Paused {
            return self.hold(lease, &delivery).await;
        }
        let Some(row) = lead::Entity::unscoped_by_id(delivery.lead_id)
            .one(&self.db)
            .await?
        else {
            return Ok(Outcome::Done);
        };
        let campaign_name = match row.campaign_id {
            Some(c) => ad_campaign::Entity::unscoped_by_id(c)
                .one(&self.db)
                .await?
                .map(|c| c.campaign_name),
            None => None,
        };
        let answers: Vec<super::super::Answer> = self
            .vault
            .open_json(
                &LeadBinding { lead_id: row.id },
                &super::super::sealed_of(&row),
            )
            .map_err(AppError::internal)?;
        let delivery_id = delivery.id.to_string();
        let body = Body {
            delivery_id: delivery_id.clone(),
            event: "lead.received",
            lead: LeadBody::of(&row, campaign_name.as_deref(), &answers),
        };
        let sent = self.send_to(&destination, &delivery_id, &body).await?;
        drop(answers);
        let next = self.record(job, lease, &delivery, &sent).await?;
        Ok(match next {
            None => Outcome::LostLease,
            Some(Next::Done) => Outcome::Done,
            Some(Next::Retry(after)) => Outcome::Retry {
                after,
                error: sent.error.unwrap_or_default(),
                uses_attempt: true,
            },
            Some(Next::GiveUp) => Outcome::Failed("the delivery was retried for a day".into()),
        })
    }

    /// Marks a delivery whose destination is paused as held.
    async fn hold(
        &self,
        lease: &Lease,
        delivery: &lead_delivery::Model,
    ) -> Result<Outcome, AppError> {
        let backend = self.db.get_database_backend();
        let held = lead_delivery::Entity::update_many()
            .col_expr(
                lead_delivery::Column::Status,
                Expr::value(LeadDeliveryStatus::Held),
            )
            .col_expr(lead_delivery::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(lead_delivery::Column::Id.eq(delivery.id))
            .filter(lead_delivery::Column::Status.eq(LeadDeliveryStatus::Pending))
            .filter(lease.holds(backend))
            .exec(&self.db)
            .await?;
        Ok(if held.rows_affected == 1 {
            Outcome::Done
        } else {
            Outcome::LostLease
        })
    }

    /// Logs one try and updates the delivery and its destination, in one
    /// transaction fenced by the lease; `None` when the lease was lost.
    async fn record(
        &self,
        job: &job::Model,
        lease: &Lease,
        delivery: &lead_delivery::Model,
        sent: &Sent,
    ) -> Result<Option<Next>, AppError> {
        let backend = self.db.get_database_backend();
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let destination = delivery.destination_id;
        let mut paused_now = false;
        if sent.ok {
            lead_destination::Entity::update_many()
                .col_expr(lead_destination::Column::FailuresInARow, Expr::value(0))
                .filter(lead_destination::Column::Id.eq(destination))
                .exec(&txn)
                .await?;
        } else {
            lead_destination::Entity::update_many()
                .col_expr(
                    lead_destination::Column::FailuresInARow,
                    Expr::col(lead_destination::Column::FailuresInARow).add(1),
                )
                .col_expr(lead_destination::Column::UpdatedAt, Expr::value(now))
                .filter(lead_destination::Column::Id.eq(destination))
                .exec(&txn)
                .await?;
            let reason = format!(
                "Paused after {} failed attempts in a row (last: {}). Fix the receiver, then enable the destination: the leads held meanwhile go out then.",
                self.settings.pause_after,
                sent.error.as_deref().unwrap_or("failed")
            );
            let paused = lead_destination::Entity::update_many()
                .col_expr(
                    lead_destination::Column::Status,
                    Expr::value(LeadDestinationStatus::Paused),
                )
                .col_expr(
                    lead_destination::Column::PausedReason,
                    Expr::value(Some(reason)),
                )
                .filter(lead_destination::Column::Id.eq(destination))
                .filter(lead_destination::Column::Status.eq(LeadDestinationStatus::Active))
                .filter(
                    lead_destination::Column::FailuresInARow
                        .gte(i32::try_from(self.settings.pause_after).unwrap_or(i32::MAX)),
                )
                .exec(&txn)
                .await?;
            paused_now = paused.rows_affected == 1;
        }
        let still_paused = lead_destination::Entity::unscoped_by_id(destination)
            .one(&txn)
            .await?
            .is_none_or(|d| d.status == LeadDestinationStatus::Paused);
        let (status, next) = if sent.ok {
            (LeadDeliveryStatus::Delivered, Next::Done)
        } else if still_paused {
            (LeadDeliveryStatus::Held, Next::Done)
        } else if job.attempts < job.max_attempts {
            (
                LeadDeliveryStatus::Pending,
                Next::Retry(self.settings.backoff_after(job.attempts)),
            )
        } else {
            (LeadDeliveryStatus::Failed, Next::GiveUp)
        };
        let updated = lead_delivery::Entity::update_many()
            .col_expr(lead_delivery::Column::Status, Expr::value(status))
            .col_expr(
                lead_delivery::Column::Attempts,
                Expr::col(lead_delivery::Column::Attempts).add(1),
            )
            .col_expr(
                lead_delivery::Column::LastError,
                Expr::value(sent.error.clone()),
            )
            .col_expr(
                lead_delivery::Column::DeliveredAt,
                Expr::value(sent.ok.then_some(now)),
            )
            .col_expr(lead_delivery::Column::UpdatedAt, Expr::value(now))
            .filter(lead_delivery::Column::Id.eq(delivery.id))
            .filter(lease.holds(backend))
            .exec(&txn)
            .await?;
        if updated.rows_affected != 1 {
            txn.rollback().await?;
            return Ok(None);
        }
        lead_delivery_attempt::Entity::insert(lead_delivery_attempt::ActiveModel {
            id: Set(LeadDeliveryAttemptId::generate()),
            tenant_id: Set(delivery.tenant_id),
            user_id: Set(delivery.user_id),
            delivery_id: Set(delivery.id),
            number: Set(delivery.attempts + 1),
            at: Set(now),
            ok: Set(sent.ok),
            status_code: Set(sent.status_code),
            error: Set(sent.error.clone()),
        })
        .exec_without_returning(&txn)
        .await?;
        if paused_now {
            let entry = AuditEntry {
                tenant_id: Some(delivery.tenant_id),
                actor: None,
                action: "lead_destination.pause",
                target: Some(format!("lead_destination:{destination}")),
                outcome: AuditOutcome::Failure,
                detail: Some(serde_json::json!({ "failures_in_a_row": self.settings.pause_after })),
            };
            self.audit.record(&txn, entry).await?;
        }
        txn.commit().await?;
        if paused_now {
            tracing::warn!(destination = %destination, "a lead destination failed too often in a row and was paused");
        }
        Ok(Some(next))
    }
}

fn infra(e: &AppError) -> Outcome {
    tracing::warn!(error = %e, "a lead delivery hit an infrastructure failure; it will be retried");
    Outcome::Retry {
        after: Duration::from_secs(5),
        error: "infrastructure failure".to_owned(),
        uses_attempt: false,
    }
}

#[async_trait]
impl Handler for DeliveriesService {
    async fn run(&self, job: &job::Model, lease: &Lease, _stop: watch::Receiver<bool>) -> Outcome {
        let payload = match serde_json::from_value::<Payload>(job.payload.clone()) {
            Ok(p) => p,
            Err(e) => return Outcome::Failed(format!("unreadable delivery payload: {e}")),
        };
        match self.deliver(job, lease, payload.delivery).await {
            Ok(outcome) => outcome,
            Err(e) => infra(&e),
        }
    }
}
