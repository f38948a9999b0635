//! One error type for the whole API, rendered as RFC 9457
//! `application/problem+json`. Database errors are classified once, here:
//! SQLSTATEs we raise ourselves (`TN<status>`) carry a message written for
//! clients; constraint violations map to 4xx; anything else becomes an opaque
//! 500 that is logged (with its SQLSTATE) exactly once, where it is answered.
use std::borrow::Cow;

use aide::{
    generate::GenContext,
    openapi::{MediaType, Operation, Response as ApiResponse, SchemaObject},
    OperationOutput,
};
use axum::{
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use schemars::JsonSchema;
use serde::Serialize;

/// RFC 9457 problem details.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Problem {
    /// A URI reference identifying the problem type (`about:blank`: see `title`).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// Explanation specific to this occurrence.
    pub detail: String,
    /// Validation errors, one per offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(Cow<'static, str>),
    #[error("unauthorized: {0}")]
    Unauthorized(Cow<'static, str>),
    #[error("forbidden: {0}")]
    Forbidden(Cow<'static, str>),
    #[error("not found")]
    NotFound,
    #[error("no such API route")]
    NoSuchRoute,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(Cow<'static, str>),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unprocessable: {0}")]
    Unprocessable(Cow<'static, str>),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("request deadline exceeded")]
    DeadlineExceeded,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(field: &str, message: &str) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound | Self::NoSuchRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Validation(_) | Self::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::DeadlineExceeded => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What a client is told: never SQL, a constraint or a stack.
    pub fn detail(&self) -> String {
        match self {
            Self::BadRequest(m) | Self::Unauthorized(m) | Self::Forbidden(m) | Self::Conflict(m) | Self::Unprocessable(m) => {
                m.to_string()
            }
            Self::NotFound => "The requested resource does not exist.".into(),
            Self::NoSuchRoute => "There is no such API route.".into(),
            Self::MethodNotAllowed => "This method is not allowed on this resource.".into(),
            Self::PayloadTooLarge => "The request body exceeds the limit of 1 MiB.".into(),
            Self::UnsupportedMediaType => "Expected a request body with Content-Type: application/json.".into(),
            Self::Validation(_) => "The request contains invalid fields.".into(),
            Self::TooManyRequests { retry_after_secs } => {
                format!("Too many attempts. Try again in {retry_after_secs} seconds.")
            }
            Self::Unavailable(_) => "The database is unavailable. Try again shortly.".into(),
            Self::DeadlineExceeded => "The request took too long and was abandoned. Try again shortly.".into(),
            Self::Internal(_) => "An unexpected error occurred.".into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        match &self {
            Self::Internal(cause) => tracing::error!(error = %cause, "request failed"),
            Self::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            Self::DeadlineExceeded => tracing::warn!("request deadline exceeded"),
            _ => {}
        }
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: self.detail(),
            errors: match self {
                Self::Validation(ref errors) => Some(errors.clone()),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Self::TooManyRequests { retry_after_secs } = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(1)));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// Documents the error body as problem+json for every non-2xx answer.
impl OperationOutput for AppError {
    type Inner = Problem;

    fn operation_response(ctx: &mut GenContext, _operation: &mut Operation) -> Option<ApiResponse> {
        let schema = ctx.schema.subschema_for::<Problem>();
        Some(ApiResponse {
            description: "An RFC 9457 problem".into(),
            content: [(
                "application/problem+json".into(),
                MediaType { schema: Some(SchemaObject { json_schema: schema, external_docs: None, example: None }), ..Default::default() },
            )]
            .into(),
            ..Default::default()
        })
    }
}

// ---------------------------------------------------------------------------
// Classification of database errors, once.
// ---------------------------------------------------------------------------
impl From<tokio_postgres::Error> for AppError {
    fn from(err: tokio_postgres::Error) -> Self {
        crate::http::metrics::record_db_error(err.as_db_error().map(|db| db.code().code()));
        let Some(db) = err.as_db_error() else {
            return if err.is_closed() {
                AppError::Unavailable(err.to_string())
            } else {
                AppError::Unavailable(format!("database connection error: {err}"))
            };
        };
        let code = db.code().code();
        // A message written for clients that names its field (RAISE ... USING COLUMN).
        if let (Some("422"), Some(column)) = (code.strip_prefix("TN"), db.column()) {
            return AppError::validation(column, db.message());
        }
        if let Some(status) = code.strip_prefix("TN") {
            let message: Cow<'static, str> = Cow::Owned(db.message().to_string());
            return match status {
                "400" => AppError::BadRequest(message),
                "401" => AppError::Unauthorized(message),
                "403" => AppError::Forbidden(message),
                "404" => AppError::NotFound,
                "409" => AppError::Conflict(message),
                "422" => AppError::Unprocessable(message),
                _ => AppError::Internal(format!("unmapped application SQLSTATE {code}: {}", db.message())),
            };
        }
        let field = db.constraint().and_then(|c| field_of_constraint(db.table(), c));
        match (code, field) {
            // unique_violation
            ("23505", _) => AppError::Conflict("A record with these values already exists.".into()),
            // foreign_key_violation: a reference that is not in the caller's
            // tenant answers like one that does not exist, naming the field.
            ("23503", Some(field)) => AppError::validation(field, "does not exist"),
            ("23503", None) => AppError::Unprocessable("A referenced record does not exist.".into()),
            // check_violation of a one-column constraint
            ("23514", Some(field)) => AppError::validation(field, "is not allowed"),
            // not_null_violation names its column
            ("23502", _) => match db.column() {
                Some(column) => AppError::validation(column, "is required"),
                None => AppError::Unprocessable("A value is not allowed.".into()),
            },
            // check_violation of a constraint that names no field, string_data_right_truncation
            ("23514" | "22001", _) => AppError::Unprocessable("A value is not allowed.".into()),
            // insufficient_privilege: RLS WITH CHECK or a missing grant
            ("42501", _) => AppError::Forbidden("You do not have permission to perform this action.".into()),
            // character_not_in_repertoire (a NUL), untranslatable_character: a safety
            // net behind the extractors, which refuse such text naming the field.
            ("22021" | "22P05", _) => AppError::Unprocessable("A text value contains a character that cannot be stored.".into()),
            // invalid_text_representation, invalid_parameter_value
            ("22P02" | "22023", _) => AppError::BadRequest("A value has an invalid format.".into()),
            // query_canceled (statement_timeout), idle-in-transaction timeout,
            // serialization_failure, deadlock_detected, too many connections, admin shutdown
            ("57014" | "25P03" | "40001" | "40P01" | "53300" | "57P01" | "57P03", _) => {
                AppError::Unavailable(format!("SQLSTATE {code}"))
            }
            _ => AppError::Internal(format!("database error SQLSTATE {code}: {}", db.message())),
        }
    }
}

/// The request field behind a one-column constraint, from its name alone:
/// `contacts_company_id_fkey` on `contacts` is `company_id` (migrations name
/// constraints `<table>_<column>_fkey` / `_check`, PostgreSQL's own
/// convention). Never the constraint itself: clients see the field.
fn field_of_constraint<'a>(table: Option<&str>, constraint: &'a str) -> Option<&'a str> {
    let rest = constraint.strip_prefix(table?)?.strip_prefix('_')?;
    let field = rest.strip_suffix("_fkey").or_else(|| rest.strip_suffix("_check"))?;
    (!field.is_empty() && field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then_some(field)
}

impl From<deadpool_postgres::PoolError> for AppError {
    fn from(err: deadpool_postgres::PoolError) -> Self {
        match err {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            other => AppError::Unavailable(other.to_string()),
        }
    }
}

// ---------------------------------------------------------------------------
// axum's own rejections, in our format.
// ---------------------------------------------------------------------------
impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => {
                let (field, message) = describe_data_error(&e.body_text());
                AppError::Validation(vec![FieldError::new(field, message)])
            }
            JsonRejection::JsonSyntaxError(_) => AppError::BadRequest("The request body is not valid JSON.".into()),
            JsonRejection::MissingJsonContentType(_) => AppError::UnsupportedMediaType,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => AppError::PayloadTooLarge,
            other => AppError::BadRequest(Cow::Owned(other.body_text())),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::BadRequest(Cow::Owned(format!("Invalid query parameters: {}", rejection.body_text())))
    }
}

impl From<PathRejection> for AppError {
    fn from(_: PathRejection) -> Self {
        AppError::BadRequest("A path parameter has an invalid format.".into())
    }
}

impl From<axum::extract::rejection::BytesRejection> for AppError {
    fn from(rejection: axum::extract::rejection::BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge
        } else {
            AppError::BadRequest("The request body could not be read.".into())
        }
    }
}

/// Turns serde's description of a body that does not fit its type into a
/// field and a message, e.g. "email: invalid type: integer `5`, expected a
/// string at line 1 column 10" or "missing field `email` at line 1 column 2".
fn describe_data_error(text: &str) -> (String, String) {
    let text = text.split_once("target type: ").map_or(text, |(_, rest)| rest);
    let text = text.split(" at line ").next().unwrap_or(text);
    if let Some(rest) = text.split("missing field `").nth(1) {
        let field = rest.split('`').next().unwrap_or("body");
        let prefix = text.split_once(": missing field").map(|(p, _)| format!("{p}.")).unwrap_or_default();
        return (format!("{prefix}{field}"), "is required".into());
    }
    match text.split_once(": ") {
        Some((path, message)) if !path.contains(' ') && !path.is_empty() && path != "." => (path.to_string(), message.to_string()),
        _ => ("body".into(), text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_data_error;

    #[test]
    fn the_field_of_a_constraint_comes_from_its_name() {
        use super::field_of_constraint;
        assert_eq!(field_of_constraint(Some("contacts"), "contacts_company_id_fkey"), Some("company_id"));
        assert_eq!(field_of_constraint(Some("contacts"), "contacts_email_check"), Some("email"));
        assert_eq!(field_of_constraint(Some("contacts"), "companies_owner_id_fkey"), None);
        assert_eq!(field_of_constraint(None, "contacts_email_check"), None);
    }

    #[test]
    fn names_the_field_of_a_data_error() {
        let t = "Failed to deserialize the JSON body into the target type: email: invalid type: integer `5`, expected a string at line 1 column 10";
        assert_eq!(describe_data_error(t), ("email".into(), "invalid type: integer `5`, expected a string".into()));
        let t = "Failed to deserialize the JSON body into the target type: missing field `email` at line 1 column 17";
        assert_eq!(describe_data_error(t), ("email".into(), "is required".into()));
    }
}
