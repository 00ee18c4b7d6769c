//! The insights sync, in process (`InsightsSync::run_once`) against the
//! seeded Sandbox: every campaign is ACTIVE there with a remote id, and the
//! Sandbox's clock is moved forward before each cycle so every campaign has
//! new numbers to write.

use std::time::{Duration, Instant};

use adapters::ad_platform::AdPlatform;
use leadforge::services::insights::InsightsSync;

use crate::{Res, report::Report, seed::Seeded};

/// A sync instance over the seeded database and Sandbox, one-second cycles.
pub fn instance(
    seeded: &Seeded,
    events: tokio::sync::broadcast::Sender<leadforge::events::CampaignChange>,
) -> InsightsSync {
    InsightsSync {
        queue: leadforge::jobs::JobQueue::new(seeded.conn.clone()),
        worker: "bench-sync".to_owned(),
        db: seeded.conn.clone(),
        integrations: seeded.integrations.clone(),
        events,
        audit: seeded.audit.clone(),
        interval: Duration::from_secs(1),
        rules: None,
    }
}

/// Calls the Sandbox has counted on the members' accounts. It exposes the
/// count as its usage percentage (a tenth of the calls, capped at 50 %),
/// which is exact while an account stays under 500 calls.
pub fn calls(seeded: &Seeded) -> u64 {
    seeded
        .members
        .iter()
        .filter_map(|m| seeded.sandbox.usage(&m.account)?.app)
        .map(|a| (a.call_count * 10.0).round() as u64)
        .sum()
}

pub async fn run(seeded: &Seeded, report: &mut Report) -> Res<()> {
    let backend = format!("{:?}", seeded.backend());
    let (events, _) = tokio::sync::broadcast::channel(16_384);
    let sync = instance(seeded, events);
    let mut rates = Vec::new();
    let mut calls_per_cycle = Vec::new();
    let mut updated = 0;
    for _ in 0..2 {
        seeded.sandbox.advance(Duration::from_secs(3600));
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let before = calls(seeded);
        let t = Instant::now();
        let r = sync.run_once().await?;
        let took = t.elapsed().as_secs_f64();
        updated = r.updated;
        rates.push(seeded.size.campaigns as f64 / took);
        calls_per_cycle.push(calls(seeded) - before);
        if r.failed + r.slowed + r.elsewhere > 0 {
            report.note(format!("{backend} sync: {r:?}"));
        }
    }
    let label = format!(
        "{} campaigns in {} accounts",
        seeded.size.campaigns,
        seeded.members.len()
    );
    report.add(
        "sync",
        &backend,
        format!("campaigns synced per second ({label})"),
        rates.iter().sum::<f64>() / rates.len() as f64,
        "camp/s",
        None,
    );
    report.add(
        "sync",
        &backend,
        format!("platform calls per cycle ({label})"),
        calls_per_cycle.iter().sum::<u64>() as f64 / calls_per_cycle.len() as f64,
        "calls",
        None,
    );
    report.add(
        "sync",
        &backend,
        "campaigns updated in the last cycle",
        updated as f64,
        "camp",
        None,
    );
    Ok(())
}
