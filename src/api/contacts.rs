//! `/api/contacts`: people, optionally at a company of the same tenant.
//! Reading needs `contacts:read`, creating and editing `contacts:write`,
//! deleting `contacts:delete`; RLS (`policies/contacts.sql`) enforces the same.
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
    crm::{list_filter, member_ref, run_list, optional_text, required_text, search_text, ListQuery, Order, OwnerFilter, SetList, SortField, CREATED_AT, UPDATED_AT},
    pagination::Paged,
    extract::{Json, Path, Query},
    reply::{respond, with_problems, NoContent, Reply},
};
use crate::{
    validation::{double_option, Validator, NAME_MAX, TEXT_MAX},
    auth::{Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/contacts", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/contacts/export.csv", get_with(export_csv, |op| export_docs(op, "contacts", Format::Csv)))
        .api_route("/api/contacts/export.json", get_with(export_json, |op| export_docs(op, "contacts", Format::Json)))
        .api_route("/api/contacts/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Contact {
    pub id: Uuid,
    pub first_name: String,
    pub last_name: Option<String>,
    /// `null` also when every role of the caller that grants contacts:read
    /// hides it (`contacts.email`, see `hidden_fields` of the roles).
    pub email: Option<String>,
    /// `null` also when hidden from the caller (`contacts.phone`).
    pub phone: Option<String>,
    pub company_id: Option<Uuid>,
    /// A member of the tenant: who the own and team scopes are about.
    /// `null`: unowned (reached only with scope all).
    pub owner_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ContactCreate {
    #[schemars(length(min = 1, max = 320))]
    pub first_name: String,
    #[schemars(length(max = 320))]
    pub last_name: Option<String>,
    #[schemars(length(max = 320), email)]
    pub email: Option<String>,
    #[schemars(length(max = 2000))]
    pub phone: Option<String>,
    pub company_id: Option<Uuid>,
    /// A member of the tenant; omitted, the creator (for an API key, its
    /// creator); `null` leaves the contact unowned (which a caller with
    /// scope own or team on contacts:write cannot create).
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<Uuid>>,
}

/// Only the fields given change; `null` clears an optional field.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ContactUpdate {
    /// May be omitted, but not `null` (422): a contact always has a first name.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(with = "String", length(min = 1, max = 320))]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 320))]
    pub last_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 320), email)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub company_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<Uuid>>,
}

list_filter! {
    /// The list's parameters: its own, then those of every list
    /// (`created_at[gte]`, `created_at[lte]`, `updated_at[gte]`, `updated_at[lte]`, `limit`, `cursor`).
    pub struct ContactFilter {
        /// Case-insensitive substring of the first or last name or the email (`%` and `_` are literal).
        #[schemars(length(max = 320))]
        pub q: Option<String>,
        /// Only contacts at this company.
        pub company_id: Option<Uuid>,
        /// Whose contacts: `me`, `team` (the caller's and their teammates') or
        /// `all` (default). It narrows the caller's scope, never widens it.
        pub owner: Option<OwnerFilter>,
        /// `me` or a member's id.
        pub owner_id: Option<String>,
        /// `created_at`, `updated_at`, `first_name` or `last_name`, `-` first
        /// for descending; contacts without a last name come last.
        #[schemars(regex(pattern = r"^-?(created_at|updated_at|first_name|last_name)$"))]
        pub sort: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ContactId {
    pub id: Uuid,
}

/// What the API reads: `contacts_visible` (policies/contacts.sql), the rows
/// RLS lets the caller reach with the fields hidden from them as NULL; the
/// API role cannot read those columns of the table itself.
macro_rules! columns {
    () => {
        "id, first_name, last_name, email, phone, company_id, owner_id, created_at, updated_at"
    };
}
const COLUMNS: &str = columns!();
const BY_ID: &str = concat!("SELECT ", columns!(), " FROM contacts_visible WHERE tenant_id = $1 AND id = $2");
const SORTS: &[&SortField] = &[
    &CREATED_AT,
    &UPDATED_AT,
    &SortField { name: "first_name", column: "first_name", cast: "", nullable: false },
    &SortField { name: "last_name", column: "last_name", cast: "", nullable: true },
];

/// A row whose first columns are `COLUMNS`, in their order (every statement
/// of this file and of `ListQuery` selects them first): read by position, as
/// finding a column by its name compares it with each column's name in turn,
/// for every field of every row (7 % of the server's instructions on a page
/// of 50, docs/performance.md "Seventh session").
fn contact(r: &Row) -> Contact {
    Contact {
        id: r.get(0),
        first_name: r.get(1),
        last_name: r.get(2),
        email: r.get(3),
        phone: r.get(4),
        company_id: r.get(5),
        owner_id: r.get(6),
        created_at: r.get(7),
        updated_at: r.get(8),
    }
}

async fn list(auth: Authenticated, Query(f): Query<ContactFilter>) -> AppResult<Paged<Contact>> {
    page(auth, f).await
}

/// The columns of a CSV export, in the API's order.
const EXPORT_COLUMNS: &[&str] = &["id", "first_name", "last_name", "email", "phone", "company_id", "owner_id", "created_at", "updated_at"];

async fn export_csv(auth: Authenticated, Query(f): Query<ContactFilter>) -> AppResult<Response> {
    export(auth, f, "contacts", EXPORT_COLUMNS, Format::Csv, page).await
}

async fn export_json(auth: Authenticated, Query(f): Query<ContactFilter>) -> AppResult<Response> {
    export(auth, f, "contacts", EXPORT_COLUMNS, Format::Json, page).await
}

/// A page of the list (also the export's pages).
pub async fn page(auth: Authenticated, f: ContactFilter) -> AppResult<Paged<Contact>> {
    let order = Order::parse(f.sort.as_deref(), SORTS, f.limit, f.cursor.as_deref())?;
    let page = order.page;
    let owner = f.owner.unwrap_or_default();
    let mut q = ListQuery::new(COLUMNS, "contacts_visible", "contacts:read", auth.identity.tenant_id);
    if let Some(company_id) = f.company_id {
        q.equals("company_id", company_id);
    }
    if let Some(owner_id) = member_ref("owner_id", f.owner_id.as_deref(), auth.identity.user_id)? {
        q.equals("owner_id", owner_id);
    }
    q.timestamps(f.timestamps());
    if let Some(text) = search_text(f.q.as_deref())? {
        q.search("app.search_contacts", text, vec![Box::new(f.company_id)], owner, &page);
    } else {
        q.owner(owner);
    }
    q.order(order)?;
    // The hot path: context, authorization and the page in one round trip.
    // Without `contacts:read` RLS returns no rows, and the caller gets 403.
    let rows = run_list(&auth, Permission::ContactsRead, &mut q).await?;
    Ok(q.finish(&page, &rows, contact, |c| (c.created_at.0, c.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("contacts").summary("List contacts, newest first (contacts:read)");
    respond::<Paged<Contact>>(op, 200, "A page of contacts", &[400, 401, 403])
}

async fn read(auth: Authenticated, Path(ContactId { id }): Path<ContactId>) -> AppResult<axum::Json<Contact>> {
    // One round trip: context, authorization and the row, pipelined.
    let rows = auth.read_via_policy(Permission::ContactsRead, BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(contact).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Contact>(op.tag("contacts").summary("Read a contact (contacts:read)"), 200, "The contact", &[400, 401, 403, 404])
}

async fn create(auth: Authenticated, Json(req): Json<ContactCreate>) -> AppResult<Reply<Contact>> {
    let mut v = Validator::new();
    let first_name = v.required("first_name", &req.first_name, NAME_MAX);
    let last_name = v.optional("last_name", req.last_name.as_deref(), NAME_MAX);
    let email = v.optional_email("email", req.email.as_deref());
    let phone = v.optional("phone", req.phone.as_deref(), TEXT_MAX);
    v.finish()?;
    // The row is read back through contacts_visible, so a field hidden from
    // the caller is answered as null even right after they wrote it.
    let owner = req.owner_id.unwrap_or(Some(auth.identity.user_id));
    let sql = "INSERT INTO contacts (tenant_id, first_name, last_name, email, phone, company_id, owner_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
    let (scope, rows) = auth.begin_requiring(Permission::ContactsWrite, sql, &[&auth.identity.tenant_id, &first_name, &last_name, &email, &phone, &req.company_id, &owner]).await?;
    let id: Uuid = rows.first().ok_or(AppError::Internal("INSERT answered no row".into()))?.get(0);
    let row = scope.query_opt_then_commit(BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    let created = row.as_ref().map(contact).ok_or(AppError::Internal("the new contact could not be read back".into()))?;
    Ok(Reply::created(format!("/api/contacts/{}", created.id), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("contacts").summary("Create a contact (contacts:write)");
    respond::<Contact>(op, 201, "The new contact", &[400, 401, 403, 413, 422])
}

async fn update(auth: Authenticated, Path(ContactId { id }): Path<ContactId>, Json(req): Json<ContactUpdate>) -> AppResult<axum::Json<Contact>> {
    let mut v = Validator::new();
    let (set_first, first_name) = required_text(&mut v, "first_name", req.first_name, NAME_MAX);
    let (set_last, last_name) = optional_text(&mut v, "last_name", req.last_name, NAME_MAX);
    let (set_email, email) = match req.email {
        None => (false, None),
        Some(e) => (true, v.optional_email("email", e.as_deref())),
    };
    let (set_phone, phone) = optional_text(&mut v, "phone", req.phone, TEXT_MAX);
    let (set_company, company) = (req.company_id.is_some(), req.company_id.flatten());
    let (set_owner, owner) = (req.owner_id.is_some(), req.owner_id.flatten());
    v.finish()?;
    // Only the given columns are named: the API role may write a hidden
    // field (email, phone) but never read it, not even as `email = email`.
    let mut set = SetList::new(&auth.identity.tenant_id, &id);
    set.column(set_first, "first_name", first_name);
    set.column(set_last, "last_name", last_name);
    set.column(set_email, "email", email);
    set.column(set_phone, "phone", phone);
    set.column(set_company, "company_id", company);
    set.column(set_owner, "owner_id", owner);
    let sql = set.update("contacts", "first_name");
    let (scope, rows) = auth.begin_requiring(Permission::ContactsWrite, &sql, &set.params()).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let row = scope.query_opt(BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    let row = row.ok_or(AppError::NotFound)?;
    scope.commit().await?;
    Ok(axum::Json(contact(&row)))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("contacts").summary("Change the given fields of a contact (contacts:write)");
    respond::<Contact>(op, 200, "The updated contact", &[400, 401, 403, 404, 413, 422])
}

async fn delete(auth: Authenticated, Path(ContactId { id }): Path<ContactId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::ContactsDelete, "DELETE FROM contacts WHERE tenant_id = $1 AND id = $2 RETURNING id", &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("contacts").summary("Delete a contact (contacts:delete)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

#[cfg(test)]
mod tests {
    /// `contact` reads the columns by position, in the order of the struct's
    /// fields, which is the API's (`EXPORT_COLUMNS`).
    #[test]
    fn contact_reads_the_columns_in_their_order() {
        assert_eq!(super::COLUMNS.split(", ").collect::<Vec<_>>(), super::EXPORT_COLUMNS);
    }
}
