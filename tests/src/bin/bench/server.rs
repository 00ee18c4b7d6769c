//! Served processes: a release `leadforge serve` (or the bare handler) as a
//! child of the benchmark, on a free loopback port, so its memory is its own
//! and can be read from `/proc`.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::Res;

/// A binary next to this one (`target/<profile>/<name>`).
pub fn sibling(name: &str) -> Res<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe
        .parent()
        .map(|dir| dir.join(name))
        .ok_or("the benchmark binary has no directory")?;
    if !path.exists() {
        return Err(format!(
            "{} is missing: build it first (scripts/bench does: cargo build --release -p leadforge -p leadforge-e2e --bins)",
            path.display()
        )
        .into());
    }
    Ok(path)
}

/// A free loopback port (bound, read, released).
pub fn free_addr() -> Res<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

pub struct Served {
    pub child: Child,
    pub addr: SocketAddr,
    pub http: reqwest::Client,
    /// How long until the ready path answered 200.
    pub ready_after: Duration,
}

impl Served {
    /// The release `leadforge serve` next to the bench, on the seeded
    /// database, once `/readyz` answers.
    pub async fn leadforge(seeded: &crate::seed::Seeded) -> Res<Self> {
        Self::start(
            &sibling("leadforge")?,
            &["serve".into()],
            &seeded.server_env(),
            "LEADFORGE_ADDR",
            "/readyz",
            Duration::from_secs(60),
        )
        .await
    }

    /// Starts `program args…` with `env` plus `addr_var=<free port>` and
    /// waits until `ready_path` answers 200 (at most `patience`).
    pub async fn start(
        program: &Path,
        args: &[String],
        env: &[(String, String)],
        addr_var: &str,
        ready_path: &str,
        patience: Duration,
    ) -> Res<Self> {
        let addr = free_addr()?;
        let mut command = Command::new(program);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(addr_var, addr.to_string())
            .env("LEADFORGE_METRICS_TOKEN", leadforge_e2e::METRICS_TOKEN)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in env {
            command.env(k, v);
        }
        let started = Instant::now();
        let child = command.spawn()?;
        let http = leadforge_e2e::graphql_client();
        let mut served = Self {
            child,
            addr,
            http,

            ready_after: Duration::ZERO,
        };
        let url = served.url(ready_path);
        loop {
            if let Ok(r) = served.http.get(&url).send().await
                && r.status().is_success()
            {
                served.ready_after = started.elapsed();
                return Ok(served);
            }
            if let Some(status) = served.child.try_wait()? {
                return Err(format!("{} exited before ready: {status}", program.display()).into());
            }
            if started.elapsed() > patience {
                return Err(format!("{} not ready within {patience:?}", program.display()).into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn pid(&self) -> Option<u32> {
        Some(self.child.id())
    }

    /// Resident memory in KiB (`VmRSS` of `/proc/<pid>/status`).
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// The server's `leadforge_db_statements_total`, every outcome summed.
    pub async fn statements(&self) -> Res<f64> {
        let text = self
            .http
            .get(self.url("/metrics"))
            .bearer_auth(leadforge_e2e::METRICS_TOKEN)
            .send()
            .await?
            .text()
            .await?;
        Ok(text
            .lines()
            .filter(|l| l.starts_with("leadforge_db_statements_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum())
    }

    pub async fn stop(self) {
        drop(self);
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
