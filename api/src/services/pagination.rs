//! Newest-first keyset pagination: a page of N rows costs one statement,
//! and a second one, run concurrently, when the caller wants the total.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::AppError;

/// A position in a newest-first list: the row's timestamp and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: DateTime<Utc>,
    pub id: Uuid,
}

impl Cursor {
    /// The opaque string clients get. Nanoseconds, because SQLite keeps
    /// them: a coarser cursor could skip rows created within the same
    /// microsecond as the page boundary.
    pub fn encode(&self) -> String {
        let nanos = self
            .at
            .timestamp_nanos_opt()
            .unwrap_or_else(|| self.at.timestamp_micros().saturating_mul(1000));
        URL_SAFE_NO_PAD.encode(format!("{nanos}|{}", self.id))
    }

    pub fn decode(text: &str) -> Result<Self, AppError> {
        let bad = || AppError::bad_input("after", "The cursor is not one this server issued.");
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let (nanos, id) = text.split_once('|').ok_or_else(bad)?;
        let nanos: i64 = nanos.parse().map_err(|_| bad())?;
        Ok(Self {
            at: DateTime::from_timestamp_nanos(nanos),
            id: Uuid::parse_str(id).map_err(|_| bad())?,
        })
    }
}

/// What page to read.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub first: u64,
    pub after: Option<Cursor>,
    /// Whether to count the whole list (a `COUNT(*)` over every visible
    /// row, the costliest statement of a page): only when it is shown.
    pub count: bool,
}

/// One page, newest first.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<(Cursor, T)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
    /// How many rows the whole list has; 0 when the request did not ask.
    pub total_count: u64,
}

/// Reads a page of `select` (already filtered to what the caller may see),
/// ordered by `(at_column, id_column)` descending.
pub async fn page<E, C>(
    db: &C,
    select: Select<E>,
    at_column: E::Column,
    id_column: E::Column,
    request: PageRequest,
    cursor_of: impl Fn(&E::Model) -> Cursor,
) -> Result<Page<E::Model>, AppError>
where
    E: EntityTrait,
    E::Model: Send + Sync,
    C: ConnectionTrait,
{
    let counted = select.clone();
    let count = async move {
        if request.count {
            counted.count(db).await
        } else {
            Ok(0)
        }
    };
    let mut rows = select;
    if let Some(after) = request.after {
        rows = rows.filter(
            Condition::any().add(at_column.lt(after.at)).add(
                Condition::all()
                    .add(at_column.eq(after.at))
                    .add(id_column.lt(after.id)),
            ),
        );
    }
    // One row more than asked tells whether another page follows.
    let rows = rows
        .order_by_desc(at_column)
        .order_by_desc(id_column)
        .limit(request.first + 1)
        .all(db);
    let (total_count, mut models) = tokio::try_join!(count, rows)?;
    let has_next_page = models.len() as u64 > request.first;
    models.truncate(request.first as usize);
    Ok(Page {
        items: models.into_iter().map(|m| (cursor_of(&m), m)).collect(),
        has_next_page,
        has_previous_page: request.after.is_some(),
        total_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = Cursor {
            at: DateTime::from_timestamp_nanos(1_764_000_000_123_456_789),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        for bad in ["", "!!", "bm9wZQ", &URL_SAFE_NO_PAD.encode("1|not-a-uuid")] {
            assert!(
                matches!(Cursor::decode(bad), Err(AppError::BadUserInput { .. })),
                "{bad}"
            );
        }
    }
}
