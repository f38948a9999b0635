//! The HTTP API under `/api`. Each resource module exposes its own
//! `router()`; `routes()` lists them all in one place. This module also holds
//! the shared request/response plumbing: a JSON extractor whose rejections
//! are problem+json, response types that document themselves for OpenAPI,
//! and input validation helpers.
pub mod audit;
pub mod auth;
pub mod companies;
pub mod contacts;
pub mod crm;
pub mod docs;
pub mod health;
pub mod pagination;
pub mod roles;
pub mod tenant;
pub mod users;

use aide::{
    axum::ApiRouter,
    generate::GenContext,
    openapi::{MediaType, Operation, ReferenceOr, Response as ApiResponse, SchemaObject, StatusCode as ApiStatus},
    transform::TransformOperation,
    OperationIo, OperationOutput,
};
use axum::{
    extract::{FromRequest, FromRequestParts},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use schemars::JsonSchema;
use serde::Serialize;

use crate::{
    error::{AppError, FieldError, Problem},
    startup::AppState,
};

/// Every route of the API, in one place.
pub fn routes() -> ApiRouter<AppState> {
    ApiRouter::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(tenant::router())
        .merge(roles::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(companies::router())
        .merge(contacts::router())
}

/// JSON request bodies; rejections become problem+json (400 or 422).
#[derive(FromRequest, OperationIo)]
#[from_request(via(axum::Json), rejection(AppError))]
#[aide(input_with = "axum::Json<T>", json_schema)]
pub struct Json<T>(pub T);

/// Query strings; rejections become problem+json 400.
#[derive(FromRequestParts, OperationIo)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
#[aide(input_with = "axum::extract::Query<T>", json_schema)]
pub struct Query<T>(pub T);

/// Path parameters; rejections become problem+json 400.
#[derive(FromRequestParts, OperationIo)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
#[aide(input_with = "axum::extract::Path<T>", json_schema)]
pub struct Path<T>(pub T);

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

// ---------------------------------------------------------------------------
// Validation: collects every field error before answering 422.
// ---------------------------------------------------------------------------
pub const NAME_MAX: usize = 320;
pub const TEXT_MAX: usize = 2000;

#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// A required text: trimmed, non-empty, at most `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.push(field, "is required");
        } else if trimmed.chars().count() > max {
            self.push(field, &format!("must be at most {max} characters"));
        }
        trimmed.to_string()
    }

    /// An optional text: trimmed, empty becomes `None`, at most `max` characters.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        if trimmed.chars().count() > max {
            self.push(field, &format!("must be at most {max} characters"));
        }
        Some(trimmed.to_string())
    }

    /// An optional email address.
    pub fn optional_email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.email(field, trimmed))
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn email(&mut self, field: &str, value: &str) -> String {
        let email = value.trim().to_string();
        if email.is_empty() {
            self.push(field, "is required");
        } else if email.chars().count() > NAME_MAX {
            self.push(field, &format!("must be at most {NAME_MAX} characters"));
        } else if !is_email(&email) {
            self.push(field, "must be an email address");
        }
        email
    }

    pub fn push(&mut self, field: &str, message: &str) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn add(&mut self, error: Result<(), FieldError>) {
        if let Err(e) = error {
            self.errors.push(e);
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

/// For PATCH bodies: distinguishes an absent field (`None`) from `null`
/// (`Some(None)`). Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted
/// domain, no spaces or control characters.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
}
