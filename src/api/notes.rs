//! `/api/notes`: markdown notes on exactly one company, contact or deal.
//! Reading needs `notes:read`, writing `notes:write`, deleting
//! `notes:delete`, each within the grant's scope, which for a note follows
//! its author. RLS (`policies/notes.sql`) enforces the same, and a trigger
//! (`app.check_record_link`, `sql/56_notes_tasks.sql`) lets a note be written
//! only on a record the writer can read.
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
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
    validation::Validator,
};

/// The longest note body, in characters (the table's CHECK says the same).
pub const BODY_MAX: usize = 100_000;

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/notes", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/notes/export.csv", get_with(export_csv, |op| export_docs(op, "notes", Format::Csv)))
        .api_route("/api/notes/export.json", get_with(export_json, |op| export_docs(op, "notes", Format::Json)))
        .api_route("/api/notes/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Note {
    pub id: Uuid,
    /// Markdown.
    pub body: String,
    /// Exactly one of `company_id`, `contact_id`, `deal_id` is set: the record the note is on.
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
    /// The author (`null` once they left the tenant without a successor);
    /// the own and team scopes of notes:* are about them.
    pub owner_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoteCreate {
    /// Markdown, 1 to 100,000 characters.
    #[schemars(length(min = 1, max = 100000))]
    pub body: String,
    /// Give exactly one of `company_id`, `contact_id`, `deal_id`: a record
    /// of the tenant the caller can read (422 otherwise, as for one that
    /// does not exist). The author is the caller (an API key's creator).
    pub company_id: Option<Uuid>,
    pub contact_id: Option<Uuid>,
    pub deal_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoteUpdate {
    #[schemars(length(min = 1, max = 100000))]
    pub body: Option<String>,
}

list_filter! {
    /// The list's parameters: its own, then those of every list
    /// (`created_at[gte]`, `created_at[lte]`, `updated_at[gte]`, `updated_at[lte]`, `limit`, `cursor`).
    pub struct NoteFilter {
        /// Only the notes on this company.
        pub company_id: Option<Uuid>,
        /// Only the notes on this contact.
        pub contact_id: Option<Uuid>,
        /// Only the notes on this deal.
        pub deal_id: Option<Uuid>,
        /// Whose notes: `me` (written by the caller), `team` or `all` (default); narrows the scope, never widens it.
        pub owner: Option<OwnerFilter>,
        /// `me` or a member's id: the author.
        pub owner_id: Option<String>,
        /// `created_at` or `updated_at`, `-` first for descending.
        #[schemars(regex(pattern = r"^-?(created_at|updated_at)$"))]
        pub sort: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct NoteId {
    pub id: Uuid,
}

macro_rules! columns {
    () => {
        "id, body, company_id, contact_id, deal_id, owner_id, created_at, updated_at"
    };
}
const COLUMNS: &str = columns!();
const BY_ID: &str = concat!("SELECT ", columns!(), " FROM notes WHERE tenant_id = $1 AND id = $2");
const SORTS: &[&SortField] = &[&CREATED_AT, &UPDATED_AT];

fn note(r: &Row) -> Note {
    Note {
        id: r.get("id"),
        body: r.get("body"),
        company_id: r.get("company_id"),
        contact_id: r.get("contact_id"),
        deal_id: r.get("deal_id"),
        owner_id: r.get("owner_id"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

async fn list(auth: Authenticated, Query(f): Query<NoteFilter>) -> AppResult<Paged<Note>> {
    page(auth, f).await
}

/// The columns of a CSV export, in the API's order.
const EXPORT_COLUMNS: &[&str] = &["id", "body", "company_id", "contact_id", "deal_id", "owner_id", "created_at", "updated_at"];

async fn export_csv(auth: Authenticated, Query(f): Query<NoteFilter>) -> AppResult<Response> {
    export(auth, f, "notes", EXPORT_COLUMNS, Format::Csv, page).await
}

async fn export_json(auth: Authenticated, Query(f): Query<NoteFilter>) -> AppResult<Response> {
    export(auth, f, "notes", EXPORT_COLUMNS, Format::Json, page).await
}

/// A page of the list (also the export's pages).
pub async fn page(auth: Authenticated, f: NoteFilter) -> AppResult<Paged<Note>> {
    let order = Order::parse(f.sort.as_deref(), SORTS, f.limit, f.cursor.as_deref())?;
    let page = order.page;
    let mut q = ListQuery::new(COLUMNS, "notes", "notes:read", auth.identity.tenant_id);
    if let Some(owner_id) = member_ref("owner_id", f.owner_id.as_deref(), auth.identity.user_id)? {
        q.equals("owner_id", owner_id);
    }
    q.timestamps(f.timestamps());
    q.linked_to(f.company_id, f.contact_id, f.deal_id);
    q.owner(f.owner.unwrap_or_default());
    q.order(order)?;
    let rows = auth.read_via_policy(Permission::NotesRead, &q.sql(), &q.params()).await?;
    Ok(q.finish(&page, &rows, note, |n| (n.created_at.0, n.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("notes").summary("List notes, newest first (notes:read)");
    respond::<Paged<Note>>(op, 200, "A page of notes", &[400, 401, 403])
}

async fn read(auth: Authenticated, Path(NoteId { id }): Path<NoteId>) -> AppResult<axum::Json<Note>> {
    let rows = auth.read_via_policy(Permission::NotesRead, BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(note).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Note>(op.tag("notes").summary("Read a note (notes:read)"), 200, "The note", &[400, 401, 403, 404])
}

async fn create(auth: Authenticated, Json(req): Json<NoteCreate>) -> AppResult<Reply<Note>> {
    let mut v = Validator::new();
    let body = v.required("body", &req.body, BODY_MAX);
    if [req.company_id, req.contact_id, req.deal_id].iter().flatten().count() != 1 {
        v.push("company_id", "give exactly one of company_id, contact_id, deal_id");
    }
    v.finish()?;
    let sql = concat!(
        "INSERT INTO notes (tenant_id, body, company_id, contact_id, deal_id, owner_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        columns!()
    );
    let (scope, rows) = auth
        .begin_requiring(
            Permission::NotesWrite,
            sql,
            &[&auth.identity.tenant_id, &body, &req.company_id, &req.contact_id, &req.deal_id, &auth.identity.user_id],
        )
        .await?;
    let created = rows.first().map(note).ok_or(AppError::Internal("INSERT answered no row".into()))?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/notes/{}", created.id), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("notes").summary("Write a note on a company, contact or deal (notes:write)");
    respond::<Note>(op, 201, "The new note", &[400, 401, 403, 413, 422])
}

async fn update(auth: Authenticated, Path(NoteId { id }): Path<NoteId>, Json(req): Json<NoteUpdate>) -> AppResult<axum::Json<Note>> {
    let mut v = Validator::new();
    let body = req.body.as_deref().map(|b| v.required("body", b, BODY_MAX));
    v.finish()?;
    let mut set = SetList::new(&auth.identity.tenant_id, &id);
    set.column(body.is_some(), "body", body);
    let sql = set.update_returning("notes", "body", COLUMNS);
    let (scope, rows) = auth.begin_requiring(Permission::NotesWrite, &sql, &set.params()).await?;
    let updated = rows.first().map(note).ok_or(AppError::NotFound)?;
    scope.commit().await?;
    Ok(axum::Json(updated))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("notes").summary("Edit a note (notes:write)");
    respond::<Note>(op, 200, "The updated note", &[400, 401, 403, 404, 413, 422])
}

async fn delete(auth: Authenticated, Path(NoteId { id }): Path<NoteId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::NotesDelete, "DELETE FROM notes WHERE tenant_id = $1 AND id = $2 RETURNING id", &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("notes").summary("Delete a note (notes:delete)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}
