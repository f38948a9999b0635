//! `/api/audit-logs`: the tenant's audit trail, written by the database itself
//! (`sql/15_audit.sql`), readable with `audit:read`, newest first.
use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use axum::response::Response;

use super::{
    timestamp::Timestamp,
    export::{export, export_docs, Format, Pageable, EXPORT_PAGE},
    pagination::{Page, Paged},
    extract::{Query},
    reply::{respond},
};
use crate::{auth::{Authenticated, Permission}, error::AppResult, state::AppState};

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new()
        .api_route("/api/audit-logs", get_with(list_audit_logs, list_audit_logs_docs))
        .api_route("/api/audit-logs/export.csv", get_with(export_csv, |op| export_docs(op, "audit", Format::Csv)))
        .api_route("/api/audit-logs/export.json", get_with(export_json, |op| export_docs(op, "audit", Format::Json)))
        .api_route("/api/audit-logs/head", get_with(audit_head, audit_head_docs))
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: Timestamp,
    /// The user who acted (NULL for system actions).
    pub actor_id: Option<Uuid>,
    /// The actor's name, when the caller may see it (users:read; the
    /// members of the tenant). Extension of the contract.
    pub actor_name: Option<String>,
    /// The API key the actor acted through (NULL for a signed-in person or the system).
    pub actor_api_key_id: Option<Uuid>,
    /// `insert`, `update`, `delete`, or a security event such as `auth.login`.
    pub action: String,
    /// `tenant`, `membership`, `role`, `company`, `contact`, `session`, ...
    pub entity: String,
    pub record_id: Option<Uuid>,
    /// `{column: {old, new}}` for data changes (without the fields hidden
    /// from the caller, see `hidden_fields` of the roles); details for
    /// security events.
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub action: Option<String>,
    pub actor_id: Option<Uuid>,
    pub record_id: Option<Uuid>,
    /// Entries at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Entries before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Page size, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list_audit_logs(auth: Authenticated, Query(f): Query<AuditFilter>) -> AppResult<Paged<AuditEntry>> {
    audit_page(auth, f).await
}

impl Pageable for AuditFilter {
    fn export_page(&mut self, cursor: Option<String>) {
        self.cursor = cursor;
        self.limit = Some(EXPORT_PAGE);
    }
}

/// The columns of a CSV export, in the API's order.
const EXPORT_COLUMNS: &[&str] =
    &["id", "occurred_at", "actor_id", "actor_name", "actor_api_key_id", "action", "entity", "record_id", "changes", "request_id", "ip"];

async fn export_csv(auth: Authenticated, Query(f): Query<AuditFilter>) -> AppResult<Response> {
    export(auth, f, "audit-logs", EXPORT_COLUMNS, Format::Csv, audit_page).await
}

async fn export_json(auth: Authenticated, Query(f): Query<AuditFilter>) -> AppResult<Response> {
    export(auth, f, "audit-logs", EXPORT_COLUMNS, Format::Json, audit_page).await
}

/// A page of the audit log (also the export's pages).
pub async fn audit_page(auth: Authenticated, f: AuditFilter) -> AppResult<Paged<AuditEntry>> {
    let page = Page::parse(f.limit, f.cursor.as_deref())?;
    let rows = auth.read_requiring(
            Permission::AuditRead,
            "SELECT a.id, a.occurred_at, a.actor_id, a.action, a.entity, a.record_id, a.changes, a.request_id, host(a.ip),
                    a.actor_api_key_id, u.name
               FROM audit_log_visible a LEFT JOIN users u ON u.id = a.actor_id
              WHERE tenant_id = $1
                AND ($2::text IS NULL OR entity = $2)
                AND ($3::text IS NULL OR action = $3)
                AND ($4::uuid IS NULL OR actor_id = $4)
                AND ($5::uuid IS NULL OR record_id = $5)
                AND ($6::timestamptz IS NULL OR occurred_at >= $6)
                AND ($7::timestamptz IS NULL OR occurred_at < $7)
                AND ($8::timestamptz IS NULL OR (occurred_at, a.id) < ($8, $9))
              ORDER BY occurred_at DESC, a.id DESC
              LIMIT $10",
            &[
                &auth.identity.tenant_id,
                &f.entity,
                &f.action,
                &f.actor_id,
                &f.record_id,
                &f.from,
                &f.to,
                &page.after_time(),
                &page.after_id(),
                &page.fetch(),
            ],
        ).await?;
    let items = rows
        .iter()
        .map(|r| AuditEntry {
            id: r.get(0),
            occurred_at: r.get(1),
            actor_id: r.get(2),
            action: r.get(3),
            entity: r.get(4),
            record_id: r.get(5),
            changes: r.get(6),
            request_id: r.get(7),
            ip: r.get(8),
            actor_api_key_id: r.get(9),
            actor_name: r.get(10),
        })
        .collect();
    Ok(page.finish(items, |e| (e.occurred_at.0, e.id)))
}

fn list_audit_logs_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("audit").summary("The tenant's audit log, newest first (audit:read)");
    respond::<Paged<AuditEntry>>(op, 200, "A page of audit entries", &[400, 401, 403])
}

/// The head of the tenant's audit hash chain. A tenant that stores it (or an
/// operator's signed `tenet admin audit-checkpoint`) can later prove that no
/// entry up to it was removed: a rewound chain is shorter or hashes
/// differently.
#[derive(Debug, Serialize, JsonSchema)]
pub struct AuditHead {
    pub tenant_id: Uuid,
    /// Sequence number of the newest entry (0 for an empty chain).
    pub seq: i64,
    /// Hex SHA-256 of the newest entry, chained over every entry before it.
    pub hash: String,
    /// When the newest entry was written.
    pub occurred_at: Option<Timestamp>,
}

async fn audit_head(auth: Authenticated) -> AppResult<axum::Json<AuditHead>> {
    let scope = auth.begin().await?;
    scope.require(Permission::AuditRead)?;
    let row = scope.query_one("SELECT tenant_id, seq, hash, occurred_at FROM app.audit_head()", &[]).await?;
    scope.release();
    Ok(axum::Json(AuditHead { tenant_id: row.get(0), seq: row.get(1), hash: row.get(2), occurred_at: row.get(3) }))
}

fn audit_head_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("audit").summary("The head of the tenant's audit hash chain, to keep a copy of (audit:read)");
    respond::<AuditHead>(op, 200, "The newest entry's sequence number and chained hash", &[401, 403])
}
