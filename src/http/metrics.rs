//! `GET /api/metrics`: Prometheus text format, for an operator's scraper.
//! Off (404) unless `METRICS_TOKEN` is set; then only with
//! `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise), since route
//! names, volumes and errors say something about the service.
//!
//! - `tenet_http_requests_total{method, route, status}` and
//!   `tenet_http_request_duration_seconds{method, route}` (histogram), by the
//!   matched route template (`/api/contacts/{id}`), never the raw path, so
//!   the label set stays bounded (an unknown `/api/...` path counts under
//!   `/api/{*rest}`, any other unrouted path as `unmatched`).
//! - `tenet_db_errors_total{class}`: errors from PostgreSQL by SQLSTATE class
//!   (`23` integrity, `40` transaction rollback, `57` operator intervention,
//!   ...), `connection` when the database could not be reached.
//! - `tenet_db_pool_connections{state}` (`max`, `open`, `idle`) and
//!   `tenet_db_pool_waiting`, read from the pool when scraped.
//! - `tenet_outbox_due{outbox}` (`webhooks`, `emails`): deliveries and mails
//!   due and not yet sent, read from the database when scraped (absent when
//!   it cannot be reached; the pool and error metrics say why).
use std::sync::LazyLock;

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::{error::AppError, state::AppState};

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    db_errors: IntCounterVec,
    pool: IntGaugeVec,
    pool_waiting: IntGauge,
    outbox_due: IntGaugeVec,
}

/// Built once. The definitions are constants, so building cannot fail in
/// practice; if it did, the server would run without metrics (logged) rather
/// than stop.
static METRICS: LazyLock<Option<Metrics>> = LazyLock::new(|| match Metrics::build() {
    Ok(m) => Some(m),
    Err(e) => {
        tracing::error!(error = %e, "the metrics could not be set up");
        None
    }
});

impl Metrics {
    fn build() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("tenet_http_requests_total", "HTTP requests answered, by method, route template and status."),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("tenet_http_request_duration_seconds", "Time to answer a request, by method and route template.")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["method", "route"],
        )?;
        let db_errors = IntCounterVec::new(
            Opts::new("tenet_db_errors_total", "Errors from PostgreSQL by SQLSTATE class; `connection` when it could not be reached."),
            &["class"],
        )?;
        let pool = IntGaugeVec::new(Opts::new("tenet_db_pool_connections", "Database pool connections: max, open, idle."), &["state"])?;
        let pool_waiting = IntGauge::new("tenet_db_pool_waiting", "Requests waiting for a pooled connection.")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(db_errors.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        let outbox_due = IntGaugeVec::new(Opts::new("tenet_outbox_due", "Outbox entries due and not yet sent: webhooks, emails."), &["outbox"])?;
        registry.register(Box::new(pool_waiting.clone()))?;
        registry.register(Box::new(outbox_due.clone()))?;
        Ok(Self { registry, requests, latency, db_errors, pool, pool_waiting, outbox_due })
    }
}

/// Counts one answered request (called by the request log, `observe`).
pub fn record_request(method: &str, route: Option<&str>, status: u16, seconds: f64) {
    let method = match method {
        "GET" | "POST" | "PATCH" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" => method,
        _ => "other",
    };
    let route = route.unwrap_or("unmatched");
    let Some(m) = METRICS.as_ref() else { return };
    m.requests.with_label_values(&[method, route, &status.to_string()]).inc();
    m.latency.with_label_values(&[method, route]).observe(seconds);
}

/// Counts one error from the database: its SQLSTATE class, or `connection`.
pub fn record_db_error(sqlstate: Option<&str>) {
    let class = sqlstate.and_then(|code| code.get(..2)).unwrap_or("connection");
    if let Some(m) = METRICS.as_ref() {
        m.db_errors.with_label_values(&[class]).inc();
    }
}

pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else {
        return AppError::NotFound.into_response();
    };
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    // Compared as digests: the time taken says nothing about the token.
    let matches = given.is_some_and(|g| Sha256::digest(g.as_bytes()) == Sha256::digest(token.expose_secret().as_bytes()));
    if !matches {
        return AppError::Unauthorized("The metrics need the bearer token the server was configured with.".into()).into_response();
    }
    let Some(m) = METRICS.as_ref() else {
        return AppError::Internal("the metrics could not be set up".into()).into_response();
    };
    let status = state.db.pool.status();
    m.pool.with_label_values(&["max"]).set(status.max_size as i64);
    m.pool.with_label_values(&["open"]).set(status.size as i64);
    m.pool.with_label_values(&["idle"]).set(status.available as i64);
    m.pool_waiting.set(status.waiting as i64);
    m.outbox_due.reset();
    if let Ok(rows) = outbox_backlog(&state).await {
        for row in rows {
            m.outbox_due.with_label_values(&[row.get::<_, &str>(0)]).set(row.get(1));
        }
    }
    let mut body = Vec::new();
    if let Err(e) = TextEncoder::new().encode(&m.registry.gather(), &mut body) {
        return AppError::Internal(format!("encoding the metrics: {e}")).into_response();
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)], body).into_response()
}

/// The outboxes' due entries (`app.outbox_backlog()`), one round trip.
async fn outbox_backlog(state: &AppState) -> Result<Vec<tokio_postgres::Row>, AppError> {
    let meta = crate::db::RequestMeta { request_id: "metrics".into(), ..Default::default() };
    state.db.anonymous_once(&meta, "SELECT outbox, due FROM app.outbox_backlog()", &[]).await
}
