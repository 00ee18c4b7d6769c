//! `basics` and `launch`, in process on the test harness. `basics`:
//! authenticated GraphQL round trips (`me`) at a few concurrency levels, a
//! 50-row `auditEvents` page with nested loaders, and sign-in (dominated by
//! argon2id, by design). `launch`: 3-creative launches against the Meta
//! stand-in with 50 ms added to every call, and the wait from enqueue to
//! the job's first platform call.

use std::time::{Duration, Instant};

use leadforge_e2e::{Backend, TestApp};
use serde_json::json;

const ME: &str = "{ me { id email tenant { id } } }";
const PAGE: &str = "{ auditEvents(first: 50) { totalCount edges { node { action actor { email tenant { name } } } } } }";

struct Stats {
    ops: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Stats {
    fn line(&mut self, what: &str) {
        self.latencies.sort_unstable();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
            self.latencies.get(i).copied().unwrap_or_default()
        };
        println!(
            "{what:<44} {:>8.0} ops/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
            self.ops as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
        );
    }
}

/// Runs `total` requests of `query` with `concurrency` clients in flight.
async fn load(app: &TestApp, token: &str, query: &str, total: usize, concurrency: usize) -> Stats {
    let started = Instant::now();
    let per_client = total / concurrency;
    let clients = (0..concurrency).map(|_| {
        let client = app.http.clone();
        let url = app.url("/graphql");
        let token = token.to_owned();
        let body = json!({ "query": query });
        tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_client);
            for _ in 0..per_client {
                let t = Instant::now();
                let r = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let ok = match r {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    latencies.push(t.elapsed());
                }
            }
            latencies
        })
    });
    let mut latencies = Vec::with_capacity(total);
    for client in futures_util::future::join_all(clients).await {
        latencies.extend(client.unwrap_or_default());
    }
    Stats {
        ops: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
}

pub async fn basics(backend: Backend) {
    println!("\n== {backend:?} ==");
    let app = TestApp::spawn_with(
        backend,
        &[
            ("LEADFORGE_LOG", "warn"),
            ("LEADFORGE_SIGNUPS_PER_HOUR", "1000"),
        ],
    )
    .await;
    let chief = app.chief_architect("bench-chief@leadforge.test").await;
    for i in 0..60 {
        app.sign_up(
            &format!("bench{i}@example.com"),
            &format!("Bench tenant {i}"),
        )
        .await;
    }
    let member = app.sign_in("bench0@example.com").await;

    for concurrency in [1, 8, 32] {
        load(&app, &member.token, ME, 200, concurrency).await; // warm-up
        load(&app, &member.token, ME, 2000, concurrency)
            .await
            .line(&format!("me, {concurrency} concurrent"));
    }
    load(&app, &chief.token, PAGE, 400, 8)
        .await
        .line("auditEvents first:50 with loaders, 8 concurrent");

    let started = Instant::now();
    let mut latencies = Vec::new();
    for i in 0..20 {
        let t = Instant::now();
        // One account each: twenty in a row for one account would be throttled.
        let _ = app.sign_in(&format!("bench{}@example.com", i + 1)).await;
        latencies.push(t.elapsed());
    }
    Stats {
        ops: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
    .line("signIn (argon2id), sequential");
}

/// 3-creative launches on the Meta stand-in, every call 50 ms slower.
pub async fn launch(backend: Backend) {
    use adapters::stand_in::{Fault, FaultAction, Match, MetaFixture, MetaStandIn};
    use leadforge_e2e::campaigns;

    println!("\n== {backend:?}: launch, 50 ms per platform call ==");
    let meta = MetaStandIn::start().await.expect("stand-in");
    let f = MetaFixture::seed(&meta);
    let app = TestApp::spawn_with(
        backend,
        &[
            ("LEADFORGE_LOG", "warn"),
            ("LEADFORGE_SIGNUP_CREDITS", "1000"),
            ("META_GRAPH_URL", meta.base_url()),
        ],
    )
    .await;
    let ann = app
        .sign_up("bench-launch@example.com", "Bench launches")
        .await;
    let saved = app
        .graphql_as(
            &ann.token,
            "mutation($t: String!, $a: String!, $p: String) { saveIntegration(provider: META_ADS, accessToken: $t, adAccountId: $a, pageId: $p) { id } }",
            json!({ "t": f.token, "a": f.account, "p": f.page_id }),
        )
        .await;
    let integration = saved.data()["saveIntegration"]["id"]
        .as_str()
        .expect("integration")
        .to_owned();
    app.graphql_as(
        &ann.token,
        "mutation($i: ID!) { testIntegration(id: $i) { ok } }",
        json!({ "i": integration }),
    )
    .await
    .data();
    let db = app.db.connect().await;
    let mut times = Vec::new();
    let mut starts = Vec::new();
    let mut calls = 0;
    for run in 0..5u32 {
        // Fresh images each run, so every launch uploads its three.
        let images = campaigns::creatives(&app, &ann, 3, 1000 + run * 10).await;
        let mut input = campaigns::traffic_input(&integration, &images);
        input["adCopy"] = json!({ "headline": "Stretch more", "body": "Morning classes.", "callToAction": "SIGN_UP" });
        let id = campaigns::create(&app, &ann, input).await;
        meta.clear_calls();
        meta.inject(Fault::times(
            Match::any(),
            FaultAction::Slow(Duration::from_millis(50)),
            1000,
        ));
        let t = Instant::now();
        app.graphql_as(&ann.token, campaigns::LAUNCH, json!({ "id": id }))
            .await
            .data();
        let end = campaigns::settled(&app, &ann, &id).await;
        times.push(t.elapsed());
        assert_eq!(end["status"], "ACTIVE", "{end}");
        calls = meta.call_lines().len();
        // Enqueue to the job's first platform call (its audit row is written
        // when that call returns, 50 ms later).
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let job = entities::job::Entity::find()
            .order_by_desc(entities::job::Column::CreatedAt)
            .one(&db)
            .await
            .ok()
            .flatten()
            .expect("job");
        let first = entities::audit_event::Entity::find()
            .filter(entities::audit_event::Column::Action.starts_with("platform."))
            .filter(entities::audit_event::Column::At.gt(job.created_at))
            .order_by_asc(entities::audit_event::Column::At)
            .one(&db)
            .await
            .ok()
            .flatten()
            .expect("first platform call");
        let waited = (first.at - job.created_at).to_std().unwrap_or_default();
        starts.push(waited.saturating_sub(Duration::from_millis(50)));
    }
    let mut stats = Stats {
        ops: times.len(),
        elapsed: times.iter().sum(),
        latencies: times,
    };
    stats.line(&format!("launch (3 creatives), {calls} platform calls"));
    let mut stats = Stats {
        ops: starts.len(),
        elapsed: starts
            .iter()
            .sum::<Duration>()
            .max(Duration::from_micros(1)),
        latencies: starts,
    };
    stats.line("enqueue → first platform call");
}
