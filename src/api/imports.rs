//! `/api/imports`: CSV into companies, contacts or deals, with a dry run, a
//! streamed run in batches, and revert (docs/data-movement.md).
//!
//! The file is never stored: the client sends it to the dry run and to the
//! run, and the server reads it as it arrives (a blocking CSV reader on the
//! request body, handing over batches of 500 rows through a channel of one:
//! at most two batches in memory). Each batch is one transaction under the
//! importer's own request context, so RLS, scopes, constraints and the audit
//! triggers judge every row; a row that fails is rolled back to its
//! savepoint and reported, the others go in. A dry run does all of it and
//! rolls every batch back.
use std::time::Duration;

use aide::{
    axum::{
        routing::{get_with, post_with},
        ApiRouter,
    },
    openapi::{MediaType, ReferenceOr, RequestBody, SchemaObject},
    transform::TransformOperation,
};
use axum::{
    body::{Body, Bytes},
    http::HeaderMap,
};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::{StreamExt, TryStreamExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_postgres::{types::ToSql, Row};
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    export::unguard,
    extract::{Json, Path, Query},
    pagination::{Page, PageParams, Paged},
    reply::{respond, Reply},
};
use crate::{
    auth::{Authenticated, Permission},
    db::Scope,
    error::{AppError, AppResult, FieldError},
    validation::{is_email, Validator, NAME_MAX, TEXT_MAX},
};

use crate::state::AppState;

/// Rows per batch (and per transaction).
pub const BATCH_ROWS: usize = 500;
/// The largest file a dry run or run reads.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Row problems a dry run answers (a run keeps as many).
pub const MAX_REPORTED_ERRORS: usize = 1000;

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/imports", get_with(list, list_docs).post_with(create, create_docs))
        .api_route("/api/imports/preview", post_with(preview, preview_docs))
        .api_route("/api/imports/{id}", get_with(read, read_docs))
        .api_route("/api/imports/{id}/errors", get_with(errors, errors_docs))
        .api_route("/api/imports/{id}/dry-run", post_with(dry_run, dry_run_docs))
        .api_route("/api/imports/{id}/run", post_with(run, run_docs))
        .api_route("/api/imports/{id}/revert", post_with(revert, revert_docs))
}

// ---------------------------------------------------------------------------
// What can be imported.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Companies,
    Contacts,
    Deals,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every row is a new record.
    Create,
    /// Every row names an existing record by `id`.
    Update,
    /// A row whose `id` names an existing record updates it; the others create one.
    Upsert,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Text(usize),
    Email,
    Id,
    Amount,
    Currency,
    Date,
}

struct Field {
    name: &'static str,
    kind: Kind,
    required: bool,
    /// After the placeholder in an UPDATE (`::text::numeric` for amounts).
    cast: &'static str,
}

const fn field(name: &'static str, kind: Kind, required: bool) -> Field {
    Field { name, kind, required, cast: "" }
}

const COMPANY_FIELDS: &[Field] = &[
    field("name", Kind::Text(NAME_MAX), true),
    field("domain", Kind::Text(TEXT_MAX), false),
    field("industry", Kind::Text(TEXT_MAX), false),
    field("owner_id", Kind::Id, false),
];
const CONTACT_FIELDS: &[Field] = &[
    field("first_name", Kind::Text(NAME_MAX), true),
    field("last_name", Kind::Text(NAME_MAX), false),
    field("email", Kind::Email, false),
    field("phone", Kind::Text(TEXT_MAX), false),
    field("company_id", Kind::Id, false),
    field("owner_id", Kind::Id, false),
];
const DEAL_FIELDS: &[Field] = &[
    field("name", Kind::Text(NAME_MAX), true),
    Field { name: "amount", kind: Kind::Amount, required: false, cast: "::text::numeric" },
    field("currency", Kind::Currency, false),
    field("pipeline_id", Kind::Id, false),
    field("stage_id", Kind::Id, false),
    field("company_id", Kind::Id, false),
    field("owner_id", Kind::Id, false),
    field("expected_close_date", Kind::Date, false),
];

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Create => "create",
            Mode::Update => "update",
            Mode::Upsert => "upsert",
        }
    }
}

impl Resource {
    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Companies => "companies",
            Resource::Contacts => "contacts",
            Resource::Deals => "deals",
        }
    }

    fn parse(s: &str) -> Option<Resource> {
        [Resource::Companies, Resource::Contacts, Resource::Deals].into_iter().find(|r| r.as_str() == s)
    }

    fn fields(self) -> &'static [Field] {
        match self {
            Resource::Companies => COMPANY_FIELDS,
            Resource::Contacts => CONTACT_FIELDS,
            Resource::Deals => DEAL_FIELDS,
        }
    }

    fn write(self) -> Permission {
        match self {
            Resource::Companies => Permission::CompaniesWrite,
            Resource::Contacts => Permission::ContactsWrite,
            Resource::Deals => Permission::DealsWrite,
        }
    }

    /// What an update reads the previous values from: what the importer sees.
    fn visible(self) -> &'static str {
        match self {
            Resource::Companies => "companies_visible",
            Resource::Contacts => "contacts_visible",
            Resource::Deals => "deals",
        }
    }

    /// `$1` the tenant, then every field in `fields()` order; answers `id, updated_at`.
    fn insert(self) -> &'static str {
        match self {
            Resource::Companies => {
                "INSERT INTO companies (tenant_id, name, domain, industry, owner_id) VALUES ($1, $2, $3, $4, $5) RETURNING id, updated_at"
            }
            Resource::Contacts => {
                "INSERT INTO contacts (tenant_id, first_name, last_name, email, phone, company_id, owner_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id, updated_at"
            }
            // As POST /api/deals: the pipeline and stage default to the tenant's first ones.
            Resource::Deals => {
                "INSERT INTO deals (tenant_id, name, amount, currency, pipeline_id, stage_id, company_id, owner_id, expected_close_date)
                 SELECT $1, $2, $3::text::numeric, $4, p.id, coalesce($6, (SELECT s.id FROM stages s WHERE s.tenant_id = p.tenant_id
                                                                            AND s.pipeline_id = p.id ORDER BY s.position, s.id LIMIT 1)),
                        $7, $8, $9
                   FROM pipelines p
                  WHERE p.tenant_id = $1 AND ($5::uuid IS NULL OR p.id = $5)
                  ORDER BY p.position, p.id LIMIT 1
                 RETURNING id, updated_at"
            }
        }
    }
}

/// The field a header suggests: its own name, or a common synonym.
fn suggest(resource: Resource, header: &str) -> Option<&'static str> {
    let key: String = header
        .trim()
        .chars()
        .map(|c| if c.is_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    let synonyms: &[(&str, &str)] = match resource {
        Resource::Contacts => &[
            ("first", "first_name"), ("firstname", "first_name"), ("given_name", "first_name"), ("forename", "first_name"),
            ("last", "last_name"), ("lastname", "last_name"), ("surname", "last_name"), ("family_name", "last_name"),
            ("e_mail", "email"), ("email_address", "email"), ("mail", "email"),
            ("phone_number", "phone"), ("telephone", "phone"), ("tel", "phone"), ("mobile", "phone"),
            ("company", "company_id"), ("owner", "owner_id"),
        ],
        Resource::Companies => &[
            ("company", "name"), ("company_name", "name"), ("organisation", "name"), ("organization", "name"),
            ("website", "domain"), ("url", "domain"), ("domain_name", "domain"), ("sector", "industry"), ("owner", "owner_id"),
        ],
        Resource::Deals => &[
            ("deal", "name"), ("deal_name", "name"), ("title", "name"), ("value", "amount"), ("deal_value", "amount"),
            ("close_date", "expected_close_date"), ("expected_close", "expected_close_date"), ("pipeline", "pipeline_id"),
            ("stage", "stage_id"), ("company", "company_id"), ("owner", "owner_id"),
        ],
    };
    if key == "id" {
        return Some("id");
    }
    resource
        .fields()
        .iter()
        .map(|f| f.name)
        .find(|name| *name == key)
        .or_else(|| synonyms.iter().find(|(from, _)| *from == key).map(|(_, to)| *to))
}

// ---------------------------------------------------------------------------
// The API's shapes.
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Mapped; dry runs may follow; not run yet.
    Draft,
    Running,
    Completed,
    Reverted,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Import {
    pub id: Uuid,
    pub resource: Resource,
    pub mode: Mode,
    pub file_name: Option<String>,
    /// CSV header → field.
    pub mapping: serde_json::Value,
    pub status: Status,
    pub rows_total: i32,
    pub rows_created: i32,
    pub rows_updated: i32,
    pub rows_failed: i32,
    pub rows_reverted: i32,
    pub rows_not_reverted: i32,
    /// Why the run stopped before the end of the file.
    pub failure: Option<String>,
    pub created_by: Uuid,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub reverted_at: Option<Timestamp>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportCreate {
    pub resource: Resource,
    pub mode: Mode,
    /// CSV header → field name (`id` or one of the resource's fields from the preview).
    pub mapping: std::collections::BTreeMap<String, String>,
    #[schemars(length(max = 500))]
    pub file_name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PreviewQuery {
    pub resource: Resource,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Preview {
    pub columns: Vec<PreviewColumn>,
    pub fields: Vec<FieldInfo>,
    /// Up to five data rows.
    pub sample_rows: Vec<Vec<String>>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct PreviewColumn {
    pub header: String,
    /// The field suggested for it, if any.
    pub field: Option<&'static str>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct FieldInfo {
    pub name: &'static str,
    /// Required to create a record.
    pub required: bool,
}

/// A row the import refused, and why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RowError {
    /// The record's number in the file (the header is 0).
    pub row: i64,
    pub field: Option<String>,
    pub message: String,
}

#[derive(Debug, Default, Serialize, JsonSchema)]
pub struct Report {
    pub rows_total: i64,
    pub rows_created: i64,
    pub rows_updated: i64,
    pub rows_failed: i64,
    /// The first 1,000.
    pub errors: Vec<RowError>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct RowErrors {
    pub items: Vec<RowError>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ImportId {
    pub id: Uuid,
}

const COLUMNS: &str = "id, resource, mode, file_name, mapping, status, rows_total, rows_created, rows_updated, rows_failed, \
     rows_reverted, rows_not_reverted, failure, created_by, created_at, updated_at, finished_at, reverted_at";

fn import_of(r: &Row) -> AppResult<Import> {
    let resource = Resource::parse(r.get("resource")).ok_or(AppError::Internal("unknown import resource".into()))?;
    let mode = match r.get::<_, &str>("mode") {
        "create" => Mode::Create,
        "update" => Mode::Update,
        _ => Mode::Upsert,
    };
    let status = match r.get::<_, &str>("status") {
        "draft" => Status::Draft,
        "running" => Status::Running,
        "completed" => Status::Completed,
        _ => Status::Reverted,
    };
    Ok(Import {
        id: r.get("id"),
        resource,
        mode,
        file_name: r.get("file_name"),
        mapping: r.get("mapping"),
        status,
        rows_total: r.get("rows_total"),
        rows_created: r.get("rows_created"),
        rows_updated: r.get("rows_updated"),
        rows_failed: r.get("rows_failed"),
        rows_reverted: r.get("rows_reverted"),
        rows_not_reverted: r.get("rows_not_reverted"),
        failure: r.get("failure"),
        created_by: r.get("created_by"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        finished_at: r.get("finished_at"),
        reverted_at: r.get("reverted_at"),
    })
}

// ---------------------------------------------------------------------------
// Reading the file.
// ---------------------------------------------------------------------------

fn require_csv(headers: &HeaderMap) -> AppResult<()> {
    let ct = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if matches!(essence.as_str(), "text/csv" | "text/plain" | "application/octet-stream" | "application/vnd.ms-excel") {
        Ok(())
    } else {
        Err(AppError::Unprocessable("Send the file as the request body with Content-Type: text/csv.".into()))
    }
}

/// What the CSV reader hands over.
enum Chunk {
    Headers(Vec<String>),
    Rows(Vec<csv::StringRecord>),
    Failed(String),
}

/// Starts reading `body` as CSV on a blocking thread: first the header row,
/// then batches. Each piece of the body must arrive within `idle`, the whole
/// body is at most `MAX_FILE_BYTES`.
fn read_csv(body: Body, idle: Duration) -> tokio::sync::mpsc::Receiver<Chunk> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(1);
    let mut seen = 0usize;
    let stream = body.into_data_stream().map_err(std::io::Error::other);
    let limited = futures_util::stream::unfold(Box::pin(stream), move |mut stream| async move {
        match tokio::time::timeout(idle, stream.next()).await {
            Ok(Some(item)) => Some((item, stream)),
            Ok(None) => None,
            Err(_) => Some((Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the upload stalled")), stream)),
        }
    })
    .map(move |item| {
        let bytes = item?;
        seen += bytes.len();
        if seen > MAX_FILE_BYTES {
            return Err(std::io::Error::other(format!("the file exceeds {} MiB", MAX_FILE_BYTES / (1024 * 1024))));
        }
        Ok::<Bytes, std::io::Error>(bytes)
    });
    let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(Box::pin(limited)));
    tokio::task::spawn_blocking(move || {
        let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = match csv.headers() {
            Ok(h) => h.iter().map(|s| s.trim_start_matches('\u{feff}').trim().to_string()).collect(),
            Err(e) => {
                let _ = tx.blocking_send(Chunk::Failed(read_error(&e)));
                return;
            }
        };
        if tx.blocking_send(Chunk::Headers(headers)).is_err() {
            return;
        }
        let mut batch = Vec::with_capacity(BATCH_ROWS);
        for record in csv.records() {
            match record {
                Ok(r) => {
                    batch.push(r);
                    if batch.len() == BATCH_ROWS && tx.blocking_send(Chunk::Rows(std::mem::take(&mut batch))).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    if !batch.is_empty() && tx.blocking_send(Chunk::Rows(std::mem::take(&mut batch))).is_err() {
                        return;
                    }
                    let _ = tx.blocking_send(Chunk::Failed(read_error(&e)));
                    return;
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(Chunk::Rows(batch));
        }
    });
    rx
}

fn read_error(e: &csv::Error) -> String {
    let line = e.position().map(|p| format!(" (record {})", p.record())).unwrap_or_default();
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => format!("the file is not UTF-8 text{line}"),
        csv::ErrorKind::Io(io) => format!("the upload could not be read: {io}"),
        _ => format!("the file is not valid CSV{line}"),
    }
}

// ---------------------------------------------------------------------------
// Turning rows into writes.
// ---------------------------------------------------------------------------

/// An import's mapping applied to a file's header row.
struct Plan {
    resource: Resource,
    mode: Mode,
    /// The column of each field of the resource (`None`: unmapped).
    columns: Vec<Option<usize>>,
    id_column: Option<usize>,
    /// The UPDATE of the mapped fields: `$1` tenant, `$2` id, then the
    /// mapped fields in `fields()` order; answers id, updated_at, previous.
    update: String,
}

type Param = Box<dyn ToSql + Sync + Send>;

impl Plan {
    fn new(resource: Resource, mode: Mode, mapping: &serde_json::Value, headers: &[String]) -> AppResult<Plan> {
        let mapping = mapping.as_object().ok_or(AppError::Internal("an import's mapping is not an object".into()))?;
        let column_of = |field: &str| {
            mapping.iter().find(|(_, f)| f.as_str() == Some(field)).and_then(|(header, _)| headers.iter().position(|h| h == header))
        };
        let missing: Vec<&str> = mapping.keys().filter(|h| !headers.contains(h)).map(String::as_str).collect();
        if !missing.is_empty() {
            return Err(AppError::validation("file", &format!("has no column {}", missing.join(", "))));
        }
        let columns: Vec<Option<usize>> = resource.fields().iter().map(|f| column_of(f.name)).collect();
        let mut sets = Vec::new();
        let mut olds = Vec::new();
        for (f, column) in resource.fields().iter().zip(&columns) {
            if column.is_some() {
                sets.push([f.name, " = $", &(sets.len() + 3).to_string(), f.cast].concat());
                olds.push(f.name);
            }
        }
        let update = if sets.is_empty() {
            String::new()
        } else {
            let table = resource.as_str();
            [
                "UPDATE ", table, " AS t SET ", &sets.join(", "), " FROM (SELECT id, ", &olds.join(", "), " FROM ", resource.visible(),
                " WHERE tenant_id = $1 AND id = $2) AS old WHERE t.tenant_id = $1 AND t.id = old.id RETURNING t.id, t.updated_at, to_jsonb(old) - 'id'",
            ]
            .concat()
        };
        Ok(Plan { resource, mode, columns, id_column: column_of("id"), update })
    }

    /// The row's values, checked as the API checks them: one per field of
    /// the resource (`None`: unmapped), or its problems.
    fn values(&self, record: &csv::StringRecord) -> Result<Vec<Option<Param>>, Vec<FieldError>> {
        let mut v = Validator::new();
        let mut out: Vec<Option<Param>> = Vec::new();
        let mut amount_and_currency = (None::<String>, None::<String>);
        for (f, column) in self.resource.fields().iter().zip(&self.columns) {
            let Some(column) = column else {
                out.push(None);
                continue;
            };
            let raw = unguard(record.get(*column).unwrap_or(""));
            let text = Some(raw.trim()).filter(|t| !t.is_empty());
            let value: Param = match f.kind {
                Kind::Text(max) if f.required => Box::new(v.required(f.name, raw, max)),
                Kind::Text(max) => Box::new(v.optional(f.name, Some(raw), max)),
                Kind::Email => {
                    if text.is_some_and(|t| !is_email(t)) {
                        v.push(f.name, "must be an email address");
                    }
                    Box::new(text.map(str::to_string))
                }
                Kind::Id => match text.map(str::parse::<Uuid>) {
                    Some(Err(_)) => {
                        v.push(f.name, "must be an id (UUID)");
                        Box::new(None::<Uuid>)
                    }
                    other => Box::new(other.and_then(Result::ok)),
                },
                Kind::Amount => {
                    amount_and_currency.0 = text.map(str::to_string);
                    Box::new(text.map(str::to_string))
                }
                Kind::Currency => {
                    amount_and_currency.1 = text.map(str::to_string);
                    Box::new(text.map(str::to_string))
                }
                Kind::Date => match text.map(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d")) {
                    Some(Err(_)) => {
                        v.push(f.name, "must be a date (YYYY-MM-DD)");
                        Box::new(None::<NaiveDate>)
                    }
                    other => Box::new(other.and_then(Result::ok)),
                },
            };
            out.push(Some(value));
        }
        super::deals::check_money(&mut v, amount_and_currency.0.as_deref(), amount_and_currency.1.as_deref());
        if v.is_clean() {
            Ok(out)
        } else {
            Err(v.into_errors())
        }
    }

    /// Whether a field is unmapped or its cell empty.
    fn blank(&self, record: &csv::StringRecord, name: &str) -> bool {
        let column = self.resource.fields().iter().position(|f| f.name == name).and_then(|i| self.columns[i]);
        column.and_then(|c| record.get(c)).is_none_or(|cell| cell.trim().is_empty())
    }

    fn id(&self, record: &csv::StringRecord) -> Result<Option<Uuid>, FieldError> {
        let Some(column) = self.id_column else { return Ok(None) };
        match record.get(column).map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) => t.parse().map(Some).map_err(|_| FieldError::new("id", "must be an id (UUID)")),
        }
    }
}

/// What one row did.
enum Written {
    Created { id: Uuid, updated_at: DateTime<Utc> },
    Updated { id: Uuid, updated_at: DateTime<Utc>, previous: serde_json::Value },
}

fn problems(row: i64, e: AppError) -> Vec<RowError> {
    match e {
        AppError::Validation(errors) => errors.into_iter().map(|f| RowError { row, field: Some(f.field), message: f.message }).collect(),
        other => vec![RowError { row, field: None, message: other.detail() }],
    }
}

/// Why a row was not written: its own values (`database` false), or the
/// database refused its statement (which aborts the transaction up to the
/// last savepoint).
struct Refusal {
    database: bool,
    errors: Vec<RowError>,
}

impl From<Vec<RowError>> for Refusal {
    fn from(errors: Vec<RowError>) -> Self {
        Refusal { database: false, errors }
    }
}

/// One row's statement: under its own savepoint (`guarded`), or bare inside
/// a batch that is retried row by row should any statement fail.
async fn statement(scope: &Scope, guarded: bool, sql: &str, params: &[&(dyn ToSql + Sync)], row: i64) -> Result<Vec<Row>, Refusal> {
    let rows = if guarded { scope.query_in_savepoint(sql, params).await } else { scope.query(sql, params).await };
    rows.map_err(|e| Refusal { database: true, errors: problems(row, e) })
}

async fn write_row(
    scope: &Scope,
    plan: &Plan,
    (tenant, importer): (Uuid, Uuid),
    record: &csv::StringRecord,
    row: i64,
    guarded: bool,
) -> Result<Written, Refusal> {
    let values = plan.values(record).map_err(|errors| {
        errors.into_iter().map(|f| RowError { row, field: Some(f.field), message: f.message }).collect::<Vec<_>>()
    })?;
    let id = plan.id(record).map_err(|f| vec![RowError { row, field: Some(f.field), message: f.message }])?;
    if plan.mode != Mode::Create {
        match id {
            Some(id) if !plan.update.is_empty() => {
                let mut params: Vec<&(dyn ToSql + Sync)> = vec![&tenant, &id];
                params.extend(values.iter().flatten().map(|p| p.as_ref() as &(dyn ToSql + Sync)));
                let rows = statement(scope, guarded, &plan.update, &params, row).await?;
                if let Some(r) = rows.first() {
                    return Ok(Written::Updated { id: r.get(0), updated_at: r.get(1), previous: r.get(2) });
                }
                if plan.mode == Mode::Update {
                    return Err(vec![RowError { row, field: Some("id".into()), message: "does not exist".into() }].into());
                }
            }
            Some(_) => return Err(vec![RowError { row, field: None, message: "maps no field to change".into() }].into()),
            None if plan.mode == Mode::Update => {
                return Err(vec![RowError { row, field: Some("id".into()), message: "is required to update".into() }].into());
            }
            None => {}
        }
    }
    // A new record: every field, unmapped ones NULL, except the owner: the
    // importer, as POST without owner_id.
    let nothing: Option<String> = None;
    let owner = Some(importer);
    let mut params: Vec<&(dyn ToSql + Sync)> = vec![&tenant];
    for (f, value) in plan.resource.fields().iter().zip(&values) {
        params.push(match (value, f.kind) {
            // An empty owner cell on a new record: the importer, as omitted.
            (_, _) if f.name == "owner_id" && plan.blank(record, f.name) => &owner,
            (Some(p), _) => p.as_ref(),
            (None, Kind::Id) => &NO_ID,
            (None, Kind::Date) => &NO_DATE,
            (None, _) => &nothing,
        });
    }
    let rows = statement(scope, guarded, plan.resource.insert(), &params, row).await?;
    match rows.first() {
        Some(r) => Ok(Written::Created { id: r.get(0), updated_at: r.get(1) }),
        None => Err(vec![RowError { row, field: Some("pipeline_id".into()), message: "does not exist".into() }].into()),
    }
}

static NO_ID: Option<Uuid> = None;
static NO_DATE: Option<NaiveDate> = None;

/// Reads the import (the caller's own: RLS) with the permission it needs.
async fn own_import(auth: &Authenticated, id: Uuid) -> AppResult<Import> {
    let sql = ["SELECT ", COLUMNS, " FROM imports WHERE tenant_id = $1 AND id = $2"].concat();
    let (_, rows) = auth.read(&sql, &[&auth.identity.tenant_id, &id]).await?;
    rows.first().map(import_of).transpose()?.ok_or(AppError::NotFound)
}

/// Runs the file through the plan, batch by batch; `keep` commits each batch
/// (a run) or rolls it back (a dry run). Answers the counts and the first
/// problems, and why it stopped early, if it did.
/// Starts reading the upload and applies the import's mapping to its header
/// row: 422 for a file that is not CSV or lacks a mapped column, before
/// anything is written.
async fn open(import: &Import, body: Body) -> AppResult<(tokio::sync::mpsc::Receiver<Chunk>, Plan)> {
    let mut chunks = read_csv(body, Duration::from_secs(30));
    let headers = match chunks.recv().await {
        Some(Chunk::Headers(h)) => h,
        Some(Chunk::Failed(why)) => return Err(AppError::validation("file", &why)),
        _ => return Err(AppError::validation("file", "is empty")),
    };
    let plan = Plan::new(import.resource, import.mode, &import.mapping, &headers)?;
    Ok((chunks, plan))
}

async fn process(
    auth: &Authenticated,
    import: &Import,
    (mut chunks, plan): (tokio::sync::mpsc::Receiver<Chunk>, Plan),
    keep: bool,
) -> AppResult<(Report, Option<String>)> {
    let (tenant, importer) = (auth.identity.tenant_id, auth.identity.user_id);
    let mut report = Report::default();
    let mut stopped = None;
    while let Some(chunk) = chunks.recv().await {
        let records = match chunk {
            Chunk::Rows(records) => records,
            Chunk::Failed(why) => {
                stopped = Some(why);
                break;
            }
            Chunk::Headers(_) => continue,
        };
        let scope = auth.begin().await?;
        scope.require(import.resource.write())?;
        let (mut written, mut refused) = (Vec::new(), Vec::new());
        let (mut created, mut updated) = (0i32, 0i32);
        let row_of = |record: &csv::StringRecord| record.position().map_or(0, |p| p.record()) as i64;
        // A new record per row: first the whole batch at once, its statements
        // pipelined under one savepoint; only if the database refuses one of
        // them, the batch again row by row, each under its own savepoint.
        let mut outcomes = Vec::new();
        if plan.mode == Mode::Create {
            scope.batch("SAVEPOINT batch_savepoint").await?;
            outcomes = futures_util::future::join_all(records.iter().map(|r| write_row(&scope, &plan, (tenant, importer), r, row_of(r), false))).await;
            if outcomes.iter().any(|o| o.as_ref().is_err_and(|r| r.database)) {
                scope.batch("ROLLBACK TO SAVEPOINT batch_savepoint").await?;
                outcomes.clear();
            } else {
                scope.batch("RELEASE SAVEPOINT batch_savepoint").await?;
            }
        }
        if outcomes.is_empty() {
            for record in &records {
                outcomes.push(write_row(&scope, &plan, (tenant, importer), record, row_of(record), true).await);
            }
        }
        for (record, outcome) in records.iter().zip(outcomes) {
            let row = row_of(record);
            match outcome {
                Ok(Written::Created { id, updated_at }) => {
                    created += 1;
                    written.push(serde_json::json!({"row": row, "record_id": id, "action": "created", "updated_at": updated_at}));
                }
                Ok(Written::Updated { id, updated_at, previous }) => {
                    updated += 1;
                    written.push(serde_json::json!({"row": row, "record_id": id, "action": "updated", "previous": previous, "updated_at": updated_at}));
                }
                Err(refusal) => refused.push(refusal.errors),
            }
        }
        let failed = refused.len() as i32;
        let total = records.len() as i32;
        let errors: Vec<RowError> = refused.into_iter().flatten().collect();
        if keep {
            let rows_json = serde_json::Value::Array(written);
            let errors_json = serde_json::to_value(&errors).map_err(|e| AppError::Internal(e.to_string()))?;
            // What the batch wrote and refused, and the import's counters, in one call.
            scope.query_one("SELECT app.record_import_batch($1, $2, $3, $4)", &[&import.id, &total, &rows_json, &errors_json]).await?;
            scope.commit().await?;
        } else {
            scope.release();
        }
        report.rows_total += i64::from(total);
        report.rows_created += i64::from(created);
        report.rows_updated += i64::from(updated);
        report.rows_failed += i64::from(failed);
        let room = MAX_REPORTED_ERRORS.saturating_sub(report.errors.len());
        report.errors.extend(errors.into_iter().take(room));
    }
    Ok((report, stopped))
}

// ---------------------------------------------------------------------------
// Handlers.
// ---------------------------------------------------------------------------

async fn preview(auth: Authenticated, Query(q): Query<PreviewQuery>, headers: HeaderMap, body: Bytes) -> AppResult<axum::Json<Preview>> {
    require_csv(&headers)?;
    // Only to know the caller may import at all; the rows are not touched.
    auth.read_requiring(q.resource.write(), "SELECT 1", &[]).await?;
    let text = String::from_utf8_lossy(&body);
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| AppError::validation("file", &read_error(&e)))?
        .iter()
        .map(|s| s.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    // The last record of a cut-off sample may be partial: keep whole ones.
    let sample_rows = csv.records().take(5).filter_map(Result::ok).map(|r| r.iter().map(|c| unguard(c).to_string()).collect()).collect();
    let mut taken = Vec::new();
    let columns = headers
        .iter()
        .map(|h| {
            let field = suggest(q.resource, h).filter(|f| !taken.contains(f));
            if let Some(f) = field {
                taken.push(f);
            }
            PreviewColumn { header: h.clone(), field }
        })
        .collect();
    // `id` first: what update and upsert find records by.
    let id = FieldInfo { name: "id", required: false };
    let fields = std::iter::once(id).chain(q.resource.fields().iter().map(|f| FieldInfo { name: f.name, required: f.required })).collect();
    Ok(axum::Json(Preview { columns, fields, sample_rows }))
}

async fn create(auth: Authenticated, Json(req): Json<ImportCreate>) -> AppResult<Reply<Import>> {
    let mut v = Validator::new();
    let file_name = v.optional("file_name", req.file_name.as_deref(), 500);
    let fields = req.resource.fields();
    let mut seen = Vec::new();
    for (header, field) in &req.mapping {
        if header.chars().count() > NAME_MAX {
            v.push("mapping", "headers must be at most 320 characters");
        } else if field != "id" && !fields.iter().any(|f| f.name == field) {
            v.push("mapping", &format!("{field} is not a field of {}", req.resource.as_str()));
        } else if seen.contains(&field) {
            v.push("mapping", &format!("{field} is mapped twice"));
        }
        seen.push(field);
    }
    let mapped = |name: &str| req.mapping.values().any(|f| f == name);
    if req.mode != Mode::Create && !mapped("id") {
        v.push("mapping", "update and upsert need a column mapped to id");
    }
    if req.mode != Mode::Update {
        for f in fields.iter().filter(|f| f.required && !mapped(f.name)) {
            v.push("mapping", &format!("{} must be mapped to create records", f.name));
        }
    }
    v.finish()?;
    let mapping = serde_json::to_value(&req.mapping).map_err(|e| AppError::Internal(e.to_string()))?;
    let (resource, mode) = (req.resource.as_str(), req.mode.as_str());
    let sql = ["INSERT INTO imports (tenant_id, resource, mode, file_name, mapping, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ", COLUMNS].concat();
    let (scope, rows) = auth
        .begin_requiring(req.resource.write(), &sql, &[&auth.identity.tenant_id, &resource, &mode, &file_name, &mapping, &auth.identity.user_id])
        .await?;
    if req.mode != Mode::Create {
        // What an update overwrites must be what revert can restore: the
        // importer's hidden fields are out (they read as null to them).
        let hidden: Vec<String> = scope.query_one("SELECT app.hidden_fields($1)", &[&resource]).await?.get(0);
        if let Some(f) = req.mapping.values().find(|f| hidden.iter().any(|h| h == *f || h.ends_with(&[".", f.as_str()].concat()))) {
            return Err(AppError::validation("mapping", &format!("{f} is hidden from you and cannot be updated by an import")));
        }
    }
    let created = rows.first().map(import_of).transpose()?.ok_or(AppError::Internal("INSERT answered no row".into()))?;
    scope.commit().await?;
    Ok(Reply::created(format!("/api/imports/{}", created.id), created))
}

async fn dry_run(auth: Authenticated, Path(ImportId { id }): Path<ImportId>, headers: HeaderMap, body: Body) -> AppResult<axum::Json<Report>> {
    require_csv(&headers)?;
    let import = own_import(&auth, id).await?;
    if !matches!(import.status, Status::Draft) {
        return Err(AppError::Conflict("This import has already run.".into()));
    }
    let opened = open(&import, body).await?;
    let (report, stopped) = process(&auth, &import, opened, false).await?;
    if let Some(why) = stopped {
        return Err(AppError::validation("file", &why));
    }
    Ok(axum::Json(report))
}

async fn run(auth: Authenticated, Path(ImportId { id }): Path<ImportId>, headers: HeaderMap, body: Body) -> AppResult<axum::Json<Import>> {
    require_csv(&headers)?;
    let import = own_import(&auth, id).await?;
    if !matches!(import.status, Status::Draft) {
        return Err(AppError::Conflict("This import has already run.".into()));
    }
    let opened = open(&import, body).await?;
    // Only a draft runs, and only once (two uploads racing: one wins).
    let (scope, rows) = auth
        .begin_requiring(import.resource.write(), "UPDATE imports SET status = 'running' WHERE id = $1 AND status = 'draft' RETURNING id", &[&id])
        .await?;
    if rows.is_empty() {
        return Err(AppError::Conflict("This import has already run.".into()));
    }
    scope.commit().await?;
    let failure = match process(&auth, &import, opened, true).await {
        Ok((_, stopped)) => stopped,
        Err(e) => {
            tracing::warn!(import = %id, error = %e, "import run stopped");
            Some(e.detail())
        }
    };
    let sql = ["UPDATE imports SET status = 'completed', finished_at = now(), failure = $2 WHERE id = $1 RETURNING ", COLUMNS].concat();
    let (scope, rows) = auth.begin_requiring(import.resource.write(), &sql, &[&id, &failure]).await?;
    let done = rows.first().map(import_of).transpose()?.ok_or(AppError::NotFound)?;
    scope.commit().await?;
    Ok(axum::Json(done))
}

async fn revert(auth: Authenticated, Path(ImportId { id }): Path<ImportId>) -> AppResult<axum::Json<Import>> {
    let import = own_import(&auth, id).await?;
    if !matches!(import.status, Status::Completed | Status::Running) {
        return Err(AppError::Conflict("Only an import that ran can be reverted, once.".into()));
    }
    let resource = import.resource;
    // The fields the import wrote, restored from their previous values.
    let mapped: Vec<&'static str> =
        resource.fields().iter().map(|f| f.name).filter(|name| import.mapping.as_object().is_some_and(|m| m.values().any(|v| v == name))).collect();
    let sets: Vec<String> = mapped.iter().map(|c| [*c, " = p.", c].concat()).collect();
    let restore = [
        "UPDATE ", resource.as_str(), " AS t SET ", &sets.join(", "), " FROM jsonb_populate_record(NULL::", resource.as_str(),
        ", $3) AS p WHERE t.tenant_id = $1 AND t.id = $2 AND t.updated_at = $4 RETURNING t.id",
    ]
    .concat();
    let delete = ["DELETE FROM ", resource.as_str(), " WHERE tenant_id = $1 AND id = ANY($2) RETURNING id"].concat();
    let tenant = auth.identity.tenant_id;
    let mut after = -1i32;
    let (mut reverted, mut not_reverted) = (0i32, 0i32);
    loop {
        let scope = auth.begin().await?;
        scope.require(resource.write())?;
        let rows = scope.query("SELECT row_number, record_id, action, previous, record_updated_at FROM app.import_rows($1, $2, 500)", &[&id, &after]).await?;
        let Some(last) = rows.last() else { break };
        after = last.get(0);
        let created: Vec<Uuid> = rows.iter().filter(|r| r.get::<_, &str>(2) == "created").map(|r| r.get(1)).collect();
        if !created.is_empty() {
            let deleted = scope.query_in_savepoint(&delete, &[&tenant, &created]).await.map(|r| r.len()).unwrap_or(0) as i32;
            reverted += deleted;
            not_reverted += created.len() as i32 - deleted;
        }
        for r in rows.iter().filter(|r| r.get::<_, &str>(2) == "updated") {
            let (record, previous, at): (Uuid, Option<serde_json::Value>, DateTime<Utc>) = (r.get(1), r.get(3), r.get(4));
            let restored = match (&previous, sets.is_empty()) {
                (Some(previous), false) => scope.query_in_savepoint(&restore, &[&tenant, &record, previous, &at]).await.map(|r| r.len()).unwrap_or(0),
                _ => 0,
            };
            if restored == 1 {
                reverted += 1;
            } else {
                not_reverted += 1;
            }
        }
        scope.commit().await?;
    }
    let sql = [
        "UPDATE imports SET status = 'reverted', reverted_at = now(), rows_reverted = $2, rows_not_reverted = $3
          WHERE id = $1 AND status IN ('completed', 'running') RETURNING ",
        COLUMNS,
    ]
    .concat();
    let (scope, rows) = auth.begin_requiring(resource.write(), &sql, &[&id, &reverted, &not_reverted]).await?;
    let done = rows.first().map(import_of).transpose()?.ok_or(AppError::Conflict("This import was reverted meanwhile.".into()))?;
    scope.commit().await?;
    Ok(axum::Json(done))
}

async fn list(auth: Authenticated, Query(p): Query<PageParams>) -> AppResult<Paged<Import>> {
    let page = Page::from_params(&p)?;
    let sql = [
        "SELECT ", COLUMNS, " FROM imports WHERE tenant_id = $1 AND created_by = $2
           AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
         ORDER BY created_at DESC, id DESC LIMIT $5",
    ]
    .concat();
    let (_, rows) = auth
        .read(&sql, &[&auth.identity.tenant_id, &auth.identity.user_id, &page.after_time(), &page.after_id(), &page.fetch()])
        .await?;
    let items = rows.iter().map(import_of).collect::<AppResult<Vec<_>>>()?;
    Ok(page.finish(items, |i| (i.created_at.0, i.id)))
}

async fn read(auth: Authenticated, Path(ImportId { id }): Path<ImportId>) -> AppResult<axum::Json<Import>> {
    Ok(axum::Json(own_import(&auth, id).await?))
}

async fn errors(auth: Authenticated, Path(ImportId { id }): Path<ImportId>) -> AppResult<axum::Json<RowErrors>> {
    let sql = "SELECT i.id, e.row_number, e.field, e.message FROM imports i
                 LEFT JOIN LATERAL app.import_errors(i.id, 1000) e ON true
                WHERE i.tenant_id = $1 AND i.id = $2";
    let (_, rows) = auth.read(sql, &[&auth.identity.tenant_id, &id]).await?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let items = rows
        .iter()
        .filter_map(|r| Some(RowError { row: i64::from(r.get::<_, Option<i32>>(1)?), field: r.get(2), message: r.get::<_, Option<String>>(3)? }))
        .collect();
    Ok(axum::Json(RowErrors { items }))
}

// ---------------------------------------------------------------------------
// OpenAPI.
// ---------------------------------------------------------------------------

/// A `text/csv` request body.
fn csv_body<'a>(mut op: TransformOperation<'a>, description: &str) -> TransformOperation<'a> {
    let schema = serde_json::from_value(serde_json::json!({"type": "string", "description": "CSV text, a header row first"})).unwrap_or_default();
    op.inner_mut().request_body = Some(ReferenceOr::Item(RequestBody {
        description: Some(description.into()),
        content: [("text/csv".into(), MediaType { schema: Some(SchemaObject { json_schema: schema, external_docs: None, example: None }), ..Default::default() })].into(),
        required: true,
        ..Default::default()
    }));
    op
}

fn list_docs(op: TransformOperation) -> TransformOperation {
    respond::<Paged<Import>>(op.tag("imports").summary("The caller's imports, newest first"), 200, "A page of imports", &[400, 401])
}

fn preview_docs(op: TransformOperation) -> TransformOperation {
    let op = csv_body(op.tag("imports").summary("Columns, suggested fields and sample rows of the start of a CSV file (the resource's write permission)"), "The first part of the file (at most 1 MiB)");
    respond::<Preview>(op, 200, "The columns with their suggested fields", &[400, 401, 403, 413, 422])
}

fn create_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("imports").summary("Start an import: resource, mode and column mapping (the resource's write permission)");
    respond::<Import>(op, 201, "The import, a draft", &[400, 401, 403, 413, 415, 422])
}

fn read_docs(op: TransformOperation) -> TransformOperation {
    respond::<Import>(op.tag("imports").summary("An import of the caller, with its progress"), 200, "The import", &[400, 401, 404])
}

fn errors_docs(op: TransformOperation) -> TransformOperation {
    respond::<RowErrors>(op.tag("imports").summary("The rows an import's run refused (the first 1,000)"), 200, "The problems", &[400, 401, 404])
}

fn dry_run_docs(op: TransformOperation) -> TransformOperation {
    let op = csv_body(
        op.tag("imports").summary("Check the whole file: every row written and rolled back, nothing kept"),
        "The whole file (at most 64 MiB)",
    );
    respond::<Report>(op, 200, "What a run would do", &[400, 401, 403, 404, 409, 422])
}

fn run_docs(op: TransformOperation) -> TransformOperation {
    let op = csv_body(
        op.tag("imports").summary("Import the file, in batches of 500 rows; refused rows are listed, the others kept"),
        "The whole file (at most 64 MiB)",
    );
    respond::<Import>(op, 200, "The import, completed", &[400, 401, 403, 404, 409, 422])
}

fn revert_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("imports").summary("Undo an import: delete what it created, restore what it updated (unless changed since)");
    respond::<Import>(op, 200, "The import, reverted", &[400, 401, 403, 404, 409])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_suggest_their_fields() {
        assert_eq!(suggest(Resource::Contacts, "E-mail"), Some("email"));
        assert_eq!(suggest(Resource::Contacts, " Last Name "), Some("last_name"));
        assert_eq!(suggest(Resource::Contacts, "first_name"), Some("first_name"));
        assert_eq!(suggest(Resource::Contacts, "ID"), Some("id"));
        assert_eq!(suggest(Resource::Companies, "Website"), Some("domain"));
        assert_eq!(suggest(Resource::Deals, "Close date"), Some("expected_close_date"));
        assert_eq!(suggest(Resource::Contacts, "Favourite colour"), None);
    }

    #[test]
    fn a_plan_checks_every_cell_as_the_api_does() -> Result<(), Box<dyn std::error::Error>> {
        let mapping = serde_json::json!({"Name": "first_name", "Mail": "email", "Company": "company_id"});
        let headers: Vec<String> = ["Name", "Mail", "Company", "Other"].iter().map(|s| s.to_string()).collect();
        let plan = Plan::new(Resource::Contacts, Mode::Create, &mapping, &headers).map_err(|e| e.detail())?;
        assert!(plan.values(&csv::StringRecord::from(vec!["Ann", "ann@example.com", "", "x"])).is_ok());
        let errors = plan.values(&csv::StringRecord::from(vec![" ", "not-mail", "nope", "x"])).err().ok_or("errors")?;
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["first_name", "email", "company_id"]);
        assert!(Plan::new(Resource::Contacts, Mode::Create, &serde_json::json!({"Missing": "first_name"}), &headers).is_err());
        let update = Plan::new(Resource::Deals, Mode::Update, &serde_json::json!({"id": "id", "Value": "amount", "Cur": "currency"}), &["id".into(), "Value".into(), "Cur".into()])
            .map_err(|e| e.detail())?;
        assert!(update.update.contains("amount = $3::text::numeric, currency = $4"), "{}", update.update);
        Ok(())
    }
}
