//! Extractors. `Meta` collects what the audit trail records about a request;
//! `Authenticated` is a request whose bearer access token verified, or whose
//! API key resolved (401 otherwise). It opens no transaction: the handler begins its database scope
//! (`begin`; `begin_requiring`, `read` or `read_requiring` to send its first statement in the same round trip)
//! only after the body is read and validated and any hashing is done, so a
//! slow or invalid request never holds a pooled connection.
use std::net::SocketAddr;

use aide::{
    generate::GenContext,
    openapi::{Operation, SecurityRequirement},
    OperationInput,
};
use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{header, request::Parts, HeaderMap},
};
use tokio_postgres::{types::ToSql, Row};

use crate::{
    auth::{api_key, Identity, Permission},
    db::{RequestMeta, Scope},
    error::{AppError, AppResult},
    http::request_id::RequestId,
    state::AppState,
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
        .map(|s| s.chars().filter(|c| !c.is_control()).take(512).collect());
    RequestMeta { request_id, ip, user_agent }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim()).filter(|t| !t.is_empty())
}

/// A verified access token or API key, and what is needed to begin its
/// database scope.
#[derive(Clone)]
pub struct Authenticated {
    pub identity: Identity,
    pub meta: RequestMeta,
    /// Whether the request is made with an API key (`tnt_…`) rather than a
    /// person's access token.
    pub api_key: bool,
    state: AppState,
}

impl Authenticated {
    /// Begins the request's transaction with its context set: 401 unless the
    /// identity names a live session of an active member of its tenant.
    pub async fn begin(&self) -> AppResult<Scope> {
        self.state.db.authenticated(&self.meta, &self.identity).await
    }

    /// Like `begin`, with a first statement that needs `permission` (a
    /// write) sent in the same pipeline: 401 and 403 take precedence over
    /// the statement's own answer, and nothing it did is committed.
    pub async fn begin_requiring(
        &self,
        permission: Permission,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<(Scope, Vec<Row>)> {
        self.state.db.authenticated_query_requiring(&self.meta, &self.identity, permission, sql, params).await
    }

    /// Whether this session's last list of `permission` ran narrowed to
    /// owners (scope own or team): only a hint for the query's shape.
    pub fn narrowed_hint(&self, permission: &'static str) -> bool {
        self.state.scope_hints.narrowed(self.identity.session_id, permission)
    }

    pub fn remember_narrowed(&self, permission: &'static str, narrowed: bool) {
        self.state.scope_hints.remember(self.identity.session_id, permission, narrowed);
    }

    /// A read in one round trip (the transaction ends in the same pipeline):
    /// the caller's permissions and the rows; 401 for an invalid context.
    pub async fn read(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<(Vec<Permission>, Vec<Row>)> {
        self.state.db.authenticated_read(&self.meta, &self.identity, None, sql, params).await
    }

    /// Like `read`, 403 without `permission` (RLS shows nothing anyway).
    pub async fn read_requiring(
        &self,
        permission: Permission,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<Vec<Row>> {
        Ok(self.state.db.authenticated_read(&self.meta, &self.identity, Some(permission), sql, params).await?.1)
    }

    /// A read whose one statement validates the context itself (a SECURITY
    /// DEFINER entry point such as `app.me()`, which answers no row unless
    /// `app.authorize()` does): one round trip, no separate authorization;
    /// no row is 401.
    pub async fn read_self_validating(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Vec<Row>> {
        self.state.db.authenticated_read_self_validating(&self.meta, &self.identity, sql, params).await
    }

    /// Like `read_requiring` for a table whose read policy requires exactly
    /// `permission`: no app.authorize() unless the answer is empty.
    pub async fn read_via_policy(
        &self,
        permission: Permission,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<Vec<Row>> {
        self.state.db.authenticated_read_via_policy(&self.meta, &self.identity, permission, sql, params).await
    }

    /// 403 for an API key: the account-level operations (password, sessions,
    /// switching tenant, making keys) need the person. The database refuses
    /// them to a key too (`app.require_login_session()`).
    pub fn require_person(&self) -> AppResult<()> {
        if self.api_key {
            return Err(AppError::Forbidden("An API key cannot do this; sign in as the account instead.".into()));
        }
        Ok(())
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(&parts.headers).ok_or(AppError::Unauthorized("A bearer access token is required.".into()))?;
        let meta = request_meta(parts);
        if token.starts_with(api_key::SCHEME) {
            let identity = state
                .api_keys
                .identity(&state.db, &meta, token)
                .await?
                .ok_or(AppError::Unauthorized("The API key is invalid, expired or revoked.".into()))?;
            return Ok(Authenticated { identity, meta, api_key: true, state: state.clone() });
        }
        let identity = state
            .jwt
            .verify(token)
            .ok_or(AppError::Unauthorized("The access token is invalid or expired.".into()))?;
        Ok(Authenticated { identity, meta, api_key: false, state: state.clone() })
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
