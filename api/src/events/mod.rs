//! The event bus behind live updates: which campaigns changed.
//!
//! Writers announce a changed campaign on the services' `events` channel:
//! its id and whose it is (tenant and owner, so a subscriber outside that
//! scope skips it before any read), never the row. Subscribers read the bus's delivery
//! channel. On SQLite (one process) the two are the same channel. On
//! PostgreSQL every instance's subscribers must see every instance's
//! changes, so changes go out through `NOTIFY` (`id tenant owner`) and come
//! back in through `LISTEN`:
//!
//! - the publisher sends from a pooled connection, never inside the writing
//!   transaction (a `NOTIFY` there serialises commits), and coalesces
//!   bursts: an id is sent at once, then at most once more per
//!   [`COALESCE`] while it keeps changing;
//! - the listener holds a dedicated connection; `NOTIFY` does not survive a
//!   lost connection, so after it reconnects it delivers [`Delivery::Resync`]
//!   and subscribers re-read what they watch instead of trusting that
//!   nothing was missed.

use std::{collections::HashMap, time::Duration};

use tokio::time::Instant;

use entities::{CampaignId, TenantId, UserId, ad_campaign};
use sea_orm::{DatabaseBackend, DatabaseConnection};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

/// The `LISTEN`/`NOTIFY` channel.
pub const CHANNEL: &str = "leadforge_campaigns";
/// The window in which repeated changes of one campaign become one event.
pub const COALESCE: Duration = Duration::from_millis(250);
/// Announced campaigns remembered before the old ones are swept out.
const SENT_AT_SWEEP: usize = 4096;
/// Deliveries a slow subscriber may fall behind before it skips ahead.
const DELIVERY_BUFFER: usize = 1024;

/// A campaign that changed, and whose it is. A campaign's tenant and
/// owner never change, so they are as true at delivery as when sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignChange {
    pub id: CampaignId,
    pub tenant: TenantId,
    pub owner: UserId,
}

impl CampaignChange {
    pub fn of(campaign: &ad_campaign::Model) -> Self {
        Self {
            id: campaign.id,
            tenant: campaign.tenant_id,
            owner: campaign.user_id,
        }
    }

    /// The `NOTIFY` payload: `id tenant owner`.
    fn payload(&self) -> String {
        format!("{} {} {}", self.id, self.tenant, self.owner)
    }
}

/// A `NOTIFY` payload: `id tenant owner`, or a bare id (whose the campaign
/// is then unknown).
fn parse_payload(payload: &str) -> Option<(CampaignId, Option<(TenantId, UserId)>)> {
    let mut parts = payload.split(' ');
    let id = parts.next()?.parse().ok()?;
    let whose = match (parts.next(), parts.next(), parts.next()) {
        (Some(tenant), Some(owner), None) => Some((tenant.parse().ok()?, owner.parse().ok()?)),
        (None, _, _) => None,
        _ => return None,
    };
    Some((id, whose))
}

/// What subscribers receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// This campaign changed, as of the instant the bus delivered the news:
    /// a read started after it sees the change. With its tenant and owner
    /// when the news said them.
    Changed(CampaignId, Option<(TenantId, UserId)>, Instant),
    /// Events may have been missed (the listener reconnected): re-read.
    Resync,
}

/// The delivery side of the bus; cheap to clone.
#[derive(Clone)]
pub struct EventBus {
    delivered: broadcast::Sender<Delivery>,
}

impl EventBus {
    /// Connects `published` (the writers' channel) to the delivery channel:
    /// directly on SQLite, through PostgreSQL on PostgreSQL.
    pub fn start(db: &DatabaseConnection, published: &broadcast::Sender<CampaignChange>) -> Self {
        let (delivered, _) = broadcast::channel(DELIVERY_BUFFER);
        let receiver = published.subscribe();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            let pool = db.get_postgres_connection_pool().clone();
            tokio::spawn(publish_to_postgres(pool.clone(), receiver));
            tokio::spawn(listen_to_postgres(pool, delivered.clone()));
        } else {
            tokio::spawn(forward_in_process(receiver, delivered.clone()));
        }
        Self { delivered }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Delivery> {
        self.delivered.subscribe()
    }
}

async fn forward_in_process(
    mut published: broadcast::Receiver<CampaignChange>,
    delivered: broadcast::Sender<Delivery>,
) {
    loop {
        let delivery = match published.recv().await {
            Ok(change) => Delivery::Changed(
                change.id,
                Some((change.tenant, change.owner)),
                Instant::now(),
            ),
            Err(broadcast::error::RecvError::Lagged(_)) => Delivery::Resync,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let _ = delivered.send(delivery);
    }
}

/// Sends each published id with `NOTIFY`: at once when the campaign was
/// not announced in the last [`COALESCE`] (an isolated change costs no
/// wait), otherwise once at the end of that window, however many changes
/// came in it (a burst of one campaign's changes is one notification).
async fn publish_to_postgres(
    pool: sqlx::PgPool,
    mut published: broadcast::Receiver<CampaignChange>,
) {
    let mut sent_at: HashMap<CampaignId, Instant> = HashMap::new();
    let mut held: HashMap<CampaignId, CampaignChange> = HashMap::new();
    let mut flush_at: Option<Instant> = None;
    loop {
        let received = tokio::select! {
            received = published.recv() => Some(received),
            () = tokio::time::sleep_until(flush_at.unwrap_or_else(Instant::now)), if flush_at.is_some() => None,
        };
        let now = Instant::now();
        match received {
            Some(Ok(change)) => match sent_at.get(&change.id) {
                Some(at) if now.duration_since(*at) < COALESCE => {
                    held.insert(change.id, change);
                    flush_at.get_or_insert(*at + COALESCE);
                }
                _ => {
                    notify(&pool, &change).await;
                    if sent_at.len() >= SENT_AT_SWEEP {
                        sent_at.retain(|_, at| now.duration_since(*at) < COALESCE);
                    }
                    sent_at.insert(change.id, now);
                }
            },
            Some(Err(broadcast::error::RecvError::Lagged(missed))) => {
                tracing::warn!(missed, "campaign events were dropped before NOTIFY");
            }
            Some(Err(broadcast::error::RecvError::Closed)) => return,
            None => {
                for (id, change) in held.drain() {
                    notify(&pool, &change).await;
                    sent_at.insert(id, now);
                }
                flush_at = None;
                sent_at.retain(|_, at| now.duration_since(*at) < COALESCE);
            }
        }
    }
}

async fn notify(pool: &sqlx::PgPool, change: &CampaignChange) {
    let sent = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(change.payload())
        .execute(pool)
        .await;
    if let Err(e) = sent {
        tracing::warn!(error = %e, campaign = %change.id, "NOTIFY failed; subscribers elsewhere miss this change");
    }
}

/// Delivers every notification of [`CHANNEL`]; after a lost connection,
/// a [`Delivery::Resync`].
async fn listen_to_postgres(pool: sqlx::PgPool, delivered: broadcast::Sender<Delivery>) {
    let mut listener = loop {
        match connect_listener(&pool).await {
            Ok(listener) => break listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot LISTEN for campaign events; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    loop {
        match listener.try_recv().await {
            Ok(Some(notification)) => match parse_payload(notification.payload()) {
                Some((id, whose)) => {
                    let _ = delivered.send(Delivery::Changed(id, whose, Instant::now()));
                }
                None => tracing::warn!(
                    payload = notification.payload(),
                    "a campaign event that is not an id"
                ),
            },
            Ok(None) => {
                // The connection was lost; `try_recv` reconnects and
                // re-listens on the next call. What was sent meanwhile is gone.
                tracing::info!("campaign event listener reconnecting");
                let _ = delivered.send(Delivery::Resync);
            }
            Err(e) => {
                tracing::warn!(error = %e, "campaign event listener failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                if delivered.receiver_count() == 0 && pool.is_closed() {
                    return;
                }
            }
        }
    }
}

async fn connect_listener(pool: &sqlx::PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Reconnect at once after a loss, so the resync sees the new connection.
    listener.eager_reconnect(true);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_says_whose_the_campaign_is() {
        let change = CampaignChange {
            id: CampaignId::generate(),
            tenant: TenantId::generate(),
            owner: UserId::generate(),
        };
        assert_eq!(
            parse_payload(&change.payload()),
            Some((change.id, Some((change.tenant, change.owner))))
        );
        // A bare id (an older instance's): whose it is stays unknown.
        assert_eq!(
            parse_payload(&change.id.to_string()),
            Some((change.id, None))
        );
        for broken in [
            "",
            "x",
            "x y z",
            &format!("{} {}", change.id, change.tenant),
        ] {
            assert_eq!(parse_payload(broken), None, "{broken}");
        }
    }
}
