//! Instructions per dashboard request: the release `leadforge serve` under
//! `valgrind --tool=callgrind`, instrumented only around the measurement
//! (`--instr-atstart=no`, then `callgrind_control -i on`). N requests are
//! counted between a zero and a dump; an idle stretch of the same length
//! is counted the same way and subtracted. The hottest functions (self
//! cost) of the request dump go to `target/bench/callgrind-annotate.txt`.

use std::{
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use serde_json::json;

use crate::{
    Res,
    dashboard::DASHBOARD,
    report::Report,
    seed::Seeded,
    server::{Served, sibling},
};

fn control(args: &[&str], pid: u32) -> Res<()> {
    let status = Command::new("callgrind_control")
        .args(args)
        .arg(pid.to_string())
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("callgrind_control {args:?} failed").into());
    }
    Ok(())
}

/// The `totals:` (instructions) of the newest dump of `pid` in `dir`.
fn newest_total(dir: &Path, pid: u32) -> Res<(u64, std::path::PathBuf)> {
    let prefix = format!("callgrind.out.{pid}.");
    let newest = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .max_by_key(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .and_then(|e| e.parse::<u32>().ok())
                .unwrap_or(0)
        })
        .ok_or("no callgrind dump")?;
    let text = std::fs::read_to_string(&newest)?;
    let total = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("totals:")
                .or_else(|| l.strip_prefix("summary:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or("no totals in the dump")?;
    Ok((total, newest))
}

pub async fn run(seeded: &Seeded, report: &mut Report, requests: usize) -> Res<()> {
    let backend = format!("{:?}", seeded.backend());
    if Command::new("valgrind").arg("--version").output().is_err() {
        report.note("valgrind is not installed: no instruction counts");
        return Ok(());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench/callgrind");
    std::fs::create_dir_all(&dir)?;
    let served = Served::start(
        Path::new("valgrind"),
        &[
            "--tool=callgrind".into(),
            "--instr-atstart=no".into(),
            format!("--callgrind-out-file={}/callgrind.out.%p", dir.display()),
            sibling("leadforge")?.display().to_string(),
            "serve".into(),
        ],
        &seeded.server_env(),
        "LEADFORGE_ADDR",
        "/readyz",
        Duration::from_secs(300),
    )
    .await?;
    let pid = served.pid().ok_or("no pid")?;
    control(&["-i", "on"], pid)?;
    let who = &seeded.members[0];
    let body = json!({ "query": DASHBOARD });
    let send = || async {
        served
            .http
            .post(served.url("/graphql"))
            .bearer_auth(&who.token)
            .json(&body)
            .send()
            .await?
            .bytes()
            .await
    };
    for _ in 0..5 {
        send().await?;
    }
    control(&["-z"], pid)?;
    let t = Instant::now();
    for _ in 0..requests {
        send().await?;
    }
    let took = t.elapsed();
    control(&["-d"], pid)?;
    let (busy, dump) = newest_total(&dir, pid)?;
    control(&["-z"], pid)?;
    tokio::time::sleep(took).await;
    control(&["-d"], pid)?;
    let (idle, _) = newest_total(&dir, pid)?;
    served.stop().await;

    let per = busy.saturating_sub(idle) as f64 / requests as f64;
    report.add(
        "callgrind",
        &backend,
        format!("instructions per dashboard request ({requests} requests, idle subtracted)"),
        per,
        "instr",
        None,
    );
    let annotate = Command::new("callgrind_annotate").arg(&dump).output()?;
    let text = String::from_utf8_lossy(&annotate.stdout).into_owned();
    let out = dir.join(format!("annotate-{backend}.txt"));
    std::fs::write(&out, &text)?;
    let hot: Vec<String> = text
        .lines()
        .skip_while(|l| !l.contains("file:function"))
        .skip(2)
        .take(12)
        .map(|l| l.trim().chars().take(150).collect())
        .collect();
    report.note(format!(
        "{backend} callgrind hottest (self, {}): {}",
        out.display(),
        hot.join(" | ")
    ));
    Ok(())
}
