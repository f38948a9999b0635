//! Our own versions of axum's body, query and path extractors, so that every
//! rejection is problem+json, and so that input PostgreSQL cannot store
//! (a NUL in a JSON string, a query string that is not UTF-8) is refused at
//! the edge naming the field, before any handler or database sees it.
use aide::OperationIo;
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderMap},
};
use serde::de::DeserializeOwned;

use crate::{
    error::AppError,
    validation::{check_query, find_nul},
};

/// JSON request bodies: `Content-Type: application/json` (415 otherwise),
/// malformed JSON 400, a value that does not fit the type or holds a NUL
/// character 422 naming the field.
#[derive(OperationIo)]
#[aide(input_with = "axum::Json<T>", json_schema)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await?;
        parse_json(&bytes).map(Json)
    }
}

/// Whether the request says its body is JSON (`application/json` or `+json`).
pub fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON body into `T`, with our rejections.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    // `\u0000` is the only way a NUL can be written in JSON: look closer only then.
    if bytes.windows(6).any(|w| w == br"\u0000") {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) {
            if let Some(field) = find_nul(&value) {
                return Err(AppError::validation(&field, "must not contain NUL characters"));
            }
        }
    }
    Ok(axum::Json::<T>::from_bytes(bytes)?.0)
}

/// Query strings: percent-decoded UTF-8 without NUL, then the type; 400 otherwise.
#[derive(OperationIo)]
#[aide(input_with = "axum::extract::Query<T>", json_schema)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        check_query(parts.uri.query().unwrap_or("")).map_err(|name| {
            let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
            AppError::BadRequest(format!("The query parameter {name:?} is not valid UTF-8 text without NUL characters.").into())
        })?;
        Ok(Query(axum::extract::Query::<T>::try_from_uri(&parts.uri)?.0))
    }
}

/// Path parameters; rejections become problem+json 400.
#[derive(axum::extract::FromRequestParts, OperationIo)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
#[aide(input_with = "axum::extract::Path<T>", json_schema)]
pub struct Path<T>(pub T);
