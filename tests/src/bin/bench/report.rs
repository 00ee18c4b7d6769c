//! The one table the benchmark prints, and the same rows as JSON.

use std::time::Duration;

use serde::Serialize;

/// One figure.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub part: &'static str,
    pub backend: String,
    pub figure: String,
    pub value: f64,
    pub unit: &'static str,
    /// The target, in words (`≤ 4 ms`), when it sets one.
    pub target: Option<String>,
    /// Whether the target is met.
    pub met: Option<bool>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub started_at: String,
    pub scale: f64,
    pub notes: Vec<String>,
    pub rows: Vec<Row>,
}

/// A bound a figure should stay under or over.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    AtMost(f64),
    Below(f64),
    AtLeast(f64),
}

impl Report {
    pub fn add(
        &mut self,
        part: &'static str,
        backend: &str,
        figure: impl Into<String>,
        value: f64,
        unit: &'static str,
        target: Option<Target>,
    ) {
        let (target, met) = match target {
            Some(Target::AtMost(t)) => (Some(format!("≤ {}", num(t))), Some(value <= t)),
            Some(Target::Below(t)) => (Some(format!("< {}", num(t))), Some(value < t)),
            Some(Target::AtLeast(t)) => (Some(format!("≥ {}", num(t))), Some(value >= t)),
            None => (None, None),
        };
        let row = Row {
            part,
            backend: backend.to_owned(),
            figure: figure.into(),
            value,
            unit,
            target,
            met,
        };
        println!("  {}", line(&row));
        self.rows.push(row);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        println!("  note: {note}");
        self.notes.push(note);
    }

    pub fn print(&self) {
        println!(
            "\n{:<10} {:<9} {:<58} {:>12} {:<9} {:<10} ",
            "part", "backend", "figure", "value", "unit", "target"
        );
        println!("{}", "-".repeat(112));
        for row in &self.rows {
            println!("{}", line(row));
        }
        for note in &self.notes {
            println!("note: {note}");
        }
    }

    /// Writes `target/bench/latest.json` (and a timestamped copy).
    pub fn write(&self) -> std::io::Result<std::path::PathBuf> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
        std::fs::create_dir_all(&dir)?;
        let dir = dir.canonicalize()?;
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let stamp = self.started_at.replace([':', '-'], "");
        std::fs::write(dir.join(format!("bench-{stamp}.json")), &text)?;
        let latest = dir.join("latest.json");
        std::fs::write(&latest, text)?;
        Ok(latest)
    }
}

fn num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn line(row: &Row) -> String {
    let verdict = match row.met {
        Some(true) => "ok",
        Some(false) => "MISSED",
        None => "",
    };
    let value = if row.value.abs() >= 100.0 || row.value.fract() == 0.0 {
        format!("{:.0}", row.value)
    } else {
        format!("{:.2}", row.value)
    };
    format!(
        "{:<10} {:<9} {:<58} {:>12} {:<9} {:<10} {}",
        row.part,
        row.backend,
        row.figure,
        value,
        row.unit,
        row.target.as_deref().unwrap_or(""),
        verdict
    )
}

/// Latencies and how long they took in all.
#[derive(Debug, Default, Clone)]
pub struct Sample {
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
    pub errors: usize,
}

impl Sample {
    pub fn merge(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.elapsed += other.elapsed;
        self.errors += other.errors;
    }

    pub fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p` quantile in milliseconds (nearest rank).
    pub fn ms(&mut self, p: f64) -> f64 {
        percentile_ms(&mut self.latencies, p)
    }
}

pub fn percentile_ms(latencies: &mut [Duration], p: f64) -> f64 {
    latencies.sort_unstable();
    if latencies.is_empty() {
        return f64::NAN;
    }
    let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
    latencies[i.min(latencies.len() - 1)].as_secs_f64() * 1e3
}
