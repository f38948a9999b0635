//! `GET /api/{companies,contacts,deals}/{id}/timeline`: what happened to a
//! record, newest first — its audit entries (who by name, what changed
//! field by field), the notes on it and the tasks about it — in one keyset
//! page. Built on the audit log, not a second event store: every part is
//! read through its own policies, so a caller without `audit:read` sees the
//! notes and tasks only, one without `notes:read` no notes, and fields
//! hidden from the caller are absent from the changes (`audit_log_visible`).
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    timestamp::Timestamp,
    extract::{Path, Query},
    pagination::{Page, PageParams, Paged},
    reply::respond,
};
use crate::{
    auth::{Authenticated, Permission},
    error::{AppError, AppResult},
    state::AppState,
};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/companies/{id}/timeline", get_with(company, company_docs))
        .api_route("/api/contacts/{id}/timeline", get_with(contact, contact_docs))
        .api_route("/api/deals/{id}/timeline", get_with(deal, deal_docs))
}

/// What a timeline item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TimelineKind {
    /// An audit entry of the record: `action` and `changes` are set.
    Change,
    /// A note on the record: `body` is set.
    Note,
    /// A task about the record: `title`, `due_date` and `done` are set.
    Task,
}

/// One field of a change: its value before and after (`null` when absent).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FieldChange {
    pub field: String,
    pub old: serde_json::Value,
    pub new: serde_json::Value,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct TimelineItem {
    pub kind: TimelineKind,
    /// The audit entry's, note's or task's id.
    pub id: Uuid,
    /// When it happened (a note's or task's creation time).
    pub at: Timestamp,
    /// change: who acted; note: its author; task: its assignee.
    pub actor_id: Option<Uuid>,
    /// Their name, when the caller may see it (users:read); `null` for the system.
    pub actor_name: Option<String>,
    /// change: `insert`, `update` or `delete`.
    pub action: Option<String>,
    /// change: the fields that changed, in name order.
    pub changes: Option<Vec<FieldChange>>,
    /// note: the markdown text.
    pub body: Option<String>,
    /// task: its title.
    pub title: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub done: Option<bool>,
}

/// A row of the statement's JSON array.
#[derive(Debug, Deserialize)]
struct Row {
    kind: TimelineKind,
    id: Uuid,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    action: Option<String>,
    changes: Option<serde_json::Map<String, serde_json::Value>>,
    body: Option<String>,
    title: Option<String>,
    due_date: Option<NaiveDate>,
    done: Option<bool>,
}

impl From<Row> for TimelineItem {
    fn from(r: Row) -> Self {
        let changes = r.changes.map(|c| {
            c.into_iter()
                .map(|(field, v)| FieldChange {
                    field,
                    old: v.get("old").cloned().unwrap_or_default(),
                    new: v.get("new").cloned().unwrap_or_default(),
                })
                .collect()
        });
        Self {
            kind: r.kind,
            id: r.id,
            at: Timestamp(r.at),
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: r.action,
            changes,
            body: r.body,
            title: r.title,
            due_date: r.due_date,
            done: r.done,
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RecordId {
    pub id: Uuid,
}

/// The statement for one kind of record: `$1` the record, `$2` the tenant,
/// `($3, $4)` the keyset position, `$5` the rows to fetch. Whether the record
/// is readable (else 404) and the merged page, in one row. Each part walks
/// its own index newest first ((tenant_id, record_id, occurred_at) of the
/// audit log; (tenant_id, <record>_id, created_at, id) of notes and tasks).
macro_rules! timeline_sql {
    ($readable:literal, $entity:literal, $column:literal) => {
        concat!(
            "SELECT EXISTS (SELECT 1 FROM ", $readable, " WHERE id = $1) AS found, ",
            "coalesce((SELECT json_agg(t ORDER BY t.at DESC, t.id DESC) FROM (SELECT * FROM (",
            "(SELECT 'change' AS kind, a.id, a.occurred_at AS at, a.actor_id, u.name AS actor_name, a.action, a.changes, ",
            "NULL::text AS body, NULL::text AS title, NULL::date AS due_date, NULL::boolean AS done ",
            "FROM audit_log_visible a LEFT JOIN users u ON u.id = a.actor_id ",
            "WHERE a.tenant_id = $2 AND a.record_id = $1 AND a.entity = '", $entity, "' AND (a.occurred_at, a.id) < ($3, $4) ",
            "ORDER BY a.occurred_at DESC, a.id DESC LIMIT $5) ",
            "UNION ALL (SELECT 'note', n.id, n.created_at, n.owner_id, u.name, NULL, NULL, n.body, NULL, NULL, NULL ",
            "FROM notes n LEFT JOIN users u ON u.id = n.owner_id ",
            "WHERE n.tenant_id = $2 AND n.", $column, " = $1 AND (n.created_at, n.id) < ($3, $4) ",
            "ORDER BY n.created_at DESC, n.id DESC LIMIT $5) ",
            "UNION ALL (SELECT 'task', k.id, k.created_at, k.assignee_id, u.name, NULL, NULL, NULL, k.title, k.due_date, k.done ",
            "FROM tasks k LEFT JOIN users u ON u.id = k.assignee_id ",
            "WHERE k.tenant_id = $2 AND k.", $column, " = $1 AND (k.created_at, k.id) < ($3, $4) ",
            "ORDER BY k.created_at DESC, k.id DESC LIMIT $5)",
            ") AS merged ORDER BY at DESC, id DESC LIMIT $5) AS t), '[]') AS items"
        )
    };
}

const COMPANY: &str = timeline_sql!("companies_visible", "company", "company_id");
const CONTACT: &str = timeline_sql!("contacts_visible", "contact", "contact_id");
const DEAL: &str = timeline_sql!("deals", "deal", "deal_id");

async fn timeline(auth: Authenticated, permission: Permission, sql: &'static str, id: Uuid, params: PageParams) -> AppResult<Paged<TimelineItem>> {
    let page = Page::from_params(&params)?;
    // Without a cursor, from the end of time.
    let at = page.after_time().unwrap_or_else(|| Utc.with_ymd_and_hms(9999, 12, 31, 0, 0, 0).single().unwrap_or(DateTime::<Utc>::MAX_UTC));
    let after = page.after_id().unwrap_or(Uuid::max());
    let rows = auth.read_requiring(permission, sql, &[&id, &auth.identity.tenant_id, &at, &after, &page.fetch()]).await?;
    let row = rows.first().ok_or(AppError::Internal("the timeline answered no row".into()))?;
    if !row.get::<_, bool>("found") {
        return Err(AppError::NotFound);
    }
    let items: Vec<Row> = serde_json::from_value(row.get::<_, serde_json::Value>("items"))
        .map_err(|e| AppError::Internal(format!("timeline rows: {e}")))?;
    let items = items.into_iter().map(TimelineItem::from).collect();
    Ok(page.finish(items, |i: &TimelineItem| (i.at.0, i.id)))
}

async fn company(auth: Authenticated, Path(RecordId { id }): Path<RecordId>, Query(p): Query<PageParams>) -> AppResult<Paged<TimelineItem>> {
    timeline(auth, Permission::CompaniesRead, COMPANY, id, p).await
}

async fn contact(auth: Authenticated, Path(RecordId { id }): Path<RecordId>, Query(p): Query<PageParams>) -> AppResult<Paged<TimelineItem>> {
    timeline(auth, Permission::ContactsRead, CONTACT, id, p).await
}

async fn deal(auth: Authenticated, Path(RecordId { id }): Path<RecordId>, Query(p): Query<PageParams>) -> AppResult<Paged<TimelineItem>> {
    timeline(auth, Permission::DealsRead, DEAL, id, p).await
}

const STATUSES: &[u16] = &[400, 401, 403, 404];

fn company_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("companies").summary("A company's timeline: changes, notes and tasks, newest first (companies:read)");
    respond::<Paged<TimelineItem>>(op, 200, "A page of the timeline", STATUSES)
}

fn contact_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("contacts").summary("A contact's timeline: changes, notes and tasks, newest first (contacts:read)");
    respond::<Paged<TimelineItem>>(op, 200, "A page of the timeline", STATUSES)
}

fn deal_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("deals").summary("A deal's timeline: changes, notes and tasks, newest first (deals:read)");
    respond::<Paged<TimelineItem>>(op, 200, "A page of the timeline", STATUSES)
}
