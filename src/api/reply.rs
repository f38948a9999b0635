//! What handlers answer: `Reply<T>` (a JSON body with a status and optional
//! Location / Set-Cookie headers), `NoContent` (204), and the helpers that
//! document success and problem answers for OpenAPI next to each handler.
use aide::{
    generate::GenContext,
    openapi::{MediaType, Operation, ReferenceOr, Response as ApiResponse, SchemaObject, StatusCode as ApiStatus},
    transform::TransformOperation,
    OperationOutput,
};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use schemars::JsonSchema;
use serde::Serialize;

use crate::error::Problem;

/// A JSON answer with a status and optional headers (Location, Set-Cookie).
pub struct Reply<T> {
    status: StatusCode,
    body: T,
    headers: Vec<(header::HeaderName, String)>,
}

impl<T> Reply<T> {
    pub fn ok(body: T) -> Self {
        Self { status: StatusCode::OK, body, headers: Vec::new() }
    }

    pub fn accepted(body: T) -> Self {
        Self { status: StatusCode::ACCEPTED, body, headers: Vec::new() }
    }

    pub fn created(location: String, body: T) -> Self {
        Self { status: StatusCode::CREATED, body, headers: vec![(header::LOCATION, location)] }
    }

    pub fn with_cookie(mut self, cookie: String) -> Self {
        self.headers.push((header::SET_COOKIE, cookie));
        self
    }
}

impl<T: Serialize> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}

impl<T: JsonSchema> OperationOutput for Reply<T> {
    type Inner = T;

    fn operation_response(ctx: &mut GenContext, operation: &mut Operation) -> Option<ApiResponse> {
        axum::Json::<T>::operation_response(ctx, operation)
    }
}

/// 204, optionally clearing a cookie.
pub struct NoContent {
    cookie: Option<String>,
}

impl NoContent {
    pub fn new() -> Self {
        Self { cookie: None }
    }

    pub fn with_cookie(cookie: String) -> Self {
        Self { cookie: Some(cookie) }
    }
}

impl Default for NoContent {
    fn default() -> Self {
        Self::new()
    }
}

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Some(value) = self.cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        response
    }
}

impl OperationOutput for NoContent {
    type Inner = ();

    fn operation_response(_ctx: &mut GenContext, _operation: &mut Operation) -> Option<ApiResponse> {
        Some(ApiResponse { description: "No content".into(), ..Default::default() })
    }

    fn inferred_responses(ctx: &mut GenContext, operation: &mut Operation) -> Vec<(Option<u16>, ApiResponse)> {
        Self::operation_response(ctx, operation).map(|r| vec![(Some(204), r)]).unwrap_or_default()
    }
}

/// Documents a success status with a JSON body and the problem answers an
/// operation can give.
pub fn respond<'a, T: JsonSchema>(op: TransformOperation<'a>, status: u16, description: &str, problems: &[u16]) -> TransformOperation<'a> {
    let op = match status {
        200 => op.response_with::<200, axum::Json<T>, _>(|r| r.description(description)),
        201 => op.response_with::<201, axum::Json<T>, _>(|r| r.description(description)),
        202 => op.response_with::<202, axum::Json<T>, _>(|r| r.description(description)),
        _ => op,
    };
    with_problems(op, problems)
}

/// Adds problem+json answers for the given statuses.
pub fn with_problems<'a>(mut op: TransformOperation<'a>, statuses: &[u16]) -> TransformOperation<'a> {
    let schema = aide::generate::in_context(|ctx| ctx.schema.subschema_for::<Problem>());
    let responses = op.inner_mut().responses.get_or_insert_with(Default::default);
    for &status in statuses {
        let description = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("Error");
        responses.responses.insert(
            ApiStatus::Code(status),
            ReferenceOr::Item(ApiResponse {
                description: description.into(),
                content: [(
                    "application/problem+json".into(),
                    MediaType {
                        schema: Some(SchemaObject { json_schema: schema.clone(), external_docs: None, example: None }),
                        ..Default::default()
                    },
                )]
                .into(),
                ..Default::default()
            }),
        );
    }
    op
}

