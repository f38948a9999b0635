//! `/api/companies`: the reference CRM resource. Reading needs
//! `companies:read`, creating and editing `companies:write`, deleting
//! `companies:delete`; RLS (`policies/companies.sql`) enforces the same.
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
        .api_route("/api/companies", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/companies/export.csv", get_with(export_csv, |op| export_docs(op, "companies", Format::Csv)))
        .api_route("/api/companies/export.json", get_with(export_json, |op| export_docs(op, "companies", Format::Json)))
        .api_route("/api/companies/{id}", get_with(read, read_docs).patch_with(update, update_docs).delete_with(delete, delete_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    /// `null` also when every role of the caller that grants companies:read
    /// hides it (`companies.domain`, see `hidden_fields` of the roles).
    pub domain: Option<String>,
    /// `null` also when hidden from the caller (`companies.industry`).
    pub industry: Option<String>,
    /// A member of the tenant: who the own and team scopes are about.
    /// `null`: unowned (reached only with scope all).
    pub owner_id: Option<Uuid>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompanyCreate {
    #[schemars(length(min = 1, max = 320))]
    pub name: String,
    #[schemars(length(max = 2000))]
    pub domain: Option<String>,
    #[schemars(length(max = 2000))]
    pub industry: Option<String>,
    /// A member of the tenant; omitted, the creator (for an API key, its
    /// creator); `null` leaves the company unowned (which a caller with
    /// scope own or team on companies:write cannot create).
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<Uuid>>,
}

/// Only the fields given change; `null` clears an optional field.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompanyUpdate {
    /// May be omitted, but not `null` (422): a company always has a name.
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(with = "String", length(min = 1, max = 320))]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub domain: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schemars(length(max = 2000))]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub owner_id: Option<Option<Uuid>>,
}

list_filter! {
    /// The list's parameters: its own, then those of every list
    /// (`created_at[gte]`, `created_at[lte]`, `updated_at[gte]`, `updated_at[lte]`, `limit`, `cursor`).
    pub struct CompanyFilter {
        /// Case-insensitive substring of the name or domain (`%` and `_` are literal).
        #[schemars(length(max = 320))]
        pub q: Option<String>,
        /// Whose companies: `me`, `team` (the caller's and their teammates') or
        /// `all` (default). It narrows the caller's scope, never widens it.
        pub owner: Option<OwnerFilter>,
        /// `me` or a member's id.
        pub owner_id: Option<String>,
        /// `created_at`, `updated_at` or `name`, `-` first for descending.
        #[schemars(regex(pattern = r"^-?(created_at|updated_at|name)$"))]
        pub sort: Option<String>,
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompanyId {
    pub id: Uuid,
}

/// What the API reads: `companies_visible` (policies/companies.sql), the
/// rows RLS lets the caller reach with the fields hidden from them as NULL;
/// the API role cannot read those columns of the table itself.
macro_rules! columns {
    () => {
        "id, name, domain, industry, owner_id, created_at, updated_at"
    };
}
const COLUMNS: &str = columns!();
const BY_ID: &str = concat!("SELECT ", columns!(), " FROM companies_visible WHERE tenant_id = $1 AND id = $2");
const SORTS: &[&SortField] = &[&CREATED_AT, &UPDATED_AT, &SortField { name: "name", column: "name", cast: "", nullable: false }];

/// A row whose first columns are `COLUMNS`, in their order: read by
/// position, as `contacts::contact` reads its rows (and for the same reason).
fn company(r: &Row) -> Company {
    Company {
        id: r.get(0),
        name: r.get(1),
        domain: r.get(2),
        industry: r.get(3),
        owner_id: r.get(4),
        created_at: r.get(5),
        updated_at: r.get(6),
    }
}

async fn list(auth: Authenticated, Query(f): Query<CompanyFilter>) -> AppResult<Paged<Company>> {
    page(auth, f).await
}

/// The columns of a CSV export, in the API's order.
const EXPORT_COLUMNS: &[&str] = &["id", "name", "domain", "industry", "owner_id", "created_at", "updated_at"];

async fn export_csv(auth: Authenticated, Query(f): Query<CompanyFilter>) -> AppResult<Response> {
    export(auth, f, "companies", EXPORT_COLUMNS, Format::Csv, page).await
}

async fn export_json(auth: Authenticated, Query(f): Query<CompanyFilter>) -> AppResult<Response> {
    export(auth, f, "companies", EXPORT_COLUMNS, Format::Json, page).await
}

/// A page of the list (also the export's pages).
pub async fn page(auth: Authenticated, f: CompanyFilter) -> AppResult<Paged<Company>> {
    let order = Order::parse(f.sort.as_deref(), SORTS, f.limit, f.cursor.as_deref())?;
    let page = order.page;
    let owner = f.owner.unwrap_or_default();
    let mut q = ListQuery::new(COLUMNS, "companies_visible", "companies:read", auth.identity.tenant_id);
    if let Some(owner_id) = member_ref("owner_id", f.owner_id.as_deref(), auth.identity.user_id)? {
        q.equals("owner_id", owner_id);
    }
    q.timestamps(f.timestamps());
    if let Some(text) = search_text(f.q.as_deref())? {
        q.search("app.search_companies", text, Vec::new(), owner, &page);
    } else {
        q.owner(owner);
    }
    q.order(order)?;
    // The hot path: context, authorization and the page in one round trip.
    // Without `companies:read` RLS returns no rows, and the caller gets 403.
    let rows = run_list(&auth, Permission::CompaniesRead, &mut q).await?;
    Ok(q.finish(&page, &rows, company, |c| (c.created_at.0, c.id)))
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("companies").summary("List companies, newest first (companies:read)");
    respond::<Paged<Company>>(op, 200, "A page of companies", &[400, 401, 403])
}

async fn read(auth: Authenticated, Path(CompanyId { id }): Path<CompanyId>) -> AppResult<axum::Json<Company>> {
    // One round trip: context, authorization and the row, pipelined.
    let rows = auth.read_via_policy(Permission::CompaniesRead, BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(company).map(axum::Json).ok_or(AppError::NotFound)
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Company>(op.tag("companies").summary("Read a company (companies:read)"), 200, "The company", &[400, 401, 403, 404])
}

async fn create(auth: Authenticated, Json(req): Json<CompanyCreate>) -> AppResult<Reply<Company>> {
    let mut v = Validator::new();
    let name = v.required("name", &req.name, NAME_MAX);
    let domain = v.optional("domain", req.domain.as_deref(), TEXT_MAX);
    let industry = v.optional("industry", req.industry.as_deref(), TEXT_MAX);
    v.finish()?;
    // Read back through companies_visible: a field hidden from the caller is
    // answered as null even right after they wrote it.
    let owner = req.owner_id.unwrap_or(Some(auth.identity.user_id));
    let sql = "INSERT INTO companies (tenant_id, name, domain, industry, owner_id) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (scope, rows) = auth.begin_requiring(Permission::CompaniesWrite, sql, &[&auth.identity.tenant_id, &name, &domain, &industry, &owner]).await?;
    let id: Uuid = rows.first().ok_or(AppError::Internal("INSERT answered no row".into()))?.get(0);
    let row = scope.query_opt_then_commit(BY_ID, &[&auth.identity.tenant_id, &id]).await?;
    let created = row.as_ref().map(company).ok_or(AppError::Internal("the new company could not be read back".into()))?;
    Ok(Reply::created(format!("/api/companies/{}", created.id), created))
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("companies").summary("Create a company (companies:write)");
    respond::<Company>(op, 201, "The new company", &[400, 401, 403, 413, 422])
}

async fn update(auth: Authenticated, Path(CompanyId { id }): Path<CompanyId>, Json(req): Json<CompanyUpdate>) -> AppResult<axum::Json<Company>> {
    let mut v = Validator::new();
    let (set_name, name) = required_text(&mut v, "name", req.name, NAME_MAX);
    let (set_domain, domain) = optional_text(&mut v, "domain", req.domain, TEXT_MAX);
    let (set_industry, industry) = optional_text(&mut v, "industry", req.industry, TEXT_MAX);
    let (set_owner, owner) = (req.owner_id.is_some(), req.owner_id.flatten());
    v.finish()?;
    // Only the given columns are named: the API role may write a hidden
    // field (domain, industry) but never read it.
    let mut set = SetList::new(&auth.identity.tenant_id, &id);
    set.column(set_name, "name", name);
    set.column(set_domain, "domain", domain);
    set.column(set_industry, "industry", industry);
    set.column(set_owner, "owner_id", owner);
    let sql = set.update("companies", "name");
    let (scope, rows) = auth.begin_requiring(Permission::CompaniesWrite, &sql, &set.params()).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let row = scope.query_opt(BY_ID, &[&auth.identity.tenant_id, &id]).await?.ok_or(AppError::NotFound)?;
    scope.commit().await?;
    Ok(axum::Json(company(&row)))
}

fn update_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("companies").summary("Change the given fields of a company (companies:write)");
    respond::<Company>(op, 200, "The updated company", &[400, 401, 403, 404, 413, 422])
}

async fn delete(auth: Authenticated, Path(CompanyId { id }): Path<CompanyId>) -> AppResult<NoContent> {
    let (scope, rows) = auth.begin_requiring(Permission::CompaniesDelete, "DELETE FROM companies WHERE tenant_id = $1 AND id = $2 RETURNING id", &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    scope.commit().await?;
    Ok(NoContent::new())
}

fn delete_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("companies").summary("Delete a company; its contacts keep existing without it (companies:delete)");
    with_problems(op.response::<204, NoContent>(), &[400, 401, 403, 404])
}

#[cfg(test)]
mod tests {
    /// `company` reads the columns by position, in the order of the struct's
    /// fields, which is the API's (`EXPORT_COLUMNS`).
    #[test]
    fn company_reads_the_columns_in_their_order() {
        assert_eq!(super::COLUMNS.split(", ").collect::<Vec<_>>(), super::EXPORT_COLUMNS);
    }
}
