//! `/api/tasks`: to-dos with a due date and an assignee, linked to at most
//! one company, contact or deal. Reading needs `tasks:read`, writing
//! (creating, assigning, completing) `tasks:write`, deleting `tasks:delete`,
//! each within the grant's scope, which for a task follows its assignee
//! (`owner=me` is "my tasks"). RLS (`policies/tasks.sql`) enforces the same;
//! the database sets `done_at` and checks that a linked record is one the
//! writer can read (`sql/56_notes_tasks.sql`).
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::Row;
use uuid::Uuid;

use axum::response::Response;

use super::{
    timestamp::Timestamp,
    export::{export, export_docs, Format},
    crm::{list_filter, member_ref, ListQuery, Order, OwnerFilter, SetList, SortField, CREATED_AT, UPDATED_AT},
    extract::{Json, Path, Query},
    pagination::Paged,
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    auth::{Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
    validation::{double_option, Validator},
};

/// The longest task title, in characters (the table's CHECK says the same).
pub const TITLE_MAX: usize = 500;

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/tasks", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/tasks/export.csv", get_with(export_csv, |op| export_docs(op, "tasks", Format::Csv)))
        .api_route("/api/tasks/export.json", get_with(export_json, |op| export_docs(op, "tasks", Format::Json)))
        .api_route("/api/tasks/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Task {
    pub id: Uuid,
    pub title: String,
    pub due_date: Option<NaiveDate>,
    /// Who the task is for (`null`: unassigned, reached only with scope
    /// all); the own and team scopes of tasks:* are about them.
    pub assignee_id: Option<Uuid>,
    pub done: bool,
    /// When the task was completed (set by the database).
    pub done_at: Option<Timestamp>,
    /// At most one of `company_id`, `contact_id`, `deal_id`: the record the task is about.
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TaskCreate {
    #[schemars(length(min = 1, max = 500))]
    pub title: String,
    pub due_date: Option<NaiveDate>,
    /// A member of the tenant; omitted, the creator (an API key's creator);
    /// `null` leaves the task unassigned (which a caller with scope own or
    /// team on tasks:write cannot create).
    #[serde(default, deserialize_with = "double_option")]
    pub assignee_id: Option<Option<Uuid>>,
    #[serde(default)]
    pub done: bool,
    /// At most one of `company_id`, `contact_id`, `deal_id`: a record of the
    /// tenant the caller can read (422 otherwise, as for one that does not exist).
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
}

/// Only the fields given change; `null` clears an optional field.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TaskUpdate {
    /// May be omitted, but not `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(with = "String", length(min = 1, max = 500))]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    pub assignee_id: Option<Option<Uuid>>,
    pub done: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub company_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    pub contact_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    pub deal_id: Option<Option<Uuid>>,
}

list_filter! {
    /// The list's parameters: its own, then those of every list
    /// (`created_at[gte]`, `created_at[lte]`, `updated_at[gte]`, `updated_at[lte]`, `limit`, `cursor`).
    pub struct TaskFilter {
        /// Only the tasks about this company.
        pub company_id: Option<Uuid>,
        /// Only the tasks about this contact.
        pub contact_id: Option<Uuid>,
        /// Only the tasks about this deal.
        pub deal_id: Option<Uuid>,
        /// Only open (`false`) or completed (`true`) tasks.
        pub done: Option<bool>,
        /// Whose tasks: `me` (assigned to the caller: "my tasks"), `team` or
        /// `all` (default); narrows the scope, never widens it.
        pub owner: Option<OwnerFilter>,
        /// `me` or a member's id.
        pub assignee_id: Option<String>,
        /// Due on or after this date.
        #[serde(rename = "due_date[gte]")]
        pub due_date_gte: Option<NaiveDate>,
        /// Due on or before this date (with `done=false`: what is due by then).
        #[serde(rename = "due_date[lte]")]
        pub due_date_lte: Option<NaiveDate>,
        /// `created_at`, `updated_at`, `due_date` or `title`, `-` first for
        /// descending; tasks without a due date come last.
        #[schemars(regex(pattern = r"^-?(created_at|updated_at|due_date|title)$"))]
        pub sort: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TaskId {
    pub id: Uuid,
}

macro_rules! columns {
    () => {
        "id, title, due_date, assignee_id, done, done_at, company_id, contact_id, deal_id, created_at, updated_at"
    };
}
const COLUMNS: &str = columns!();
const BY_ID: &str = concat!("SELECT ", columns!(), " FROM tasks WHERE tenant_id = $1 AND id = $2");
const SORTS: &[&SortField] = &[
    &CREATED_AT,
    &UPDATED_AT,
    &SortField { name: "due_date", column: "due_date", cast: "::date", nullable: true },
    &SortField { name: "title", column: "title", cast: "", nullable: false },
];

fn task(r: &Row) -> Task {
    Task {
        id: r.get("id"),
        title: r.get("title"),
        due_date: r.get("due_date"),
        assignee_id: r.get("assignee_id"),
        done: r.get("done"),
        done_at: r.get("done_at"),
        company_id: r.get("company_id"),
        contact_id: r.get("contact_id"),
        deal_id: r.get("deal_id"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

async fn list(auth: Authenticated, Query(f): Query<TaskFilter>) -> AppResult<Paged<Task>> {
    page(auth, f).await
}

/// The columns of a CSV export, in the API's order.
const EXPORT_COLUMNS: &[&str] = &["id", "title", "due_date", "assignee_id", "done", "done_at", "company_id", "contact_id", "deal_id", "created_at", "updated_at"];

async fn export_csv(auth: Authenticated, Query(f): Query<TaskFilter>) -> AppResult<Response> {
    export(auth, f, "tasks", EXPORT_COLUMNS, Format::Csv, page).await
}

async fn export_json(auth: Authenticated, Query(f): Query<TaskFilter>) -> AppResult<Response> {
    export(auth, f, "tasks", EXPORT_COLUMNS, Format::Json, page).await
}

/// A page of the list (also the export's pages).
pub async fn page(auth: Authenticated, f: TaskFilter) -> AppResult<Paged<Task>> {
    let order = Order::parse(f.sort.as_deref(), SORTS, f.limit, f.cursor.as_deref())?;
    let page = order.page;
    let mut q = ListQuery::new(COLUMNS, "tasks", "tasks:read", auth.identity.tenant_id);
    q.owner_column("assignee_id");
    if let Some(assignee_id) = member_ref("assignee_id", f.assignee_id.as_deref(), auth.identity.user_id)? {
        q.equals("assignee_id", assignee_id);
    }
    q.compare("due_date", ">=", "", f.due_date_gte);
    q.compare("due_date", "<=", "", f.due_date_lte);
    q.timestamps(f.timestamps());
    q.linked_to(f.company_id, f.contact_id, f.deal_id);
    if let Some(done) = f.done {
        q.equals("done", done);
    }
    q.owner(f.owner.unwrap_or_default());
    q.order(order)?;
    let rows = auth.read_via_policy(Permission::TasksRead, &q.sql(), &q.params()).await?;
    Ok(q.finish(&page, &rows, task, |t| (t.created_at.0, t.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("tasks").summary("List tasks, newest first (tasks:read)");
    respond::<Paged<Task>>(op, 200, "A page of tasks", &[400, 401, 403])
}

async fn read(auth: Authenticated, Path(TaskId { id }): Path<TaskId>) -> AppResult<axum::Json<Task>> {
    let rows = auth.read_via_policy(Permission::TasksRead, BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(task).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Task>(op.tag("tasks").summary("Read a task (tasks:read)"), 200, "The task", &[400, 401, 403, 404])
}

async fn create(auth: Authenticated, Json(req): Json<TaskCreate>) -> AppResult<Reply<Task>> {
    let mut v = Validator::new();
    let title = v.required("title", &req.title, TITLE_MAX);
    if [req.company_id, req.contact_id, req.deal_id].iter().flatten().count() > 1 {
        v.push("company_id", "give at most one of company_id, contact_id, deal_id");
    }
    v.finish()?;
    let assignee = req.assignee_id.unwrap_or(Some(auth.identity.user_id));
    let sql = concat!(
        "INSERT INTO tasks (tenant_id, title, due_date, assignee_id, done, company_id, contact_id, deal_id) ",
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ",
        columns!()
    );
    let (scope, rows) = auth
        .begin_requiring(
            Permission::TasksWrite,
            sql,
            &[&auth.identity.tenant_id, &title, &req.due_date, &assignee, &req.done, &req.company_id, &req.contact_id, &req.deal_id],
        )
        .await?;
    let created = rows.first().map(task).ok_or(AppError::Internal("INSERT answered no row".into()))?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/tasks/{}", created.id), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("tasks").summary("Create a task (tasks:write)");
    respond::<Task>(op, 201, "The new task", &[400, 401, 403, 413, 422])
}

async fn update(auth: Authenticated, Path(TaskId { id }): Path<TaskId>, Json(req): Json<TaskUpdate>) -> AppResult<axum::Json<Task>> {
    let mut v = Validator::new();
    let (set_title, title) = super::crm::required_text(&mut v, "title", req.title, TITLE_MAX);
    if [req.company_id, req.contact_id, req.deal_id].iter().filter(|l| matches!(l, Some(Some(_)))).count() > 1 {
        v.push("company_id", "give at most one of company_id, contact_id, deal_id");
    }
    v.finish()?;
    let mut set = SetList::new(&auth.identity.tenant_id, &id);
    set.column(set_title, "title", title);
    set.column(req.due_date.is_some(), "due_date", req.due_date.flatten());
    set.column(req.assignee_id.is_some(), "assignee_id", req.assignee_id.flatten());
    set.column(req.done.is_some(), "done", req.done.unwrap_or_default());
    set.column(req.company_id.is_some(), "company_id", req.company_id.flatten());
    set.column(req.contact_id.is_some(), "contact_id", req.contact_id.flatten());
    set.column(req.deal_id.is_some(), "deal_id", req.deal_id.flatten());
    let sql = set.update_returning("tasks", "title", COLUMNS);
    let (scope, rows) = auth.begin_requiring(Permission::TasksWrite, &sql, &set.params()).await?;
    let updated = rows.first().map(task).ok_or(AppError::NotFound)?;
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("tasks").summary("Change the given fields of a task, complete or reopen it (tasks:write)");
    respond::<Task>(op, 200, "The updated task", &[400, 401, 403, 404, 413, 422])
}

async fn delete(auth: Authenticated, Path(TaskId { id }): Path<TaskId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::TasksDelete, "DELETE FROM tasks WHERE tenant_id = $1 AND id = $2 RETURNING id", &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("tasks").summary("Delete a task (tasks:delete)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}
