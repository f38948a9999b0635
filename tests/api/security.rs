//! The adversarial review's findings, each replayed and refused: pool
//! exhaustion by slow bodies, login CSRF, framing and headers, audit tail
//! truncation, privileged login roles, amplification, PUBLIC-executable
//! functions, password guessing with a stolen token, and removed members'
//! refresh tokens writing to the tenant's log.
use std::time::Duration;

use reqwest::{header, Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::helpers::{admin_url, connect, url, Options, Response, Session, TestApp, PASSWORD};

const KEY: &[u8] = b"checkpoint-key-kept-off-the-database-0123456789";

/// A connection that sent the headers of a JSON POST and a piece of its body.
async fn slow_post(app: &TestApp, token: &str) -> tokio::net::TcpStream {
    let addr = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /api/companies HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"na"
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    stream
}

#[tokio::test]
async fn slow_request_bodies_hold_no_database_connection() {
    // Arrange: a pool of 2 and an attacker holding 8 requests open mid-body.
    let app = TestApp::spawn_with(Options { pool_size: 2, ..Default::default() }).await;
    let attacker = app.signup("Attacker", "a@attacker.test").await;
    let other = app.signup("Other", "o@other.test").await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(slow_post(&app, &attacker.access).await);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Act + Assert: another tenant, login and readiness keep answering.
    for _ in 0..5 {
        let r = app.get("/api/companies", &other.access).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    assert_eq!(app.login("o@other.test", PASSWORD, None).await.status, StatusCode::OK);
    assert_eq!(app.request(Method::GET, "/api/ready", None, None).await.status, StatusCode::OK);
    let idle: i64 = connect(&admin_url())
        .await
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'",
            &[&app.db.name],
        )
        .await
        .expect("activity")
        .get(0);
    assert_eq!(idle, 0, "no connection may wait idle in a transaction for a request body");
    drop(held);
}

#[tokio::test]
async fn a_body_that_never_completes_is_cut_off() {
    let timeouts = tenet::config::Timeouts { body_read: Duration::from_secs(1), ..Default::default() };
    let app = TestApp::spawn_with(Options { timeouts, ..Default::default() }).await;
    let s = app.signup("Acme", "o@acme.test").await;
    let mut stream = slow_post(&app, &s.access).await;
    let mut answer = vec![0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("the server answers within the body timeout")
        .expect("read");
    let status_line = String::from_utf8_lossy(&answer[..n]);
    assert!(status_line.starts_with("HTTP/1.1 400") || status_line.starts_with("HTTP/1.1 408"), "{status_line}");
}

#[tokio::test]
async fn request_transactions_carry_statement_and_idle_timeouts() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let identity = app.state.jwt.verify(&s.access).expect("token");
    let scope = app.state.db.authenticated(&Default::default(), &identity).await.expect("scope");
    let row = scope
        .query_one("SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')", &[])
        .await
        .expect("settings");
    assert_eq!((row.get::<_, String>(0), row.get::<_, String>(1)), ("10s".to_string(), "5s".to_string()));
}

// ---------------------------------------------------------------------------
// Login CSRF, framing, headers, CORS
// ---------------------------------------------------------------------------
#[tokio::test]
async fn a_cross_site_form_cannot_sign_a_browser_in() {
    let app = TestApp::spawn().await;
    let attacker = app.signup("Your Company IT - please verify your account", "m@evil.test").await;

    // The form of the report: text/plain whose body parses as JSON.
    let form_body = format!(r#"{{"refresh_token": "{}", "x": "="}}"#, attacker.refresh);
    let r = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header(header::CONTENT_TYPE, "text/plain")
        .header(header::ORIGIN, "https://evil.test")
        .body(form_body.clone())
        .send()
        .await
        .expect("request");
    assert!(r.headers().get(header::SET_COOKIE).is_none());
    // The origin is checked first (before the body is read).
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Without an Origin header, the content type alone refuses it.
    let r = app.client.post(app.url("/api/auth/refresh")).header(header::CONTENT_TYPE, "text/plain").body(form_body).send().await.expect("r");
    assert!(r.headers().get(header::SET_COOKIE).is_none());
    Response::read(r).await.assert_problem(415);
    // A urlencoded login form, too.
    let r = app
        .client
        .post(app.url("/api/auth/login"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("email=m%40evil.test&password=x")
        .send()
        .await
        .expect("r");
    Response::read(r).await.assert_problem(415);

    // JSON from a foreign origin (a fetch with CORS mode): 403 on every cookie-setting endpoint.
    for (path, body) in [
        ("/api/auth/refresh", json!({"refresh_token": attacker.refresh})),
        ("/api/auth/login", json!({"email": "m@evil.test", "password": PASSWORD})),
        ("/api/auth/signup", json!({"tenant_name": "X", "email": "x@x.test", "password": PASSWORD, "name": "X"})),
    ] {
        let r = app.client.post(app.url(path)).header(header::ORIGIN, "https://evil.test").json(&body).send().await.expect("r");
        assert!(r.headers().get(header::SET_COOKIE).is_none(), "{path}");
        Response::read(r).await.assert_problem(403);
    }
    let r = app
        .client
        .post(app.url("/api/auth/switch-tenant"))
        .bearer_auth(&attacker.access)
        .header(header::ORIGIN, "null")
        .json(&json!({"tenant": attacker.tenant_slug}))
        .send()
        .await
        .expect("r");
    Response::read(r).await.assert_problem(403);

    // The app's own origin still works.
    let own = app.address.clone();
    let r = app
        .client
        .post(app.url("/api/auth/login"))
        .header(header::ORIGIN, own)
        .json(&json!({"email": "m@evil.test", "password": PASSWORD}))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_response_forbids_framing_and_sniffing() {
    let app = TestApp::spawn().await;
    for path in ["/api/health", "/api/nope", "/api/docs/openapi.json", "/"] {
        let r = app.client.get(app.url(path)).send().await.expect("r");
        let h = r.headers();
        let csp = h.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{path}: {csp}");
        assert_eq!(h.get(header::X_FRAME_OPTIONS).map(|v| v.as_bytes()), Some(&b"DENY"[..]), "{path}");
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).map(|v| v.as_bytes()), Some(&b"nosniff"[..]), "{path}");
        assert_eq!(h.get(header::REFERRER_POLICY).map(|v| v.as_bytes()), Some(&b"no-referrer"[..]), "{path}");
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS without an https PUBLIC_URL");
    }
    // Swagger UI: its one inline script by hash, nothing else inline.
    let r = app.client.get(app.url("/api/docs")).send().await.expect("r");
    let csp = r.headers()[header::CONTENT_SECURITY_POLICY].to_str().expect("csp").to_string();
    assert!(csp.contains("script-src 'self' 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline'; img") || !csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
    assert!(r.text().await.expect("html").contains("swagger-ui"));
}

#[tokio::test]
async fn hsts_is_sent_when_users_reach_the_server_over_https() {
    let app = TestApp::spawn_with(Options { public_url: Some("https://crm.example.com".into()), ..Default::default() }).await;
    let r = app.client.get(app.url("/api/health")).send().await.expect("r");
    let hsts = r.headers().get(header::STRICT_TRANSPORT_SECURITY).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(hsts.starts_with("max-age=31536000"), "{hsts}");
    // That public origin may use the cookie-setting endpoints.
    let r = app
        .client
        .post(app.url("/api/auth/signup"))
        .header(header::ORIGIN, "https://crm.example.com")
        .json(&json!({"tenant_name": "Acme", "email": "o@acme.test", "password": PASSWORD, "name": "O"}))
        .send()
        .await
        .expect("r");
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn cors_answers_only_configured_origins() {
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/companies"))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
            .send()
    };
    let closed = TestApp::spawn().await;
    let r = preflight(&closed, "https://app.example.com").await.expect("r");
    assert!(r.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "no CORS by default");

    let open = TestApp::spawn_with(Options { cors_origins: vec!["https://app.example.com".into()], ..Default::default() }).await;
    let r = preflight(&open, "https://app.example.com").await.expect("r");
    assert_eq!(r.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.as_bytes()), Some(&b"https://app.example.com"[..]));
    let r = preflight(&open, "https://evil.test").await.expect("r");
    assert!(r.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

// ---------------------------------------------------------------------------
// Audit tail truncation
// ---------------------------------------------------------------------------
#[tokio::test]
async fn a_rewound_audit_chain_is_reported_against_a_signed_checkpoint() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    for name in ["One", "Two", "Three"] {
        assert_eq!(app.post("/api/companies", Some(&s.access), json!({"name": name})).await.status, StatusCode::CREATED);
    }
    let head = app.get("/api/audit-logs/head", &s.access).await;
    assert_eq!(head.status, StatusCode::OK, "{}", head.text);
    let owner = app.owner_client().await;
    let checkpoint = tenet::audit_checkpoint::take(&owner, KEY).await.expect("checkpoint");
    let recorded = checkpoint.body.heads.iter().find(|h| h.tenant_id.to_string() == s.tenant_id).expect("tenant head");
    assert_eq!(recorded.seq, head.body["seq"].as_i64().expect("seq"));
    assert_eq!(recorded.hash, head.body["hash"].as_str().expect("hash"));
    assert!(tenet::audit_checkpoint::compare(&owner, &checkpoint, KEY).await.expect("compare").is_empty());

    // The attack of the report, as a superuser: triggers off, the newest two
    // entries deleted, the chain head rewound to the entry before them.
    let su = connect(&app.db.admin_url()).await;
    su.batch_execute(&format!(
        "BEGIN;
         SET LOCAL session_replication_role = replica;
         DELETE FROM audit_log WHERE tenant_id = '{t}' AND seq > {keep};
         UPDATE app_private.audit_chain_heads h SET seq = a.seq, hash = a.hash
           FROM audit_log a WHERE h.tenant_id = '{t}' AND a.tenant_id = h.tenant_id AND a.seq = {keep};
         COMMIT;",
        t = s.tenant_id,
        keep = recorded.seq - 2
    ))
    .await
    .expect("rewind");
    let intact: bool = owner
        .query_one("SELECT ok FROM app.audit_verify($1::text::uuid)", &[&s.tenant_id])
        .await
        .expect("verify")
        .get(0);
    assert!(intact, "the database alone cannot see the rewind: that is why checkpoints exist");

    let findings = tenet::audit_checkpoint::compare(&owner, &checkpoint, KEY).await.expect("compare");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].tenant_id.to_string(), s.tenant_id);
    assert!(findings[0].problem.contains("shorter"), "{}", findings[0].problem);
    let head = app.get("/api/audit-logs/head", &s.access).await;
    assert_eq!(head.body["seq"].as_i64(), Some(recorded.seq - 2));

    // A checkpoint edited to hide it, or checked with another key, is refused.
    let mut forged = checkpoint.clone();
    forged.body.heads.retain(|h| h.tenant_id.to_string() != s.tenant_id);
    assert!(tenet::audit_checkpoint::compare(&owner, &forged, KEY).await.is_err());
    assert!(tenet::audit_checkpoint::compare(&owner, &checkpoint, b"another-key-that-is-long-enough-0123456789").await.is_err());
}

#[tokio::test]
async fn the_audit_head_needs_audit_read() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Acme", "o@acme.test").await;
    let r = app.post("/api/users", Some(&owner.access), json!({"email": "v@acme.test", "name": "V", "password": PASSWORD, "roles": ["viewer"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let viewer = app.login("v@acme.test", PASSWORD, None).await;
    let token = viewer.body["access_token"].as_str().expect("token");
    app.get("/api/audit-logs/head", token).await.assert_problem(403);
}

// ---------------------------------------------------------------------------
// Login roles that can reach a privileged role
// ---------------------------------------------------------------------------
#[tokio::test]
async fn serve_refuses_a_login_role_that_can_become_a_privileged_role() {
    let app = TestApp::spawn().await;
    let admin = connect(&admin_url()).await;
    let tag = Uuid::new_v4().simple().to_string()[..8].to_string();
    let cases = [
        ("su", "SUPERUSER", "a superuser"),
        ("bypass", "BYPASSRLS", "a BYPASSRLS role"),
    ];
    for (kind, attribute, what) in cases {
        let (login, privileged) = (format!("tenet_t_login_{kind}_{tag}"), format!("tenet_t_priv_{kind}_{tag}"));
        admin
            .batch_execute(&format!(
                "CREATE ROLE {privileged} NOLOGIN {attribute};
                 CREATE ROLE {login} LOGIN NOINHERIT PASSWORD 'pw';
                 GRANT tenet_api TO {login};
                 GRANT {privileged} TO {login};"
            ))
            .await
            .expect("roles");
        let client = connect(&url(&login, "pw", &app.db.name)).await;
        let refused = tenet::db::check_login_role(&client).await;
        drop(client);
        admin.batch_execute(&format!("DROP ROLE {login}; DROP ROLE {privileged};")).await.expect("drop roles");
        let message = refused.expect_err(what).to_string();
        assert!(message.contains(&privileged) && message.contains("role membership"), "{message}");
    }
    // A member of the table owner's role is refused too.
    let login = format!("tenet_t_login_owner_{tag}");
    admin
        .batch_execute(&format!("CREATE ROLE {login} LOGIN PASSWORD 'pw'; GRANT tenet_api TO {login}; GRANT tenet_owner TO {login};"))
        .await
        .expect("roles");
    let client = connect(&url(&login, "pw", &app.db.name)).await;
    let refused = tenet::db::check_login_role(&client).await;
    drop(client);
    admin.batch_execute(&format!("DROP ROLE {login};")).await.expect("drop role");
    assert!(refused.expect_err("owner member").to_string().contains("owner"));
    // The test suite's own login role passes.
    tenet::db::check_login_role(&app.web_client().await).await.expect("an ordinary login role");
}

// ---------------------------------------------------------------------------
// Amplification
// ---------------------------------------------------------------------------
#[tokio::test]
async fn huge_arrays_are_refused_with_a_small_answer() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let keys: Vec<String> = (0..60_000).map(|i| format!("unknown:{i}")).collect();
    let r = app.post("/api/roles", Some(&s.access), json!({"name": "big", "permissions": keys})).await;
    r.assert_problem(422);
    assert!(r.text.len() < 2_000, "answer of {} bytes", r.text.len());
    let mut keys: Vec<String> = vec!["users:read".into(); 50];
    keys.extend((0..50).map(|i| format!("unknown:{i}")));
    let r = app.post("/api/roles", Some(&s.access), json!({"name": "big", "permissions": keys})).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "permissions[50]", "{}", r.text);
    assert!(r.body["errors"].as_array().map(Vec::len).unwrap_or(99) <= tenet::validation::MAX_FIELD_ERRORS);
    let roles: Vec<String> = (0..21).map(|i| format!("role {i}")).collect();
    let r = app.post("/api/users", Some(&s.access), json!({"email": "n@acme.test", "name": "N", "password": PASSWORD, "roles": roles})).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "roles");
    let r = app.post("/api/users", Some(&s.access), json!({"email": "n@acme.test", "name": "N", "password": PASSWORD, "roles": ["viewer", "nope"]})).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["message"], "unknown role \"nope\"");
}

// ---------------------------------------------------------------------------
// What tenet_api may execute
// ---------------------------------------------------------------------------
/// The SECURITY DEFINER functions the API role may call: the allow-list
/// documented in docs/DATABASE.md. Adding one is a reviewed change.
const API_SECURITY_DEFINER: &[&str] = &[
    "app.accept_invitation",
    "app.audit_head",
    "app.authorize",
    "app.begin_login",
    "app.change_password",
    "app.claim_outbox",
    "app.claim_webhook_deliveries",
    "app.confirm_password_reset",
    "app.covers_grant",
    "app.covers_role",
    "app.create_api_key",
    "app.create_invitation",
    "app.current_permissions",
    "app.current_session_kind",
    "app.current_tenant_id",
    "app.export_my_tenant_page",
    "app.fields_beyond_actor",
    "app.find_or_create_user",
    "app.finish_login",
    "app.has_permission",
    "app.hidden_fields",
    "app.holds_all",
    "app.import_errors",
    "app.import_rows",
    "app.invitation_salt",
    "app.list_owners",
    "app.lock_tenant_owners",
    "app.lookup_invitation",
    "app.me",
    "app.member_permission_keys",
    "app.outbox_backlog",
    "app.outbox_failed",
    "app.outbox_sent",
    "app.password_salt",
    "app.permission_scope",
    "app.record_import_batch",
    "app.rekey_session_secret",
    "app.replay_webhook_delivery",
    "app.request_password_reset",
    "app.require_context",
    "app.require_login_session",
    "app.resolve_api_key",
    "app.revoke_api_key",
    "app.revoke_invitation",
    "app.revoke_own_session",
    "app.role_is_assigned",
    "app.role_permission_keys",
    "app.rotate_refresh_token",
    "app.scope_owners",
    "app.search_companies",
    "app.search_contacts",
    "app.set_webhook_secret",
    "app.signup",
    "app.switch_tenant",
    "app.tenant_export_tables",
    "app.tenant_has_owner",
    "app.tenant_with_permission",
    "app.user_belongs_only_here",
    "app.verify_email",
    "app.webhook_delivered",
    "app.webhook_deliveries",
    "app.webhook_failed",
];

#[tokio::test]
async fn the_api_role_executes_only_the_allow_listed_security_definer_functions() {
    let app = TestApp::spawn().await;
    let owner = app.owner_client().await;
    let rows = owner
        .query(
            "SELECT DISTINCT n.nspname || '.' || p.proname
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE p.prosecdef AND has_function_privilege('tenet_api', p.oid, 'EXECUTE')
                AND has_schema_privilege('tenet_api', n.oid, 'USAGE')
              ORDER BY 1",
            &[],
        )
        .await
        .expect("catalog");
    let found: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(found, API_SECURITY_DEFINER, "the executable SECURITY DEFINER set changed");

    // Nothing in a schema tenet_api can use is executable by PUBLIC.
    let public: Vec<String> = owner
        .query(
            "SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'
               FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                AND has_schema_privilege('tenet_api', n.oid, 'USAGE')
                AND has_function_privilege('public', p.oid, 'EXECUTE')
              ORDER BY 1",
            &[],
        )
        .await
        .expect("catalog")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(public.is_empty(), "PUBLIC can execute: {public:?}");
    // And the extension functions are out of the API role's reach.
    let web = app.web_client().await;
    web.batch_execute("SET role tenet_api").await.expect("role");
    let e = web.query("SELECT extensions.similarity('a', 'b')", &[]).await.expect_err("no usage on extensions");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
}

// ---------------------------------------------------------------------------
// Password guessing with a stolen access token
// ---------------------------------------------------------------------------
#[tokio::test]
async fn password_change_guesses_are_throttled_and_audited() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    for i in 0..10 {
        let r = app
            .post("/api/auth/password", Some(&s.access), json!({"current_password": format!("guess {i}"), "new_password": "a brand new passphrase"}))
            .await;
        r.assert_problem(422);
    }
    let r = app.post("/api/auth/password", Some(&s.access), json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})).await;
    r.assert_problem(429);
    assert!(r.header("retry-after").is_some());
    let failed = app.get("/api/audit-logs?action=auth.password_change_failed&limit=50", &s.access).await;
    assert_eq!(failed.body["items"].as_array().map(Vec::len), Some(10), "{}", failed.text);
    // The password did not change.
    app.login("o@acme.test", "a brand new passphrase", None).await.assert_problem(429);
    app.owner_client()
        .await
        .execute("UPDATE app_private.login_attempts SET attempted_at = attempted_at - interval '16 minutes'", &[])
        .await
        .expect("age attempts");
    assert_eq!(app.login("o@acme.test", PASSWORD, None).await.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------
// Removed members' refresh tokens
// ---------------------------------------------------------------------------
async fn audit_count(app: &TestApp, tenant_id: &str) -> i64 {
    app.owner_client()
        .await
        .query_one("SELECT count(*) FROM audit_log WHERE tenant_id = $1::text::uuid", &[&tenant_id])
        .await
        .expect("count")
        .get(0)
}

#[tokio::test]
async fn a_removed_members_old_refresh_tokens_leave_the_tenant_log_alone() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Acme", "o@acme.test").await;
    let added = app.post("/api/users", Some(&owner.access), json!({"email": "m@acme.test", "name": "M", "password": PASSWORD, "roles": ["member"]})).await;
    let member_id = added.body["id"].as_str().expect("id").to_string();
    let login = app.login("m@acme.test", PASSWORD, None).await;
    let first = Session::from(&login);
    let refreshed = app.post("/api/auth/refresh", None, json!({"refresh_token": first.refresh})).await;
    assert_eq!(refreshed.status, StatusCode::OK);
    let current = refreshed.body["refresh_token"].as_str().expect("token").to_string();
    let r = app.request(Method::DELETE, &format!("/api/users/{member_id}"), Some(&owner.access), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    let before = audit_count(&app, &owner.tenant_id).await;
    for token in [&first.refresh, &first.refresh, &current, &first.refresh] {
        app.post("/api/auth/refresh", None, json!({"refresh_token": token})).await.assert_problem(401);
    }
    assert_eq!(audit_count(&app, &owner.tenant_id).await, before, "refusals must not write to the tenant's log");
}

#[tokio::test]
async fn the_permission_type_is_the_database_catalog() {
    let app = TestApp::spawn().await;
    let catalog: Vec<String> = app
        .owner_client()
        .await
        .query("SELECT key FROM permissions ORDER BY key", &[])
        .await
        .expect("catalog")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut typed: Vec<String> = tenet::auth::Permission::ALL.iter().map(|p| p.as_str().to_string()).collect();
    typed.sort();
    assert_eq!(typed, catalog);
}

#[tokio::test]
async fn the_checkpoint_commands_sign_and_verify_from_the_command_line() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    assert_eq!(app.post("/api/companies", Some(&s.access), json!({"name": "One"})).await.status, StatusCode::CREATED);
    let key = String::from_utf8_lossy(KEY).into_owned();
    let tenet = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
            .env("DATABASE_URL", app.db.owner_url())
            .env("AUDIT_CHECKPOINT_KEY", &key)
            .env("RUST_LOG", "error")
            .args(args)
            .output()
            .expect("run tenet")
    };
    let out = tenet(&["admin", "audit-checkpoint"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let file = std::env::temp_dir().join(format!("tenet-checkpoint-{}.json", Uuid::new_v4().simple()));
    std::fs::write(&file, &out.stdout).expect("write checkpoint");
    let path = file.to_string_lossy().into_owned();

    let ok = tenet(&["admin", "audit-verify", "--checkpoint", &path]);
    assert!(ok.status.success(), "{}{}", String::from_utf8_lossy(&ok.stdout), String::from_utf8_lossy(&ok.stderr));

    // Rewind the tenant's chain by one entry, as a superuser would.
    connect(&app.db.admin_url())
        .await
        .batch_execute(&format!(
            "BEGIN; SET LOCAL session_replication_role = replica;
             DELETE FROM audit_log WHERE tenant_id = '{t}' AND seq = (SELECT max(seq) FROM audit_log WHERE tenant_id = '{t}');
             UPDATE app_private.audit_chain_heads h SET seq = a.seq, hash = a.hash FROM audit_log a
              WHERE h.tenant_id = '{t}' AND a.tenant_id = h.tenant_id AND a.seq = h.seq - 1;
             COMMIT;",
            t = s.tenant_id
        ))
        .await
        .expect("rewind");
    let broken = tenet(&["admin", "audit-verify", "--checkpoint", &path]);
    assert_eq!(broken.status.code(), Some(1));
    let report = String::from_utf8_lossy(&broken.stdout);
    assert!(report.contains(&s.tenant_id) && report.contains("shorter"), "{report}");
    // Without the key, nothing is signed or checked.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("DATABASE_URL", app.db.owner_url())
        .env_remove("AUDIT_CHECKPOINT_KEY")
        .args(["admin", "audit-checkpoint"])
        .output()
        .expect("run tenet");
    assert!(!out.status.success());
    let _ = std::fs::remove_file(file);
}
