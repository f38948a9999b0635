//! Request id in, request id out, and one structured log line per request.
//! The whole request runs inside a tracing span that carries the id, so every
//! log line a request causes (including the one for a 500) names it.
use std::time::Instant;

use axum::{
    body::Body,
    extract::{MatchedPath, Request},
    http::HeaderValue,
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

/// The request id of a request: a valid incoming `x-request-id`, or a new one.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

fn valid_request_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_string())
}

pub async fn observe(mut req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(valid_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let matched = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let route = matched.clone().unwrap_or_else(|| req.uri().path().chars().take(200).collect());
    let span = tracing::info_span!("request", request_id = %id, %method, %route);

    let mut response = next.run(req).instrument(span.clone()).await;

    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    super::metrics::record_request(method.as_str(), matched.as_deref(), status, seconds);
    let latency_ms = seconds * 1000.0;
    let _entered = span.enter();
    if status >= 500 {
        tracing::warn!(status, latency_ms, "request");
    } else {
        tracing::info!(status, latency_ms, "request");
    }
    response
}
