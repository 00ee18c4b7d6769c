//! Footprint on SQLite: a release `leadforge serve` on a fresh data dir
//! (it creates and migrates its database), the time from exec to the first
//! 200 from `/readyz`, and its resident memory once idle.

use std::time::Duration;

use crate::{
    Res,
    report::{Report, Target},
    server::{Served, sibling},
};

pub async fn run(report: &mut Report) -> Res<()> {
    let mut starts = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..3 {
        let dir = tempfile::tempdir()?;
        let env = vec![
            (
                "LEADFORGE_DATA_DIR".to_owned(),
                dir.path().display().to_string(),
            ),
            ("LEADFORGE_LOG".to_owned(), "warn".to_owned()),
        ];
        let served = Served::start(
            &sibling("leadforge")?,
            &["serve".into()],
            &env,
            "LEADFORGE_ADDR",
            "/readyz",
            Duration::from_secs(30),
        )
        .await?;
        starts.push(served.ready_after.as_secs_f64() * 1e3);
        tokio::time::sleep(Duration::from_secs(2)).await;
        rss.push(served.rss_kib().unwrap_or(0) as f64 / 1024.0);
        served.stop().await;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    report.add(
        "footprint",
        "Sqlite",
        "cold start to /readyz (fresh data dir, median of 3)",
        median(&mut starts),
        "ms",
        Some(Target::Below(1000.0)),
    );
    report.add(
        "footprint",
        "Sqlite",
        "idle RSS after start (median of 3)",
        median(&mut rss),
        "MiB",
        Some(Target::Below(60.0)),
    );
    Ok(())
}
