//! Builds the application, shared by `main` and the integration tests:
//! state, the router (API, OpenAPI document, Swagger UI, frontend), and the
//! middleware that gives every request an id and one log line.
use std::{net::SocketAddr, sync::Arc, time::Instant};

use aide::openapi::OpenApi;
use axum::{
    body::Body,
    extract::{DefaultBodyLimit, MatchedPath, Request},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get},
    Router,
};
use deadpool_postgres::Pool;
use tower_http::{
    catch_panic::CatchPanicLayer,
    services::{ServeDir, ServeFile},
};

use crate::{
    api,
    auth::{jwt::JwtKeys, rate_limit::RateLimiter},
    config::Config,
    error::AppError,
};

pub const BODY_LIMIT: usize = 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    /// A bcrypt hash verified for unknown emails, so that timing does not
    /// reveal which accounts exist.
    pub dummy_hash: Arc<str>,
}

impl AppState {
    pub async fn new(config: Config, pool: Pool) -> Result<Self, AppError> {
        let dummy_hash = crate::auth::password::hash(crate::auth::refresh::generate(), config.bcrypt_cost).await?;
        Ok(Self {
            pool,
            jwt: Arc::new(JwtKeys::new(config.jwt_secret_bytes(), config.access_token_ttl)),
            limiter: Arc::new(RateLimiter::new(config.auth_rate_limit_per_minute)),
            config: Arc::new(config),
            dummy_hash: dummy_hash.into(),
        })
    }
}

/// The request id of a request: a valid incoming `x-request-id`, or a new one.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The OpenAPI document and the router, built together.
pub fn build_app(state: AppState) -> Router {
    let (api_router, openapi) = api_router();
    let openapi_json: Arc<[u8]> = api::docs::to_json(&openapi).into();
    let frontend = state.config.frontend_dir.clone();

    let app = api_router
        .with_state(state)
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
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed);

    let app = match frontend {
        Some(dir) => {
            let index = dir.join("index.html");
            app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => app.fallback(no_frontend),
    };

    app.layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(|_| AppError::Internal("handler panicked".into()).into_response()))
        .layer(middleware::from_fn(observe))
}

/// The documented API routes and their OpenAPI document.
pub fn api_router() -> (Router<AppState>, OpenApi) {
    let mut openapi = OpenApi::default();
    let router = api::routes().finish_api_with(&mut openapi, api::docs::describe);
    (router, openapi)
}

async fn api_not_found() -> AppError {
    AppError::NotFound
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

async fn no_frontend() -> Response {
    (StatusCode::NOT_FOUND, "The frontend is not built: run `npm run build` in frontend/ (the README's run command does).")
        .into_response()
}

fn valid_request_id(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_string())
}

/// Request id in, request id out, one structured log line per request.
async fn observe(mut req: Request<Body>, next: Next) -> Response {
    let started = Instant::now();
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(valid_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string());
    let path = req.uri().path().to_string();

    let mut response = next.run(req).await;

    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let route = route.unwrap_or(path);
    if status >= 500 {
        tracing::warn!(%method, %route, status, latency_ms, request_id = %id, "request");
    } else {
        tracing::info!(%method, %route, status, latency_ms, request_id = %id, "request");
    }
    response
}

/// Serves until SIGINT/SIGTERM, then drains in-flight requests.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received: draining in-flight requests");
}
