//! Configuration from the environment (and an optional `.env`). Every value is
//! parsed once at start-up; anything missing or invalid stops the process
//! with one clear line. Secrets are held in `SecretString` so they never
//! reach a log line through `Debug`.
use std::{env, path::PathBuf, time::Duration};

use secrecy::{ExposeSecret, SecretString};

#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

/// What `tenet serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: SecretString,
    pub jwt_secret: SecretString,
    /// `JWT_SECRET_PREVIOUS`: the key being rotated out. Access tokens it
    /// signed are still accepted (until they expire, one access-token
    /// lifetime), and a refresh moves their session to the new key.
    pub jwt_secret_previous: Option<SecretString>,
    pub port: u16,
    pub signup_enabled: bool,
    /// Per client address and minute, for signup, login and refresh; 0 = off.
    pub auth_rate_limit_per_minute: u32,
    pub bcrypt_cost: u32,
    pub access_token_ttl: Duration,
    pub session_ttl: Duration,
    pub db_pool_size: usize,
    /// `DATABASE_TRANSACTION_POOLING`: `DATABASE_URL` leads to a pooler in
    /// transaction mode (PgBouncer `pool_mode = transaction`), which may hand
    /// each transaction a different server connection. Statements are then
    /// sent unnamed, never kept prepared across transactions
    /// (`db::scope::Statements`; docs/deploy.md "PgBouncer").
    pub db_transaction_pooling: bool,
    /// `HASHING_PROCESS` (default true): `tenet serve` hashes passwords in
    /// a child process in a scheduling group of its own at a lower priority
    /// (`auth::password`), so a login flood cannot slow other requests;
    /// false keeps bcrypt on threads of the server.
    pub hashing_process: bool,
    /// The built frontend served at `/` (SPA fallback), when present.
    pub frontend_dir: Option<PathBuf>,
    /// Where users reach the server (`https://crm.example.com`): links in
    /// mail, an allowed origin, and HSTS when it is https.
    pub public_url: Option<String>,
    /// Other origins allowed to call the API from a browser (CORS) and to use
    /// the cookie-setting endpoints; none by default.
    pub cors_origins: Vec<String>,
    pub timeouts: Timeouts,
    pub mail: MailConfig,
    /// The bearer token of `GET /api/metrics`; unset, the metrics are off (404).
    pub metrics_token: Option<SecretString>,
    pub webhooks: WebhookConfig,
}

/// How the webhook worker delivers (docs/webhooks.md).
#[derive(Debug, Clone, Copy)]
pub struct WebhookConfig {
    /// `WEBHOOK_ALLOW_PRIVATE`: also post to loopback and private addresses
    /// (tests, a receiver on the same network). Off by default: endpoints
    /// there are refused (422) and never connected to.
    pub allow_private: bool,
    /// `WEBHOOK_TIMEOUT_SECONDS`: for one delivery attempt, connecting included.
    pub timeout: Duration,
    /// `WEBHOOK_RETRY_BASE_MS`: the wait after the first failed attempt,
    /// doubled after each further one (at most six hours).
    pub retry_base: Duration,
    /// `WEBHOOK_MAX_ATTEMPTS`: attempts of one delivery before it is failed.
    pub max_attempts: u32,
    /// `WEBHOOK_DISABLE_AFTER`: failed attempts in a row (any delivery) that
    /// disable an endpoint.
    pub disable_after: u32,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(10),
            max_attempts: 10,
            disable_after: 20,
        }
    }
}

/// Outgoing mail: SMTP when `SMTP_URL` is set, else the log (tokens
/// redacted) and `.eml` files in `MAIL_DIR`.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain, for a local relay or a test sink),
    /// `smtp://host:587?tls=required` (STARTTLS) or `smtps://host:465`,
    /// with `user:password@` when the server wants it.
    pub smtp_url: Option<SecretString>,
    /// The From address, e.g. `Tenet <no-reply@example.com>`.
    pub from: String,
    /// Where the links in mails point: the frontend's base URL.
    pub app_url: String,
    /// Without SMTP, each mail is also written here as an `.eml` file.
    pub dir: Option<PathBuf>,
}

/// How long the server waits for a client, and the database for a request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For the request line and headers of a request.
    pub header_read: Duration,
    /// For the whole request body.
    pub body_read: Duration,
    /// For the whole request, handler included: then 503.
    pub request: Duration,
    /// For a pooled connection: then 503.
    pub pool_wait: Duration,
    /// `statement_timeout` of every request transaction.
    pub statement: Duration,
    /// `idle_in_transaction_session_timeout` of every request transaction.
    pub idle_in_transaction: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            pool_wait: Duration::from_secs(3),
            statement: Duration::from_secs(10),
            idle_in_transaction: Duration::from_secs(5),
        }
    }
}

/// Loads `.env` if there is one; real environment variables win.
pub fn load_dotenv() {
    let _ = dotenvy::dotenv();
}

pub fn database_url() -> Result<SecretString, ConfigError> {
    let url = required("DATABASE_URL")?;
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.contains("host=")) {
        return Err(ConfigError("DATABASE_URL must be a postgres:// URL".into()));
    }
    Ok(SecretString::from(url))
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let jwt_secret = required("JWT_SECRET")?;
        if jwt_secret.len() < 32 {
            return Err(ConfigError("JWT_SECRET must be at least 32 characters long".into()));
        }
        let jwt_secret_previous = match env::var("JWT_SECRET_PREVIOUS") {
            Ok(p) if p.trim().is_empty() => None,
            Ok(p) if p.len() < 32 => return Err(ConfigError("JWT_SECRET_PREVIOUS must be at least 32 characters long".into())),
            Ok(p) if p == jwt_secret => return Err(ConfigError("JWT_SECRET_PREVIOUS must differ from JWT_SECRET".into())),
            Ok(p) => Some(SecretString::from(p)),
            Err(_) => None,
        };
        let bcrypt_cost = parse("BCRYPT_COST", 12u32)?;
        if !(10..=16).contains(&bcrypt_cost) {
            return Err(ConfigError("BCRYPT_COST must be between 10 and 16".into()));
        }
        let access_secs = parse("ACCESS_TOKEN_TTL_SECONDS", 900u64)?;
        if !(1..=86_400).contains(&access_secs) {
            return Err(ConfigError("ACCESS_TOKEN_TTL_SECONDS must be between 1 and 86400".into()));
        }
        let session_days = parse("SESSION_TTL_DAYS", 30u64)?;
        if !(1..=365).contains(&session_days) {
            return Err(ConfigError("SESSION_TTL_DAYS must be between 1 and 365".into()));
        }
        let db_pool_size = parse("DB_POOL_SIZE", default_pool_size())?;
        if db_pool_size == 0 {
            return Err(ConfigError("DB_POOL_SIZE must be at least 1".into()));
        }
        let frontend_dir = match env::var("FRONTEND_DIR") {
            Ok(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
            _ => Some(PathBuf::from("frontend/dist")).filter(|p| p.join("index.html").is_file()),
        };
        let public_url = match env::var("PUBLIC_URL") {
            Ok(u) if !u.trim().is_empty() => Some(origin_of("PUBLIC_URL", &u)?),
            _ => None,
        };
        let cors_origins = env::var("CORS_ORIGINS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| origin_of("CORS_ORIGINS", o))
            .collect::<Result<Vec<_>, _>>()?;
        let d = Timeouts::default();
        let timeouts = Timeouts {
            header_read: Duration::from_secs(parse("HEADER_READ_TIMEOUT_SECONDS", d.header_read.as_secs())?.max(1)),
            body_read: Duration::from_secs(parse("BODY_READ_TIMEOUT_SECONDS", d.body_read.as_secs())?.max(1)),
            request: Duration::from_secs(parse("REQUEST_TIMEOUT_SECONDS", d.request.as_secs())?.max(1)),
            pool_wait: Duration::from_millis(parse("DB_POOL_TIMEOUT_MS", d.pool_wait.as_millis() as u64)?.max(1)),
            statement: Duration::from_millis(parse("DB_STATEMENT_TIMEOUT_MS", d.statement.as_millis() as u64)?.max(1)),
            idle_in_transaction: Duration::from_millis(
                parse("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", d.idle_in_transaction.as_millis() as u64)?.max(1),
            ),
        };
        let port = parse("PORT", 8080u16)?;
        let app_url = match env::var("PUBLIC_URL") {
            Ok(u) if !u.trim().is_empty() => u.trim().trim_end_matches('/').to_string(),
            _ => format!("http://localhost:{port}"),
        };
        let mail = MailConfig {
            smtp_url: env::var("SMTP_URL").ok().filter(|u| !u.trim().is_empty()).map(SecretString::from),
            from: env::var("MAIL_FROM").ok().filter(|f| !f.trim().is_empty()).unwrap_or_else(|| "Tenet <no-reply@localhost>".into()),
            app_url,
            dir: env::var("MAIL_DIR").ok().filter(|d| !d.trim().is_empty()).map(PathBuf::from),
        };
        let metrics_token = match env::var("METRICS_TOKEN") {
            Ok(t) if t.trim().is_empty() => None,
            Ok(t) if t.len() < 16 => return Err(ConfigError("METRICS_TOKEN must be at least 16 characters long".into())),
            Ok(t) => Some(SecretString::from(t)),
            Err(_) => None,
        };
        let w = WebhookConfig::default();
        let webhooks = WebhookConfig {
            allow_private: parse_bool("WEBHOOK_ALLOW_PRIVATE", false)?,
            timeout: Duration::from_secs(parse("WEBHOOK_TIMEOUT_SECONDS", w.timeout.as_secs())?.clamp(1, 50)),
            retry_base: Duration::from_millis(parse("WEBHOOK_RETRY_BASE_MS", w.retry_base.as_millis() as u64)?.clamp(1, 3_600_000)),
            max_attempts: parse("WEBHOOK_MAX_ATTEMPTS", w.max_attempts)?.clamp(1, 50),
            disable_after: parse("WEBHOOK_DISABLE_AFTER", w.disable_after)?.max(1),
        };
        Ok(Self {
            webhooks,
            metrics_token,
            mail,
            public_url,
            cors_origins,
            timeouts,
            database_url: database_url()?,
            jwt_secret: SecretString::from(jwt_secret),
            jwt_secret_previous,
            port,
            signup_enabled: parse_bool("SIGNUP_ENABLED", true)?,
            auth_rate_limit_per_minute: parse("AUTH_RATE_LIMIT_PER_MINUTE", 300u32)?,
            bcrypt_cost,
            access_token_ttl: Duration::from_secs(access_secs),
            session_ttl: Duration::from_secs(session_days * 86_400),
            db_pool_size,
            db_transaction_pooling: parse_bool("DATABASE_TRANSACTION_POOLING", false)?,
            hashing_process: parse_bool("HASHING_PROCESS", true)?,
            frontend_dir,
        })
    }

    pub fn jwt_secret_bytes(&self) -> &[u8] {
        self.jwt_secret.expose_secret().as_bytes()
    }

    pub fn jwt_previous_bytes(&self) -> Option<&[u8]> {
        self.jwt_secret_previous.as_ref().map(|s| s.expose_secret().as_bytes())
    }
}

/// `scheme://host[:port]` of a URL, lower-cased, without a path: what a
/// browser sends as `Origin`.
fn origin_of(name: &str, url: &str) -> Result<String, ConfigError> {
    let url = url.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = url.split_once("://").ok_or_else(|| ConfigError(format!("{name}: {url:?} is not an http(s) URL")))?;
    let host = rest.split('/').next().unwrap_or("");
    if !matches!(scheme, "http" | "https") || host.is_empty() {
        return Err(ConfigError(format!("{name}: {url:?} is not an http(s) URL")));
    }
    Ok(format!("{scheme}://{host}"))
}

fn required(name: &str) -> Result<String, ConfigError> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        Ok(_) => Err(ConfigError(format!("{name} is empty"))),
        Err(_) => Err(ConfigError(format!("{name} is not set"))),
    }
}

/// `DB_POOL_SIZE` when unset: four connections per core of this machine.
/// More connections than the database can run at once only queue inside
/// PostgreSQL, where a request waits behind every other backend; in the
/// pool it waits its turn in order. On two cores shared with PostgreSQL,
/// 8 connections served the list as fast as 16 with half the p99
/// (docs/performance.md, "The pool's size"). A database on a machine of
/// its own may want more: set it.
fn default_pool_size() -> usize {
    4 * std::thread::available_parallelism().map(|n| n.get()).unwrap_or(4)
}

fn parse<T: std::str::FromStr>(name: &str, default: T) -> Result<T, ConfigError> {
    match env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name} has an invalid value {v:?}"))),
        _ => Ok(default),
    }
}

fn parse_bool(name: &str, default: bool) -> Result<bool, ConfigError> {
    match env::var(name).map(|v| v.trim().to_ascii_lowercase()) {
        Ok(v) if v.is_empty() => Ok(default),
        Ok(v) => match v.as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(ConfigError(format!("{name} must be true or false, not {v:?}"))),
        },
        Err(_) => Ok(default),
    }
}
