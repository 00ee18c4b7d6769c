//! Subscription fan-out on PostgreSQL: many graphql-transport-ws
//! subscribers of one campaign on a served `leadforge` process; the time
//! from a performance write's commit (UPDATE, then `pg_notify` as another
//! instance would) to delivery at each subscriber, and the server's memory
//! per idle subscription. Also issue 10's figure: insight write (the real
//! in-process sync, its events bridged through the PostgreSQL bus) to
//! delivery at one subscriber.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{
        Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig,
    },
};

use crate::{
    Res,
    report::{Report, Target, percentile_ms},
    seed::{Member, Seeded},
    server::Served,
};

const WATCH: &str =
    "subscription($id: ID) { campaignUpdated(id: $id) { id performance { impressions } } }";

/// A delivered update: which campaign, its impressions, when it arrived.
type Seen = (String, i64, Instant);

/// Connects, subscribes, waits for the current state, tells `ready`, then
/// forwards every update to `seen` until the socket ends.
async fn subscriber(
    url: String,
    token: String,
    id: Option<String>,
    ready: mpsc::Sender<Result<(), String>>,
    seen: mpsc::UnboundedSender<Seen>,
) {
    let outcome = async {
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        // Small client buffers: ten thousand sockets live in this process.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0);
        let (mut socket, _) = connect_async_with_config(request, Some(config), true)
            .await
            .map_err(|e| e.to_string())?;
        let send = |v: Value| Message::text(v.to_string());
        socket
            .send(send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })))
            .await
            .map_err(|e| e.to_string())?;
        socket
            .send(send(json!({ "id": "1", "type": "subscribe", "payload": { "query": WATCH, "variables": { "id": id } } })))
            .await
            .map_err(|e| e.to_string())?;
        // connection_ack, then (one campaign) its current state.
        let mut acked = false;
        loop {
            if acked && id.is_none() {
                break;
            }
            let frame = tokio::time::timeout(Duration::from_secs(60), socket.next())
                .await
                .map_err(|_| "no answer within 60 s".to_owned())?
                .ok_or("closed")?
                .map_err(|e| e.to_string())?;
            if let Message::Text(text) = frame {
                let v: Value = serde_json::from_str(text.as_str()).map_err(|e| e.to_string())?;
                match v["type"].as_str() {
                    Some("next") => break,
                    Some("connection_ack") => acked = true,
                    Some("ping" | "pong") => {}
                    _ => return Err(format!("unexpected {v}")),
                }
            }
        }
        Ok(socket)
    }
    .await;
    let mut socket = match outcome {
        Ok(socket) => {
            let _ = ready.send(Ok(())).await;
            socket
        }
        Err(e) => {
            let _ = ready.send(Err(e)).await;
            return;
        }
    };
    drop(ready);
    while let Some(Ok(frame)) = socket.next().await {
        let at = Instant::now();
        match frame {
            Message::Text(text) => {
                let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                if v["type"] == "ping" {
                    let _ = socket.send(Message::text(r#"{"type":"pong"}"#)).await;
                    continue;
                }
                let c = &v["payload"]["data"]["campaignUpdated"];
                if let (Some(id), Some(n)) =
                    (c["id"].as_str(), c["performance"]["impressions"].as_i64())
                {
                    let _ = seen.send((id.to_owned(), n, at));
                }
            }
            Message::Close(_) => break,
            _ => {}
        }
    }
}

/// Opens `n` subscribers (at most 200 handshakes in flight); errors seen.
async fn open(
    served: &Served,
    who: &Member,
    id: Option<String>,
    n: usize,
    seen: &mpsc::UnboundedSender<Seen>,
) -> Res<usize> {
    let url = format!("ws://{}/graphql/ws", served.addr);
    let mut errors = 0;
    let mut first_error = None;
    let mut opened = 0;
    while opened < n {
        let batch = (n - opened).min(200);
        let (ready_tx, mut ready_rx) = mpsc::channel(batch);
        for _ in 0..batch {
            tokio::spawn(subscriber(
                url.clone(),
                who.token.clone(),
                id.clone(),
                ready_tx.clone(),
                seen.clone(),
            ));
        }
        drop(ready_tx);
        while let Some(r) = ready_rx.recv().await {
            if let Err(e) = r {
                errors += 1;
                first_error.get_or_insert(e);
            }
        }
        opened += batch;
    }
    if let Some(e) = first_error {
        eprintln!("  {errors} subscribers failed; first: {e}");
    }
    Ok(errors)
}

/// Sets the campaign's impressions to `marker` (committed), then notifies
/// the way another instance's bus does; the commit instant.
async fn write(seeded: &Seeded, campaign: &str, marker: i64) -> Res<Instant> {
    let perf = json!({
        "currency": "USD", "impressions": marker, "clicks": 10, "spend_cents": 500, "leads": 1,
        "ctr": 0.01, "cost_per_lead_cents": 500, "updated_at": chrono::Utc::now(),
    });
    seeded
        .conn
        .execute_unprepared(&format!(
            "UPDATE ad_campaigns SET performance = '{perf}'::jsonb, updated_at = now() WHERE id = '{campaign}'"
        ))
        .await?;
    let committed = Instant::now();
    seeded
        .conn
        .execute_unprepared(&format!(
            "SELECT pg_notify('{}', '{campaign}')",
            leadforge::events::CHANNEL
        ))
        .await?;
    Ok(committed)
}

pub async fn run(seeded: &Seeded, report: &mut Report, sizes: &[usize]) -> Res<()> {
    let backend = format!("{:?}", seeded.backend());
    let served = Served::leadforge(seeded).await?;
    let who = &seeded.members[0];
    let campaign = who.campaigns[0].to_string();
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Seen>();
    let mut marker = 50_000_000;
    let mut open_now = 0;
    // A few sockets first, so the baseline has the WebSocket path warm.
    open(&served, who, Some(campaign.clone()), 10, &seen_tx).await?;
    open_now += 10;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = served.rss_kib().unwrap_or(0);
    for &n in sizes {
        let t = Instant::now();
        let failed = open(&served, who, Some(campaign.clone()), n - open_now, &seen_tx).await?;
        let opened_in = t.elapsed();
        open_now = n;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let rss = served.rss_kib().unwrap_or(0);
        let per = (rss.saturating_sub(baseline)) as f64 * 1024.0 / (n - 10) as f64 / 1000.0;
        while seen_rx.try_recv().is_ok() {}
        // Events spaced past the bus's coalescing window.
        let mut latencies = Vec::new();
        let mut missing = 0;
        let events = if n >= 10_000 { 3 } else { 5 };
        for _ in 0..events {
            marker += 1;
            let committed = write(seeded, &campaign, marker).await?;
            let mut got = 0;
            let deadline = Instant::now() + Duration::from_secs(30);
            while got < n - failed {
                match tokio::time::timeout_at(deadline.into(), seen_rx.recv()).await {
                    Ok(Some((_, m, at))) if m == marker => {
                        got += 1;
                        latencies.push(at.saturating_duration_since(committed));
                    }
                    Ok(Some(_)) => {}
                    _ => break,
                }
            }
            missing += n - failed - got;
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
        let part = "fanout";
        report.add(
            part,
            &backend,
            format!("{n} subscribers: commit → delivery p50"),
            percentile_ms(&mut latencies, 0.5),
            "ms",
            None,
        );
        report.add(
            part,
            &backend,
            format!("{n} subscribers: commit → delivery p99"),
            percentile_ms(&mut latencies, 0.99),
            "ms",
            (n == 1000).then_some(Target::AtMost(100.0)),
        );
        report.add(
            part,
            &backend,
            format!("{n} subscribers: server memory per idle subscription"),
            per,
            "KB",
            (n == 10_000).then_some(Target::AtMost(32.0)),
        );
        report.add(
            part,
            &backend,
            format!("{n} subscribers: opened in"),
            opened_in.as_secs_f64(),
            "s",
            None,
        );
        if failed + missing > 0 {
            report.note(format!(
                "{backend} fan-out {n}: {failed} subscribers failed to open, {missing} deliveries missing"
            ));
        }
    }
    report.add(
        "fanout",
        &backend,
        "server RSS with the subscribers open",
        served.rss_kib().unwrap_or(0) as f64 / 1024.0,
        "MiB",
        None,
    );
    served.stop().await;
    Ok(())
}

/// Issue 10: insight write → delivery at one subscriber over 100 events,
/// and platform calls per sync cycle (the data set: 100 campaigns in 3 ad
/// accounts).
pub async fn live(seeded: &Seeded, report: &mut Report) -> Res<()> {
    let backend = format!("{:?}", seeded.backend());
    let served = Served::leadforge(seeded).await?;
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<Seen>();
    // One dashboard per member, each watching all of its member's campaigns.
    for m in &seeded.members {
        open(&served, m, None, 1, &seen_tx).await?;
    }
    let (events, _) = tokio::sync::broadcast::channel(4096);
    let _bus = leadforge::events::EventBus::start(&seeded.conn, &events);
    let mut written = events.subscribe();
    let sync = crate::sync::instance(seeded, events.clone());
    let mut latencies = Vec::new();
    let mut calls = Vec::new();
    let mut cycles = 0;
    while latencies.len() < 100 && cycles < 10 {
        cycles += 1;
        seeded.sandbox.advance(Duration::from_secs(600));
        // A new cycle number (the interval is one second).
        tokio::time::sleep(Duration::from_millis(1100)).await;
        while seen_rx.try_recv().is_ok() {}
        let before = crate::sync::calls(seeded);
        let mut run = tokio::spawn({
            let sync = sync.clone();
            async move { sync.run_once().await }
        });
        // The sync announces each campaign right after its commit.
        let mut announced = std::collections::HashMap::new();
        let report_of = loop {
            tokio::select! {
                id = written.recv() => {
                    if let Ok(change) = id { announced.insert(change.id.to_string(), Instant::now()); }
                }
                done = &mut run => {
                    while let Ok(change) = written.try_recv() { announced.insert(change.id.to_string(), Instant::now()); }
                    break done;
                }
            }
        };
        let _ = report_of??;
        calls.push(crate::sync::calls(seeded) - before);
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut got = 0;
        // Each delivery takes its campaign out of `announced`.
        while !announced.is_empty() {
            match tokio::time::timeout_at(deadline.into(), seen_rx.recv()).await {
                Ok(Some((id, _, at))) => {
                    if let Some(t) = announced.remove(&id) {
                        got += 1;
                        latencies.push(at.saturating_duration_since(t));
                    }
                }
                _ => break,
            }
        }
        if std::env::var_os("BENCH_DEBUG").is_some() {
            let who: Vec<usize> = announced
                .keys()
                .filter_map(|id| {
                    seeded
                        .members
                        .iter()
                        .position(|m| m.campaigns.iter().any(|c| c.to_string() == *id))
                })
                .collect();
            eprintln!(
                "cycle {cycles}: got {got}, missing {} (members {who:?})",
                announced.len()
            );
        }
        if !announced.is_empty() {
            report.note(format!(
                "{backend} live: {} announced updates never arrived",
                announced.len()
            ));
        }
    }
    let part = "live";
    report.add(
        part,
        &backend,
        format!("insight write → delivery p50 ({} events)", latencies.len()),
        percentile_ms(&mut latencies, 0.5),
        "ms",
        None,
    );
    report.add(
        part,
        &backend,
        format!("insight write → delivery p99 ({} events)", latencies.len()),
        percentile_ms(&mut latencies, 0.99),
        "ms",
        None,
    );
    let mean = calls.iter().sum::<u64>() as f64 / calls.len().max(1) as f64;
    report.add(
        part,
        &backend,
        format!(
            "platform calls per sync cycle ({} campaigns, {} accounts)",
            seeded.size.campaigns,
            seeded.members.len()
        ),
        mean,
        "calls",
        None,
    );
    served.stop().await;
    Ok(())
}
