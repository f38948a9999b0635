//! The endpoints that set the refresh cookie (signup, login, refresh,
//! switch-tenant) must not be reachable by a cross-site form (login CSRF).
//! A form can send neither `Content-Type: application/json` (our `Json`
//! extractor answers 415 without it) nor hide its `Origin`: when a browser
//! names one, it must be ours (the `Host` the request was sent to, or
//! `PUBLIC_URL`) or one of `CORS_ORIGINS`; anything else is 403.
use aide::OperationInput;
use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};

use crate::{error::AppError, state::AppState};

/// A request a cross-site page cannot have sent.
pub struct FirstParty;

impl FromRequestParts<AppState> for FirstParty {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(origin) = parts.headers.get(header::ORIGIN) else { return Ok(FirstParty) };
        let origin = origin.to_str().unwrap_or("null").trim_end_matches('/').to_ascii_lowercase();
        let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok()).map(str::to_ascii_lowercase);
        let same_host = host.is_some_and(|h| origin.split_once("://").is_some_and(|(_, o)| o == h));
        let configured = state.config.public_url.as_deref() == Some(origin.as_str())
            || state.config.cors_origins.contains(&origin);
        if same_host || configured {
            Ok(FirstParty)
        } else {
            Err(AppError::Forbidden("Requests from this origin are not allowed.".into()))
        }
    }
}

impl OperationInput for FirstParty {}
