//! `TestApp`: a fresh database cloned from a migrated template, the app
//! spawned on a random port with a non-superuser login role, and an HTTP
//! client. The database is dropped (`WITH (FORCE)`) when the app is dropped.
#![allow(dead_code)]

use std::{path::Path, time::Duration};

use reqwest::{Method, StatusCode};
use secrecy::SecretString;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tenet::{
    config::Config,
    db,
    startup,
    state::AppState,
};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;
use uuid::Uuid;

pub const OWNER_ROLE: &str = "tenet_owner";
pub const OWNER_PASSWORD: &str = "tenet_owner";
pub const WEB_ROLE: &str = "tenet_test_web";
pub const WEB_PASSWORD: &str = "tenet_test_web";
pub const PASSWORD: &str = "correct horse battery staple";
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-for-hs256-0123456789";

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// Superuser URL of the test cluster (scripts/test sets it).
pub fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://tenet_admin:tenet_admin@127.0.0.1:5432/postgres".into())
}

pub fn host_port() -> (String, u16) {
    let cfg: tokio_postgres::Config = admin_url().parse().expect("TEST_DATABASE_URL is a valid URL");
    let host = match cfg.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        _ => "127.0.0.1".into(),
    };
    (host, cfg.get_ports().first().copied().unwrap_or(5432))
}

/// `TEST_PGBOUNCER_PORT`: the apps under test reach PostgreSQL through a
/// PgBouncer in transaction mode listening there (scripts/pgbouncer).
pub fn pgbouncer_port() -> Option<u16> {
    std::env::var("TEST_PGBOUNCER_PORT").ok().and_then(|p| p.parse().ok())
}

/// Whether the apps under test run with `DATABASE_TRANSACTION_POOLING`.
pub fn transaction_pooling() -> bool {
    pgbouncer_port().is_some()
}

pub fn url(user: &str, password: &str, database: &str) -> String {
    let (host, port) = host_port();
    format!("postgres://{user}:{password}@{host}:{port}/{database}")
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

/// The template's name changes whenever a migration, sql/ or policies/ file
/// changes, so a stale template is never reused.
fn template_name() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut hasher = Sha256::new();
    for folder in ["migrations", "sql", "policies"] {
        let mut files: Vec<_> =
            std::fs::read_dir(root.join(folder)).expect("folder").flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
        files.sort();
        for f in files {
            hasher.update(f.file_name().unwrap_or_default().as_encoded_bytes());
            hasher.update(std::fs::read(&f).expect("read file"));
        }
    }
    let digest = hasher.finalize();
    format!("tenet_tpl_{}", digest.iter().take(6).map(|b| format!("{b:02x}")).collect::<String>())
}

async fn ensure_roles(admin: &tokio_postgres::Client) {
    admin
        .batch_execute(&format!(
            "DO $$ BEGIN
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
                 CREATE ROLE {OWNER_ROLE} LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}';
               END IF;
               IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{WEB_ROLE}') THEN
                 CREATE ROLE {WEB_ROLE} LOGIN NOINHERIT PASSWORD '{WEB_PASSWORD}';
               END IF;
               -- As the README recommends for production: the login role has
               -- tenet_api's privileges only inside a request's transaction.
               ALTER ROLE {WEB_ROLE} NOINHERIT;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        ))
        .await
        .expect("create test roles");
}

/// Creates (once per cluster and schema version) a database migrated as the
/// non-superuser owner role and marked as a template.
pub async fn template() -> String {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let admin = connect(&admin_url()).await;
            // Serialises test processes that start at the same time.
            admin.execute("SELECT pg_advisory_lock(7346298)", &[]).await.expect("lock");
            ensure_roles(&admin).await;
            let ready = admin
                .query_opt("SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate", &[&name])
                .await
                .expect("query template");
            if ready.is_none() {
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.expect("drop");
                admin.batch_execute(&format!("CREATE DATABASE {name} OWNER {OWNER_ROLE}")).await.expect("create template");
                let owner_url = SecretString::from(url(OWNER_ROLE, OWNER_PASSWORD, &name));
                let mut owner = db::connect(&owner_url).await.expect("connect as owner");
                db::migrate::run_on(&mut owner).await.expect("migrate the template");
                drop(owner);
                admin.batch_execute(&format!("GRANT tenet_api TO {WEB_ROLE}")).await.expect("grant tenet_api");
                admin.batch_execute(&format!("ALTER DATABASE {name} IS_TEMPLATE true")).await.expect("mark template");
            }
            // Templates of older schema versions are dead weight: drop them
            // unless something still uses them.
            let stale = admin
                .query("SELECT datname::text FROM pg_database WHERE datname LIKE 'tenet_tpl_%' AND datname <> $1", &[&name])
                .await
                .expect("list templates");
            for row in stale {
                let old: String = row.get(0);
                // Two statements: DROP DATABASE cannot run in the implicit transaction of a batch.
                if admin.batch_execute(&format!("ALTER DATABASE {old} IS_TEMPLATE false")).await.is_ok() {
                    let _ = admin.batch_execute(&format!("DROP DATABASE {old}")).await;
                }
            }
            admin.execute("SELECT pg_advisory_unlock(7346298)", &[]).await.expect("unlock");
            name
        })
        .await
        .clone()
}

/// A database of its own, cloned from the template, dropped on drop.
pub struct TestDb {
    pub name: String,
}

impl TestDb {
    pub async fn new() -> Self {
        let template = template().await;
        let name = format!("tenet_t_{}", Uuid::new_v4().simple());
        let admin = connect(&admin_url()).await;
        let mut attempt = 0;
        loop {
            // The template's last connection may still be closing.
            match admin.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template} OWNER {OWNER_ROLE}")).await {
                Ok(()) => break,
                Err(e) if attempt < 20 => {
                    attempt += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("create test database: {e}"),
            }
        }
        Self { name }
    }

    pub fn owner_url(&self) -> String {
        url(OWNER_ROLE, OWNER_PASSWORD, &self.name)
    }

    pub fn web_url(&self) -> String {
        url(WEB_ROLE, WEB_PASSWORD, &self.name)
    }

    /// Where the app's pool connects as the API's login role: PostgreSQL
    /// itself, or PgBouncer in transaction mode when `TEST_PGBOUNCER_PORT`
    /// is set (scripts/test runs the suite both ways).
    pub fn app_url(&self) -> String {
        match pgbouncer_port() {
            Some(port) => format!("postgres://{WEB_ROLE}:{WEB_PASSWORD}@127.0.0.1:{port}/{}", self.name),
            None => self.web_url(),
        }
    }

    pub fn admin_url(&self) -> String {
        let mut cfg = admin_url();
        if let Some(idx) = cfg.rfind('/') {
            cfg.truncate(idx + 1);
        }
        format!("{cfg}{}", self.name)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok((client, conn)) = tokio_postgres::connect(&admin_url(), NoTls).await {
                    tokio::spawn(conn);
                    let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    /// The SMTP sink the mail worker delivers to (with `Options { mail: true }`).
    pub mail: Option<crate::smtp_sink::SmtpSink>,
    pub address: String,
    pub client: reqwest::Client,
    pub db: std::sync::Arc<TestDb>,
    pub state: AppState,
}

pub struct Options {
    pub pool_size: usize,
    pub signup_enabled: bool,
    pub rate_limit: u32,
    pub access_ttl: Duration,
    pub cors_origins: Vec<String>,
    pub public_url: Option<String>,
    /// Run the mail worker, delivering to a real SMTP sink (`TestApp::mail`).
    pub mail: bool,
    /// Without SMTP: run the mail worker writing `.eml` files here.
    pub mail_dir: Option<std::path::PathBuf>,
    pub timeouts: tenet::config::Timeouts,
    /// `METRICS_TOKEN`: unset, `/api/metrics` answers 404.
    pub metrics_token: Option<String>,
    /// The webhook worker's settings; it runs when `webhook_worker` is set.
    pub webhooks: tenet::config::WebhookConfig,
    pub webhook_worker: bool,
    /// Reach PostgreSQL through this local port (a proxy a test controls)
    /// instead of its own.
    pub db_port: Option<u16>,
    /// `JWT_SECRET` and `JWT_SECRET_PREVIOUS` (default: `JWT_SECRET`, none).
    pub jwt_secret: Option<String>,
    pub jwt_secret_previous: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            pool_size: 4,
            signup_enabled: true,
            rate_limit: 0,
            access_ttl: Duration::from_secs(900),
            cors_origins: Vec::new(),
            public_url: None,
            mail: false,
            mail_dir: None,
            timeouts: tenet::config::Timeouts::default(),
            metrics_token: None,
            webhooks: tenet::config::WebhookConfig::default(),
            webhook_worker: false,
            db_port: None,
            jwt_secret: None,
            jwt_secret_previous: None,
        }
    }
}

pub fn config(database_url: String, options: &Options) -> Config {
    Config {
        database_url: SecretString::from(database_url),
        jwt_secret: SecretString::from(options.jwt_secret.clone().unwrap_or_else(|| JWT_SECRET.to_string())),
        jwt_secret_previous: options.jwt_secret_previous.clone().map(SecretString::from),
        port: 0,
        signup_enabled: options.signup_enabled,
        auth_rate_limit_per_minute: options.rate_limit,
        bcrypt_cost: 10,
        access_token_ttl: options.access_ttl,
        session_ttl: Duration::from_secs(30 * 86_400),
        db_pool_size: options.pool_size,
        db_transaction_pooling: transaction_pooling(),
        // In-process servers hash on threads; tests/api/operations.rs runs
        // the binary with its hashing process.
        hashing_process: false,
        frontend_dir: None,
        public_url: options.public_url.clone(),
        cors_origins: options.cors_origins.clone(),
        timeouts: options.timeouts,
        mail: tenet::config::MailConfig {
            smtp_url: None,
            from: "Tenet <no-reply@tenet.test>".into(),
            app_url: "http://app.tenet.test".into(),
            dir: options.mail_dir.clone(),
        },
        metrics_token: options.metrics_token.clone().map(SecretString::from),
        webhooks: options.webhooks,
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let db = std::sync::Arc::new(TestDb::new().await);
        let sink = if options.mail { Some(crate::smtp_sink::SmtpSink::start().await) } else { None };
        let smtp_url = sink.as_ref().map(|s| s.url());
        Self::serve(db, options, smtp_url, sink).await
    }

    /// Another server on the same database, as a second `tenet serve`
    /// process would be: its own pool, caches (rate limiter, API keys, scope
    /// hints), JWT keys from the same secret, and, when this one has a mail
    /// sink, its own mail worker delivering to that same sink.
    pub async fn peer(&self) -> Self {
        self.peer_with(Options { mail: self.mail.is_some(), ..Options::default() }).await
    }

    /// `peer` with its own options (its mail worker still delivers to this one's sink).
    pub async fn peer_with(&self, options: Options) -> Self {
        let smtp_url = self.mail.as_ref().map(|s| s.url());
        Self::serve(self.db.clone(), options, smtp_url, None).await
    }

    async fn serve(db: std::sync::Arc<TestDb>, options: Options, smtp_url: Option<String>, sink: Option<crate::smtp_sink::SmtpSink>) -> Self {
        let database_url = match options.db_port {
            Some(port) => {
                let (host, real) = host_port();
                db.web_url().replace(&format!("@{host}:{real}/"), &format!("@127.0.0.1:{port}/"))
            }
            None => db.app_url(),
        };
        let mut config = config(database_url, &options);
        if let Some(url) = smtp_url {
            config.mail.smtp_url = Some(SecretString::from(url));
        }
        let mailer = (options.mail || options.mail_dir.is_some()).then(|| tenet::mail::Mailer::new(&config.mail).expect("mailer"));
        let pool = db::pool(&config.database_url, config.db_pool_size, config.timeouts.pool_wait).expect("pool");
        let header_read_timeout = config.timeouts.header_read;
        let state = AppState::new(config, pool).await.expect("state");
        if let Some(mailer) = mailer {
            tokio::spawn(mailer.run(state.db.clone(), Duration::from_millis(50)));
        }
        if options.webhook_worker {
            let deliverer = tenet::webhooks::Deliverer::new(&options.webhooks).expect("webhook client");
            tokio::spawn(deliverer.run(state.db.clone(), Duration::from_millis(50)));
        }
        let app = startup::build_app(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(startup::serve(listener, app, header_read_timeout));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Self { mail: sink, address, client, db, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Response::from(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.request(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.request(Method::POST, path, token, Some(body)).await
    }

    /// Signs up a new tenant and its owner.
    pub async fn signup(&self, tenant: &str, email: &str) -> Session {
        let r = self
            .post("/api/auth/signup", None, json!({"tenant_name": tenant, "email": email, "password": PASSWORD, "name": "Owner"}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "signup failed: {}", r.body);
        Session::from(&r)
    }

    /// A member of `owner`'s tenant with the given role names, signed in
    /// there: their id and session.
    pub async fn add_member(&self, owner: &Session, email: &str, roles: &[&str]) -> (String, Session) {
        let r = self.post("/api/users", Some(&owner.access), json!({"email": email, "name": "Member", "password": PASSWORD, "roles": roles})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.body["id"].as_str().expect("id").to_string();
        let login = self.login(email, PASSWORD, Some(&owner.tenant_slug)).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.text);
        (id, Session::from(&login))
    }

    pub async fn login(&self, email: &str, password: &str, tenant: Option<&str>) -> Response {
        let mut body = json!({"email": email, "password": password});
        if let Some(t) = tenant {
            body["tenant"] = json!(t);
        }
        self.post("/api/auth/login", None, body).await
    }

    pub async fn owner_client(&self) -> tokio_postgres::Client {
        connect(&self.db.owner_url()).await
    }

    pub async fn web_client(&self) -> tokio_postgres::Client {
        connect(&self.db.web_url()).await
    }
}

/// A response read to the end.
pub struct Response {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Response {
    pub async fn read(r: reqwest::Response) -> Self {
        Self::from(r).await
    }

    async fn from(r: reqwest::Response) -> Self {
        let status = r.status();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self { status, headers, body, text }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with the given status, no internals leaked.
    pub fn assert_problem(&self, status: u16) -> &Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(self.body["title"].is_string() && self.body["detail"].is_string() && self.body["type"].is_string());
        // The permission key api_keys:manage is public vocabulary, not a constraint name.
        let lower = self.text.to_lowercase().replace("api_keys:", "");
        for leak in ["select ", "insert ", "sqlstate", "constraint", "_pkey", "_key", "stack", "panicked", "tokio_postgres"] {
            assert!(!lower.contains(leak), "problem leaks {leak:?}: {}", self.text);
        }
        self
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
    pub tenant_id: String,
    pub tenant_slug: String,
}

impl Session {
    pub fn from(r: &Response) -> Self {
        Self {
            access: r.body["access_token"].as_str().expect("access_token").to_string(),
            refresh: r.body["refresh_token"].as_str().expect("refresh_token").to_string(),
            user_id: r.body["user"]["id"].as_str().unwrap_or_default().to_string(),
            tenant_id: r.body["tenant"]["id"].as_str().unwrap_or_default().to_string(),
            tenant_slug: r.body["tenant"]["slug"].as_str().unwrap_or_default().to_string(),
        }
    }
}

/// The claims of an access token (not verified: tests read their own tokens).
pub fn claims(token: &str) -> Value {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("json")
}

/// A connection as the API's login role inside an open transaction with the
/// request context of `token` set, exactly as a request has it, but with the
/// handlers skipped: whatever it may do, the database alone allowed.
pub async fn as_request(app: &TestApp, token: &str) -> tokio_postgres::Client {
    let c = claims(token);
    let client = app.web_client().await;
    client.batch_execute("BEGIN; SET LOCAL role tenet_api").await.expect("begin");
    client
        .execute(
            "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true),
                    set_config('app.session_id', $3, true), set_config('app.session_secret', $4, true)",
            &[&c["tenant_id"].as_str(), &c["sub"].as_str(), &c["sid"].as_str(), &c["ssec"].as_str()],
        )
        .await
        .expect("context");
    client
}
