//! Typed UUID ids, one per table, usable directly as sea-orm column types.
//!
//! A `CampaignId` cannot be passed where a `CreativeId` is expected, so a
//! swapped argument is a compile error rather than a cross-table lookup.

use std::fmt;
use std::str::FromStr;

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            DeriveValueType,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh id. UUIDv7 is time-ordered, so new rows append to the
            /// primary-key index instead of scattering across it.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an existing UUID.
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The underlying UUID.
            pub const fn into_uuid(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        // sea-orm asks every primary-key type for a conversion from the
        // auto-increment value some drivers return after an insert. UUID
        // keys are always supplied by us, so that path is an error.
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, DbErr> {
                Err(DbErr::ConvertFromU64(stringify!($name)))
            }
        }
    };
}

uuid_id!(
    /// Id of a row of `tenants`.
    TenantId
);
uuid_id!(
    /// Id of a row of `users`.
    UserId
);
uuid_id!(
    /// Id of a row of `user_integrations`.
    IntegrationId
);
uuid_id!(
    /// Id of a row of `creatives`.
    CreativeId
);
uuid_id!(
    /// Id of a row of `creative_platform_assets`.
    CreativeAssetId
);
uuid_id!(
    /// Id of a row of `ad_campaigns`.
    CampaignId
);
uuid_id!(
    /// Id of a row of `performance_snapshots`.
    SnapshotId
);
uuid_id!(
    /// Id of a row of `credit_ledger`.
    LedgerEntryId
);
uuid_id!(
    /// Id of a row of `audit_events`.
    AuditEventId
);
uuid_id!(
    /// Id of a row of `jobs`.
    JobId
);
uuid_id!(
    /// Id of a row of `leads`.
    LeadId
);
uuid_id!(
    /// Id of a row of `stop_loss_rules`.
    RuleId
);
uuid_id!(
    /// Id of a row of `notifications`.
    NotificationId
);
uuid_id!(
    /// Id of a row of `lead_destinations`.
    LeadDestinationId
);
uuid_id!(
    /// Id of a row of `lead_deliveries`; also the `Leadforge-Delivery-Id`
    /// a receiver de-duplicates by.
    LeadDeliveryId
);
uuid_id!(
    /// Id of a row of `lead_delivery_attempts`.
    LeadDeliveryAttemptId
);

/// The reserved platform tenant that holds the chief architects
/// (`00000000-0000-4000-8000-000000000001`, slug [`PLATFORM_TENANT_SLUG`]).
/// The first migration creates it; it is never a customer's tenant.
pub const PLATFORM_TENANT_ID: TenantId =
    TenantId(Uuid::from_u128(0x0000_0000_0000_4000_8000_0000_0000_0001));

/// Slug of the reserved platform tenant.
pub const PLATFORM_TENANT_SLUG: &str = "platform";

/// Key of the media-buyer agent registered by the migrations.
pub const MEDIA_BUYER_AGENT_KEY: &str = "media-buyer";
