//! `/api/roles`: per-tenant roles. The four system roles are read-only; custom
//! roles are managed with `roles:manage`. Nobody grants or revokes a
//! permission they do not hold. Both rules live in one place, the database
//! (`sql/30_rbac.sql` guards: 409 and 403 with their messages); this module
//! only checks that the keys exist, to name every unknown one.
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
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

/// Which records a grant reaches (for the CRM record permissions; every
/// other permission is always `all`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GrantScope {
    /// Every record of the tenant.
    #[default]
    All,
    /// Records owned by the holder or a member of one of the holder's teams.
    Team,
    /// Records the holder owns.
    Own,
}

impl GrantScope {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantScope::All => "all",
            GrantScope::Team => "team",
            GrantScope::Own => "own",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "team" => GrantScope::Team,
            "own" => GrantScope::Own,
            _ => GrantScope::All,
        }
    }
}

/// A permission granted by a role, with its scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Grant {
    pub key: Permission,
    #[serde(default)]
    pub scope: GrantScope,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// The keys the role grants (whatever their scope).
    pub permissions: Vec<Permission>,
    /// The same keys with the scope of each grant.
    pub grants: Vec<Grant>,
    /// Fields the role hides from its members (`contacts.phone`, ...; see
    /// `hideable_fields` in `GET /api/permissions`).
    pub hidden_fields: Vec<String>,
    /// System roles (owner, admin, member, viewer) are read-only.
    pub system: bool,
    pub created_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoleCreate {
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
    #[schemars(length(max = 2000))]
    pub description: Option<String>,
    /// Permission keys from `GET /api/permissions`, granted with scope `all`
    /// unless `grants` names them.
    #[schemars(length(max = 100))]
    pub permissions: Vec<Permission>,
    /// Grants with a scope (`own`, `team`, `all`); a key here need not be in
    /// `permissions`. Only scopable permissions take a scope but `all` (422).
    #[schemars(length(max = 100))]
    pub grants: Option<Vec<Grant>>,
    /// Fields to hide from the role's members (keys from `hideable_fields`).
    #[schemars(length(max = 100))]
    pub hidden_fields: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoleUpdate {
    #[schemars(length(max = 320))]
    pub name: Option<String>,
    /// `null` clears the description.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub description: Option<Option<String>>,
    /// Replaces the role's permissions (each with scope `all` unless
    /// `grants` names it).
    #[schemars(length(max = 100))]
    pub permissions: Option<Vec<Permission>>,
    /// Replaces the role's grants (with `permissions`, if both are given).
    #[schemars(length(max = 100))]
    pub grants: Option<Vec<Grant>>,
    /// Replaces the fields the role hides.
    #[schemars(length(max = 100))]
    pub hidden_fields: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RoleId {
    pub id: Uuid,
}

const SELECT_ROLES: &str = "SELECT r.id, r.name, r.description, r.system, r.created_at,
        ARRAY(SELECT rp.permission_key FROM role_permissions rp
               WHERE rp.tenant_id = r.tenant_id AND rp.role_id = r.id ORDER BY rp.permission_key) AS permissions,
        ARRAY(SELECT rp.scope FROM role_permissions rp
               WHERE rp.tenant_id = r.tenant_id AND rp.role_id = r.id ORDER BY rp.permission_key) AS scopes,
        ARRAY(SELECT x.field_key FROM role_hidden_fields x
               WHERE x.tenant_id = r.tenant_id AND x.role_id = r.id ORDER BY x.field_key) AS hidden_fields
   FROM roles r";

fn role(row: &Row) -> Role {
    let keys: Vec<String> = row.get("permissions");
    let scopes: Vec<String> = row.get("scopes");
    let grants: Vec<Grant> = keys
        .iter()
        .zip(scopes.iter())
        .filter_map(|(k, s)| Some(Grant { key: Permission::parse(k)?, scope: GrantScope::parse(s) }))
        .collect();
    Role {
        id: row.get("id"),
        name: row.get("name"),
        description: row.get("description"),
        permissions: permission::from_keys(keys),
        grants,
        hidden_fields: row.get("hidden_fields"),
        system: row.get("system"),
        created_at: row.get("created_at"),
    }
}

async fn find(scope: &Scope, id: Uuid) -> AppResult<Role> {
    let sql = [SELECT_ROLES, " WHERE r.id = $1"].concat();
    scope.query_opt(&sql, &[&id]).await?.map(|r| role(&r)).ok_or(AppError::NotFound)
}

/// At most this many permission keys per request (422 beyond).
pub const MAX_PERMISSIONS: usize = 100;

/// The grants of a request, each key once: `permissions` with scope all,
/// then `grants` (whose scope wins for a key named in both). Unknown keys
/// never get here (the body is typed: 422); whether the caller may grant
/// these is the database's guard to decide (403), and so is whether a key
/// takes a scope (422).
fn merge_grants(permissions: &[Permission], grants: Option<&[Grant]>) -> Vec<Grant> {
    let mut map = std::collections::BTreeMap::new();
    for p in permissions {
        map.insert(*p, GrantScope::All);
    }
    for g in grants.unwrap_or_default() {
        map.insert(g.key, g.scope);
    }
    map.into_iter().map(|(key, scope)| Grant { key, scope }).collect()
}

/// Hidden field keys, each once, sorted.
fn field_keys(fields: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = fields.iter().map(|f| f.trim().to_owned()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Brings a role's grants and hidden fields to the given sets, in the order
/// the guards need: fields hidden first (so a read grant can pass the field
/// check), then grants revoked and granted, then fields shown again.
async fn apply(scope: &Scope, tenant_id: Uuid, role_id: Uuid, current: Option<&Role>, grants: Option<&[Grant]>, hidden: Option<&[String]>) -> AppResult<()> {
    if let Some(hidden) = hidden {
        let unknown = scope
            .query_one(
                "SELECT ARRAY(SELECT unnest($1::text[]) EXCEPT SELECT key FROM hideable_fields ORDER BY 1)",
                &[&hidden],
            )
            .await?;
        let unknown: Vec<String> = unknown.get(0);
        if !unknown.is_empty() {
            return Err(AppError::validation("hidden_fields", &format!("unknown field: {}", unknown.join(", "))));
        }
        scope
            .execute(
                "INSERT INTO role_hidden_fields (tenant_id, role_id, field_key) SELECT $1, $2, unnest($3::text[])
                 ON CONFLICT DO NOTHING",
                &[&tenant_id, &role_id, &hidden],
            )
            .await?;
    }
    if let Some(grants) = grants {
        let current: Vec<Grant> = current.map(|r| r.grants.clone()).unwrap_or_default();
        let removed: Vec<&str> =
            current.iter().filter(|g| !grants.contains(g)).map(|g| g.key.as_str()).collect();
        let added: Vec<&Grant> = grants.iter().filter(|g| !current.contains(g)).collect();
        let added_keys: Vec<&str> = added.iter().map(|g| g.key.as_str()).collect();
        let added_scopes: Vec<&str> = added.iter().map(|g| g.scope.as_str()).collect();
        scope
            .execute("DELETE FROM role_permissions WHERE role_id = $1 AND permission_key = ANY($2)", &[&role_id, &removed])
            .await?;
        scope
            .execute(
                "INSERT INTO role_permissions (tenant_id, role_id, permission_key, scope)
                 SELECT $1, $2, k, s FROM unnest($3::text[], $4::text[]) AS g(k, s)",
                &[&tenant_id, &role_id, &added_keys, &added_scopes],
            )
            .await?;
    }
    if let Some(hidden) = hidden {
        scope
            .execute("DELETE FROM role_hidden_fields WHERE role_id = $1 AND NOT (field_key = ANY($2))", &[&role_id, &hidden])
            .await?;
    }
    Ok(())
}

async fn list_roles(auth: Authenticated, Query(params): Query<PageParams>) -> AppResult<Paged<Role>> {
    let page = Page::from_params(&params)?;
    let sql = [
        SELECT_ROLES,
        " WHERE ($1::timestamptz IS NULL OR (r.created_at, r.id) < ($1, $2))
          ORDER BY r.created_at DESC, r.id DESC LIMIT $3",
    ]
    .concat();
    let rows = auth.read_requiring(Permission::UsersRead, &sql, &[&page.after_time(), &page.after_id(), &page.fetch()]).await?;
    Ok(page.finish(rows.iter().map(role).collect(), |r| (r.created_at.0, r.id)))
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
    if let Some(g) = &req.grants {
        v.at_most("grants", g, MAX_PERMISSIONS);
    }
    if let Some(h) = &req.hidden_fields {
        v.at_most("hidden_fields", h, MAX_PERMISSIONS);
    }
    v.finish()?;
    let grants = merge_grants(&req.permissions, req.grants.as_deref());
    let hidden = req.hidden_fields.as_deref().map(field_keys);
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
    apply(&scope, auth.identity.tenant_id, id, None, Some(&grants), hidden.as_deref()).await?;
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
    if let Some(g) = &req.grants {
        v.at_most("grants", g, MAX_PERMISSIONS);
    }
    if let Some(h) = &req.hidden_fields {
        v.at_most("hidden_fields", h, MAX_PERMISSIONS);
    }
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::RolesManage)?;
    let current = find(&scope, id).await?;
    let grants = match (&req.permissions, &req.grants) {
        (None, None) => None,
        (p, g) => Some(merge_grants(p.as_deref().unwrap_or_default(), g.as_deref())),
    };
    let hidden = req.hidden_fields.as_deref().map(field_keys);

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
    apply(&scope, auth.identity.tenant_id, id, Some(&current), grants.as_deref(), hidden.as_deref()).await?;
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
