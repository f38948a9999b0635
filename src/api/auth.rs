//! `/api/auth`: signup, login, me, refresh (rotation with reuse detection),
//! logout, switch-tenant, sessions and password change.
//!
//! The steps before a tenant is known run in an anonymous scope and reach the
//! database only through the SECURITY DEFINER functions of `sql/20_auth.sql`.
//! bcrypt never holds a database connection, and the server never sees a
//! stored hash: it asks for the salt, computes bcrypt, and the database
//! compares and opens the session in the same call.
//!
//! The endpoints that set the refresh cookie (signup, login, refresh,
//! switch-tenant) take `FirstParty` and JSON only (415 otherwise), so a
//! cross-site form cannot drive them (login CSRF).
use aide::{
    axum::{
        routing::{delete_with, get_with, post_with},
        ApiRouter,
    },
    generate::GenContext,
    openapi::Operation,
    transform::TransformOperation,
    OperationInput,
};
use axum::{
    body::Bytes,
    extract::{FromRequest, Request, State},
    http::{header, HeaderMap},
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    extract::{is_json, parse_json, Json, Path},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    auth::{password, permission, refresh, Authenticated, Identity, Meta, Permission},
    error::{AppError, AppResult},
    http::origin::FirstParty,
    state::AppState,
    validation::{Validator, NAME_MAX},
};

const INVALID_CREDENTIALS: &str = "Invalid email, password or tenant.";

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/auth/signup", post_with(signup, signup_docs))
        .api_route("/api/auth/login", post_with(login, login_docs))
        .api_route("/api/auth/me", get_with(me, me_docs))
        .api_route("/api/auth/refresh", post_with(refresh_tokens, refresh_docs))
        .api_route("/api/auth/logout", post_with(logout, logout_docs))
        .api_route("/api/auth/switch-tenant", post_with(switch_tenant, switch_docs))
        .api_route("/api/auth/sessions", get_with(sessions, sessions_docs))
        .api_route("/api/auth/sessions/{id}", delete_with(revoke_session, revoke_session_docs))
        .api_route("/api/auth/password", post_with(change_password, password_docs))
        .api_route("/api/auth/password-reset", post_with(request_password_reset, request_password_reset_docs))
        .api_route("/api/auth/verify-email", post_with(verify_email, verify_email_docs))
        .api_route("/api/auth/password-reset/confirm", post_with(confirm_password_reset, confirm_password_reset_docs))
}

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenPair {
    /// Signed JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Opaque refresh token (also set as the `tenet_refresh` HttpOnly cookie).
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct UserSummary {
    pub id: Uuid,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TenantSummary {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SignupRequest {
    /// Name of the new workspace (at most 320 characters).
    #[schemars(length(min = 1, max = 320))]
    pub tenant_name: String,
    #[schemars(length(min = 1, max = 320), email)]
    pub email: String,
    /// 8 to 1024 characters, not a common password.
    #[schemars(length(min = 8, max = 1024))]
    pub password: String,
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SignupResponse {
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub user: UserSummary,
    pub tenant: TenantSummary,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct LoginRequest {
    #[schemars(length(min = 1, max = 320))]
    pub email: String,
    #[schemars(length(min = 1, max = 1024))]
    pub password: String,
    /// Tenant slug; omitted: the tenant the user used most recently.
    #[schemars(length(max = 63))]
    pub tenant: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RefreshRequest {
    /// Omit (or send an empty body) to use the `tenet_refresh` cookie; the
    /// cookie also needs an `X-Requested-With` header.
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SwitchTenantRequest {
    /// Slug of a tenant the caller belongs to.
    #[schemars(length(min = 1, max = 63))]
    pub tenant: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PasswordChangeRequest {
    #[schemars(length(min = 1, max = 1024))]
    pub current_password: String,
    #[schemars(length(min = 8, max = 1024))]
    pub new_password: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Membership {
    pub tenant: TenantSummary,
    pub roles: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Me {
    pub user: UserSummary,
    pub tenant: TenantSummary,
    /// Role names in the current tenant.
    pub roles: Vec<String>,
    /// Effective permission keys in the current tenant.
    pub permissions: Vec<Permission>,
    /// Every tenant the user belongs to.
    pub memberships: Vec<Membership>,
    /// Whether the account confirmed its email; until then it may use only
    /// the tenant it was created in.
    pub email_verified: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionItem {
    pub id: Uuid,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    pub expires_at: Timestamp,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Whether this is the session of the access token making the request.
    pub current: bool,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct SessionList {
    pub items: Vec<SessionItem>,
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
/// A token pair for a session, and the browser-mode cookie carrying its refresh token.
pub(crate) fn issue(state: &AppState, identity: Identity, refresh_token: String) -> AppResult<(TokenPair, String)> {
    let access_token = state.jwt.issue(&identity).map_err(|e| AppError::Internal(format!("signing failed: {e}")))?;
    let cookie = refresh::cookie(&refresh_token, state.config.session_ttl.as_secs());
    Ok((TokenPair { access_token, refresh_token, token_type: "Bearer", expires_in: state.jwt.ttl.as_secs() }, cookie))
}

/// 200 with a token pair and its cookie (login, refresh, switch-tenant).
pub(crate) fn token_reply(state: &AppState, identity: Identity, refresh_token: String) -> AppResult<Reply<TokenPair>> {
    let (tokens, cookie) = issue(state, identity, refresh_token)?;
    Ok(Reply::ok(tokens).with_cookie(cookie))
}

/// What a new session needs: its id (chosen here, so its secret can be
/// derived from it), the hashes of its secret and first refresh token.
pub(crate) struct NewSession {
    pub(crate) id: Uuid,
    pub(crate) secret_hash: Vec<u8>,
    pub(crate) refresh_token: String,
    pub(crate) refresh_hash: Vec<u8>,
    pub(crate) lifetime_secs: f64,
}

impl NewSession {
    pub(crate) fn new(state: &AppState) -> Self {
        let id = Uuid::now_v7();
        let refresh_token = refresh::generate();
        Self {
            id,
            secret_hash: refresh::hash(&state.jwt.session_secret(id)),
            refresh_hash: refresh::hash(&refresh_token),
            refresh_token,
            lifetime_secs: state.config.session_ttl.as_secs_f64(),
        }
    }
}

pub(crate) fn rate_limit(state: &AppState, meta: &crate::db::RequestMeta) -> AppResult<()> {
    state.limiter.check(meta.ip).map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs })
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------
// Signup
// ---------------------------------------------------------------------------
async fn signup(
    State(state): State<AppState>,
    _: FirstParty,
    Meta(meta): Meta,
    Json(req): Json<SignupRequest>,
) -> AppResult<Reply<SignupResponse>> {
    if !state.config.signup_enabled {
        return Err(AppError::Forbidden("Sign-up is disabled on this server.".into()));
    }
    rate_limit(&state, &meta)?;
    let mut v = Validator::new();
    let tenant_name = v.required("tenant_name", &req.tenant_name, NAME_MAX);
    let email = v.email("email", &req.email);
    let name = v.required("name", &req.name, NAME_MAX);
    v.add(password::validate_new("password", &req.password));
    v.finish()?;

    let password_hash = password::hash(req.password, state.config.bcrypt_cost).await?;
    let session = NewSession::new(&state);

    let scope = state.db.anonymous(&meta).await?;
    let created = scope
        .query_one(
            "SELECT tenant_id, tenant_name, tenant_slug, user_id, user_email, user_name
               FROM app.signup($1, $2, $3, $4, $5, $6, $7, make_interval(secs => $8), $9)",
            &[
                &tenant_name,
                &email,
                &name,
                &password_hash,
                &session.id,
                &session.secret_hash,
                &session.refresh_hash,
                &session.lifetime_secs,
                &refresh::generate(),
            ],
        )
        .await?;
    scope.commit().await?;

    let (tenant_id, user_id): (Uuid, Uuid) = (created.get("tenant_id"), created.get("user_id"));
    let identity = state.jwt.identity(user_id, tenant_id, session.id);
    let (tokens, cookie) = issue(&state, identity, session.refresh_token)?;
    let body = SignupResponse {
        tokens,
        user: UserSummary { id: user_id, email: created.get("user_email"), name: created.get("user_name") },
        tenant: TenantSummary { id: tenant_id, name: created.get("tenant_name"), slug: created.get("tenant_slug") },
    };
    Ok(Reply::created("/api/tenant".into(), body).with_cookie(cookie))
}

fn signup_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Create a tenant and its owner, and sign in");
    respond::<SignupResponse>(op, 201, "Signed up; tokens for the new tenant", &[400, 403, 409, 413, 415, 422, 429])
}

// ---------------------------------------------------------------------------
// Login
// ---------------------------------------------------------------------------
async fn login(
    State(state): State<AppState>,
    _: FirstParty,
    Meta(meta): Meta,
    Json(req): Json<LoginRequest>,
) -> AppResult<Reply<TokenPair>> {
    rate_limit(&state, &meta)?;
    let email = req.email.trim().to_string();
    let mut v = Validator::new();
    if email.is_empty() {
        v.push("email", "is required");
    } else if email.chars().count() > NAME_MAX {
        v.push("email", &format!("must be at most {NAME_MAX} characters"));
    }
    if req.password.is_empty() {
        v.push("password", "is required");
    } else if req.password.chars().count() > password::MAX_LEN {
        v.push("password", &format!("must be at most {} characters", password::MAX_LEN));
    }
    let tenant = req.tenant.map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    if tenant.as_ref().is_some_and(|t| t.chars().count() > 63) {
        v.push("tenant", "must be at most 63 characters");
    }
    v.finish()?;

    // 1. A pending attempt (the throttle counts it) and the salt to hash with.
    let cost = i32::try_from(state.config.bcrypt_cost).unwrap_or(12);
    let begun = one_row(
        state
            .db
            .anonymous_once(&meta, "SELECT attempt_id, password_salt, retry_after FROM app.begin_login($1, $2, $3)", &[&email, &tenant, &cost])
            .await?,
    )?;
    if let Some(retry) = begun.get::<_, Option<i32>>("retry_after") {
        return Err(AppError::TooManyRequests { retry_after_secs: u64::try_from(retry).unwrap_or(1) });
    }
    let attempt: i64 = begun.get("attempt_id");
    let salt: String = begun.get("password_salt");

    // 2. bcrypt, off the executor and without a database connection; an
    //    unknown email pays for the same work with its fake salt.
    let computed = password::hash_with_salt(req.password, salt).await?;

    // 3. The database compares, then opens the session or records the failure.
    let session = NewSession::new(&state);
    let row = one_row(
        state
            .db
            .anonymous_once(
                &meta,
                "SELECT status, user_id, tenant_id FROM app.finish_login($1, $2, $3, $4, $5, make_interval(secs => $6))",
                &[&attempt, &computed, &session.id, &session.secret_hash, &session.refresh_hash, &session.lifetime_secs],
            )
            .await?,
    )?;
    if row.get::<_, &str>("status") != "ok" {
        return Err(AppError::Unauthorized(INVALID_CREDENTIALS.into()));
    }
    let identity = state.jwt.identity(row.get("user_id"), row.get("tenant_id"), session.id);
    token_reply(&state, identity, session.refresh_token)
}

/// The one row a set-returning entry point of schema `app` answers.
fn one_row(rows: Vec<tokio_postgres::Row>) -> AppResult<tokio_postgres::Row> {
    rows.into_iter().next().ok_or(AppError::Internal("an app function answered no row".into()))
}

fn login_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Sign in with email and password");
    respond::<TokenPair>(op, 200, "Signed in", &[400, 401, 403, 413, 415, 422, 429])
}

// ---------------------------------------------------------------------------
// Me
// ---------------------------------------------------------------------------
/// One call, sent in the pipeline that opens the scope (one round trip for
/// BEGIN, context, the call and ROLLBACK): `app.me()` validates the context
/// once and answers no row unless it is valid (401).
const ME: &str = "SELECT user_id, email, name, email_verified, tenant_id, tenant_name, tenant_slug, permissions, memberships
   FROM app.me()";

#[derive(Deserialize)]
struct MembershipRow {
    id: Uuid,
    name: String,
    slug: String,
    roles: Vec<String>,
}

async fn me(auth: Authenticated) -> AppResult<axum::Json<Me>> {
    let rows = auth.read_self_validating(ME, &[]).await?;
    let row = rows.first().ok_or(AppError::Unauthorized("The session is not valid.".into()))?;
    let memberships: Vec<MembershipRow> = serde_json::from_value(row.get(8))
        .map_err(|e| AppError::Internal(format!("memberships of me: {e}")))?;
    let tenant = TenantSummary { id: row.get(4), name: row.get(5), slug: row.get(6) };
    // The roles here are those of the current tenant's membership.
    let roles = memberships.iter().find(|m| m.id == tenant.id).map(|m| m.roles.clone()).unwrap_or_default();
    let me = Me {
        user: UserSummary { id: row.get(0), email: row.get(1), name: row.get(2) },
        email_verified: row.get(3),
        tenant,
        roles,
        permissions: permission::from_keys(row.get(7)),
        memberships: memberships
            .into_iter()
            .map(|m| Membership { tenant: TenantSummary { id: m.id, name: m.name, slug: m.slug }, roles: m.roles })
            .collect(),
    };
    Ok(axum::Json(me))
}

fn me_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("The current user, tenant, roles, permissions and memberships");
    respond::<Me>(op, 200, "The caller", &[401])
}

// ---------------------------------------------------------------------------
// Refresh
// ---------------------------------------------------------------------------

/// The refresh body is optional: empty means "use the cookie".
pub struct RefreshBody(Option<RefreshRequest>);

impl<S: Send + Sync> FromRequest<S> for RefreshBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(req.headers());
        let bytes = Bytes::from_request(req, state).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(None));
        }
        // A body a cross-site form could send (text/plain, urlencoded) is refused.
        if !json {
            return Err(AppError::UnsupportedMediaType);
        }
        parse_json(&bytes).map(|r| Self(Some(r)))
    }
}

impl OperationInput for RefreshBody {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        axum::Json::<RefreshRequest>::operation_input(ctx, operation);
        if let Some(aide::openapi::ReferenceOr::Item(body)) = operation.request_body.as_mut() {
            body.required = false;
        }
    }
}

async fn refresh_tokens(
    State(state): State<AppState>,
    _: FirstParty,
    Meta(meta): Meta,
    headers: HeaderMap,
    RefreshBody(body): RefreshBody,
) -> AppResult<Reply<TokenPair>> {
    rate_limit(&state, &meta)?;
    let presented = match body.and_then(|b| b.refresh_token).filter(|t| !t.is_empty()) {
        Some(token) => token,
        None => {
            let token = cookie_value(&headers, refresh::COOKIE_NAME)
                .ok_or(AppError::Unauthorized("A refresh token is required.".into()))?;
            if !headers.contains_key("x-requested-with") {
                return Err(AppError::Forbidden("A cookie refresh needs the X-Requested-With header.".into()));
            }
            token
        }
    };
    if presented.len() > 200 {
        return Err(AppError::Unauthorized("The refresh token is invalid or expired.".into()));
    }

    let next = refresh::generate();
    // One round trip, committed in every case: a detected reuse must stay revoked.
    let row = one_row(
        state
            .db
            .anonymous_once(
                &meta,
                "SELECT status, session_id, user_id, tenant_id, secret_hash FROM app.rotate_refresh_token($1, $2)",
                &[&refresh::hash(&presented), &refresh::hash(&next)],
            )
            .await?,
    )?;

    match row.get::<_, &str>("status") {
        "ok" => {
            let identity = state.jwt.identity(row.get("user_id"), row.get("tenant_id"), row.get("session_id"));
            let secret_hash = refresh::hash(&identity.session_secret);
            if row.get::<_, Option<&[u8]>>("secret_hash") != Some(secret_hash.as_slice()) {
                // The session's secret derives from an earlier JWT key: the
                // holder of its new refresh token moves it to the current one
                // (one more round trip, once per session after a rotation).
                let sql = "SELECT app.rekey_session_secret($1, $2)";
                state.db.anonymous_once(&meta, sql, &[&refresh::hash(&next), &secret_hash]).await?;
            }
            token_reply(&state, identity, next)
        }
        "reused" => {
            tracing::warn!(session_id = %row.get::<_, Uuid>("session_id"), "refresh token reuse: session revoked");
            Err(AppError::Unauthorized("The refresh token was already used; the session has been revoked.".into()))
        }
        _ => Err(AppError::Unauthorized("The refresh token is invalid or expired.".into())),
    }
}

fn refresh_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Rotate the refresh token and get a new access token").description(
        "Presenting a refresh token that was already rotated out revokes the whole session (401). \
         With an empty body the `tenet_refresh` cookie is used, which also needs an `X-Requested-With` header. \
         A non-empty body must be `application/json` (415), and a browser `Origin` must be this server's or a \
         configured one (403).",
    );
    respond::<TokenPair>(op, 200, "New tokens", &[400, 401, 403, 413, 415, 422, 429])
}

// ---------------------------------------------------------------------------
// Logout, sessions
// ---------------------------------------------------------------------------
async fn logout(auth: Authenticated) -> AppResult<NoContent> {
    auth.require_person()?;
    let scope = auth.begin().await?;
    scope.execute("SELECT app.revoke_own_session($1, 'logout')", &[&auth.identity.session_id]).await?;
    scope.commit().await?;
    Ok(NoContent::with_cookie(refresh::clear_cookie()))
}

fn logout_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Sign out: revoke this session, its refresh token and its access tokens");
    with_problems(op.response::<204, NoContent>(), &[401, 403])
}

async fn sessions(auth: Authenticated) -> AppResult<axum::Json<SessionList>> {
    auth.require_person()?;
    let scope = auth.begin().await?;
    let identity = &auth.identity;
    let rows = scope
        .query(
            "SELECT id, created_at, last_used_at, expires_at, host(ip), user_agent
               FROM sessions
              WHERE kind = 'login' AND revoked_at IS NULL AND expires_at > now()
              ORDER BY created_at DESC, id DESC",
            &[],
        )
        .await?;
    scope.release();
    let items = rows
        .iter()
        .map(|r| SessionItem {
            id: r.get(0),
            created_at: r.get(1),
            last_used_at: r.get(2),
            expires_at: r.get(3),
            ip: r.get(4),
            user_agent: r.get(5),
            current: r.get::<_, Uuid>(0) == identity.session_id,
        })
        .collect();
    Ok(axum::Json(SessionList { items }))
}

fn sessions_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("The caller's live sessions");
    respond::<SessionList>(op, 200, "Live sessions, newest first", &[401, 403])
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SessionId {
    pub id: Uuid,
}

async fn revoke_session(auth: Authenticated, Path(SessionId { id }): Path<SessionId>) -> AppResult<NoContent> {
    auth.require_person()?;
    let scope = auth.begin().await?;
    let row = scope.query_one("SELECT app.revoke_own_session($1, 'revoked')", &[&id]).await?;
    if !row.get::<_, bool>(0) {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn revoke_session_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Revoke one of the caller's sessions");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

// ---------------------------------------------------------------------------
// Switch tenant, password
// ---------------------------------------------------------------------------
async fn switch_tenant(
    State(state): State<AppState>,
    _: FirstParty,
    auth: Authenticated,
    Json(req): Json<SwitchTenantRequest>,
) -> AppResult<Reply<TokenPair>> {
    auth.require_person()?;
    let mut v = Validator::new();
    let slug = v.required("tenant", &req.tenant, 63).to_lowercase();
    v.finish()?;
    // The session ends and a new one opens in the other tenant: a session
    // never changes tenant (docs/scaling.md).
    let session = NewSession::new(&state);
    let scope = auth.begin().await?;
    let row = scope
        .query_one(
            "SELECT tenant_id FROM app.switch_tenant($1, $2, $3, $4)",
            &[&slug, &session.id, &session.secret_hash, &session.refresh_hash],
        )
        .await?;
    scope.commit().await?;
    let identity = Identity {
        tenant_id: row.get(0),
        session_id: session.id,
        session_secret: state.jwt.session_secret(session.id),
        ..auth.identity
    };
    token_reply(&state, identity, session.refresh_token)
}

fn switch_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Switch to another tenant the caller belongs to: this session ends, a new one opens there");
    respond::<TokenPair>(op, 200, "Tokens for the other tenant", &[400, 401, 403, 404, 413, 415, 422])
}

/// Like a login: the database answers the salt, the server hashes the
/// current password off any connection, the database compares. Wrong guesses
/// count in the account's login throttle (429 after ten) and are audited.
async fn change_password(State(state): State<AppState>, auth: Authenticated, Json(req): Json<PasswordChangeRequest>) -> AppResult<NoContent> {
    auth.require_person()?;
    let mut v = Validator::new();
    if req.current_password.is_empty() {
        v.push("current_password", "is required");
    } else if req.current_password.chars().count() > password::MAX_LEN {
        v.push("current_password", &format!("must be at most {} characters", password::MAX_LEN));
    }
    v.add(password::validate_new("new_password", &req.new_password));
    v.finish()?;

    let scope = auth.begin().await?;
    let row = scope.query_one("SELECT password_salt, retry_after FROM app.password_salt()", &[]).await?;
    scope.release();
    throttled(row.get("retry_after"))?;
    let salt: String = row.get::<_, Option<String>>("password_salt").ok_or(AppError::Unauthorized("The session is not valid.".into()))?;

    let (current, new_hash) = tokio::try_join!(
        password::hash_with_salt(req.current_password, salt),
        password::hash(req.new_password, state.config.bcrypt_cost),
    )?;

    let scope = auth.begin().await?;
    let row = scope.query_one("SELECT status, retry_after FROM app.change_password($1, $2)", &[&current, &new_hash]).await?;
    // Commit in every case: a failed guess must stay counted and audited.
    scope.commit().await?;
    match row.get::<_, &str>("status") {
        "ok" => Ok(NoContent::new()),
        "throttled" => throttled(row.get("retry_after")).map(|()| NoContent::new()),
        _ => Err(AppError::validation("current_password", "is incorrect")),
    }
}

fn throttled(retry_after: Option<i32>) -> AppResult<()> {
    match retry_after {
        Some(secs) => Err(AppError::TooManyRequests { retry_after_secs: u64::try_from(secs).unwrap_or(1) }),
        None => Ok(()),
    }
}

fn password_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Change the password; every other session of the user is revoked").description(
        "Wrong current passwords count in the account's login throttle: after ten in 15 minutes, 429 with Retry-After.",
    );
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 413, 415, 422, 429])
}

// ---------------------------------------------------------------------------
// Password reset
// ---------------------------------------------------------------------------
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PasswordResetRequest {
    #[schemars(length(min = 1, max = 320))]
    pub email: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Accepted {
    /// Always `accepted`: the answer says nothing about whether the email has an account.
    pub status: &'static str,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PasswordResetConfirm {
    /// The `token` of the mailed link.
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
    #[schemars(length(min = 8, max = 1024))]
    pub new_password: String,
}

/// Every answer of a reset request takes at least this long, so that an
/// account's extra database work does not show in the timing.
const RESET_ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(200);

async fn request_password_reset(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Json(req): Json<PasswordResetRequest>,
) -> AppResult<Reply<Accepted>> {
    let started = tokio::time::Instant::now();
    rate_limit(&state, &meta)?;
    let mut v = Validator::new();
    let email = v.email("email", &req.email);
    v.finish()?;
    let token = refresh::generate();
    let scope = state.db.anonymous(&meta).await?;
    scope.execute("SELECT app.request_password_reset($1, $2)", &[&email, &token]).await?;
    scope.commit().await?;
    tokio::time::sleep_until(started + RESET_ANSWER_FLOOR).await;
    Ok(Reply::accepted(Accepted { status: "accepted" }))
}

fn request_password_reset_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Mail a password-reset link (always 202)").description(
        "Answers 202 with the same body, and in the same time, whether or not the email has an account; only an \
         account gets a mail, whose link carries a single-use token valid for one hour.",
    );
    respond::<Accepted>(op, 202, "Accepted", &[400, 413, 415, 422, 429])
}

async fn confirm_password_reset(
    State(state): State<AppState>,
    Meta(meta): Meta,
    Json(req): Json<PasswordResetConfirm>,
) -> AppResult<NoContent> {
    rate_limit(&state, &meta)?;
    let mut v = Validator::new();
    if req.token.trim().is_empty() || req.token.len() > 200 {
        v.push("token", "is invalid or expired");
    }
    v.add(password::validate_new("new_password", &req.new_password));
    v.finish()?;
    let new_hash = password::hash(req.new_password, state.config.bcrypt_cost).await?;
    let scope = state.db.anonymous(&meta).await?;
    let done: bool =
        scope.query_one("SELECT app.confirm_password_reset($1, $2)", &[&refresh::hash(req.token.trim()), &new_hash]).await?.get(0);
    if !done {
        return Err(AppError::validation("token", "is invalid or expired"));
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn confirm_password_reset_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Set a new password with a mailed reset token").description(
        "Every session of the account ends. The token works once, for one hour; a used, expired or unknown token is 422.",
    );
    with_problems(op.response::<204, NoContent>(), &[400, 413, 415, 422, 429])
}

// ---------------------------------------------------------------------------
// Email verification
// ---------------------------------------------------------------------------
#[derive(Debug, Deserialize, JsonSchema)]
pub struct VerifyEmailRequest {
    /// The `token` of the mailed link.
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
}

async fn verify_email(State(state): State<AppState>, Meta(meta): Meta, Json(req): Json<VerifyEmailRequest>) -> AppResult<NoContent> {
    rate_limit(&state, &meta)?;
    if req.token.trim().is_empty() || req.token.len() > 200 {
        return Err(AppError::validation("token", "is invalid or expired"));
    }
    let scope = state.db.anonymous(&meta).await?;
    let done: bool = scope.query_one("SELECT app.verify_email($1)", &[&refresh::hash(req.token.trim())]).await?.get(0);
    if !done {
        return Err(AppError::validation("token", "is invalid or expired"));
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn verify_email_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("auth").summary("Verify the account's email with the mailed token").description(
        "Sign-up (and POST /api/users for a new account) mails the token. Until then the account may use only the \
         tenant it was created in.",
    );
    with_problems(op.response::<204, NoContent>(), &[400, 413, 415, 422, 429])
}
