//! `/api/users`: the members of the current tenant. Accounts are global; a
//! membership ties one to a tenant. Adding an email that has an account
//! invites it instead (v1.1): it joins only by accepting. The database refuses privilege
//! escalation and the removal, deactivation or demotion of the last owner
//! (`sql/30_rbac.sql`); the checks here only answer early.
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use axum::response::IntoResponse;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    pagination::{Page, PageParams, Paged},
    extract::{Json, Path, Query},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    validation::{Validator, NAME_MAX},
    auth::{password, Authenticated, Permission},
    db::Scope,
    error::{AppError, AppResult},
    state::AppState,
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/users", get_with(list_users, list_users_docs).post_with(create_user, create_user_docs))
        .api_route(
            "/api/users/{id}",
            get_with(get_user, get_user_docs).patch_with(update_user, update_user_docs).delete_with(delete_user, delete_user_docs),
        )
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    /// Role names in the current tenant.
    pub roles: Vec<String>,
    /// Whether the membership is active (inactive members cannot sign in here).
    pub active: bool,
    /// When the user joined this tenant.
    pub created_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct UserCreate {
    #[schemars(length(min = 1, max = 320), email)]
    pub email: String,
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
    /// Used only when the account is new.
    #[schemars(length(min = 8, max = 1024))]
    pub password: String,
    /// Role names in this tenant.
    #[schemars(length(max = 20))]
    pub roles: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct UserUpdate {
    #[schemars(length(max = 320))]
    pub name: Option<String>,
    /// Replaces the member's roles.
    #[schemars(length(max = 20))]
    pub roles: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct UserId {
    pub id: Uuid,
}

const SELECT_USERS: &str = "SELECT u.id, u.email, u.name, m.active, m.created_at,
        coalesce((SELECT array_agg(r.name ORDER BY r.name)
                    FROM membership_roles mr JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
                   WHERE mr.tenant_id = m.tenant_id AND mr.user_id = m.user_id), '{}') AS roles
   FROM memberships m JOIN users u ON u.id = m.user_id";

fn user(row: &Row) -> User {
    User {
        id: row.get("id"),
        email: row.get("email"),
        name: row.get("name"),
        roles: row.get("roles"),
        active: row.get("active"),
        created_at: row.get("created_at"),
    }
}

async fn find(scope: &Scope, id: Uuid) -> AppResult<User> {
    let sql = [SELECT_USERS, " WHERE m.user_id = $1"].concat();
    scope.query_opt(&sql, &[&id]).await?.map(|r| user(&r)).ok_or(AppError::NotFound)
}

/// At most this many roles per request (422 beyond).
pub const MAX_ROLES: usize = 20;

/// Resolves role names to ids in one set-based query; unknown names are
/// 422, all named. Whether the caller may assign those roles is the
/// database's escalation guard to decide (403).
pub(crate) async fn resolve_roles(scope: &Scope, v: &mut Validator, names: &[String]) -> AppResult<Vec<(Uuid, String)>> {
    let mut names: Vec<String> = names.iter().map(|n| n.trim().to_string()).collect();
    names.sort();
    names.dedup();
    let rows = scope
        .query(
            "SELECT n.name, r.id FROM unnest($1::text[]) AS n(name) LEFT JOIN roles r ON r.name = n.name ORDER BY n.name",
            &[&names],
        )
        .await?;
    for row in rows.iter().filter(|r| r.get::<_, Option<Uuid>>(1).is_none()) {
        v.push("roles", &format!("unknown role {:?}", row.get::<_, String>(0)));
    }
    Ok(rows.iter().filter_map(|r| Some((r.get::<_, Option<Uuid>>(1)?, r.get(0)))).collect())
}

async fn list_users(auth: Authenticated, Query(params): Query<PageParams>) -> AppResult<Paged<User>> {
    let page = Page::from_params(&params)?;
    let sql = [
        SELECT_USERS,
        " WHERE m.tenant_id = $4 AND ($1::timestamptz IS NULL OR (m.created_at, m.user_id) < ($1, $2))
          ORDER BY m.created_at DESC, m.user_id DESC LIMIT $3",
    ]
    .concat();
    let rows = auth.read_requiring(Permission::UsersRead, &sql, &[&page.after_time(), &page.after_id(), &page.fetch(), &auth.identity.tenant_id]).await?;
    Ok(page.finish(rows.iter().map(user).collect(), |u| (u.created_at.0, u.id)))
}

fn list_users_docs(op: TransformOperation) -> TransformOperation {
    respond::<Paged<User>>(op.tag("users").summary("List the tenant's members (users:read)"), 200, "A page of members", &[400, 401, 403])
}

async fn get_user(auth: Authenticated, Path(UserId { id }): Path<UserId>) -> AppResult<axum::Json<User>> {
    let scope = auth.begin().await?;
    scope.require(Permission::UsersRead)?;
    let found = find(&scope, id).await?;
    scope.release();
    Ok(axum::Json(found))
}

fn get_user_docs(op: TransformOperation) -> TransformOperation {
    respond::<User>(op.tag("users").summary("Read a member (users:read)"), 200, "The member", &[400, 401, 403, 404])
}

async fn create_user(
    axum::extract::State(state): axum::extract::State<AppState>,
    auth: Authenticated,
    Json(req): Json<UserCreate>,
) -> AppResult<axum::response::Response> {
    let mut v = Validator::new();
    let email = v.email("email", &req.email);
    let name = v.required("name", &req.name, NAME_MAX);
    v.add(password::validate_new("password", &req.password));
    v.at_most("roles", &req.roles, MAX_ROLES);
    v.finish()?;
    // Hashed before the transaction begins (never holding a connection), and
    // even when the account exists, so timing does not tell.
    let hash = password::hash(req.password, state.config.bcrypt_cost).await?;

    let scope = auth.begin().await?;
    scope.require(Permission::UsersManage)?;
    let mut v = Validator::new();
    let roles = resolve_roles(&scope, &mut v, &req.roles).await?;
    v.finish()?;
    let verify_token = crate::auth::refresh::generate();
    let account =
        scope.query_one("SELECT user_id FROM app.find_or_create_user($1, $2, $3, $4)", &[&email, &name, &hash, &verify_token]).await?;
    let Some(id) = account.get::<_, Option<Uuid>>(0) else {
        // v1.1: an existing account joins only by accepting an invitation,
        // and the answer never shows whose account it is.
        let role_ids: Vec<Uuid> = roles.iter().map(|r| r.0).collect();
        let invitation = super::invitations::invite(&scope, &email.to_lowercase(), &role_ids).await?;
        scope.commit().await?;
        return Ok(Reply::accepted(super::invitations::Invited { invitation }).into_response());
    };
    let role_ids: Vec<Uuid> = roles.iter().map(|r| r.0).collect();
    scope
        .execute(
            "INSERT INTO membership_roles (tenant_id, user_id, role_id) SELECT $1, $2, unnest($3::uuid[])",
            &[&auth.identity.tenant_id, &id, &role_ids],
        )
        .await?;
    let created = find(&scope, id).await?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/users/{id}"), created).into_response())
}

fn create_user_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("Add a member (users:manage)").description(
        "Creates the account and its membership (201) when the email has no account yet. When it has one, no \
         membership is created: the answer is 202 with an invitation the person must accept (mailed), and it never \
         shows the account's name. 409 if the email is already a member.",
    );
    let op = op.response_with::<202, axum::Json<super::invitations::Invited>, _>(|r| r.description("Invited: the account exists"));
    respond::<User>(op, 201, "The new member", &[400, 401, 403, 409, 413, 415, 422])
}

async fn update_user(auth: Authenticated, Path(UserId { id }): Path<UserId>, Json(req): Json<UserUpdate>) -> AppResult<axum::Json<User>> {
    let mut v = Validator::new();
    let name = req.name.as_deref().map(|n| v.required("name", n, NAME_MAX));
    if let Some(names) = &req.roles {
        v.at_most("roles", names, MAX_ROLES);
    }
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::UsersManage)?;
    let current = find(&scope, id).await?;
    let mut v = Validator::new();
    let roles = match &req.roles {
        Some(names) => Some(resolve_roles(&scope, &mut v, names).await?),
        None => None,
    };
    v.finish()?;

    if let Some(name) = name.filter(|n| *n != current.name) {
        // Accounts are global: the database lets a tenant rename only an account
        // that belongs to it alone (or the caller's own).
        if scope.execute("UPDATE users SET name = $2 WHERE id = $1", &[&id, &name]).await? == 0 {
            return Err(AppError::Forbidden(
                "This account also belongs to other tenants: only its holder can rename it.".into(),
            ));
        }
    }
    if let Some(roles) = roles {
        let wanted: Vec<Uuid> = roles.iter().map(|r| r.0).collect();
        let added: Vec<Uuid> = roles.iter().filter(|r| !current.roles.contains(&r.1)).map(|r| r.0).collect();
        // Add first, then remove: replacing roles never passes through "no owner".
        scope
            .execute(
                "INSERT INTO membership_roles (tenant_id, user_id, role_id) SELECT $1, $2, unnest($3::uuid[])",
                &[&auth.identity.tenant_id, &id, &added],
            )
            .await?;
        scope
            .execute("DELETE FROM membership_roles WHERE user_id = $1 AND NOT role_id = ANY($2)", &[&id, &wanted])
            .await?;
    }
    if let Some(active) = req.active {
        scope.execute("UPDATE memberships SET active = $2 WHERE user_id = $1", &[&id, &active]).await?;
    }
    let updated = find(&scope, id).await?;
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_user_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("Update a member's name, roles or active flag (users:manage)").description(
        "Deactivating revokes the member's sessions in this tenant. The last owner cannot be deactivated or demoted (409).",
    );
    respond::<User>(op, 200, "The updated member", &[400, 401, 403, 404, 409, 413, 422])
}

async fn delete_user(auth: Authenticated, Path(UserId { id }): Path<UserId>) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::UsersManage)?;
    if scope.execute("DELETE FROM memberships WHERE user_id = $1", &[&id]).await? == 0 {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_user_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("users").summary("Remove a member from the tenant (users:manage)").description(
        "Removes the membership (not the account) and revokes the member's sessions in this tenant. 409 for the last owner.",
    );
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404, 409])
}
