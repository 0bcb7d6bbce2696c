//! Prometheus metrics at `/metrics`: requests and their latency by route and status, records
//! ingested by outcome, and rejections by code. One registry per server instance (not a global), so
//! tests can run many servers in one process.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder};

use crate::app::AppState;

#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    records: IntCounterVec,
    rejects: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new_custom(Some("odf".to_owned()), None).unwrap_or_default();
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route and status"),
            &["method", "route", "status"],
        );
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route"),
            &["method", "route"],
        );
        let records = IntCounterVec::new(
            Opts::new("sync_records_total", "Pushed records by kind and outcome"),
            &["kind", "status"],
        );
        let rejects =
            IntCounterVec::new(Opts::new("sync_rejects_total", "Rejected pushed records by code"), &["code"]);
        // The names and labels above are constants, so creation cannot fail; if registration ever
        // did, the metric would still count, just not be exported.
        let (Ok(requests), Ok(latency), Ok(records), Ok(rejects)) = (requests, latency, records, rejects)
        else {
            unreachable!("metric definitions are constant and valid")
        };
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(records.clone()),
            Box::new(rejects.clone()),
        ] {
            if let Err(err) = registry.register(collector) {
                tracing::warn!(%err, "metric not registered");
            }
        }
        Metrics { registry, requests, latency, records, rejects }
    }

    /// Counts `count` pushed records of `kind` answered `status`.
    pub fn record(&self, kind: &str, status: &str, count: u64) {
        self.records.with_label_values(&[kind, status]).inc_by(count);
    }

    /// Counts `count` pushed records refused with `code`.
    pub fn reject(&self, code: &str, count: u64) {
        self.rejects.with_label_values(&[code]).inc_by(count);
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(err) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::warn!(%err, "metrics encoding failed");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

/// Middleware: counts every request and times it, labelled by the matched route (not the raw path,
/// which would make one series per household id).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let metrics = state.metrics();
    metrics.latency.with_label_values(&[&method, &route]).observe(started.elapsed().as_secs_f64());
    metrics.requests.with_label_values(&[&method, &route, response.status().as_str()]).inc();
    response
}
