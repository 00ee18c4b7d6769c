//! `leadDestinations`, `leadDeliveries` and the destination and delivery
//! mutations: where a member's leads are sent, and how each sending went.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{
    LeadDeliveryId, LeadDestinationId, LeadId, lead_delivery_attempt, lead_destination,
};
use secrecy::ExposeSecret;

use super::{admin::parse_id, context::ContextExt, error::GqlResult};
use crate::services::leads::{
    deliveries::destinations::{DeliveryFilter, DeliveryLog, DestinationChange, NewDestination},
    outbound::Sent,
};

/// How leads reach a destination.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::LeadDestinationKind")]
pub enum LeadDestinationKind {
    /// A signed JSON POST to a URL (`Leadforge-Signature`, `Leadforge-Delivery-Id`).
    Webhook,
    /// An e-mail to the member's account address.
    Email,
}

/// Whether a destination receives leads.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::LeadDestinationStatus")]
pub enum LeadDestinationStatus {
    /// Receives leads.
    Active,
    /// Holds them until enabled again (see `pausedReason`).
    Paused,
}

/// Where one lead's delivery to one destination stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "entities::LeadDeliveryStatus")]
pub enum LeadDeliveryStatus {
    /// Being tried; failed tries are retried with back-off for up to a day.
    Pending,
    /// The destination accepted it.
    Delivered,
    /// Retried for a day without success; `resendLeadDelivery` tries again.
    Failed,
    /// Waiting for its paused destination to be enabled.
    Held,
}

/// Where a member's leads are sent.
pub struct LeadDestination(pub lead_destination::Model);

#[Object]
impl LeadDestination {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn kind(&self) -> LeadDestinationKind {
        self.0.kind.into()
    }
    /// The owner's name for it.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The webhook's URL (none for e-mail).
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    async fn status(&self) -> LeadDestinationStatus {
        self.0.status.into()
    }
    /// Why it was paused, when it paused itself after failing too often in
    /// a row; none when its owner paused it.
    async fn paused_reason(&self) -> Option<&str> {
        self.0.paused_reason.as_deref()
    }
    /// Attempts that failed since its last success.
    async fn failures_in_a_row(&self) -> i32 {
        self.0.failures_in_a_row
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A destination just created, with its webhook's signing secret: shown
/// this once, never again.
#[derive(SimpleObject)]
pub struct CreatedLeadDestination {
    destination: LeadDestination,
    /// `whsec_…`: verify `Leadforge-Signature` with it. Only for webhooks.
    secret: Option<String>,
}

/// One try of a delivery.
#[derive(SimpleObject)]
pub struct LeadDeliveryAttempt {
    /// 1 for the first try.
    number: i32,
    at: DateTime<Utc>,
    ok: bool,
    /// The HTTP status (or SMTP reply code) the destination answered.
    status_code: Option<i32>,
    /// Why it failed, in plain words.
    error: Option<String>,
}

impl From<lead_delivery_attempt::Model> for LeadDeliveryAttempt {
    fn from(a: lead_delivery_attempt::Model) -> Self {
        Self {
            number: a.number,
            at: a.at,
            ok: a.ok,
            status_code: a.status_code,
            error: a.error,
        }
    }
}

/// One lead sent to one destination (exactly one per pair).
pub struct LeadDelivery(pub DeliveryLog);

#[Object]
impl LeadDelivery {
    /// Also the `Leadforge-Delivery-Id` the receiver sees.
    async fn id(&self) -> ID {
        ID(self.0.0.id.to_string())
    }
    async fn lead_id(&self) -> ID {
        ID(self.0.0.lead_id.to_string())
    }
    async fn destination_id(&self) -> ID {
        ID(self.0.0.destination_id.to_string())
    }
    async fn status(&self) -> LeadDeliveryStatus {
        self.0.0.status.into()
    }
    /// The last failure, in plain words.
    async fn last_error(&self) -> Option<&str> {
        self.0.0.last_error.as_deref()
    }
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.0.delivered_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.0.created_at
    }
    /// Every try, oldest first.
    async fn attempts(&self) -> Vec<LeadDeliveryAttempt> {
        self.0.1.iter().cloned().map(Into::into).collect()
    }
}

/// What a test delivery got back.
#[derive(SimpleObject)]
pub struct LeadDestinationTest {
    ok: bool,
    status_code: Option<i32>,
    error: Option<String>,
}

impl From<Sent> for LeadDestinationTest {
    fn from(s: Sent) -> Self {
        Self {
            ok: s.ok,
            status_code: s.status_code,
            error: s.error,
        }
    }
}

/// A destination to add.
#[derive(InputObject)]
pub struct CreateLeadDestinationInput {
    kind: LeadDestinationKind,
    name: String,
    /// For a webhook: the https URL leads are posted to.
    url: Option<String>,
}

/// A change to a destination.
#[derive(InputObject)]
pub struct UpdateLeadDestinationInput {
    name: Option<String>,
    /// `true` enables it (its held leads go out), `false` pauses it.
    enabled: Option<bool>,
}

#[derive(Default)]
pub struct LeadDeliveriesQuery;

#[Object]
impl LeadDeliveriesQuery {
    /// The caller's lead destinations (everyone's for the chief architect).
    async fn lead_destinations(&self, ctx: &Context<'_>) -> GqlResult<Vec<LeadDestination>> {
        let principal = ctx.principal()?;
        let rows = ctx.services()?.deliveries.destinations(principal).await?;
        Ok(rows.into_iter().map(LeadDestination).collect())
    }

    /// The deliveries of a lead and/or a destination, newest first (at
    /// most 100), each with its attempts.
    async fn lead_deliveries(
        &self,
        ctx: &Context<'_>,
        lead_id: Option<ID>,
        destination_id: Option<ID>,
    ) -> GqlResult<Vec<LeadDelivery>> {
        let principal = ctx.principal()?;
        let filter = DeliveryFilter {
            lead: lead_id
                .as_ref()
                .map(|id| parse_id::<LeadId>(id, "lead"))
                .transpose()?,
            destination: destination_id
                .as_ref()
                .map(|id| parse_id::<LeadDestinationId>(id, "lead destination"))
                .transpose()?,
        };
        let logs = ctx
            .services()?
            .deliveries
            .deliveries(principal, filter)
            .await?;
        Ok(logs.into_iter().map(LeadDelivery).collect())
    }
}

#[derive(Default)]
pub struct LeadDeliveriesMutation;

#[Object]
impl LeadDeliveriesMutation {
    /// Adds a destination; a webhook's signing secret is in the answer,
    /// this once.
    async fn create_lead_destination(
        &self,
        ctx: &Context<'_>,
        input: CreateLeadDestinationInput,
    ) -> GqlResult<CreatedLeadDestination> {
        let principal = ctx.principal()?;
        let (row, secret) = ctx
            .services()?
            .deliveries
            .create_destination(
                principal,
                NewDestination {
                    kind: input.kind.into(),
                    name: input.name,
                    url: input.url,
                },
            )
            .await?;
        Ok(CreatedLeadDestination {
            destination: LeadDestination(row),
            secret: secret.map(|s| s.expose_secret().to_owned()),
        })
    }

    /// Renames, pauses or enables a destination.
    async fn update_lead_destination(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateLeadDestinationInput,
    ) -> GqlResult<LeadDestination> {
        let principal = ctx.principal()?;
        let id: LeadDestinationId = parse_id(&id, "lead destination")?;
        let row = ctx
            .services()?
            .deliveries
            .update_destination(
                principal,
                id,
                DestinationChange {
                    name: input.name,
                    enabled: input.enabled,
                },
            )
            .await?;
        Ok(LeadDestination(row))
    }

    /// Deletes a destination with its delivery log.
    async fn delete_lead_destination(&self, ctx: &Context<'_>, id: ID) -> GqlResult<bool> {
        let principal = ctx.principal()?;
        let id: LeadDestinationId = parse_id(&id, "lead destination")?;
        Ok(ctx
            .services()?
            .deliveries
            .delete_destination(principal, id)
            .await?)
    }

    /// Sends a sample lead (`event: lead.test`) to a destination now.
    async fn test_lead_destination(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> GqlResult<LeadDestinationTest> {
        let principal = ctx.principal()?;
        let id: LeadDestinationId = parse_id(&id, "lead destination")?;
        let sent = ctx
            .services()?
            .deliveries
            .test_destination(principal, id)
            .await?;
        Ok(sent.into())
    }

    /// Tries a delivery again, with the same delivery id.
    async fn resend_lead_delivery(&self, ctx: &Context<'_>, id: ID) -> GqlResult<LeadDelivery> {
        let principal = ctx.principal()?;
        let id: LeadDeliveryId = parse_id(&id, "lead delivery")?;
        let log = ctx.services()?.deliveries.resend(principal, id).await?;
        Ok(LeadDelivery(log))
    }
}
