//! Strict local stand-ins for the Meta Graph API and for Gemini (feature `stand-in`).
//!
//! Tests start them on 127.0.0.1 port 0 and point the adapters' base URLs at them. They
//! check request shapes the way the reference documents describe, answer with the real
//! error envelopes, and can inject faults: error envelopes, rate limits with usage
//! headers, HTTP 500, slow answers and dropped connections.
//!
//! What they prove: that the adapters match the *documented* behaviour. They do not prove
//! that real Meta or Google would accept a request.

mod fault;
pub mod gemini;
pub mod meta;

pub use fault::{Fault, FaultAction, Match};
pub use gemini::{GeminiAnswer, GeminiCall, GeminiStandIn, STAND_IN_KEY, STAND_IN_MODEL};
pub use meta::{
    AccountSeed, InsightsSeed, LeadSeed, MetaFixture, MetaStandIn, PageSeed, RecordedCall, Stored,
    TokenSeed, leadgen_delivery, post_delivery, webhook_signature,
};
