//! Simulated delivery: an ACTIVE campaign accrues impressions, clicks, spend and leads
//! for every second it has been active, at rates derived from its id, capped by its
//! daily budget. Deterministic for a given clock.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::ad_platform::types::{InsightsRow, Objective, RemoteId};

/// What delivery depends on.
#[derive(Debug, Clone)]
pub struct DeliveryInput<'a> {
    /// The campaign.
    pub campaign_id: &'a str,
    /// Its goal.
    pub objective: Objective,
    /// Sum of its ad sets' daily budgets, minor units.
    pub daily_budget: i64,
    /// Time it has spent ACTIVE.
    pub active_for: Duration,
}

fn seed(id: &str) -> u64 {
    let digest = Sha256::digest(id.as_bytes());
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

/// Totals for one campaign.
pub fn totals(input: &DeliveryInput<'_>) -> InsightsRow {
    // Accrues by the second, so a dashboard on the Sandbox moves at every
    // sync; at whole minutes the totals are the per-minute rates' multiples.
    let seconds = input.active_for.as_secs() as i64;
    let minutes = seconds / 60;
    let s = seed(input.campaign_id);
    // Between 30 and 89 impressions a minute, a 1.0–2.9 % click rate.
    let per_minute = 30 + (s % 60) as i64;
    let ctr_per_mille = 10 + ((s >> 8) % 20) as i64;
    let budget_per_minute = (input.daily_budget / 1440).max(1);
    let spend_minor =
        (budget_per_minute * seconds / 60).min(input.daily_budget * (minutes / 1440 + 1));
    let impressions = per_minute * seconds / 60;
    let clicks = impressions * ctr_per_mille / 1000;
    let leads = match input.objective {
        Objective::Leads => clicks / 8,
        Objective::Conversions => clicks / 25,
        Objective::Traffic => 0,
    };
    InsightsRow {
        campaign_id: RemoteId(input.campaign_id.to_owned()),
        impressions,
        clicks,
        spend_minor,
        leads,
    }
}
