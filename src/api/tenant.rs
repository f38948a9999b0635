//! `/api/tenant` and `/api/permissions`: the current tenant and the
//! permission catalog.
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    extract::{Json},
    reply::{respond},
};
use crate::{
    validation::{Validator, NAME_MAX},
    auth::{Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/tenant", get_with(get_tenant, get_tenant_docs).patch_with(update_tenant, update_tenant_docs))
        .api_route("/api/permissions", get_with(list_permissions, list_permissions_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TenantUpdate {
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PermissionEntry {
    pub key: Permission,
    pub description: String,
    /// Whether a role may grant it with scope `team` or `own` (the CRM
    /// record permissions); the others are always `all`.
    pub scopable: bool,
    /// For a read permission, the fields a role may hide from its members
    /// (`contacts.email`, ...); empty otherwise.
    pub hideable_fields: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PermissionList {
    pub items: Vec<PermissionEntry>,
}

fn tenant(row: &tokio_postgres::Row) -> Tenant {
    Tenant { id: row.get("id"), name: row.get("name"), slug: row.get("slug"), created_at: row.get("created_at") }
}

async fn get_tenant(auth: Authenticated) -> AppResult<axum::Json<Tenant>> {
    // One round trip: context, authorization and the row, pipelined.
    let (_, rows) = auth.read("SELECT id, name, slug, created_at FROM tenants WHERE id = $1", &[&auth.identity.tenant_id]).await?;
    rows.first().map(tenant).map(axum::Json).ok_or(AppError::NotFound)
}

fn get_tenant_docs(op: TransformOperation) -> TransformOperation {
    respond::<Tenant>(op.tag("tenant").summary("The current tenant"), 200, "The tenant", &[401])
}

async fn update_tenant(auth: Authenticated, Json(req): Json<TenantUpdate>) -> AppResult<axum::Json<Tenant>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, NAME_MAX);
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::TenantManage)?;
    let row = scope
        .query_opt(
            "UPDATE tenants SET name = $1 WHERE id = $2 RETURNING id, name, slug, created_at",
            &[&name, &auth.identity.tenant_id],
        )
        .await?
        .ok_or(AppError::Forbidden("You do not have permission to perform this action.".into()))?;
    scope.commit().await?;
    Ok(axum::Json(tenant(&row)))
}

fn update_tenant_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("tenant").summary("Rename the current tenant (tenant:manage)");
    respond::<Tenant>(op, 200, "The renamed tenant", &[400, 401, 403, 422])
}

async fn list_permissions(auth: Authenticated) -> AppResult<axum::Json<PermissionList>> {
    let scope = auth.begin().await?;
    let rows = scope
        .query(
            "SELECT p.key, p.description, p.scopable,
                    ARRAY(SELECT h.key FROM hideable_fields h WHERE h.resource || ':read' = p.key ORDER BY h.key) AS hideable
               FROM permissions p ORDER BY p.key",
            &[],
        )
        .await?;
    scope.release();
    let items = rows
        .iter()
        .filter_map(|r| {
            Some(PermissionEntry { key: Permission::parse(r.get(0))?, description: r.get(1), scopable: r.get(2), hideable_fields: r.get(3) })
        })
        .collect();
    Ok(axum::Json(PermissionList { items }))
}

fn list_permissions_docs(op: TransformOperation) -> TransformOperation {
    respond::<PermissionList>(op.tag("tenant").summary("The permission catalog"), 200, "Every permission key", &[401])
}
