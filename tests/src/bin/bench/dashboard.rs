//! The dashboard query against Leadforge and the bare handler, interleaved
//! round by round on the same database, at 1, 8 and 32 clients.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{
    Res,
    report::{Report, Sample, Target},
    seed::{Member, Seeded},
    server::{Served, sibling},
};

/// A page of 50 campaigns as the dashboard asks for it (contract names).
pub const DASHBOARD: &str = "query Dashboard { campaigns(first: 50) { totalCount \
    pageInfo { hasNextPage endCursor } edges { cursor node { id campaignName status objective \
    dailyBudgetCents createdAt updatedAt \
    creatives { id fileName contentType width height url thumbnailUrl } \
    integration { id provider adAccountId accountName currency status } \
    performance { currency impressions clicks spendCents leads ctr costPerLeadCents updatedAt } \
    snapshots(last: 24) { capturedAt impressions clicks spendCents leads } } } } }";

/// Who a request is sent as: Leadforge reads the bearer token, the bare
/// handler (no auth) the user id header.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Side {
    Leadforge,
    Bare,
}

fn request(
    http: &reqwest::Client,
    url: &str,
    who: &Member,
    kind: Side,
    body: &Value,
) -> reqwest::RequestBuilder {
    let r = http.post(url).json(body);
    match kind {
        Side::Leadforge => r.bearer_auth(&who.token),
        Side::Bare => r.header("x-bench-user", who.user.to_string()),
    }
}

/// `clients` concurrent clients, each as its own member, for `for_how_long`.
pub async fn load(
    served: &Served,
    kind: Side,
    members: &[Member],
    clients: usize,
    for_how_long: Duration,
) -> Sample {
    let url = served.url("/graphql");
    let body = json!({ "query": DASHBOARD });
    let started = Instant::now();
    let deadline = started + for_how_long;
    let tasks = (0..clients).map(|c| {
        let http = served.http.clone();
        let url = url.clone();
        let body = body.clone();
        let who = members[c % members.len()].clone();
        tokio::spawn(async move {
            let mut sample = Sample::default();
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match request(&http, &url, &who, kind, &body).send().await {
                    Ok(r) => {
                        let status = r.status();
                        match r.bytes().await {
                            Ok(b) => {
                                status.is_success()
                                    && !b.starts_with(b"{\"errors\"")
                                    && b.len() > 1000
                            }
                            Err(_) => false,
                        }
                    }
                    Err(_) => false,
                };
                if ok {
                    sample.latencies.push(t.elapsed());
                } else {
                    sample.errors += 1;
                }
            }
            sample
        })
    });
    let mut all = Sample::default();
    for s in futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .flatten()
    {
        all.latencies.extend(s.latencies);
        all.errors += s.errors;
    }
    all.elapsed = started.elapsed();
    all
}

/// One answer, for comparing the two shapes.
async fn answer(served: &Served, kind: Side, who: &Member) -> Res<Value> {
    let body = json!({ "query": DASHBOARD });
    let r = request(&served.http, &served.url("/graphql"), who, kind, &body)
        .send()
        .await?;
    Ok(r.json().await?)
}

/// The answer without what differs by design: signed URLs carry their own
/// expiry and signature (same key layout, other key).
fn comparable(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, val) in map.iter_mut() {
                    if (k == "url" || k == "thumbnailUrl")
                        && let Some(s) = val.as_str()
                    {
                        let path = s.split('?').next().unwrap_or("");
                        let path = path.split("/blobs/").nth(1).unwrap_or(path).to_owned();
                        *val = Value::String(path);
                    } else {
                        walk(val);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

pub async fn run(seeded: &Seeded, report: &mut Report, quick: bool) -> Res<()> {
    let backend = format!("{:?}", seeded.backend());
    let leadforge = Served::leadforge(seeded).await?;
    // The bare handler reads the same database with a pool of the size
    // Leadforge's has on that engine (api/src/db.rs).
    let pool = if seeded.backend() == leadforge_e2e::Backend::Postgres {
        "20"
    } else {
        "8"
    };
    let pg = seeded.backend() == leadforge_e2e::Backend::Postgres;
    if !pg {
        report
            .note("the bare handler speaks PostgreSQL only: SQLite figures are Leadforge's alone");
    }
    let bare = if !pg {
        None
    } else {
        Some(
            Served::start(
                &sibling("bench-bare")?,
                &[],
                &[
                    ("DATABASE_URL".into(), seeded.db.url.clone()),
                    ("BARE_POOL".into(), pool.into()),
                ],
                "BARE_ADDR",
                "/readyz",
                Duration::from_secs(30),
            )
            .await?,
        )
    };

    let members = &seeded.members;
    let who = &members[0];
    let ours = answer(&leadforge, Side::Leadforge, who).await?;
    let theirs = match &bare {
        Some(bare) => answer(bare, Side::Bare, who).await?,
        None => ours.clone(),
    };
    let edges = ours["data"]["campaigns"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    if bare.is_none() {
        // Nothing to compare with.
    } else if comparable(ours.clone()) == comparable(theirs.clone()) {
        report.note(format!(
            "{backend}: the bare handler's answer equals Leadforge's ({edges} campaigns; signed URLs compared by key)"
        ));
    } else {
        let a = comparable(ours).to_string();
        let b = comparable(theirs).to_string();
        let at = a
            .bytes()
            .zip(b.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(0);
        let from = at.saturating_sub(80);
        report.note(format!(
            "{backend}: ANSWERS DIFFER at byte {at}: leadforge …{}… bare …{}…",
            a.get(from..(at + 80).min(a.len())).unwrap_or(""),
            b.get(from..(at + 80).min(b.len())).unwrap_or("")
        ));
    }

    // Warm both (plans, pools, caches).
    let slot = if quick {
        Duration::from_millis(700)
    } else {
        Duration::from_secs(2)
    };
    let rounds = if quick { 2 } else { 3 };
    load(&leadforge, Side::Leadforge, members, 8, slot).await;
    if let Some(bare) = &bare {
        load(bare, Side::Bare, members, 8, slot).await;
    }

    for clients in [1, 8, 32] {
        let mut ours = Sample::default();
        let mut theirs = Sample::default();
        let mut statements = 0.0;
        for round in 0..rounds {
            // Alternate who goes first, so drift in the machine's load
            // falls on both.
            let order = if round % 2 == 0 {
                [Side::Leadforge, Side::Bare]
            } else {
                [Side::Bare, Side::Leadforge]
            };
            for kind in order {
                match kind {
                    Side::Leadforge => {
                        let before = leadforge.statements().await?;
                        let s = load(&leadforge, kind, members, clients, slot).await;
                        statements += leadforge.statements().await? - before;
                        ours.merge(s);
                    }
                    Side::Bare => {
                        if let Some(bare) = &bare {
                            theirs.merge(load(bare, kind, members, clients, slot).await);
                        }
                    }
                }
            }
        }
        let ratio = ours.rate() / theirs.rate().max(1e-9);
        let per_request = statements / ours.latencies.len().max(1) as f64;
        let part = "dashboard";
        let c = clients;
        let mut add = |figure: String, value: f64, unit: &'static str, target: Option<Target>| {
            report.add(part, &backend, figure, value, unit, target);
        };
        add(
            format!("{c} clients: Leadforge requests/s"),
            ours.rate(),
            "req/s",
            None,
        );
        if bare.is_some() {
            add(
                format!("{c} clients: bare handler requests/s"),
                theirs.rate(),
                "req/s",
                None,
            );
            add(
                format!("{c} clients: Leadforge / bare requests/s"),
                ratio,
                "x",
                (c == 8).then_some(Target::AtLeast(0.8)),
            );
        }
        add(
            format!("{c} clients: Leadforge p50"),
            ours.ms(0.5),
            "ms",
            (c == 1).then_some(Target::AtMost(4.0)),
        );
        add(
            format!("{c} clients: Leadforge p99"),
            ours.ms(0.99),
            "ms",
            (c == 1).then_some(Target::AtMost(10.0)),
        );
        if bare.is_some() {
            add(format!("{c} clients: bare p50"), theirs.ms(0.5), "ms", None);
            add(
                format!("{c} clients: bare p99"),
                theirs.ms(0.99),
                "ms",
                None,
            );
        }
        add(
            format!("{c} clients: SQL statements per request"),
            per_request,
            "stmts",
            None,
        );
        if ours.errors + theirs.errors > 0 {
            report.note(format!(
                "{backend} {clients} clients: {} Leadforge and {} bare requests failed",
                ours.errors, theirs.errors
            ));
        }
    }
    if let Some(bare) = bare {
        bare.stop().await;
    }
    leadforge.stop().await;
    Ok(())
}
