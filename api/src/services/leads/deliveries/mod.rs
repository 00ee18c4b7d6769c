//! Delivery of leads to the business (issue 18.5): each member's
//! destinations (a signed webhook, an e-mail to the owner), one delivery
//! per (lead, destination) made once, and a log of every attempt.
//!
//! A delivery is tried by a durable job of the queue, retried with
//! exponential back-off for up to a day; a resend tries the same delivery
//! again (same id, so the receiver can tell). A destination that fails too
//! often in a row is paused, with the reason on it for its owner; its
//! deliveries wait (`held`) and go out when it is enabled again.

pub mod destinations;
pub mod job;
pub mod payload;
pub mod plan;

use std::{sync::Arc, time::Duration};

use entities::{LeadDeliveryId, TenantId};

use super::outbound::{mail::Mailer, signed::WebhookSender};
use crate::{
    authz::Authorizer,
    error::AppError,
    jobs::{JobQueue, NewJob},
    services::audit::AuditService,
    vault::Vault,
};

/// The job kind of a delivery.
pub const KIND: &str = "deliver_lead";

/// How long a delivery is retried before it is given up.
pub const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);

/// The longest wait between two tries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// How deliveries are tried (from `Config::deliveries`).
#[derive(Debug, Clone, Copy)]
pub struct DeliverySettings {
    pub allow_private: bool,
    pub backoff: Duration,
    pub pause_after: u32,
}

impl DeliverySettings {
    /// The wait after the `attempt`-th failed try (1-based).
    pub fn backoff_after(&self, attempt: i32) -> Duration {
        let doublings = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(30);
        self.backoff
            .checked_mul(1 << doublings)
            .unwrap_or(MAX_BACKOFF)
            .min(MAX_BACKOFF)
    }

    /// Tries that fit in [`WINDOW`]: the first at once, each next after its
    /// back-off.
    pub fn attempts_in_window(&self) -> i32 {
        let mut spent = Duration::ZERO;
        let mut attempts = 1;
        while attempts < 500 {
            let wait = self.backoff_after(attempts);
            if spent + wait > WINDOW {
                break;
            }
            spent += wait;
            attempts += 1;
        }
        attempts
    }
}

/// The senders.
#[derive(Clone, Debug)]
pub struct Outbound {
    pub webhook: WebhookSender,
    /// `None`: SMTP is not configured.
    pub mailer: Option<Mailer>,
}

/// The destinations and deliveries of members' leads. Built once.
#[derive(Clone)]
pub struct DeliveriesService {
    pub(crate) db: sea_orm::DatabaseConnection,
    pub(crate) authz: Authorizer,
    pub(crate) audit: AuditService,
    pub(crate) vault: Arc<Vault>,
    pub(crate) queue: JobQueue,
    pub(crate) settings: DeliverySettings,
    pub(crate) outbound: Outbound,
}

/// The dedupe key of a delivery's one job.
pub fn job_key(delivery: LeadDeliveryId) -> String {
    format!("lead_delivery:{delivery}")
}

/// The job that tries `delivery`.
pub fn job_of(
    delivery: LeadDeliveryId,
    tenant: TenantId,
    settings: &DeliverySettings,
) -> Result<NewJob, AppError> {
    Ok(NewJob {
        queue: crate::jobs::queue::QUEUE,
        kind: KIND,
        payload: serde_json::json!({ "delivery": delivery }),
        tenant: Some(tenant),
        dedupe_key: job_key(delivery),
        max_attempts: settings.attempts_in_window(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour_and_retries_last_a_day() {
        let s = DeliverySettings {
            allow_private: false,
            backoff: Duration::from_secs(30),
            pause_after: 20,
        };
        assert_eq!(s.backoff_after(1), Duration::from_secs(30));
        assert_eq!(s.backoff_after(2), Duration::from_secs(60));
        assert_eq!(s.backoff_after(5), Duration::from_secs(480));
        assert_eq!(s.backoff_after(12), MAX_BACKOFF);
        assert_eq!(s.backoff_after(400), MAX_BACKOFF);
        let n = s.attempts_in_window();
        let total: Duration = (1..n).map(|a| s.backoff_after(a)).sum();
        assert!(
            total <= WINDOW && total + s.backoff_after(n) > WINDOW,
            "{n}"
        );
        assert!((25..40).contains(&n), "{n}");
    }
}
