//! `/api/roles`: per-tenant roles. The four system roles are read-only; custom
//! roles are managed with `roles:manage`. Nobody grants or revokes a
//! permission they do not hold. Both rules live in one place, the database
//! (`sql/30_rbac.sql` guards: 409 and 403 with their messages); this module
//! only checks that the keys exist, to name every unknown one.
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    pagination::{Page, PageParams, Paged},
    extract::{Json, Path, Query},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    validation::{double_option, Validator, NAME_MAX, TEXT_MAX},
    auth::{permission, Authenticated, Permission},
    db::Scope,
    error::{AppError, AppResult},
    state::AppState,
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/roles", get_with(list_roles, list_roles_docs).post_with(create_role, create_role_docs))
        .api_route(
            "/api/roles/{id}",
            get_with(get_role, get_role_docs).patch_with(update_role, update_role_docs).delete_with(delete_role, delete_role_docs),
        )
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<Permission>,
    /// System roles (owner, admin, member, viewer) are read-only.
    pub system: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoleCreate {
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
    #[schemars(length(max = 2000))]
    pub description: Option<String>,
    /// Permission keys from `GET /api/permissions`.
    #[schemars(length(max = 100))]
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoleUpdate {
    #[schemars(length(max = 320))]
    pub name: Option<String>,
    /// `null` clears the description.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub description: Option<Option<String>>,
    /// Replaces the role's permissions.
    #[schemars(length(max = 100))]
    pub permissions: Option<Vec<Permission>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoleId {
    pub id: Uuid,
}

const SELECT_ROLES: &str = "SELECT r.id, r.name, r.description, r.system, r.created_at,
        coalesce(array_agg(rp.permission_key ORDER BY rp.permission_key) FILTER (WHERE rp.permission_key IS NOT NULL), '{}') AS permissions
   FROM roles r LEFT JOIN role_permissions rp ON rp.tenant_id = r.tenant_id AND rp.role_id = r.id";

fn role(row: &Row) -> Role {
    Role {
        id: row.get("id"),
        name: row.get("name"),
        description: row.get("description"),
        permissions: permission::from_keys(row.get("permissions")),
        system: row.get("system"),
        created_at: row.get("created_at"),
    }
}

async fn find(scope: &Scope, id: Uuid) -> AppResult<Role> {
    let sql = [SELECT_ROLES, " WHERE r.id = $1 GROUP BY r.tenant_id, r.id"].concat();
    scope.query_opt(&sql, &[&id]).await?.map(|r| role(&r)).ok_or(AppError::NotFound)
}

/// At most this many permission keys per request (422 beyond).
pub const MAX_PERMISSIONS: usize = 100;

/// The keys of a request, each once, as the database binds them. Unknown
/// keys never get here (the body is typed: 422); whether the caller may
/// grant these is the database's guard to decide (403).
fn keys(permissions: &[Permission]) -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = permissions.iter().map(|p| p.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

async fn list_roles(auth: Authenticated, Query(params): Query<PageParams>) -> AppResult<axum::Json<Paged<Role>>> {
    let page = Page::from_params(&params)?;
    let sql = [
        SELECT_ROLES,
        " WHERE ($1::timestamptz IS NULL OR (r.created_at, r.id) < ($1, $2))
          GROUP BY r.tenant_id, r.id ORDER BY r.created_at DESC, r.id DESC LIMIT $3",
    ]
    .concat();
    let rows = auth.read_requiring(Permission::UsersRead, &sql, &[&page.after_time(), &page.after_id(), &page.fetch()]).await?;
    Ok(axum::Json(page.finish(rows.iter().map(role).collect(), |r| (r.created_at, r.id))))
}

fn list_roles_docs(op: TransformOperation) -> TransformOperation {
    respond::<Paged<Role>>(op.tag("roles").summary("List roles (users:read)"), 200, "A page of roles", &[400, 401, 403])
}

async fn get_role(auth: Authenticated, Path(RoleId { id }): Path<RoleId>) -> AppResult<axum::Json<Role>> {
    let scope = auth.begin().await?;
    scope.require(Permission::UsersRead)?;
    let role = find(&scope, id).await?;
    scope.release();
    Ok(axum::Json(role))
}

fn get_role_docs(op: TransformOperation) -> TransformOperation {
    respond::<Role>(op.tag("roles").summary("Read a role (users:read)"), 200, "The role", &[400, 401, 403, 404])
}

async fn create_role(auth: Authenticated, Json(req): Json<RoleCreate>) -> AppResult<Reply<Role>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, NAME_MAX);
    let description = v.optional("description", req.description.as_deref(), TEXT_MAX);
    v.at_most("permissions", &req.permissions, MAX_PERMISSIONS);
    v.finish()?;
    let permissions = keys(&req.permissions);
    let scope = auth.begin().await?;
    scope.require(Permission::RolesManage)?;

    let row = scope
        .query_one(
            "INSERT INTO roles (tenant_id, name, description) VALUES ($1, $2, $3) RETURNING id",
            &[&auth.identity.tenant_id, &name, &description],
        )
        .await
        .map_err(|e| conflict_on_duplicate(e, "A role with this name already exists."))?;
    let id: Uuid = row.get(0);
    scope
        .execute(
            "INSERT INTO role_permissions (tenant_id, role_id, permission_key) SELECT $1, $2, unnest($3::text[])",
            &[&auth.identity.tenant_id, &id, &permissions],
        )
        .await?;
    let role = find(&scope, id).await?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/roles/{id}"), role))
}

fn create_role_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("roles").summary("Create a custom role (roles:manage)");
    respond::<Role>(op, 201, "The new role", &[400, 401, 403, 409, 413, 422])
}

async fn update_role(auth: Authenticated, Path(RoleId { id }): Path<RoleId>, Json(req): Json<RoleUpdate>) -> AppResult<axum::Json<Role>> {
    let mut v = Validator::new();
    let name = req.name.as_deref().map(|n| v.required("name", n, NAME_MAX));
    let description = req.description.map(|d| v.optional("description", d.as_deref(), TEXT_MAX));
    if let Some(keys) = &req.permissions {
        v.at_most("permissions", keys, MAX_PERMISSIONS);
    }
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::RolesManage)?;
    let current = find(&scope, id).await?;
    let permissions = req.permissions.as_deref().map(keys);

    if name.is_some() || description.is_some() {
        scope
            .execute(
                "UPDATE roles SET name = coalesce($2, name), description = CASE WHEN $3 THEN $4 ELSE description END
                  WHERE id = $1",
                &[&id, &name, &description.is_some(), &description.flatten()],
            )
            .await
            .map_err(|e| conflict_on_duplicate(e, "A role with this name already exists."))?;
    }
    if let Some(keys) = permissions {
        let current: Vec<&str> = current.permissions.iter().map(|p| p.as_str()).collect();
        let added: Vec<&str> = keys.iter().filter(|k| !current.contains(k)).copied().collect();
        let removed: Vec<&str> = current.iter().filter(|k| !keys.contains(k)).copied().collect();
        scope
            .execute(
                "INSERT INTO role_permissions (tenant_id, role_id, permission_key) SELECT $1, $2, unnest($3::text[])",
                &[&auth.identity.tenant_id, &id, &added],
            )
            .await?;
        scope
            .execute("DELETE FROM role_permissions WHERE role_id = $1 AND permission_key = ANY($2)", &[&id, &removed])
            .await?;
    }
    let role = find(&scope, id).await?;
    scope.commit().await?;
    Ok(axum::Json(role))
}

fn update_role_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("roles").summary("Edit a custom role (roles:manage); system roles are read-only (409)");
    respond::<Role>(op, 200, "The updated role", &[400, 401, 403, 404, 409, 413, 422])
}

async fn delete_role(auth: Authenticated, Path(RoleId { id }): Path<RoleId>) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::RolesManage)?;
    if scope.execute("DELETE FROM roles WHERE id = $1", &[&id]).await? == 0 {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_role_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("roles").summary("Delete a custom role (roles:manage); 409 for a system or assigned role");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404, 409])
}

/// A conflict on this statement can only be a duplicate name: say so.
pub fn conflict_on_duplicate(e: AppError, message: &'static str) -> AppError {
    match e {
        AppError::Conflict(_) => AppError::Conflict(message.into()),
        other => other,
    }
}
