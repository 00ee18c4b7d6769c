//! When a lead is stored: one delivery per destination of its owner, and
//! one durable job per delivery, in the transaction that stored the lead,
//! so a stored lead always has its deliveries and each delivery its job.

use chrono::Utc;
use entities::{
    LeadDeliveryId, LeadDeliveryStatus, LeadDestinationStatus, LeadId, TenantId, TenantScoped,
    UserId, lead_delivery, lead_destination,
};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, TryInsertResult};

use super::{DeliverySettings, job_of};
use crate::{error::AppError, jobs::JobQueue};

/// Creates the deliveries of lead `lead` owned by `user` of `tenant`, inside
/// `conn`; how many jobs were queued (call `announce` after the commit).
/// A paused destination's delivery is held until it is enabled again.
pub async fn for_new_lead<C: ConnectionTrait>(
    conn: &C,
    queue: &JobQueue,
    settings: &DeliverySettings,
    lead: LeadId,
    tenant: TenantId,
    user: UserId,
) -> Result<usize, AppError> {
    let destinations = lead_destination::Entity::owned_by(tenant, user)
        .all(conn)
        .await?;
    let mut queued = 0;
    for destination in destinations {
        let id = LeadDeliveryId::generate();
        let now = Utc::now();
        let active = destination.status == LeadDestinationStatus::Active;
        let row = lead_delivery::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant),
            user_id: Set(user),
            lead_id: Set(lead),
            destination_id: Set(destination.id),
            status: Set(if active {
                LeadDeliveryStatus::Pending
            } else {
                LeadDeliveryStatus::Held
            }),
            attempts: Set(0),
            last_error: Set(None),
            delivered_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        };
        // Never a caught unique violation: it would abort a PostgreSQL
        // transaction. A pair planned before keeps its one delivery.
        let inserted = lead_delivery::Entity::insert(row)
            .on_conflict_do_nothing_on([
                lead_delivery::Column::LeadId,
                lead_delivery::Column::DestinationId,
            ])
            .exec_without_returning(conn)
            .await?;
        let fresh = matches!(inserted, TryInsertResult::Inserted(n) if n > 0);
        if fresh && active && queue.enqueue(conn, job_of(id, tenant, settings)?).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
