//! Extractors. `Meta` collects what the audit trail records about a request;
//! `Authenticated` verifies the bearer token and opens the request's database
//! scope with its context set, answering 401 when the token or its session is
//! not valid. Handlers never see a request that skipped either step.
use std::net::SocketAddr;

use aide::{
    generate::GenContext,
    openapi::{Operation, SecurityRequirement},
    OperationInput,
};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts},
};

use crate::{
    db::{Identity, RequestMeta, Scope},
    error::AppError,
    startup::{AppState, RequestId},
};

/// Request facts for the audit trail: request id, client address, user agent.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Meta(request_meta(parts)))
    }
}

impl OperationInput for Meta {}

pub fn request_meta(parts: &Parts) -> RequestMeta {
    let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.chars().take(512).collect());
    RequestMeta { request_id, ip, user_agent }
}

/// An authenticated request: its identity and an open database scope whose
/// context names it. Commit the scope to keep what the handler wrote.
pub struct Authenticated {
    pub identity: Identity,
    pub scope: Scope,
    pub meta: RequestMeta,
}

pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Identified { identity, meta, pool } = Identified::from_request_parts(parts, state).await?;
        let scope = Scope::authenticated(&pool, &meta, identity).await?;
        Ok(Authenticated { identity, scope, meta })
    }
}

/// A verified access token whose database scope is not opened yet, so the
/// handler can send its first query in the same pipeline as the context
/// (`Scope::authenticated_query`). Used by the hot list endpoints.
pub struct Identified {
    pub identity: Identity,
    pub meta: RequestMeta,
    pub pool: deadpool_postgres::Pool,
}

impl Identified {
    /// Opens the scope with `sql` as its first query: one round trip.
    pub async fn scope_with(
        &self,
        sql: &str,
        params: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<(Scope, Vec<tokio_postgres::Row>), AppError> {
        Scope::authenticated_query(&self.pool, &self.meta, self.identity, sql, params).await
    }
}

impl FromRequestParts<AppState> for Identified {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts).ok_or(AppError::Unauthorized("A bearer access token is required.".into()))?;
        let identity = state
            .jwt
            .verify(token)
            .ok_or(AppError::Unauthorized("The access token is invalid or expired.".into()))?;
        Ok(Identified { identity, meta: request_meta(parts), pool: state.pool.clone() })
    }
}

impl OperationInput for Identified {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        Authenticated::operation_input(ctx, operation);
    }
}

impl OperationInput for Authenticated {
    fn operation_input(_ctx: &mut GenContext, operation: &mut Operation) {
        let requirement: SecurityRequirement = [("bearer".to_string(), Vec::new())].into_iter().collect();
        if !operation.security.contains(&requirement) {
            operation.security.push(requirement);
        }
    }
}
