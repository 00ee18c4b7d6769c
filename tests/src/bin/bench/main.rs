//! `scripts/bench`: Leadforge's benchmark. Numbers, not pass/fail: speed
//! goals are checked here (each figure printed beside its target), never by
//! timed assertions in the test suite. Prints one table and writes it as
//! JSON to `target/bench/latest.json`. See README § Benchmarks.
//!
//! `bench [PART…] [--scale F] [--backend sqlite|postgres] [--quick]
//! [--fanout N,M]`; parts: `dashboard`, `callgrind`, `fanout`, `live`,
//! `sync`, `footprint`, `launch`, `basics`; all but `basics` by default.

mod callgrind;
mod dashboard;
mod fanout;
mod footprint;
mod launch;
mod report;
mod seed;
mod server;
mod sync;

use leadforge_e2e::Backend;

use report::Report;

pub type Res<T> = Result<T, Box<dyn std::error::Error>>;

const PARTS: &[&str] = &[
    "dashboard",
    "callgrind",
    "fanout",
    "live",
    "sync",
    "footprint",
    "launch",
    "basics",
];

struct Args {
    parts: Vec<String>,
    scale: f64,
    backends: Vec<Backend>,
    quick: bool,
    fanout: Vec<usize>,
}

fn args() -> Res<Args> {
    let mut parts = Vec::new();
    let mut scale = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let mut backends = vec![Backend::Sqlite, Backend::Postgres];
    let mut quick = false;
    let mut fanout = vec![1000, 10_000];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--scale" => scale = it.next().ok_or("--scale F")?.parse()?,
            "--quick" => quick = true,
            "--backend" => {
                backends = match it.next().as_deref() {
                    Some("sqlite") => vec![Backend::Sqlite],
                    Some("postgres" | "pg") => vec![Backend::Postgres],
                    _ => return Err("--backend sqlite|postgres".into()),
                }
            }
            "--fanout" => {
                fanout = it
                    .next()
                    .ok_or("--fanout N,M")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?;
            }
            "all" => {}
            part if PARTS.contains(&part) => parts.push(part.to_owned()),
            other => return Err(format!("unknown argument `{other}`; parts: {PARTS:?}").into()),
        }
    }
    if parts.is_empty() {
        parts = PARTS
            .iter()
            .filter(|p| **p != "basics")
            .map(|p| (*p).to_owned())
            .collect();
    }
    Ok(Args {
        parts,
        scale,
        backends,
        quick,
        fanout,
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    // Installed first, so the harness's capturing subscriber (which keeps
    // every line in memory for the tests) stays out of the measurement.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("warn"))
        .try_init();
    let args = args()?;
    let has = |p: &str| args.parts.iter().any(|x| x == p);
    let mut report = Report {
        started_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        scale: args.scale,
        ..Report::default()
    };
    println!(
        "Leadforge benchmark: {:?}, scale {} (release build: scripts/bench)",
        args.parts, args.scale
    );
    if cfg!(debug_assertions) {
        report.note("DEBUG BUILD: figures are not comparable with the targets");
    }

    for &backend in &args.backends {
        let pg = backend == Backend::Postgres;
        let name = format!("{backend:?}");
        let big = has("dashboard") || has("sync") || (pg && (has("callgrind") || has("fanout")));
        if big {
            let size = seed::Size::full(args.scale);
            println!("\n== {name}: seeding {size:?}");
            let seeded = seed::seed(backend, size).await?;
            report.add(
                "seed",
                &name,
                format!(
                    "{} tenants, {} campaigns, ×{} creatives, ×{} snapshots",
                    size.tenants,
                    size.campaigns,
                    size.creatives_per_campaign,
                    size.snapshots_per_campaign
                ),
                seeded.seconds,
                "s",
                None,
            );
            if has("dashboard") {
                println!("== {name}: dashboard");
                dashboard::run(&seeded, &mut report, args.quick).await?;
            }
            if pg && has("callgrind") {
                println!("== {name}: callgrind");
                callgrind::run(&seeded, &mut report, if args.quick { 10 } else { 50 }).await?;
            }
            if pg && has("fanout") {
                println!("== {name}: fan-out");
                fanout::run(&seeded, &mut report, &args.fanout).await?;
            }
            if has("sync") {
                println!("== {name}: insights sync");
                sync::run(&seeded, &mut report).await?;
            }
        }
        if has("live") && pg {
            // Issue 10's data set: 100 campaigns in 3 ad accounts.
            let size = seed::Size {
                tenants: 3,
                campaigns: 100,
                creatives_per_campaign: 1,
                snapshots_per_campaign: 4,
            };
            println!("\n== {name}: live ({size:?})");
            let seeded = seed::seed(backend, size).await?;
            fanout::live(&seeded, &mut report).await?;
        }
        if has("basics") {
            launch::basics(backend).await;
        }
        if has("launch") {
            launch::launch(backend).await;
        }
    }
    if has("fanout") && !args.backends.contains(&Backend::Postgres) {
        report.note("fan-out and live run on PostgreSQL only (SQLite's bus is in-process)");
    }
    if has("footprint") {
        println!("\n== footprint");
        footprint::run(&mut report).await?;
    }
    report.print();
    let path = report.write()?;
    println!("\nwritten to {}", path.display());
    Ok(())
}
