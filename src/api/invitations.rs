//! `/api/invitations` (contract v1.1): how an account joins a tenant. An
//! admin (`users:manage`) invites an email with roles; the answer is the
//! same whether the email has an account or not, and never shows whose it
//! is. The invitee accepts with the mailed token, setting the account's
//! password (which ends every other session of the account: whoever
//! registered the address before its real owner loses it). The rules live
//! in `sql/35_invitations.sql`.
use aide::{
    axum::{
        routing::{delete_with, get_with, post_with},
        ApiRouter,
    },
    transform::TransformOperation,
};
use axum::extract::State;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    auth::{rate_limit, token_reply, NewSession, TokenPair},
    extract::{Json, Path, Query},
    pagination::{Page, Paged},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    auth::{extract::bearer_token, password, refresh, Authenticated, Meta, Permission},
    db::Scope,
    error::{AppError, AppResult},
    http::origin::FirstParty,
    state::AppState,
    validation::{Validator, NAME_MAX},
};


pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/invitations", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/invitations/lookup", get_with(lookup, lookup_docs))
        .api_route("/api/invitations/accept", post_with(accept, accept_docs))
        .api_route("/api/invitations/{id}", delete_with(revoke, revoke_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    /// Role names the invitee gets on acceptance.
    pub roles: Vec<String>,
    pub expires_at: Timestamp,
    pub created_at: Timestamp,
    /// The member who invited (NULL once their account is gone).
    pub invited_by: Option<Uuid>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Invited {
    pub invitation: Invitation,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct InvitationCreate {
    #[schemars(length(min = 1, max = 320), email)]
    pub email: String,
    /// Role names in this tenant.
    #[schemars(length(max = 20))]
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct InvitationId {
    pub id: Uuid,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct InvitationFilter {
    /// Page size, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TokenQuery {
    /// The `token` of the mailed link.
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TenantName {
    pub name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct InvitationLookup {
    pub tenant: TenantName,
    pub email: String,
    pub account_exists: bool,
    /// Whether accepting sets a password (a new or unverified account); a verified account signs in instead.
    pub needs_password: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct InvitationAccept {
    #[schemars(length(min = 1, max = 200))]
    pub token: String,
    /// Required when the email has no account yet.
    #[schemars(length(max = 320))]
    pub name: Option<String>,
    /// A new or unverified account: its password from now on (8 to 1024 characters, not a common one).
    /// A verified account: its current password (or sign in as it instead).
    #[schemars(length(max = 1024))]
    pub password: Option<String>,
}

const SELECT: &str = "SELECT i.id, i.email, i.expires_at, i.created_at, i.invited_by,
        coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM invitation_roles ir
                    JOIN roles r ON r.tenant_id = ir.tenant_id AND r.id = ir.role_id
                   WHERE ir.tenant_id = i.tenant_id AND ir.invitation_id = i.id), '{}') AS roles
   FROM invitations i";

fn invitation(row: &Row) -> Invitation {
    Invitation {
        id: row.get("id"),
        email: row.get("email"),
        roles: row.get("roles"),
        expires_at: row.get("expires_at"),
        created_at: row.get("created_at"),
        invited_by: row.get("invited_by"),
    }
}

/// Validates an invitation's email and roles before any transaction begins.
pub fn validate(email: &str, roles: &[String]) -> AppResult<String> {
    let mut v = Validator::new();
    let email = v.email("email", email);
    v.at_most("roles", roles, super::users::MAX_ROLES);
    v.finish()?;
    Ok(email.to_lowercase())
}

/// Invites an email with roles (resolved by `users::resolve_roles`) in the
/// scope's tenant: 403 beyond the caller's permissions, 409 for a member.
pub async fn invite(scope: &Scope, email: &str, role_ids: &[Uuid]) -> AppResult<Invitation> {
    let token = refresh::generate();
    let created = scope.query_one("SELECT id FROM app.create_invitation($1, $2, $3)", &[&email, &role_ids, &token]).await?;
    let id: Uuid = created.get(0);
    let sql = [SELECT, " WHERE i.id = $1"].concat();
    scope.query_opt(&sql, &[&id]).await?.map(|r| invitation(&r)).ok_or(AppError::NotFound)
}

async fn create(auth: Authenticated, Json(req): Json<InvitationCreate>) -> AppResult<Reply<Invitation>> {
    let email = validate(&req.email, &req.roles)?;
    let scope = auth.begin().await?;
    scope.require(Permission::UsersManage)?;
    let mut v = Validator::new();
    let roles = super::users::resolve_roles(&scope, &mut v, &req.roles).await?;
    v.finish()?;
    let ids: Vec<Uuid> = roles.iter().map(|(id, _)| *id).collect();
    let created = invite(&scope, &email, &ids).await?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/invitations/{}", created.id), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("Invite an email to the tenant (users:manage)").description(
        "Mails the invitee a single-use link (7 days). The same answer whether or not the email has an account. \
         Roles pass the escalation rule (403); 409 if the email is already a member.",
    );
    respond::<Invitation>(op, 201, "The invitation", &[400, 401, 403, 409, 413, 415, 422])
}

async fn list(auth: Authenticated, Query(f): Query<InvitationFilter>) -> AppResult<Paged<Invitation>> {
    let page = Page::parse(f.limit, f.cursor.as_deref())?;
    let sql = [
        SELECT,
        " WHERE i.tenant_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
            AND ($2::timestamptz IS NULL OR (i.created_at, i.id) < ($2, $3))
          ORDER BY i.created_at DESC, i.id DESC LIMIT $4",
    ]
    .concat();
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
        [&auth.identity.tenant_id, &page.after_time(), &page.after_id(), &page.fetch()];
    let rows = auth.read_requiring(Permission::UsersManage, &sql, &params).await?;
    Ok(page.finish(rows.iter().map(invitation).collect(), |i| (i.created_at.0, i.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    respond::<Paged<Invitation>>(op.tag("users").summary("Pending invitations (users:manage)"), 200, "A page of pending invitations", &[400, 401, 403])
}

async fn revoke(auth: Authenticated, Path(InvitationId { id }): Path<InvitationId>) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::UsersManage)?;
    if !scope.query_one("SELECT app.revoke_invitation($1)", &[&id]).await?.get::<_, bool>(0) {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn revoke_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("Revoke a pending invitation (users:manage); its token stops working");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

async fn lookup(State(state): State<AppState>, Meta(meta): Meta, Query(q): Query<TokenQuery>) -> AppResult<axum::Json<InvitationLookup>> {
    rate_limit(&state, &meta)?;
    if q.token.len() > 200 {
        return Err(AppError::NotFound);
    }
    let scope = state.db.anonymous(&meta).await?;
    let row = scope
        .query_opt("SELECT tenant_name, email, account_exists, needs_password FROM app.lookup_invitation($1)", &[&refresh::hash(q.token.trim())])
        .await?
        .ok_or(AppError::NotFound)?;
    scope.release();
    Ok(axum::Json(InvitationLookup {
        tenant: TenantName { name: row.get(0) },
        email: row.get(1),
        account_exists: row.get(2),
        needs_password: row.get(3),
    }))
}

fn lookup_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("What an invitation token is for (404 for any token that is not pending)");
    respond::<InvitationLookup>(op, 200, "The invitation", &[400, 404, 429])
}

async fn accept(
    State(state): State<AppState>,
    _: FirstParty,
    Meta(meta): Meta,
    headers: axum::http::HeaderMap,
    Json(req): Json<InvitationAccept>,
) -> AppResult<Reply<TokenPair>> {
    rate_limit(&state, &meta)?;
    let token_hash = refresh::hash(req.token.trim());
    if req.token.trim().is_empty() || req.token.len() > 200 {
        return Err(AppError::validation("token", "is invalid or expired"));
    }
    // A verified account proves itself (current password or being signed in
    // as it); a new or unverified one sets its password.
    let scope = state.db.anonymous(&meta).await?;
    let salt: Option<String> = scope.query_one("SELECT app.invitation_salt($1)", &[&token_hash]).await?.get(0);
    scope.release();
    let bearer = bearer_token(&headers).and_then(|t| state.jwt.verify(t));
    let mut v = Validator::new();
    let name = v.optional("name", req.name.as_deref(), NAME_MAX);
    let password = req.password.filter(|p| !p.is_empty());
    let (new_hash, current_hash) = match (&salt, password) {
        (Some(salt), Some(p)) => {
            v.finish()?;
            (None, Some(password::hash_with_salt(p, salt.clone()).await?))
        }
        (Some(_), None) => {
            v.finish()?;
            (None, None)
        }
        (None, None) => {
            v.push("password", "is required");
            v.finish()?;
            (None, None)
        }
        (None, Some(p)) => {
            v.add(password::validate_new("password", &p));
            v.finish()?;
            (Some(password::hash(p, state.config.bcrypt_cost).await?), None)
        }
    };
    let (bearer_session, bearer_secret) = match &bearer {
        Some(identity) => (Some(identity.session_id), Some(refresh::hash(&identity.session_secret))),
        None => (None, None),
    };
    let session = NewSession::new(&state);
    let scope = state.db.anonymous(&meta).await?;
    let row = scope
        .query_one(
            "SELECT status, user_id, tenant_id
               FROM app.accept_invitation($1, $2, $3, $4, $5, $6, $7, $8, $9, make_interval(secs => $10))",
            &[
                &token_hash,
                &name,
                &new_hash,
                &current_hash,
                &bearer_session,
                &bearer_secret,
                &session.id,
                &session.secret_hash,
                &session.refresh_hash,
                &session.lifetime_secs,
            ],
        )
        .await?;
    match row.get::<_, &str>("status") {
        "ok" => {}
        "name_required" => return Err(AppError::validation("name", "is required for a new account")),
        "password_required" => return Err(AppError::validation("password", "is required")),
        "sign_in_required" => {
            return Err(AppError::Unauthorized(
                "This email has a verified account: give its current password, or sign in as it, to accept.".into(),
            ))
        }
        "member" => return Err(AppError::Conflict("This account is already a member of the tenant.".into())),
        "inviter_lacks" => {
            return Err(AppError::Forbidden("The invitation grants roles its sender no longer holds; ask for a new one.".into()))
        }
        _ => return Err(AppError::validation("token", "is invalid or expired")),
    }
    scope.commit().await?;
    let identity = state.jwt.identity(row.get("user_id"), row.get("tenant_id"), session.id);
    token_reply(&state, identity, session.refresh_token)
}

fn accept_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("Accept an invitation and sign in to the inviting tenant").description(
        "For a new or unverified account `password` is required and becomes the account's password (every other \
         session of the account ends; accepting verifies the email); `name` is required for a new account. For a \
         verified account give its current `password`, or send the request signed in as it (Bearer); otherwise 401.",
    );
    respond::<TokenPair>(op, 200, "Signed in to the inviting tenant", &[400, 401, 403, 409, 413, 415, 422, 429])
}
