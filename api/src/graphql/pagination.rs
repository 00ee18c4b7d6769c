//! Relay connections over the services' keyset pages.

use async_graphql::{
    Context, OutputType, SimpleObject,
    connection::{Connection, Edge},
};

use super::error::{GqlError, GqlResult};
use crate::{
    error::AppError,
    services::pagination::{Cursor, Page, PageRequest},
};

/// The page-size cap, as schema data.
#[derive(Debug, Clone, Copy)]
pub struct MaxPageSize(pub usize);

/// Fields every connection of the contract carries beside edges and pageInfo.
#[derive(SimpleObject)]
pub struct ConnectionTotals {
    /// How many rows the whole list has (not just this page).
    pub total_count: i32,
}

/// A connection of `Node`s with an opaque string cursor and `totalCount`.
pub type Connected<Node> = Connection<String, Node, ConnectionTotals>;

/// Checks `first` against the cap and decodes `after`. `ctx` is the
/// connection field's: the list is counted only if it selects `totalCount`.
pub fn page_request(
    ctx: &Context<'_>,
    first: i32,
    after: Option<String>,
) -> GqlResult<PageRequest> {
    let max = ctx.data_opt::<MaxPageSize>().map_or(100, |m| m.0);
    if first < 0 {
        return Err(AppError::bad_input("first", "`first` must not be negative.").into());
    }
    let first = first as usize;
    if first > max {
        return Err(GqlError::from(AppError::LimitExceeded(format!(
            "`first` is {first}; pages hold at most {max} rows."
        ))));
    }
    Ok(PageRequest {
        first: first as u64,
        after: after.as_deref().map(Cursor::decode).transpose()?,
        count: ctx.look_ahead().field("totalCount").exists(),
    })
}

/// Builds the connection, converting each row with `node`.
pub fn connection<M, Node: OutputType>(page: Page<M>, node: impl Fn(M) -> Node) -> Connected<Node> {
    let mut connection = Connection::with_additional_fields(
        page.has_previous_page,
        page.has_next_page,
        ConnectionTotals {
            total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
        },
    );
    connection.edges.extend(
        page.items
            .into_iter()
            .map(|(cursor, model)| Edge::new(cursor.encode(), node(model))),
    );
    connection
}
