//! Lead credits: a ledger of signed entries and a per-user balance that can
//! never go below zero, both written in one transaction.

use chrono::Utc;
use entities::{CreditEntryKind, LedgerEntryId, TenantId, UserId, credit_account, credit_ledger};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::error::AppError;

/// Opens the balance of a new user, with `initial` credits granted.
pub async fn open_account<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    user: UserId,
    initial: i64,
    reason: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    credit_account::ActiveModel {
        user_id: Set(user),
        tenant_id: Set(tenant),
        balance: Set(initial),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    if initial > 0 {
        credit_ledger::ActiveModel {
            id: Set(LedgerEntryId::generate()),
            tenant_id: Set(tenant),
            user_id: Set(user),
            delta: Set(initial),
            kind: Set(CreditEntryKind::Grant),
            reason: Set(Some(reason.to_owned())),
            campaign_id: Set(None),
            idempotency_key: Set(format!("account-opening:{user}")),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}
