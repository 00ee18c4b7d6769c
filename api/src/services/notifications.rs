//! Notifications: what one user is told happened — a stop-loss rule paused
//! a campaign, a token is about to expire or has expired. Each is a row the
//! user reads in the app (newest first, unread ones counted) and marks
//! read. A warning that repeats (the daily token check) carries a dedupe
//! key, so it is one row however often it is raised. Notifications are
//! personal: everyone, the chief architect included, reads only their own.

use chrono::Utc;
use entities::{
    CampaignId, IntegrationId, NotificationId, NotificationKind, RowScope, TenantId, TenantScoped,
    UserId,
    notification::{ActiveModel, Column, Entity, Model},
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, OnConflict},
};

use super::pagination::{self, Cursor, Page, PageRequest};
use crate::{auth::Principal, error::AppError};

/// Most ids one `markNotificationsRead` may name.
pub const MAX_MARKED: usize = 200;

/// A notification to raise.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub tenant: TenantId,
    pub user: UserId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub campaign: Option<CampaignId>,
    pub integration: Option<IntegrationId>,
    /// Raising the same key again for the same user adds nothing.
    pub dedupe_key: Option<String>,
}

/// Raises `n` on `conn` (inside the caller's transaction when it has one);
/// whether it is new (not a repeat of its dedupe key).
pub async fn raise<C: ConnectionTrait>(conn: &C, n: NewNotification) -> Result<bool, AppError> {
    let inserted = Entity::insert(ActiveModel {
        id: Set(NotificationId::generate()),
        tenant_id: Set(n.tenant),
        user_id: Set(n.user),
        kind: Set(n.kind),
        title: Set(n.title),
        body: Set(n.body),
        campaign_id: Set(n.campaign),
        integration_id: Set(n.integration),
        dedupe_key: Set(n.dedupe_key),
        created_at: Set(Utc::now()),
        read_at: Set(None),
    })
    .on_conflict(
        OnConflict::columns([Column::UserId, Column::DedupeKey])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(inserted == 1)
}

#[derive(Clone)]
pub struct NotificationsService {
    db: DatabaseConnection,
}

impl NotificationsService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The caller's notifications, newest first; only unread ones when asked.
    pub async fn list(
        &self,
        principal: &Principal,
        unread_only: bool,
        request: PageRequest,
    ) -> Result<Page<Model>, AppError> {
        let mut select = Entity::within(own(principal));
        if unread_only {
            select = select.filter(Column::ReadAt.is_null());
        }
        pagination::page(
            &self.db,
            select,
            Column::CreatedAt,
            Column::Id,
            request,
            |m| Cursor {
                at: m.created_at,
                id: m.id.into_uuid(),
            },
        )
        .await
    }

    /// How many of the caller's notifications are unread.
    pub async fn unread(&self, principal: &Principal) -> Result<u64, AppError> {
        Ok(Entity::within(own(principal))
            .filter(Column::ReadAt.is_null())
            .count(&self.db)
            .await?)
    }

    /// Marks the caller's notifications `ids` (or all of them) read; how
    /// many changed. Ids of others' notifications change nothing.
    pub async fn mark_read(
        &self,
        principal: &Principal,
        ids: Option<Vec<NotificationId>>,
    ) -> Result<u64, AppError> {
        let mut update = Entity::update_many()
            .col_expr(Column::ReadAt, Expr::value(Utc::now()))
            .filter(Column::UserId.eq(principal.user_id))
            .filter(Column::TenantId.eq(principal.tenant_id))
            .filter(Column::ReadAt.is_null());
        if let Some(ids) = ids {
            if ids.len() > MAX_MARKED {
                return Err(AppError::bad_input(
                    "ids",
                    format!("Mark at most {MAX_MARKED} notifications at once, or all of them."),
                ));
            }
            update = update.filter(Column::Id.is_in(ids));
        }
        Ok(update.exec(&self.db).await?.rows_affected)
    }
}

fn own(principal: &Principal) -> RowScope {
    RowScope::Own {
        tenant: principal.tenant_id,
        user: principal.user_id,
    }
}
