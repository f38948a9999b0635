//! Keyset pagination shared by every list: `?limit=1..=200` (default 50) and
//! an opaque `cursor` naming the last row of the previous page by
//! `(created_at, id)`. Pages are stable under concurrent inserts: a new row
//! sorts before the cursor (newest first) and never shifts later pages.
use aide::{
    generate::GenContext,
    openapi::{Operation, Response as ApiResponse},
    OperationOutput,
};
use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct PageParams {
    /// Page size, 1 to 200 (default 50).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page request, validated.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub limit: i64,
    pub after: Option<(DateTime<Utc>, Uuid)>,
}

impl Page {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> AppResult<Self> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::BadRequest(format!("limit must be between 1 and {MAX_LIMIT}.").into()));
        }
        let after = match cursor.filter(|c| !c.is_empty()) {
            None => None,
            Some(c) => Some(decode(c).ok_or(AppError::BadRequest("The cursor is invalid.".into()))?),
        };
        Ok(Self { limit, after })
    }

    pub fn from_params(params: &PageParams) -> AppResult<Self> {
        Self::parse(params.limit, params.cursor.as_deref())
    }

    /// Rows to fetch: one more than the page, to know whether another follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    pub fn after_time(&self) -> Option<DateTime<Utc>> {
        self.after.map(|a| a.0)
    }

    pub fn after_id(&self) -> Option<Uuid> {
        self.after.map(|a| a.1)
    }

    /// Trims the extra row and returns the cursor of the next page, if any.
    pub fn finish<T>(&self, mut items: Vec<T>, key: impl Fn(&T) -> (DateTime<Utc>, Uuid)) -> Paged<T> {
        let more = items.len() as i64 > self.limit;
        items.truncate(self.limit as usize);
        let next_cursor = if more { items.last().map(|last| encode(key(last))) } else { None };
        Paged { items, next_cursor }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Bytes reserved per item of a page before it is written. `axum::Json`
/// starts from 128 bytes and doubles: for a page of 50 contacts (about 330
/// bytes each) that was eight allocations and seven copies of the page so
/// far. Larger items still grow the buffer, by doubling from here.
const RESERVED_PER_ITEM: usize = 512;

/// A page answers as `axum::Json` does (the same body, `application/json`),
/// into a buffer sized for its items.
impl<T: Serialize> IntoResponse for Paged<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(64 + RESERVED_PER_ITEM * self.items.len());
        match serde_json::to_writer(&mut body, &self) {
            Ok(()) => ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response(),
            Err(e) => AppError::Internal(format!("a page could not be written as JSON: {e}")).into_response(),
        }
    }
}

impl<T: JsonSchema> OperationOutput for Paged<T> {
    type Inner = Paged<T>;

    fn operation_response(ctx: &mut GenContext, operation: &mut Operation) -> Option<ApiResponse> {
        axum::Json::<Paged<T>>::operation_response(ctx, operation)
    }

    fn inferred_responses(ctx: &mut GenContext, operation: &mut Operation) -> Vec<(Option<u16>, ApiResponse)> {
        axum::Json::<Paged<T>>::inferred_responses(ctx, operation)
    }
}

fn encode((at, id): (DateTime<Utc>, Uuid)) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}|{}", at.timestamp_micros(), id))
}

fn decode(cursor: &str) -> Option<(DateTime<Utc>, Uuid)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).ok()?).ok()?;
    let (micros, id) = raw.split_once('|')?;
    Some((DateTime::from_timestamp_micros(micros.parse().ok()?)?, id.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page answers what `axum::Json` answered for it: the same bytes and
    /// content type, however large its items (the buffer only starts larger).
    #[tokio::test]
    async fn a_page_answers_what_axum_json_answered() -> Result<(), Box<dyn std::error::Error>> {
        let big = "\u{e9}\"\\\n\u{1f}".repeat(300);
        for (items, next_cursor) in [
            (vec![], None),
            (vec![serde_json::json!({"id": 1, "name": "A"})], Some("abc".to_string())),
            ((0..60).map(|i| serde_json::json!({"i": i, "text": big})).collect(), None),
        ] {
            let page = Paged { items, next_cursor };
            let expected = serde_json::to_vec(&page)?;
            let response = page.into_response();
            assert_eq!(response.status(), axum::http::StatusCode::OK);
            assert_eq!(response.headers().get(header::CONTENT_TYPE), Some(&HeaderValue::from_static("application/json")));
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            assert_eq!(body.as_ref(), expected.as_slice());
        }
        Ok(())
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_rejected() -> Result<(), &'static str> {
        let at = DateTime::from_timestamp_micros(1_700_000_000_123_456).ok_or("a valid time")?;
        let id = Uuid::now_v7();
        assert_eq!(decode(&encode((at, id))), Some((at, id)));
        assert!(Page::parse(None, Some("garbage!")).is_err());
        assert!(Page::parse(Some(0), None).is_err());
        assert!(Page::parse(Some(201), None).is_err());
        assert_eq!(Page::parse(None, None).map(|p| p.limit).ok(), Some(50));
        Ok(())
    }
}
