//! `odf-bench`: the benchmark anyone can run. It prints one table and writes the same figures as
//! JSON (`--json out.json`). SQLite by default; with `--postgres URL` PostgreSQL as well, each
//! measurement on a fresh database (`odf_bench_<hex>`, dropped afterwards).
//!
//! ```text
//! cargo build --release -p odf-server   # the memory part runs this binary
//! cargo run --release -p odf-bench -- [--quick] [--long] [--only ingest,export,rollup,memory,client] [--postgres URL] [--json out.json]
//! ```
//!
//! Measured: in-process store ingest against HTTP ingest of the same pushes (N phones, batches of
//! 50 and 500, and their ratio) with push latency; roll-up p50/p95 with the national list of places
//! and ~70 million households of tallies, before and after storing visits; gzip bytes per visit on
//! the wire; stored bytes per visit; rows/s of the visits export (store pages, the store stream
//! alone, CSV and NDJSON over HTTP, gzipped and plain); the resident memory of the `odf-server`
//! process alone under 50 phones and dashboards (`memory`); the phone's recording and sync times
//! and a first pull's bytes and round trips through the real client (`client`). `--quick` (CI) is
//! small; `--long` stores 10 million visits before the last roll-up timing.
//! Figures are printed, never asserted: on a shared machine they vary from run to run.

mod dashboard;
mod data;
mod db;
mod export;
mod ingest;
mod memory;
mod phone;
mod rollup;
mod server;

use clap::Parser;
use serde_json::{Value, json};

use crate::db::Backend;

pub type BenchError = Box<dyn std::error::Error + Send + Sync>;
pub type BenchResult<T = ()> = Result<T, BenchError>;

#[derive(Debug, Parser)]
#[command(name = "odf-bench", about = "Mengukur kinerja server ODF (measures the ODF server's performance)")]
struct Args {
    /// Small sizes, under a minute (what CI runs).
    #[arg(long)]
    quick: bool,
    /// Also time the roll-ups after storing 10 million visits (takes a long while).
    #[arg(long)]
    long: bool,
    /// Also measure PostgreSQL, creating throw-away databases through this URL.
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// Write the figures as JSON to this file.
    #[arg(long, value_name = "FILE")]
    json: Option<std::path::PathBuf>,
    /// Only these parts, comma-separated: `ingest`, `export`, `rollup` (roll-ups and dashboard
    /// pages), `memory` (the `odf-server` binary's resident memory under 50 phones), `client`
    /// (recording and syncing on a phone, and a first pull). Default: all.
    #[arg(long, value_delimiter = ',', value_name = "PARTS")]
    only: Vec<String>,
    /// Simulated phones pushing at once.
    #[arg(long, default_value_t = 8)]
    phones: usize,
}

/// The `pct`th percentile of sorted `values` (nearest rank below), 0 when empty.
pub fn percentile(sorted: &[f64], pct: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(sorted.len() - 1) * pct / 100]
}

/// Peak resident memory of this process, from `/proc/self/status` (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The parts `--only` can name.
const PARTS: [&str; 5] = ["ingest", "export", "rollup", "memory", "client"];

#[tokio::main]
async fn main() -> BenchResult {
    let args = Args::parse();
    if args.phones == 0 {
        return Err("--phones harus paling sedikit 1 (must be at least 1)".into());
    }
    let mut backends = vec![Backend::Sqlite];
    if let Some(url) = &args.postgres {
        backends.push(Backend::Postgres(url.clone()));
    }
    // (batch, pushes per phone): 8 phones × 250 × 50 = 100,000 visits, as in the issue's table.
    let sizes: [(usize, usize); 2] = if args.quick { [(50, 10), (500, 1)] } else { [(50, 250), (500, 25)] };
    // Every size with visits spread over all villages, and the pushes of 50 once more with each push
    // in one village, as a sanitarian walking a village syncs (`data::Pattern`).
    let ingest_runs = [
        (data::Pattern::Uniform, sizes[0]),
        (data::Pattern::Uniform, sizes[1]),
        (data::Pattern::Field, sizes[0]),
    ];
    let requests = if args.quick { 20 } else { 100 };
    let visit_steps: Vec<usize> = match (args.quick, args.long) {
        (true, false) => vec![20_000],
        (_, false) => vec![1_000_000],
        (_, true) => vec![1_000_000, 10_000_000],
    };
    let started = std::time::Instant::now();
    let mut report = json!({
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
        "phones": args.phones,
        "cpus": std::thread::available_parallelism().map_or(1, usize::from),
        "ingest": [],
        "rollup": [],
        "dashboard": [],
        "export": [],
        "memory": [],
        "client": [],
    });
    println!("odf-bench ({} build, {} phones)", report["profile"].as_str().unwrap_or("?"), args.phones);

    if let Some(part) = args.only.iter().find(|p| !PARTS.contains(&p.as_str())) {
        return Err(format!("--only {part}: pakai (use) {}", PARTS.join(", ")).into());
    }
    let runs = |part: &str| args.only.is_empty() || args.only.iter().any(|p| p == part);

    let mut ingest_rows = Vec::new();
    for backend in backends.iter().filter(|_| runs("ingest")) {
        for (pattern, (batch, pushes)) in ingest_runs {
            let f = ingest::measure(backend, pattern, args.phones, batch, pushes).await?;
            ingest_rows.push((backend.name(), f.clone()));
            push(
                &mut report["ingest"],
                json!({
                    "backend": backend.name(), "pattern": f.pattern, "batch": f.batch, "visits": f.visits,
                    "in_process_visits_per_s": f.in_process_per_s.round(), "http_visits_per_s": f.http_per_s.round(),
                    "http_to_in_process_ratio": f.http_per_s / f.in_process_per_s,
                    "push_p50_ms": f.push_p50_ms, "push_p95_ms": f.push_p95_ms,
                    "gzip_bytes_per_visit": f.gzip_bytes_per_visit, "stored_bytes_per_visit": f.stored_bytes_per_visit,
                    "in_process_written_bytes_per_visit": f.in_process_written_per_visit,
                    "http_written_bytes_per_visit": f.http_written_per_visit,
                    "in_process_cpu_us_per_visit": f.in_process_cpu_us_per_visit,
                    "http_cpu_us_per_visit": f.http_cpu_us_per_visit,
                }),
            );
        }
    }

    let export_visits = if args.quick { 20_000 } else { 500_000 };
    let mut export_rows = Vec::new();
    for backend in backends.iter().filter(|_| runs("export")) {
        for f in export::measure(backend, export_visits).await? {
            push(
                &mut report["export"],
                json!({
                    "backend": backend.name(), "way": f.way, "rows": f.rows,
                    "rows_per_s": f.rows_per_s.round(), "bytes_per_row": f.bytes_per_row.round(),
                }),
            );
            export_rows.push((backend.name(), f));
        }
    }

    let path = rollup::wilayah_path();
    let mut rollup_rows = Vec::new();
    let mut page_rows = Vec::new();
    match std::fs::read_to_string(&path) {
        _ if !runs("rollup") => {}
        Err(_) => {
            println!(
                "SKIPPED: roll-up timings: {} not found (the national places list is needed)",
                path.display()
            );
            report["rollup_skipped"] = json!(format!("{} not found", path.display()));
        }
        Ok(csv) => {
            for backend in &backends {
                for f in rollup::measure(backend, &csv, requests, &visit_steps).await? {
                    for (label, area, p50, p95) in &f.rows {
                        push(
                            &mut report["rollup"],
                            json!({
                                "backend": backend.name(), "visits": f.visits, "area": area,
                                "p50_ms": p50, "p95_ms": p95,
                            }),
                        );
                        rollup_rows.push((backend.name(), f.visits, label.clone(), *p50, *p95));
                    }
                    for p in &f.pages {
                        push(
                            &mut report["dashboard"],
                            json!({
                                "backend": backend.name(), "visits": f.visits, "page": p.path,
                                "p50_ms": p.p50_ms, "p95_ms": p.p95_ms, "bytes": p.bytes,
                            }),
                        );
                        page_rows.push((backend.name(), f.visits, p.clone()));
                    }
                }
            }
        }
    }
    let (client_visits, client_households) = if args.quick { (200, 100) } else { (1_000, 500) };
    let mut client_rows = Vec::new();
    for backend in backends.iter().filter(|_| runs("client")) {
        let f = phone::measure(backend, client_visits, client_households).await?;
        let p = &f.first_pull;
        push(
            &mut report["client"],
            json!({
                "backend": backend.name(), "visits": f.visits,
                "record_visit_p50_ms": f.record_p50_ms, "record_visit_p95_ms": f.record_p95_ms,
                "sync_seconds": f.sync_s, "sync_pushes": f.sync_pushes,
                "first_pull": {
                    "households": p.households, "visits": p.visits, "changes": p.changes,
                    "round_trips": p.round_trips, "bytes_down": p.bytes_down, "bytes_up": p.bytes_up,
                    "seconds": p.seconds,
                },
            }),
        );
        client_rows.push((backend.name(), f));
    }

    // 50 phones as the issue says; each pushes 50 visits at a time.
    let memory_pushes = if args.quick { 2 } else { 20 };
    let mut memory_rows = Vec::new();
    match (runs("memory"), memory::server_binary(), std::fs::read_to_string(&path)) {
        (false, ..) => {}
        (true, None, _) => {
            let why = "odf-server is not built beside odf-bench: run `cargo build --release -p odf-server` \
                       (without --release for a debug odf-bench)";
            println!("SKIPPED: server memory: {why}");
            report["memory_skipped"] = json!(why);
        }
        (true, Some(_), Err(_)) => {
            println!(
                "SKIPPED: server memory: {} not found (the national places list is needed)",
                path.display()
            );
            report["memory_skipped"] = json!(format!("{} not found", path.display()));
        }
        (true, Some(_), Ok(csv)) => {
            for backend in &backends {
                let f = memory::measure(backend, &csv, memory::PHONES, memory_pushes).await?;
                push(
                    &mut report["memory"],
                    json!({
                        "backend": backend.name(), "settings": f.settings, "phones": f.phones, "visits": f.visits,
                        "idle_mb": f.idle_mb, "login_peak_mb": f.login_peak_mb, "load_peak_mb": f.load_peak_mb,
                        "after_mb": f.after_mb, "visits_per_s": f.visits_per_s.round(),
                        "push_p50_ms": f.push_p50_ms, "dashboard_reads": f.reads,
                    }),
                );
                memory_rows.push((backend.name(), f));
            }
        }
    }

    let peak = peak_rss_mb();
    report["peak_resident_mb"] = json!(peak);
    report["seconds"] = json!(started.elapsed().as_secs_f64().round());

    println!();
    println!(
        "{:<9} {:<8} {:>5} {:>8} {:>12} {:>10} {:>6} {:>8} {:>8} {:>9} {:>9} {:>11} {:>15}",
        "backend",
        "pattern",
        "batch",
        "visits",
        "in-process/s",
        "HTTP/s",
        "ratio",
        "p50 ms",
        "p95 ms",
        "gzip B/v",
        "stored B/v",
        "written B/v",
        "CPU us/v in/HTTP"
    );
    for (name, f) in &ingest_rows {
        let figure = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |v| format!("{v:.0}"));
        let written = figure(f.http_written_per_visit);
        let cpu = format!("{}/{}", figure(f.in_process_cpu_us_per_visit), figure(f.http_cpu_us_per_visit));
        println!(
            "{name:<9} {:<8} {:>5} {:>8} {:>12.0} {:>10.0} {:>6.2} {:>8.1} {:>8.1} {:>9.1} {:>9.0} {written:>11} {cpu:>15}",
            f.pattern,
            f.batch,
            f.visits,
            f.in_process_per_s,
            f.http_per_s,
            f.http_per_s / f.in_process_per_s,
            f.push_p50_ms,
            f.push_p95_ms,
            f.gzip_bytes_per_visit,
            f.stored_bytes_per_visit
        );
    }
    println!();
    println!("{:<9} {:<24} {:>9} {:>10} {:>7}", "backend", "visits export", "rows", "rows/s", "B/row");
    for (name, f) in &export_rows {
        println!("{name:<9} {:<24} {:>9} {:>10.0} {:>7.0}", f.way, f.rows, f.rows_per_s, f.bytes_per_row);
    }
    if !rollup_rows.is_empty() {
        println!();
        println!("{:<9} {:>10} {:<24} {:>8} {:>8}", "backend", "visits", "roll-up", "p50 ms", "p95 ms");
        for (name, visits, label, p50, p95) in &rollup_rows {
            println!("{name:<9} {visits:>10} {label:<24} {p50:>8.2} {p95:>8.2}");
        }
    }
    if !page_rows.is_empty() {
        println!();
        println!(
            "{:<9} {:>10} {:<24} {:>8} {:>8} {:>9}",
            "backend", "visits", "dashboard page", "p50 ms", "p95 ms", "KB"
        );
        for (name, visits, p) in &page_rows {
            println!(
                "{name:<9} {visits:>10} {:<24} {:>8.2} {:>8.2} {:>9.0}",
                p.label,
                p.p50_ms,
                p.p95_ms,
                p.bytes as f64 / 1024.0
            );
        }
    }
    if !client_rows.is_empty() {
        println!();
        println!(
            "{:<9} {:>6} {:>11} {:>11} {:>9} {:>7} | first pull {:>6} {:>7} {:>6} {:>9} {:>8} {:>6}",
            "backend",
            "visits",
            "record p50",
            "record p95",
            "sync s",
            "pushes",
            "HH",
            "visits",
            "trips",
            "KB down",
            "KB up",
            "s"
        );
        for (name, f) in &client_rows {
            let p = &f.first_pull;
            println!(
                "{name:<9} {:>6} {:>8.2} ms {:>8.2} ms {:>9.2} {:>7} | {:>17} {:>7} {:>6} {:>9.0} {:>8.1} {:>6.2}",
                f.visits,
                f.record_p50_ms,
                f.record_p95_ms,
                f.sync_s,
                f.sync_pushes,
                p.households,
                p.visits,
                p.round_trips,
                p.bytes_down as f64 / 1024.0,
                p.bytes_up as f64 / 1024.0,
                p.seconds
            );
        }
    }
    if !memory_rows.is_empty() {
        println!();
        println!(
            "{:<9} {:>6} {:>7} {:>8} {:>10} {:>10} {:>8} {:>9} {:>7} {:>6}  odf-server resident MB (settings)",
            "backend",
            "phones",
            "visits",
            "idle",
            "login peak",
            "load peak",
            "after",
            "visits/s",
            "p50 ms",
            "reads"
        );
        for (name, f) in &memory_rows {
            println!(
                "{name:<9} {:>6} {:>7} {:>8.1} {:>10.1} {:>10.1} {:>8.1} {:>9.0} {:>7.1} {:>6}  ({})",
                f.phones,
                f.visits,
                f.idle_mb,
                f.login_peak_mb,
                f.load_peak_mb,
                f.after_mb,
                f.visits_per_s,
                f.push_p50_ms,
                f.reads,
                f.settings
            );
        }
    }
    match peak {
        Some(mb) => {
            println!(
                "\npeak resident memory of odf-bench itself (in-process servers and phones): {mb:.0} MB"
            );
        }
        None => println!("\npeak resident memory: not available (no /proc/self/status)"),
    }
    println!("took {:.0} s", started.elapsed().as_secs_f64());
    if let Some(file) = &args.json {
        std::fs::write(file, serde_json::to_string_pretty(&report)?)?;
        println!("figures written to {}", file.display());
    }
    Ok(())
}

fn push(list: &mut Value, item: Value) {
    if let Value::Array(items) = list {
        items.push(item);
    }
}
