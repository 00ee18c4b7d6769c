//! `creditBalance`, `creditLedger`, `grantCredits` and the `CreditEntry` type.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use entities::credit_ledger;

use super::{
    admin::{parse_id, parse_tenant_filter},
    context::ContextExt,
    error::GqlResult,
    pagination::{Connected, connection, page_request},
};
use crate::services::credits::Grant;

/// Kind of a credit movement.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::CreditEntryKind")]
pub enum CreditEntryKind {
    /// Credits added (sign-up, an administrator).
    Grant,
    /// Credits held when a launch was accepted.
    Reserve,
    /// The held credits charged: the ads went live.
    Commit,
    /// The held credits returned: the launch failed.
    Refund,
}

/// One movement of a member's credits.
pub struct CreditEntry(pub credit_ledger::Model);

#[Object]
impl CreditEntry {
    /// The entry's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Signed change of the balance (0 for `COMMIT`: the reservation
    /// already took the credits).
    async fn delta(&self) -> i32 {
        i32::try_from(self.0.delta).unwrap_or(if self.0.delta < 0 { i32::MIN } else { i32::MAX })
    }
    /// What kind of movement it is.
    async fn kind(&self) -> CreditEntryKind {
        self.0.kind.into()
    }
    /// Why, in words.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The campaign it concerns, for launch movements.
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| ID(c.to_string()))
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct CreditsQuery;

#[Object]
impl CreditsQuery {
    /// The caller's credit balance.
    async fn credit_balance(&self, ctx: &Context<'_>) -> GqlResult<i32> {
        let principal = ctx.principal()?;
        let balance = ctx.services()?.credits.balance(principal).await?;
        Ok(i32::try_from(balance).unwrap_or(i32::MAX))
    }

    /// The caller's credit movements (everyone's for the chief architect),
    /// newest first.
    async fn credit_ledger(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(desc = "Only this tenant's rows (for the chief architect).")] tenant_id: Option<
            ID,
        >,
    ) -> GqlResult<Connected<CreditEntry>> {
        let principal = ctx.principal()?;
        let request = page_request(ctx, first.unwrap_or(50), after)?;
        let tenant = parse_tenant_filter(tenant_id.as_ref())?;
        let page = ctx
            .services()?
            .credits
            .ledger(principal, tenant, request)
            .await?;
        Ok(connection(page, CreditEntry))
    }
}

#[derive(Default)]
pub struct CreditsMutation;

#[Object]
impl CreditsMutation {
    /// Adds credits to a user's balance (chief architect only): a positive
    /// amount and a reason, recorded as a `GRANT` entry.
    async fn grant_credits(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        amount: i32,
        reason: String,
    ) -> GqlResult<CreditEntry> {
        let principal = ctx.principal()?;
        let grant = Grant {
            user: parse_id(&user_id, "user")?,
            amount: i64::from(amount),
            reason,
        };
        let entry = ctx.services()?.credits.grant(principal, grant).await?;
        Ok(CreditEntry(entry))
    }
}
