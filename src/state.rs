//! `AppState`: what every handler may reach (the pool, the token keys, the
//! configuration, the per-address limiter, the API-key resolutions, the lists' scope hints). Built once by `tenet serve` and by
//! the integration tests.
use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::{
    api::crm::ScopeHints,
    auth::{api_key::KeyCache, jwt::JwtKeys, rate_limit::RateLimiter},
    config::Config,
    db::Database,
    error::AppError,
};

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    pub api_keys: Arc<KeyCache>,
    pub scope_hints: Arc<ScopeHints>,
}

impl AppState {
    pub async fn new(config: Config, pool: Pool) -> Result<Self, AppError> {
        Ok(Self {
            db: Database::new(pool, &config.timeouts, config.db_transaction_pooling),
            jwt: Arc::new(JwtKeys::new(config.jwt_secret_bytes(), config.access_token_ttl).with_previous(config.jwt_previous_bytes())),
            limiter: Arc::new(RateLimiter::new(config.auth_rate_limit_per_minute)),
            api_keys: Arc::new(KeyCache::default()),
            scope_hints: Arc::new(ScopeHints::default()),
            config: Arc::new(config),
        })
    }
}
