//! Builds the application, shared by `main` and the integration tests: the
//! router (API, OpenAPI document, Swagger UI, frontend) and its middleware
//! (request id and log, security headers, CORS, deadlines, body limit).
use std::sync::Arc;

use aide::openapi::OpenApi;
use axum::{
    extract::{DefaultBodyLimit, Request},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get},
    Router,
};
use tower_http::{
    catch_panic::CatchPanicLayer,
    cors::{AllowOrigin, CorsLayer},
    services::{ServeDir, ServeFile},
    timeout::TimeoutBody,
};

use crate::{
    api,
    error::AppError,
    http::{
        headers::{security_headers, HeaderPolicy},
        request_id::observe,
    },
    state::AppState,
};

pub use crate::http::server::serve;

pub const BODY_LIMIT: usize = 1024 * 1024;

/// The OpenAPI document and the router, built together.
pub fn build_app(state: AppState) -> Router {
    let (api_router, openapi) = api_router();
    let openapi_json: Arc<[u8]> = api::docs::to_json(&openapi).into();
    let config = state.config.clone();

    let app = api_router
        .with_state(state.clone())
        .route(
            "/api/docs/openapi.json",
            get(move || {
                let body = openapi_json.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body.to_vec()) }
            }),
        )
        .merge(swagger_ui_dist::generate_routes(swagger_ui_dist::ApiDefinition {
            uri_prefix: "/api/docs",
            api_definition: swagger_ui_dist::OpenApiSource::Uri("/api/docs/openapi.json"),
            title: Some("Tenet API"),
        }))
        .route("/api/metrics", get(crate::http::metrics::metrics).with_state(state))
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed);

    let app = match config.frontend_dir.clone() {
        Some(dir) => {
            let index = dir.join("index.html");
            app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => app.fallback(no_frontend),
    };

    let deadline = config.timeouts.request;
    let body_read = config.timeouts.body_read;
    let app = app
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(move |req: Request, next: Next| body_within(body_read, req, next)))
        .layer(middleware::from_fn(move |req: Request, next: Next| within_deadline(deadline, req, next)))
        .layer(CatchPanicLayer::custom(|_| AppError::Internal("handler panicked".into()).into_response()));
    let app = match cors(&config.cors_origins) {
        Some(layer) => app.layer(layer),
        None => app,
    };
    let policy = HeaderPolicy { hsts: config.public_url.as_deref().is_some_and(|u| u.starts_with("https://")) };
    app.layer(middleware::from_fn_with_state(policy, security_headers)).layer(middleware::from_fn(observe))
}

/// Hands the memory that building the app used and freed (the OpenAPI
/// document's schemas, the router's intermediate values, the connection
/// checks) back to the operating system. glibc keeps freed memory in its
/// arenas for reuse, and nothing at idle reuses it: right after start
/// `malloc_trim` took the private memory of `tenet serve` from 7.7 to 2.9
/// MiB (docs/performance.md, "Idle RSS"). A no-op outside glibc.
pub fn return_freed_startup_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas under their locks;
    // it takes no pointer of ours and is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The documented API routes and their OpenAPI document.
pub fn api_router() -> (Router<AppState>, OpenApi) {
    let mut openapi = OpenApi::default();
    let router = api::routes().finish_api_with(&mut openapi, api::docs::describe);
    (router, openapi)
}

/// CORS for the configured origins only; none configured, no CORS at all.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, HeaderName::from_static("x-requested-with")])
            .expose_headers([HeaderName::from_static("x-request-id"), header::LOCATION, header::RETRY_AFTER])
            .allow_credentials(true),
    )
}

/// How long an import's dry run or run may take: it reads its upload while
/// it writes, batch by batch (src/api/imports.rs), each piece of the upload
/// within its own idle timeout instead of one for the whole body.
pub const IMPORT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30 * 60);

fn is_import_upload(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::POST && path.starts_with("/api/imports/") && (path.ends_with("/run") || path.ends_with("/dry-run"))
}

/// The whole request body arrives within `limit` (slow clients are cut
/// off), except an import's upload, which has an idle timeout per piece.
async fn body_within(limit: std::time::Duration, req: Request, next: Next) -> Response {
    if is_import_upload(&req) {
        return next.run(req).await;
    }
    next.run(req.map(|body| axum::body::Body::new(TimeoutBody::new(limit, body)))).await
}

/// Every request, handler included, finishes within the deadline or is
/// answered 503; its database scope is dropped (rolled back) with it.
async fn within_deadline(deadline: std::time::Duration, req: Request, next: Next) -> Response {
    let deadline = if is_import_upload(&req) { IMPORT_DEADLINE } else { deadline };
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(response) => response,
        Err(_) => AppError::DeadlineExceeded.into_response(),
    }
}

async fn api_not_found() -> AppError {
    AppError::NoSuchRoute
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

async fn no_frontend() -> Response {
    (StatusCode::NOT_FOUND, "The frontend is not built: run `npm run build` in frontend/ (the README's run command does).")
        .into_response()
}
