//! `GET /api/{companies,contacts,deals}/export.csv|.json`: every row a list
//! with the same filters reaches, streamed (docs/data-movement.md). The
//! export walks the list's own keyset, 200 rows per page, each page a read
//! transaction under the caller's context (so RLS, scopes and hidden fields
//! apply, and a session revoked mid-export stops it), and writes each page
//! as it arrives: memory does not grow with the export. CSV text cells that
//! a spreadsheet would run as a formula get a leading `'`.
use std::future::Future;

use aide::{
    openapi::{MediaType, ReferenceOr, Response as ApiResponse, SchemaObject, StatusCode as ApiStatus},
    transform::TransformOperation,
};
use axum::{
    body::{Body, Bytes},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use serde_json::Value;

use super::{pagination::Paged, reply::with_problems};
use crate::{auth::Authenticated, error::AppResult};

/// Rows per page of an export: the largest page a list answers.
pub const EXPORT_PAGE: i64 = 200;

/// A list's filters, set to the page an export reads next.
pub trait Pageable {
    fn export_page(&mut self, cursor: Option<String>);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Turns pages of items into the bytes of the file.
struct Encoder {
    format: Format,
    columns: &'static [&'static str],
    written: bool,
}

impl Encoder {
    fn start(&mut self) -> Vec<u8> {
        match self.format {
            Format::Csv => csv_line(self.columns.iter().map(|c| c.to_string())),
            Format::Json => b"[".to_vec(),
        }
    }

    fn page<T: Serialize>(&mut self, items: &[T]) -> Vec<u8> {
        let mut out = Vec::new();
        for item in items {
            let value = serde_json::to_value(item).unwrap_or(Value::Null);
            match self.format {
                Format::Csv => out.extend(csv_line(self.columns.iter().map(|c| cell(&value[*c])))),
                Format::Json => {
                    if self.written {
                        out.push(b',');
                    }
                    out.push(b'\n');
                    out.extend(serde_json::to_vec(&value).unwrap_or_default());
                }
            }
            self.written = true;
        }
        out
    }

    fn finish(&self) -> Vec<u8> {
        match self.format {
            Format::Csv => Vec::new(),
            Format::Json => b"\n]\n".to_vec(),
        }
    }
}

/// One CSV record (RFC 4180 quoting, `\r\n`), by the `csv` crate.
fn csv_line(cells: impl Iterator<Item = String>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let cells: Vec<String> = cells.collect();
    if writer.write_record(&cells).is_err() {
        return Vec::new();
    }
    writer.into_inner().unwrap_or_default()
}

/// A JSON value as a CSV cell: null empty, arrays joined by `;`, text guarded.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => guard(s),
        Value::Array(items) => items.iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

/// Characters that make a spreadsheet read a cell as a formula.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `'` before a cell a spreadsheet would run (OWASP's CSV-injection advice).
pub fn guard(text: &str) -> String {
    if text.starts_with(FORMULA_START) {
        ["'", text].concat()
    } else {
        text.to_string()
    }
}

/// The guard undone, for import: `'=1+1` reads back as `=1+1`.
pub fn unguard(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => text,
    }
}

/// The whole export as a streamed response. `fetch` is the list itself (one
/// page for the filters); the first page is read before answering, so a
/// 400, 401 or 403 is answered as a problem, not as a broken file.
pub async fn export<T, Fl, F, Fut>(
    auth: Authenticated,
    mut filter: Fl,
    resource: &'static str,
    columns: &'static [&'static str],
    format: Format,
    fetch: F,
) -> AppResult<Response>
where
    T: Serialize + Send + 'static,
    Fl: Pageable + Clone + Send + 'static,
    F: Fn(Authenticated, Fl) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = AppResult<Paged<T>>> + Send,
{
    filter.export_page(None);
    let first = fetch(auth.clone(), filter.clone()).await?;
    let mut encoder = Encoder { format, columns, written: false };
    let mut head = encoder.start();
    head.extend(encoder.page(&first.items));
    let state = Some((auth, filter, first.next_cursor, encoder, fetch));
    let rest = futures_util::stream::unfold(state, move |state| async move {
        let (auth, mut filter, cursor, mut encoder, fetch) = state?;
        let Some(cursor) = cursor else {
            return Some((Ok::<_, std::io::Error>(Bytes::from(encoder.finish())), None));
        };
        filter.export_page(Some(cursor));
        match fetch(auth.clone(), filter.clone()).await {
            Ok(page) => {
                let bytes = Bytes::from(encoder.page(&page.items));
                Some((Ok(bytes), Some((auth, filter, page.next_cursor, encoder, fetch))))
            }
            Err(e) => {
                // The status is sent: the client sees a truncated file.
                tracing::warn!(error = %e, resource, "export stopped");
                Some((Err(std::io::Error::other(e.to_string())), None))
            }
        }
    });
    let head = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) });
    let body = Body::from_stream(futures_util::StreamExt::chain(head, rest));
    let filename = format!("{resource}-{}.{}", chrono::Utc::now().format("%Y-%m-%d"), format.extension());
    Ok(attachment(format.content_type(), &filename, body))
}

/// A streamed download: the body with its type, as an attachment, never cached.
pub fn attachment(content_type: &str, filename: &str, body: Body) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// Documents a 200 whose body is not JSON (a file): its content type and schema.
pub fn file_response<'a>(mut op: TransformOperation<'a>, content_type: &str, schema: serde_json::Value, description: &str) -> TransformOperation<'a> {
    let json_schema = serde_json::from_value(schema).unwrap_or_default();
    op.inner_mut().responses.get_or_insert_with(Default::default).responses.insert(
        ApiStatus::Code(200),
        ReferenceOr::Item(ApiResponse {
            description: description.into(),
            content: [(content_type.into(), MediaType { schema: Some(SchemaObject { json_schema, external_docs: None, example: None }), ..Default::default() })].into(),
            ..Default::default()
        }),
    );
    op
}

/// The OpenAPI description of an export route.
pub fn export_docs<'a>(op: TransformOperation<'a>, tag: &str, format: Format) -> TransformOperation<'a> {
    let (content_type, schema) = match format {
        Format::Csv => ("text/csv", serde_json::json!({"type": "string", "description": "A header row, then one row per record."})),
        Format::Json => ("application/json", serde_json::json!({"type": "array", "items": {"type": "object"}})),
    };
    let op = op.tag(tag).summary(match format {
        Format::Csv => "Export every row the list's filters reach, as CSV (streamed)",
        Format::Json => "Export every row the list's filters reach, as a JSON array (streamed)",
    });
    let op = op.description("Takes the list's filters; limit and cursor are ignored. Needs the list's read permission (docs/data-movement.md).");
    with_problems(file_response(op, content_type, schema, "The file, as an attachment"), &[400, 401, 403])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_guarded_and_unguarded() {
        for (raw, out) in [("=1+1", "'=1+1"), ("+1 555", "'+1 555"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("Ann", "Ann"), ("", "")] {
            assert_eq!(guard(raw), out);
            assert_eq!(unguard(&guard(raw)), raw);
        }
        assert_eq!(unguard("'quoted"), "'quoted", "only the guard's own quote is removed");
    }

    #[test]
    fn cells_are_quoted_by_the_csv_rules() {
        let line = csv_line(["a,b".to_string(), "say \"hi\"".to_string(), "two\nlines".to_string(), String::new()].into_iter());
        assert_eq!(String::from_utf8(line).unwrap_or_default(), "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
        assert_eq!(cell(&serde_json::json!(["x", "=y"])), "x;'=y");
        assert_eq!(cell(&serde_json::json!(12.5)), "12.5");
    }
}
