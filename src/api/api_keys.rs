//! `/api/api-keys` (contract v1.1): keys bound to roles, for integrations.
//! The secret (`tnt_<prefix>_<secret>`) appears once, in the creation answer;
//! the database keeps only its hash. A key acts in its tenant with its
//! roles' permissions intersected with its creator's current ones, and its
//! audit entries name it. The rules live in `sql/45_api_keys.sql`.
use aide::{
    axum::{
        routing::{delete_with, get_with},
        ApiRouter,
    },
    transform::TransformOperation,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    extract::{Json, Path, Query},
    pagination::{Page, Paged},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    auth::{api_key, refresh, Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
    validation::Validator,
};

/// A key's name: 1 to 200 characters.
pub const NAME_MAX: usize = 200;

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route(
            "/api/api-keys",
            get_with(list, list_docs).post_with(create, create_docs),
        )
        .api_route("/api/api-keys/{id}", delete_with(revoke, revoke_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct ApiKey {
    pub id: Uuid,
    pub name: String,
    /// The public part of the key (`tnt_<prefix>_…`), to recognise it later.
    pub prefix: String,
    /// Role names whose permissions the key holds (as far as its creator holds them too).
    pub roles: Vec<String>,
    /// NULL: the key does not expire.
    pub expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// When the key was last used, to the minute (NULL: never).
    pub last_used_at: Option<Timestamp>,
    /// The member who created the key (NULL once their account is gone).
    pub created_by: Option<Uuid>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct NewApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// The whole key, `tnt_<prefix>_<secret>`: shown only in this answer. Send it as `Authorization: Bearer <secret>`.
    pub secret: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ApiKeyCreate {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    /// Role names in this tenant; the escalation rule applies (403).
    #[schemars(length(max = 20))]
    pub roles: Vec<String>,
    /// When the key stops working (in the future); omitted or null: never.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ApiKeyId {
    pub id: Uuid,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct ApiKeyFilter {
    /// Page size, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

const SELECT: &str =
    "SELECT k.id, k.name, k.prefix, k.expires_at, k.created_at, k.last_used_at, k.created_by,
        coalesce((SELECT array_agg(r.name ORDER BY r.name) FROM api_key_roles kr
                    JOIN roles r ON r.tenant_id = kr.tenant_id AND r.id = kr.role_id
                   WHERE kr.tenant_id = k.tenant_id AND kr.api_key_id = k.id), '{}') AS roles
   FROM api_keys k";

fn api_key(row: &Row) -> ApiKey {
    ApiKey {
        id: row.get("id"),
        name: row.get("name"),
        prefix: row.get("prefix"),
        roles: row.get("roles"),
        expires_at: row.get("expires_at"),
        created_at: row.get("created_at"),
        last_used_at: row.get("last_used_at"),
        created_by: row.get("created_by"),
    }
}

async fn create(auth: Authenticated, Json(req): Json<ApiKeyCreate>) -> AppResult<Reply<NewApiKey>> {
    auth.require_person()?;
    let mut v = Validator::new();
    let name = v.required("name", &req.name, NAME_MAX);
    v.at_most("roles", &req.roles, super::users::MAX_ROLES);
    if req.expires_at.is_some_and(|t| t <= Utc::now()) {
        v.push("expires_at", "must be in the future");
    }
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::ApiKeysManage)?;
    let mut v = Validator::new();
    let roles = super::users::resolve_roles(&scope, &mut v, &req.roles).await?;
    v.finish()?;
    let ids: Vec<Uuid> = roles.iter().map(|(id, _)| *id).collect();
    let key = api_key::generate();
    let created = scope
        .query_one(
            "SELECT app.create_api_key($1, $2, $3, $4, $5)",
            &[
                &name,
                &ids,
                &req.expires_at,
                &key.prefix,
                &refresh::hash(&key.secret),
            ],
        )
        .await?;
    let id: Uuid = created.get(0);
    let sql = [SELECT, " WHERE k.tenant_id = $1 AND k.id = $2"].concat();
    let row = scope
        .query_opt(&sql, &[&auth.identity.tenant_id, &id])
        .await?
        .ok_or(AppError::NotFound)?;
    scope.commit().await?;
    let body = NewApiKey {
        key: api_key(&row),
        secret: key.secret,
    };
    Ok(Reply::created(format!("/api/api-keys/{id}"), body))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("api-keys").summary("Create an API key (api_keys:manage)").description(
        "Answers the secret `tnt_<prefix>_<secret>` once; only its hash is stored. The key acts in this tenant with \
         its roles' permissions, never more than its creator currently holds, and audit entries name it. Roles pass \
         the escalation rule (403). Only a signed-in person can create keys (403 for an API key).",
    );
    respond::<NewApiKey>(
        op,
        201,
        "The key, with its secret",
        &[400, 401, 403, 413, 415, 422],
    )
}

async fn list(
    auth: Authenticated,
    Query(f): Query<ApiKeyFilter>,
) -> AppResult<Paged<ApiKey>> {
    let page = Page::parse(f.limit, f.cursor.as_deref())?;
    let sql = [
        SELECT,
        " WHERE k.tenant_id = $1 AND k.revoked_at IS NULL
            AND ($2::timestamptz IS NULL OR (k.created_at, k.id) < ($2, $3))
          ORDER BY k.created_at DESC, k.id DESC LIMIT $4",
    ]
    .concat();
    let rows = auth.read_requiring(
            Permission::ApiKeysManage,
            &sql,
            &[
                &auth.identity.tenant_id,
                &page.after_time(),
                &page.after_id(),
                &page.fetch(),
            ],
        ).await?;
    Ok(page.finish(rows.iter().map(api_key).collect(), |k| (k.created_at.0, k.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op
        .tag("api-keys")
        .summary("The tenant's API keys, without secrets (api_keys:manage)");
    respond::<Paged<ApiKey>>(
        op,
        200,
        "A page of live keys, newest first",
        &[400, 401, 403],
    )
}

async fn revoke(
    auth: Authenticated,
    Path(ApiKeyId { id }): Path<ApiKeyId>,
) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::ApiKeysManage)?;
    if !scope
        .query_one("SELECT app.revoke_api_key($1)", &[&id])
        .await?
        .get::<_, bool>(0)
    {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn revoke_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("api-keys").summary(
        "Revoke an API key (api_keys:manage); it is refused (401) from the next request on",
    );
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}
