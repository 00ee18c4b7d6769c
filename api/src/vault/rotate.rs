//! Master key rotation: re-wrap every row's data key under the current key.
//!
//! Safe while servers run: each row is updated with a compare-and-set on the
//! key id and wrapped-key nonce it was read with, so a row re-saved in the
//! meantime (with a new secret and data key) is left alone rather than given
//! a re-wrap of its old data key.

use entities::{IntegrationId, user_integration};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};

use super::{RowBinding, Sealed, Vault};

/// Rows read and re-wrapped per round trip.
const BATCH: u64 = 200;

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RotationReport {
    /// Rows now wrapped by the current key.
    pub rewrapped: u64,
    /// Rows still wrapped by another key after the run (those that could not
    /// be re-wrapped, plus rows written meanwhile by an instance that still
    /// encrypts with an old key). An old key may be dropped once this is 0.
    pub still_old: u64,
    /// Rows whose data key could not be unwrapped (their key is not
    /// configured, or the bytes were altered). Ids only, never bytes.
    pub unreadable: Vec<IntegrationId>,
}

/// Why a rotation stopped.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// The database failed; rows already re-wrapped stay re-wrapped, and a
    /// new run continues where this one stopped.
    #[error("key rotation stopped on a database error: {0}")]
    Db(#[from] DbErr),
}

/// Re-wraps every `user_integrations` row whose key id is not the vault's
/// current one, in batches. Idempotent; run it again after a failure.
pub async fn rotate(db: &DatabaseConnection, vault: &Vault) -> Result<RotationReport, RotateError> {
    use user_integration::{Column, Entity};

    let current = vault.current_key_id().to_owned();
    let mut report = RotationReport::default();
    // Keyset paging by id: rows that cannot be re-wrapped stay behind the
    // cursor instead of being read again forever.
    let mut after: Option<IntegrationId> = None;
    loop {
        let mut query = Entity::find().filter(Column::KeyId.ne(current.as_str()));
        if let Some(last) = after {
            query = query.filter(Column::Id.gt(last));
        }
        let rows = query.order_by_asc(Column::Id).limit(BATCH).all(db).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id);

        for row in rows {
            let old = Sealed::of(&row);
            let new = match vault.rewrap(&RowBinding::of(&row), &old) {
                Ok(new) => new,
                Err(_) => {
                    report.unreadable.push(row.id);
                    continue;
                }
            };
            let updated = Entity::update_many()
                .col_expr(Column::WrappedKey, Expr::value(new.wrapped_key))
                .col_expr(Column::WrappedKeyNonce, Expr::value(new.wrapped_key_nonce))
                .col_expr(Column::KeyId, Expr::value(new.key_id))
                .filter(Column::Id.eq(row.id))
                .filter(Column::KeyId.eq(old.key_id))
                .filter(Column::WrappedKeyNonce.eq(old.wrapped_key_nonce))
                .exec(db)
                .await?;
            // 0 rows: the row was re-saved or deleted meanwhile; either way
            // it no longer holds the data key we re-wrapped.
            report.rewrapped += updated.rows_affected;
        }
    }
    report.still_old = Entity::find()
        .filter(Column::KeyId.ne(current.as_str()))
        .count(db)
        .await?;
    Ok(report)
}

#[cfg(test)]
mod tests;
