//! `/api/teams`: the teams of a tenant, the unit of the `team` scope (a grant
//! with scope team reaches records owned by the holder or by a member of one
//! of the holder's teams; `sql/32_record_access.sql`). Every member reads
//! them; `teams:manage` creates, renames and deletes teams and chooses their
//! members. RLS (`policies/teams.sql`, `policies/team_members.sql`) enforces
//! the same, and the audit log records every change.
use aide::{
    axum::{
        routing::{get_with, put_with},
        ApiRouter,
    },
    transform::TransformOperation,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    extract::{Json, Path, Query},
    pagination::{Page, PageParams, Paged},
    reply::{respond, with_problems, NoContent, Reply},
    roles::conflict_on_duplicate,
};
use crate::{
    auth::{Authenticated, Permission},
    db::Scope,
    error::{AppError, AppResult},
    state::AppState,
    validation::{double_option, Validator, TEXT_MAX},
};

/// A team's name: 1 to 200 characters.
pub const NAME_MAX: usize = 200;
/// At most this many members per request.
pub const MAX_MEMBERS: usize = 1000;

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/teams", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/teams/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
        .api_route("/api/teams/{id}/members/{user_id}", put_with(add_member, add_member_docs).delete_with(remove_member, remove_member_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Team {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    /// User ids of the members (see `GET /api/users`).
    pub members: Vec<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TeamCreate {
    #[schemars(length(min = 1, max = 200))]
    pub name: String,
    #[schemars(length(max = 2000))]
    pub description: Option<String>,
    /// User ids of members of the tenant (422 for anyone else).
    #[schemars(length(max = 1000))]
    pub members: Option<Vec<Uuid>>,
}

/// Only the fields given change.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TeamUpdate {
    #[schemars(length(min = 1, max = 200))]
    pub name: Option<String>,
    /// `null` clears the description.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub description: Option<Option<String>>,
    /// Replaces the members.
    #[schemars(length(max = 1000))]
    pub members: Option<Vec<Uuid>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TeamId {
    pub id: Uuid,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TeamMemberPath {
    pub id: Uuid,
    pub user_id: Uuid,
}

const SELECT: &str = "SELECT t.id, t.name, t.description, t.created_at, t.updated_at,
        ARRAY(SELECT m.user_id FROM team_members m WHERE m.tenant_id = t.tenant_id AND m.team_id = t.id ORDER BY m.created_at, m.user_id) AS members
   FROM teams t";

fn team(r: &Row) -> Team {
    Team {
        id: r.get("id"),
        name: r.get("name"),
        description: r.get("description"),
        members: r.get("members"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

async fn find(scope: &Scope, id: Uuid) -> AppResult<Team> {
    scope.query_opt(&[SELECT, " WHERE t.id = $1"].concat(), &[&id]).await?.map(|r| team(&r)).ok_or(AppError::NotFound)
}

/// A member id outside the tenant answers like one that does not exist.
fn unknown_member(e: AppError) -> AppError {
    match e {
        AppError::Validation(_) | AppError::Unprocessable(_) => AppError::validation("members", "must be members of the tenant"),
        other => other,
    }
}

/// Brings the team's members to `members`.
async fn set_members(scope: &Scope, tenant_id: Uuid, id: Uuid, members: &[Uuid]) -> AppResult<()> {
    scope.execute("DELETE FROM team_members WHERE team_id = $1 AND NOT (user_id = ANY($2))", &[&id, &members]).await?;
    scope
        .execute(
            "INSERT INTO team_members (tenant_id, team_id, user_id) SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING",
            &[&tenant_id, &id, &members],
        )
        .await
        .map_err(unknown_member)?;
    Ok(())
}

async fn list(auth: Authenticated, Query(params): Query<PageParams>) -> AppResult<Paged<Team>> {
    let page = Page::from_params(&params)?;
    let sql = [
        SELECT,
        " WHERE ($1::timestamptz IS NULL OR (t.created_at, t.id) < ($1, $2)) ORDER BY t.created_at DESC, t.id DESC LIMIT $3",
    ]
    .concat();
    let (_, rows) = auth.read(&sql, &[&page.after_time(), &page.after_id(), &page.fetch()]).await?;
    Ok(page.finish(rows.iter().map(team).collect(), |t| (t.created_at.0, t.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    respond::<Paged<Team>>(op.tag("teams").summary("List the tenant's teams (any member)"), 200, "A page of teams", &[400, 401])
}

async fn read(auth: Authenticated, Path(TeamId { id }): Path<TeamId>) -> AppResult<axum::Json<Team>> {
    let (_, rows) = auth.read(&[SELECT, " WHERE t.id = $1"].concat(), &[&id]).await?;
    rows.first().map(team).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Team>(op.tag("teams").summary("Read a team (any member)"), 200, "The team", &[400, 401, 404])
}

async fn create(auth: Authenticated, Json(req): Json<TeamCreate>) -> AppResult<Reply<Team>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, NAME_MAX);
    let description = v.optional("description", req.description.as_deref(), TEXT_MAX);
    if let Some(m) = &req.members {
        v.at_most("members", m, MAX_MEMBERS);
    }
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::TeamsManage)?;
    let row = scope
        .query_one("INSERT INTO teams (tenant_id, name, description) VALUES ($1, $2, $3) RETURNING id", &[&auth.identity.tenant_id, &name, &description])
        .await
        .map_err(|e| conflict_on_duplicate(e, "A team with this name already exists."))?;
    let id: Uuid = row.get(0);
    if let Some(members) = &req.members {
        set_members(&scope, auth.identity.tenant_id, id, members).await?;
    }
    let created = find(&scope, id).await?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/teams/{id}"), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("teams").summary("Create a team (teams:manage)");
    respond::<Team>(op, 201, "The new team", &[400, 401, 403, 409, 413, 422])
}

async fn update(auth: Authenticated, Path(TeamId { id }): Path<TeamId>, Json(req): Json<TeamUpdate>) -> AppResult<axum::Json<Team>> {
    let mut v = Validator::new();
    let name = req.name.as_deref().map(|n| v.required("name", n, NAME_MAX));
    let description = req.description.map(|d| v.optional("description", d.as_deref(), TEXT_MAX));
    if let Some(m) = &req.members {
        v.at_most("members", m, MAX_MEMBERS);
    }
    v.finish()?;
    let scope = auth.begin().await?;
    scope.require(Permission::TeamsManage)?;
    let changed = scope
        .execute(
            "UPDATE teams SET name = coalesce($2, name), description = CASE WHEN $3 THEN $4 ELSE description END WHERE id = $1",
            &[&id, &name, &description.is_some(), &description.flatten()],
        )
        .await
        .map_err(|e| conflict_on_duplicate(e, "A team with this name already exists."))?;
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    if let Some(members) = &req.members {
        set_members(&scope, auth.identity.tenant_id, id, members).await?;
    }
    let updated = find(&scope, id).await?;
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("teams").summary("Rename a team or replace its members (teams:manage)");
    respond::<Team>(op, 200, "The updated team", &[400, 401, 403, 404, 409, 413, 422])
}

async fn delete(auth: Authenticated, Path(TeamId { id }): Path<TeamId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::TeamsManage, "DELETE FROM teams WHERE id = $1 RETURNING id", &[&id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("teams").summary("Delete a team (teams:manage); its records keep their owners");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

async fn add_member(auth: Authenticated, Path(TeamMemberPath { id, user_id }): Path<TeamMemberPath>) -> AppResult<NoContent> {
    let scope = auth.begin().await?;
    scope.require(Permission::TeamsManage)?;
    // A team or member outside the tenant fails its foreign key: 404 either way.
    scope
        .execute(
            "INSERT INTO team_members (tenant_id, team_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            &[&auth.identity.tenant_id, &id, &user_id],
        )
        .await
        .map_err(|e| match e {
            AppError::Validation(_) | AppError::Unprocessable(_) => AppError::NotFound,
            other => other,
        })?;
    scope.commit().await?;
    Ok(NoContent::new())
}

fn add_member_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("teams").summary("Add a member of the tenant to a team (teams:manage); idempotent");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

async fn remove_member(auth: Authenticated, Path(TeamMemberPath { id, user_id }): Path<TeamMemberPath>) -> AppResult<NoContent> {
    let (scope, rows) = auth
        .begin_requiring(Permission::TeamsManage, "DELETE FROM team_members WHERE team_id = $1 AND user_id = $2 RETURNING user_id", &[&id, &user_id])
        .await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn remove_member_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("teams").summary("Remove a member from a team (teams:manage)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}
