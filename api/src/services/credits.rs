//! Lead credits: a ledger of signed entries and a per-user balance that can
//! never go below zero, both written in one transaction.
//!
//! Every movement is one guarded `UPDATE` of the balance (never a read and
//! a write from Rust, which would race) next to one ledger row whose
//! idempotency key is unique: a movement repeated by a retry, a restart or a
//! duplicate request collides on that key and moves nothing.

use chrono::Utc;
use entities::{
    CampaignId, CreditEntryKind, LedgerEntryId, TenantId, TenantScoped, UserId, credit_account,
    credit_ledger, user,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
    TryInsertResult,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use super::{
    audit::{AuditEntry, AuditService},
    pagination::{self, Cursor, Page, PageRequest},
    text::TextRule,
};
use crate::{
    auth::Principal,
    authz::{Action, Authorizer, Resource},
    error::{AppError, InputProblem},
};

/// The largest single grant: a typo guard, far above any real grant.
pub const MAX_GRANT: i64 = 1_000_000;
/// Longest reason a grant may carry.
pub const MAX_REASON_CHARS: usize = 200;

/// The reason a grant shows in the member's ledger.
const REASON: TextRule = TextRule::line("reason", "The reason", 1, MAX_REASON_CHARS);

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

/// One credit movement of a campaign's launch.
#[derive(Debug, Clone)]
pub struct Movement {
    pub tenant: TenantId,
    pub user: UserId,
    pub campaign: CampaignId,
    pub kind: CreditEntryKind,
    /// Credits held (`RESERVE`), charged (`COMMIT`) or returned (`REFUND`).
    pub cost: i64,
    /// Unique per launch and kind, e.g. `launch:<campaign>:<n>:reserve`.
    pub key: String,
}

/// What applying a movement did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The entry was written now.
    Now,
    /// An entry with this key existed already; nothing moved.
    Before,
}

impl Movement {
    /// The balance change of this kind of movement.
    fn delta(&self) -> i64 {
        match self.kind {
            CreditEntryKind::Reserve => -self.cost,
            CreditEntryKind::Refund => self.cost,
            // The reservation already took the credits; the charge only
            // makes it final.
            CreditEntryKind::Commit => 0,
            CreditEntryKind::Grant => self.cost,
        }
    }

    /// Applies the movement inside `txn` (the caller's transaction, which
    /// also changes the campaign's status). A reservation the balance does
    /// not cover is `INSUFFICIENT_CREDITS`; the caller must then roll back.
    pub async fn apply<C: ConnectionTrait>(&self, txn: &C) -> Result<Applied, AppError> {
        // The ledger row first: if its key exists, this movement happened
        // before and the balance must not move again. `ON CONFLICT DO
        // NOTHING` reports that as a row count and leaves the caller's
        // transaction usable (a caught unique violation would abort it on
        // PostgreSQL).
        let row = credit_ledger::ActiveModel {
            id: Set(LedgerEntryId::generate()),
            tenant_id: Set(self.tenant),
            user_id: Set(self.user),
            delta: Set(self.delta()),
            kind: Set(self.kind),
            reason: Set(Some(reason_of(self.kind).to_owned())),
            campaign_id: Set(Some(self.campaign)),
            idempotency_key: Set(self.key.clone()),
            created_at: Set(Utc::now()),
        };
        let inserted = credit_ledger::Entity::insert(row)
            .on_conflict_do_nothing_on([credit_ledger::Column::IdempotencyKey])
            .exec_without_returning(txn)
            .await?;
        if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            return Ok(Applied::Before);
        }
        let delta = self.delta();
        if delta != 0 && !adjust(txn, self.user, delta).await? {
            let balance = balance_of(txn, self.user).await?;
            return Err(insufficient(balance, self.cost));
        }
        Ok(Applied::Now)
    }
}

fn reason_of(kind: CreditEntryKind) -> &'static str {
    match kind {
        CreditEntryKind::Reserve => "Held for a campaign launch",
        CreditEntryKind::Commit => "Campaign launched",
        CreditEntryKind::Refund => "Campaign launch failed; credits returned",
        CreditEntryKind::Grant => "Granted",
    }
}

/// The error for a launch the balance does not cover.
pub fn insufficient(balance: i64, cost: i64) -> AppError {
    AppError::InsufficientCredits {
        message: format!(
            "A launch costs {cost} credits and your balance is {balance}; ask your administrator for more."
        ),
        balance,
        cost,
    }
}

/// `balance += delta` for `user`, only if the result stays at or above
/// zero; `false` when it would not (or the user has no account). One
/// statement, so concurrent debits cannot overdraw.
async fn adjust<C: ConnectionTrait>(conn: &C, user: UserId, delta: i64) -> Result<bool, AppError> {
    let updated = credit_account::Entity::update_many()
        .col_expr(
            credit_account::Column::Balance,
            Expr::col(credit_account::Column::Balance).add(delta),
        )
        .col_expr(credit_account::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(credit_account::Column::UserId.eq(user))
        .filter(Expr::col(credit_account::Column::Balance).add(delta).gte(0))
        .exec(conn)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// A user's balance; zero without an account (chief architects have none).
/// Callers have authorized reading `user`'s balance (or act for the
/// system, as the launch job does).
pub async fn balance_of<C: ConnectionTrait>(conn: &C, user: UserId) -> Result<i64, AppError> {
    Ok(credit_account::Entity::unscoped_by_id(user)
        .one(conn)
        .await?
        .map_or(0, |a| a.balance))
}

/// What `grantCredits` asks for.
#[derive(Debug, Clone)]
pub struct Grant {
    pub user: UserId,
    pub amount: i64,
    pub reason: String,
}

#[derive(Clone)]
pub struct CreditsService {
    db: DatabaseConnection,
    authz: Authorizer,
    audit: AuditService,
}

impl CreditsService {
    pub fn new(db: DatabaseConnection, authz: Authorizer, audit: AuditService) -> Self {
        Self { db, authz, audit }
    }

    /// The caller's own balance.
    pub async fn balance(&self, principal: &Principal) -> Result<i64, AppError> {
        self.authz
            .authorize(principal, Resource::Credit, Action::Read)
            .await?;
        balance_of(&self.db, principal.user_id).await
    }

    /// The caller's ledger (everyone's for the chief architect, optionally
    /// one tenant's), newest first.
    pub async fn ledger(
        &self,
        principal: &Principal,
        tenant: Option<TenantId>,
        request: PageRequest,
    ) -> Result<Page<credit_ledger::Model>, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Credit, Action::Read)
            .await?;
        let scope = crate::authz::narrow(scope, tenant, principal);
        pagination::page(
            &self.db,
            credit_ledger::Entity::within(scope),
            credit_ledger::Column::CreatedAt,
            credit_ledger::Column::Id,
            request,
            |m| Cursor {
                at: m.created_at,
                id: m.id.into_uuid(),
            },
        )
        .await
    }

    /// Adds credits to a member's balance (chief architect). The entry is a
    /// `GRANT` with the given reason.
    pub async fn grant(
        &self,
        principal: &Principal,
        grant: Grant,
    ) -> Result<credit_ledger::Model, AppError> {
        let scope = self
            .authz
            .authorize(principal, Resource::Credit, Action::Manage)
            .await?;
        let mut problems = Vec::new();
        if grant.amount <= 0 || grant.amount > MAX_GRANT {
            problems.push(InputProblem::new(
                "amount",
                format!("Grant a whole number of credits from 1 to {MAX_GRANT}."),
            ));
        }
        let reason = match REASON.clean(&grant.reason) {
            Ok(reason) => reason,
            Err(e) => {
                problems.push(crate::services::campaigns::input::as_problem(e));
                String::new()
            }
        };
        if let Some(problem) = AppError::all_of(problems) {
            return Err(problem);
        }
        let member = user::Entity::within(scope)
            .filter(user::Column::Id.eq(grant.user))
            .one(&self.db)
            .await?
            .ok_or(AppError::NotFound("user"))?;
        let txn = self.db.begin().await?;
        if !adjust(&txn, member.id, grant.amount).await? {
            // No account yet (a chief architect, or a user made before
            // accounts existed): open one holding the grant.
            credit_account::ActiveModel {
                user_id: Set(member.id),
                tenant_id: Set(member.tenant_id),
                balance: Set(grant.amount),
                updated_at: Set(Utc::now()),
            }
            .insert(&txn)
            .await?;
        }
        let entry = credit_ledger::ActiveModel {
            id: Set(LedgerEntryId::generate()),
            tenant_id: Set(member.tenant_id),
            user_id: Set(member.id),
            delta: Set(grant.amount),
            kind: Set(CreditEntryKind::Grant),
            reason: Set(Some(reason.clone())),
            campaign_id: Set(None),
            // Each grant is its own request: a fresh key per grant.
            idempotency_key: Set(format!("grant:{}", uuid::Uuid::now_v7())),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?;
        self.audit
            .record(
                &txn,
                AuditEntry::by(principal, "credits.grant")
                    .target(format!("user:{}", member.id))
                    .detail(json!({ "amount": grant.amount, "entry": entry.id.to_string() })),
            )
            .await?;
        txn.commit().await?;
        Ok(entry)
    }
}
