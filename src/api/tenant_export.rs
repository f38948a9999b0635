//! `GET /api/tenant/export` (`tenant:manage`): the owner's copy of every row
//! of their tenant, as JSON Lines, streamed (docs/data-movement.md). The same
//! pages as `tenet admin export-tenant` (`app.export_my_tenant_page`, which
//! reads only the request's own tenant), each page a read transaction under
//! the caller's context: a session that loses the permission mid-export
//! stops it.
use std::collections::BTreeMap;

use aide::{
    axum::{routing::get_with, ApiRouter},
    transform::TransformOperation,
};
use axum::{
    body::{Body, Bytes},
    response::Response,
};
use serde_json::{json, Value};

use super::{
    export::{attachment, file_response},
    reply::with_problems,
};
use crate::{
    auth::{Authenticated, Permission},
    error::AppResult,
    state::AppState,
};

/// Rows per page.
const PAGE: i32 = 1000;

pub fn router() -> ApiRouter<AppState> {
    ApiRouter::new().api_route("/api/tenant/export", get_with(export, export_docs))
}

struct Progress {
    auth: Authenticated,
    tables: Vec<String>,
    table: usize,
    after: Option<Value>,
    counts: BTreeMap<String, u64>,
}

async fn export(auth: Authenticated) -> AppResult<Response> {
    let rows = auth.read_requiring(Permission::TenantManage, "SELECT table_name FROM app.tenant_export_tables()", &[]).await?;
    let tables: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    let tenant = auth.identity.tenant_id;
    let head = json!({"format": "tenet-tenant-export/1", "tenant_id": tenant, "exported_at": chrono::Utc::now(), "tables": tables});
    let mut first = serde_json::to_vec(&head).unwrap_or_default();
    first.push(b'\n');
    let state = Some(Progress { auth, tables, table: 0, after: None, counts: BTreeMap::new() });
    let pages = futures_util::stream::unfold(state, |state| async move {
        let mut p = state?;
        let Some(table) = p.tables.get(p.table).cloned() else {
            let end = json!({"done": true, "rows": p.counts});
            let mut line = serde_json::to_vec(&end).unwrap_or_default();
            line.push(b'\n');
            return Some((Ok(Bytes::from(line)), None));
        };
        let page = p.auth.read_requiring(Permission::TenantManage, "SELECT app.export_my_tenant_page($1, $2, $3)", &[&table, &p.after, &PAGE]).await;
        let rows = match page {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "tenant export stopped");
                return Some((Err(std::io::Error::other(e.to_string())), None));
            }
        };
        let mut out = Vec::new();
        for row in &rows {
            let value: Value = row.get(0);
            out.extend(serde_json::to_vec(&json!({"table": table, "row": value})).unwrap_or_default());
            out.push(b'\n');
        }
        *p.counts.entry(table).or_default() += rows.len() as u64;
        match rows.last() {
            Some(last) if rows.len() == PAGE as usize => p.after = Some(last.get(0)),
            _ => {
                p.table += 1;
                p.after = None;
            }
        }
        Some((Ok::<_, std::io::Error>(Bytes::from(out)), Some(p)))
    });
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(first)) });
    let body = Body::from_stream(futures_util::StreamExt::chain(head, pages));
    let filename = format!("tenant-{tenant}-{}.jsonl", chrono::Utc::now().format("%Y-%m-%d"));
    Ok(attachment("application/jsonl", &filename, body))
}

fn export_docs(op: TransformOperation) -> TransformOperation {
    let op = op.tag("tenant").summary("Every row of the caller's tenant as JSON Lines, streamed (tenant:manage)").description(
        "A first line with the format and the tables, then one `{\"table\", \"row\"}` object per row (secret columns removed), \
         then `{\"done\": true, \"rows\": {table: count}}`. An operator's archive with a verification proof: `tenet admin export-tenant`.",
    );
    let op = file_response(op, "application/jsonl", json!({"type": "string", "description": "JSON Lines"}), "The tenant's rows");
    with_problems(op, &[401, 403])
}
