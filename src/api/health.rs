//! Liveness and readiness.
use aide::{axum::{routing::get_with, ApiRouter}, transform::TransformOperation};
use axum::{extract::State, http::StatusCode};
use schemars::JsonSchema;
use serde::Serialize;

use crate::{error::AppError, state::AppState};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/health", get_with(health, health_docs))
        .api_route("/api/ready", get_with(ready, ready_docs))
}

#[derive(Serialize, JsonSchema)]
pub struct Status {
    /// `ok`.
    pub status: &'static str,
}

async fn health() -> axum::Json<Status> {
    axum::Json(Status { status: "ok" })
}

fn health_docs(op: TransformOperation) -> TransformOperation {
    op.tag("operations").summary("Liveness: 200 while the process runs").response::<200, axum::Json<Status>>()
}

async fn ready(State(state): State<AppState>) -> Result<axum::Json<Status>, AppError> {
    state.db.ping().await?;
    Ok(axum::Json(Status { status: "ok" }))
}

fn ready_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("operations").summary("Readiness: 200 when the database answers, 503 otherwise");
    super::reply::with_problems(op.response::<200, axum::Json<Status>>(), &[StatusCode::SERVICE_UNAVAILABLE.as_u16()])
}
