//! Authentication over HTTP: the happy paths of every route and, for every
//! rule, an attempt to break it.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Options, Response, Session, TestApp, JWT_SECRET, PASSWORD};

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs()
}

fn claims(s: &Session, tenant_id: &str) -> Value {
    let sid = session_id(&s.access);
    let ssec = payload(&s.access)["ssec"].clone();
    json!({"sub": s.user_id, "tenant_id": tenant_id, "sid": sid, "ssec": ssec, "iat": now(), "nbf": now(), "exp": now() + 600,
           "iss": "tenet", "aud": "tenet-api"})
}

fn payload(token: &str) -> Value {
    let part = token.split('.').nth(1).expect("payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64")).expect("json")
}

fn session_id(token: &str) -> String {
    payload(token)["sid"].as_str().expect("sid").to_string()
}

fn sign(alg: Algorithm, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret.as_bytes())).expect("sign")
}

async fn me(app: &TestApp, token: &str) -> Response {
    app.get("/api/auth/me", token).await
}

async fn refresh(app: &TestApp, token: &str) -> Response {
    app.post("/api/auth/refresh", None, json!({"refresh_token": token})).await
}

async fn events(app: &TestApp, action: &str) -> Vec<tokio_postgres::Row> {
    app.owner_client()
        .await
        .query(
            "SELECT tenant_id, actor_id, changes->>'email' FROM audit_log WHERE action = $1
             UNION ALL SELECT tenant_id, user_id, email FROM app_private.security_events WHERE action = $1",
            &[&action],
        )
        .await
        .expect("events")
}

// ---------------------------------------------------------------------------
// Signup and me
// ---------------------------------------------------------------------------
#[tokio::test]
async fn signup_creates_a_tenant_its_owner_and_a_session() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/auth/signup", None, json!({"tenant_name": "Acme Corp", "email": "Owner@Acme.test", "password": PASSWORD, "name": "Olive"}))
        .await;

    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.header("location"), Some("/api/tenant"));
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 900);
    assert_eq!(r.body["tenant"]["slug"], "acme-corp");
    assert!(r.body["refresh_token"].as_str().expect("refresh").len() >= 43, "at least 256 bits");
    let cookie = r.header("set-cookie").expect("cookie");
    for attr in ["tenet_refresh=", "HttpOnly", "Secure", "SameSite=Strict", "Path=/api/auth"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    let claims = payload(r.body["access_token"].as_str().expect("access"));
    for claim in ["sub", "tenant_id", "sid", "iat", "exp", "iss", "aud"] {
        assert!(!claims[claim].is_null(), "claim {claim} missing: {claims}");
    }

    let s = Session::from(&r);
    let me = me(&app, &s.access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert_eq!(me.body["user"]["email"], "Owner@Acme.test");
    assert_eq!(me.body["tenant"]["name"], "Acme Corp");
    assert_eq!(me.body["roles"], json!(["owner"]));
    let permissions = me.body["permissions"].as_array().expect("permissions");
    assert_eq!(permissions.len(), 24, "{permissions:?}");
    assert_eq!(me.body["memberships"][0]["tenant"]["slug"], "acme-corp");
    assert_eq!(me.body["memberships"][0]["roles"], json!(["owner"]));
}

#[tokio::test]
async fn signup_slugs_are_unique() {
    let app = TestApp::spawn().await;
    let a = app.signup("Acme", "a@acme.test").await;
    let b = app.signup("Acme", "b@acme.test").await;
    assert_eq!(a.tenant_slug, "acme");
    assert!(b.tenant_slug.starts_with("acme-") && b.tenant_slug != "acme", "{}", b.tenant_slug);
}

#[tokio::test]
async fn signup_with_an_existing_email_is_409_in_any_case() {
    let app = TestApp::spawn().await;
    app.signup("Acme", "owner@acme.test").await;
    let r = app
        .post("/api/auth/signup", None, json!({"tenant_name": "Other", "email": "OWNER@acme.test", "password": PASSWORD, "name": "X"}))
        .await;
    r.assert_problem(409);
}

#[tokio::test]
async fn signup_validates_every_field() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/auth/signup", None, json!({"tenant_name": "   ", "email": "not-an-email", "password": "short", "name": "x".repeat(321)}))
        .await;
    r.assert_problem(422);
    let fields: Vec<&str> = r.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["tenant_name", "email", "name", "password"]);

    for password in ["password123", "Password1", "12345678"] {
        let r = app.post("/api/auth/signup", None, json!({"tenant_name": "T", "email": "c@c.test", "password": password, "name": "C"})).await;
        r.assert_problem(422);
        assert_eq!(r.body["errors"][0]["field"], "password");
    }
    let r = app
        .post("/api/auth/signup", None, json!({"tenant_name": "T", "email": "c@c.test", "password": "x".repeat(1025), "name": "C"}))
        .await;
    r.assert_problem(422);
    let nothing: i64 = app.owner_client().await.query_one("SELECT count(*) FROM users", &[]).await.expect("q").get(0);
    assert_eq!(nothing, 0, "invalid sign-ups create nothing");
}

#[tokio::test]
async fn signup_can_be_disabled() {
    let app = TestApp::spawn_with(Options { signup_enabled: false, ..Default::default() }).await;
    let r = app.post("/api/auth/signup", None, json!({"tenant_name": "T", "email": "c@c.test", "password": PASSWORD, "name": "C"})).await;
    r.assert_problem(403);
}

// ---------------------------------------------------------------------------
// Login
// ---------------------------------------------------------------------------
#[tokio::test]
async fn login_works_with_and_without_a_tenant_and_ignores_email_case() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "owner@acme.test").await;

    let r = app.login("OWNER@ACME.TEST", PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(payload(r.body["access_token"].as_str().expect("token"))["tenant_id"], s.tenant_id);
    assert!(r.header("set-cookie").is_some_and(|c| c.contains("HttpOnly")));

    let r = app.login("owner@acme.test", PASSWORD, Some("acme")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(me(&app, r.body["access_token"].as_str().expect("token")).await.status, StatusCode::OK);
    assert_eq!(events(&app, "auth.login").await.len(), 2);
}

#[tokio::test]
async fn login_failures_all_answer_the_same_401() {
    let app = TestApp::spawn().await;
    app.signup("Acme", "owner@acme.test").await;
    app.signup("Other", "other@other.test").await;
    // A deactivated member of Acme (whose only tenant that is).
    let acme = app.login("owner@acme.test", PASSWORD, None).await.body["access_token"].as_str().expect("token").to_string();
    let gone = add_viewer(&app, &acme, "gone@gone.test").await;
    deactivate(&app, &acme, &gone).await;

    let attempts = [
        app.login("nobody@acme.test", PASSWORD, None).await,
        app.login("owner@acme.test", "wrong password here", None).await,
        app.login("owner@acme.test", PASSWORD, Some("other")).await,
        app.login("owner@acme.test", PASSWORD, Some("no-such-tenant")).await,
        app.login("gone@gone.test", PASSWORD, None).await,
        app.login("gone@gone.test", PASSWORD, Some("acme")).await,
    ];
    let first = &attempts[0];
    first.assert_problem(401);
    for a in &attempts {
        a.assert_problem(401);
        assert_eq!(a.body, first.body, "login failures must not differ");
    }
    // The unknown email's failure is kept for operators only (no tenant).
    let failed = events(&app, "auth.login_failed").await;
    assert_eq!(failed.len(), attempts.len());
    let unknown: Vec<_> = failed.iter().filter(|r| r.get::<_, Option<String>>(2).as_deref() == Some("nobody@acme.test")).collect();
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].get::<_, Option<uuid::Uuid>>(0).is_none());
    assert!(failed.iter().filter(|r| r.get::<_, Option<uuid::Uuid>>(1).is_some()).all(|r| r.get::<_, Option<uuid::Uuid>>(0).is_some()),
        "a known user's failure is logged in a tenant");
}

#[tokio::test]
async fn every_character_of_a_long_password_counts() {
    let app = TestApp::spawn().await;
    let long = format!("{}-end", "correct horse battery staple ".repeat(10));
    assert!(long.len() > 72);
    let r = app.post("/api/auth/signup", None, json!({"tenant_name": "Acme", "email": "o@acme.test", "password": long, "name": "O"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let almost = format!("{}-enD", "correct horse battery staple ".repeat(10));
    app.login("o@acme.test", &almost, None).await.assert_problem(401);
    assert_eq!(app.login("o@acme.test", &long, None).await.status, StatusCode::OK);

    let max = "é".repeat(1024);
    let r = app.post("/api/auth/signup", None, json!({"tenant_name": "Max", "email": "m@max.test", "password": max, "name": "M"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "1024 characters are allowed: {}", r.text);
    let mut other = "é".repeat(1023);
    other.push('e');
    app.login("m@max.test", &other, None).await.assert_problem(401);
    assert_eq!(app.login("m@max.test", &max, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn ten_failures_throttle_that_email_only() {
    let app = TestApp::spawn().await;
    app.signup("Acme", "victim@acme.test").await;
    app.signup("Other", "bystander@other.test").await;

    for _ in 0..10 {
        app.login("victim@acme.test", "wrong password!", None).await.assert_problem(401);
    }
    let r = app.login("victim@acme.test", PASSWORD, None).await;
    r.assert_problem(429);
    let retry: u64 = r.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!((1..=900).contains(&retry), "{retry}");
    // Case does not dodge the throttle.
    app.login("VICTIM@acme.test", PASSWORD, None).await.assert_problem(429);
    // Other accounts are unaffected.
    assert_eq!(app.login("bystander@other.test", PASSWORD, None).await.status, StatusCode::OK);

    // When the window has passed, the right password works again.
    app.owner_client()
        .await
        .execute("UPDATE app_private.login_attempts SET attempted_at = attempted_at - interval '16 minutes'", &[])
        .await
        .expect("age attempts");
    assert_eq!(app.login("victim@acme.test", PASSWORD, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_per_address_limit_applies_to_login() {
    let app = TestApp::spawn_with(Options { rate_limit: 3, ..Default::default() }).await;
    for _ in 0..3 {
        app.login("x@y.test", "whatever pass", None).await.assert_problem(401);
    }
    let r = app.login("x@y.test", "whatever pass", None).await;
    r.assert_problem(429);
    assert!(r.header("retry-after").is_some());
}

// ---------------------------------------------------------------------------
// Access tokens, adversarially
// ---------------------------------------------------------------------------
#[tokio::test]
async fn forged_and_foreign_access_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let a = app.signup("Alpha", "a@alpha.test").await;
    let b = app.signup("Beta", "b@beta.test").await;
    let good = claims(&a, &a.tenant_id);
    assert_eq!(me(&app, &sign(Algorithm::HS256, &good, JWT_SECRET)).await.status, StatusCode::OK, "the control token works");

    let header_none = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&good).expect("json"));
    let alg_none = format!("{header_none}.{body}.");

    let mut expired = good.clone();
    expired["iat"] = json!(now() - 3600);
    expired["nbf"] = json!(now() - 3600);
    expired["exp"] = json!(now() - 600);
    let mut without_ssec = good.clone();
    without_ssec.as_object_mut().expect("object").remove("ssec");
    let mut foreign_ssec = good.clone();
    foreign_ssec["ssec"] = payload(&b.access)["ssec"].clone();
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("someone-else");
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("another-api");
    let mut not_yet = good.clone();
    not_yet["nbf"] = json!(now() + 3600);

    // The payload changed to another tenant, signature kept.
    let parts: Vec<&str> = a.access.split('.').collect();
    let mut tampered_claims = payload(&a.access);
    tampered_claims["tenant_id"] = json!(b.tenant_id);
    let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(serde_json::to_vec(&tampered_claims).expect("json")), parts[2]);

    let cases = [
        ("alg none", alg_none),
        ("HS384", sign(Algorithm::HS384, &good, JWT_SECRET)),
        ("HS512", sign(Algorithm::HS512, &good, JWT_SECRET)),
        ("bad signature", sign(Algorithm::HS256, &good, "another-secret-that-is-long-enough-to-sign-with")),
        ("payload changed to another tenant", tampered),
        ("validly signed, another tenant", sign(Algorithm::HS256, &claims(&a, &b.tenant_id), JWT_SECRET)),
        ("expired", sign(Algorithm::HS256, &expired, JWT_SECRET)),
        ("not yet valid", sign(Algorithm::HS256, &not_yet, JWT_SECRET)),
        ("wrong issuer", sign(Algorithm::HS256, &wrong_iss, JWT_SECRET)),
        ("wrong audience", sign(Algorithm::HS256, &wrong_aud, JWT_SECRET)),
        ("refresh token as bearer", a.refresh.clone()),
        ("garbage", "not.a.token".to_string()),
        ("validly signed, no session secret", sign(Algorithm::HS256, &without_ssec, JWT_SECRET)),
        ("validly signed, another session's secret", sign(Algorithm::HS256, &foreign_ssec, JWT_SECRET)),
    ];
    for (name, token) in cases {
        let r = me(&app, &token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{name} was accepted: {}", r.text);
        r.assert_problem(401);
    }
    app.request(Method::GET, "/api/auth/me", None, None).await.assert_problem(401);
}

// ---------------------------------------------------------------------------
// Refresh rotation and reuse
// ---------------------------------------------------------------------------
#[tokio::test]
async fn refresh_rotates_and_a_replayed_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;

    let r1 = refresh(&app, &s.refresh).await;
    assert_eq!(r1.status, StatusCode::OK, "{}", r1.text);
    let newer = Session::from(&r1);
    assert_ne!(newer.refresh, s.refresh);
    assert_eq!(session_id(&newer.access), session_id(&s.access), "rotation keeps the session");
    assert_eq!(me(&app, &newer.access).await.status, StatusCode::OK);

    // Replay the rotated-out token.
    let replay = refresh(&app, &s.refresh).await;
    replay.assert_problem(401);

    // The whole session is gone: newest refresh token and every access token.
    refresh(&app, &newer.refresh).await.assert_problem(401);
    me(&app, &newer.access).await.assert_problem(401);
    me(&app, &s.access).await.assert_problem(401);
    let reuse = events(&app, "auth.refresh_reuse").await;
    assert_eq!(reuse.len(), 1);
    assert_eq!(reuse[0].get::<_, Option<uuid::Uuid>>(0).map(|u| u.to_string()), Some(s.tenant_id.clone()));

    // Other sessions of the same user are untouched.
    let other = app.login("o@acme.test", PASSWORD, None).await;
    assert_eq!(me(&app, other.body["access_token"].as_str().expect("token")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_concurrent_refreshes_with_one_token_succeed_at_most_once() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    for _ in 0..3 {
        let current = app.login("o@acme.test", PASSWORD, None).await;
        let token = current.body["refresh_token"].as_str().expect("refresh").to_string();
        let (x, y) = tokio::join!(refresh(&app, &token), refresh(&app, &token));
        let ok = [&x, &y].iter().filter(|r| r.status == StatusCode::OK).count();
        assert_eq!(ok, 1, "exactly one of two concurrent refreshes rotates the token: {} / {}", x.text, y.text);
        let refused = [&x, &y].into_iter().find(|r| r.status != StatusCode::OK).expect("the other");
        refused.assert_problem(401);
    }
    let _ = s;
}

#[tokio::test]
async fn unknown_or_malformed_refresh_tokens_are_401() {
    let app = TestApp::spawn().await;
    refresh(&app, "no-such-token").await.assert_problem(401);
    refresh(&app, &"x".repeat(5000)).await.assert_problem(401);
    app.request(Method::POST, "/api/auth/refresh", None, None).await.assert_problem(401);
}

#[tokio::test]
async fn cookie_refresh_needs_x_requested_with() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let cookie = format!("tenet_refresh={}", s.refresh);

    let r = app.client.post(app.url("/api/auth/refresh")).header("cookie", &cookie).send().await.expect("request");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let r = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header("cookie", &cookie)
        .header("x-requested-with", "fetch")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    let set = r.headers()["set-cookie"].to_str().expect("cookie").to_string();
    let body: Value = r.json().await.expect("json");
    assert!(set.contains(body["refresh_token"].as_str().expect("refresh")), "the cookie carries the new token");
}

// ---------------------------------------------------------------------------
// Logout, sessions, password, switch-tenant
// ---------------------------------------------------------------------------
#[tokio::test]
async fn logout_ends_the_access_and_refresh_tokens_at_once() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let r = app.request(Method::POST, "/api/auth/logout", Some(&s.access), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")));

    me(&app, &s.access).await.assert_problem(401);
    refresh(&app, &s.refresh).await.assert_problem(401);
    assert_eq!(events(&app, "auth.logout").await.len(), 1);
}

#[tokio::test]
async fn sessions_are_listed_and_revocable_by_their_owner_only() {
    let app = TestApp::spawn().await;
    let first = app.signup("Acme", "o@acme.test").await;
    let second = Session::from(&app.login("o@acme.test", PASSWORD, None).await);
    let stranger = app.signup("Other", "x@other.test").await;

    let list = app.get("/api/auth/sessions", &first.access).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.text);
    let items = list.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let current: Vec<_> = items.iter().filter(|i| i["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], session_id(&first.access));
    assert!(items.iter().all(|i| i["ip"] == "127.0.0.1"));

    // Someone else's session id: 404, and it keeps working.
    let path = format!("/api/auth/sessions/{}", session_id(&first.access));
    app.request(Method::DELETE, &path, Some(&stranger.access), None).await.assert_problem(404);
    assert_eq!(me(&app, &first.access).await.status, StatusCode::OK);

    // The owner revokes their second session: its tokens die immediately.
    let path = format!("/api/auth/sessions/{}", session_id(&second.access));
    assert_eq!(app.request(Method::DELETE, &path, Some(&first.access), None).await.status, StatusCode::NO_CONTENT);
    me(&app, &second.access).await.assert_problem(401);
    refresh(&app, &second.refresh).await.assert_problem(401);
    app.request(Method::DELETE, &path, Some(&first.access), None).await.assert_problem(404);
    assert_eq!(app.get("/api/auth/sessions", &first.access).await.body["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn changing_the_password_revokes_every_other_session() {
    let app = TestApp::spawn().await;
    let keep = app.signup("Acme", "o@acme.test").await;
    let other = Session::from(&app.login("o@acme.test", PASSWORD, None).await);
    let new_password = "a brand new passphrase";

    let wrong = app.post("/api/auth/password", Some(&keep.access), json!({"current_password": "not it at all", "new_password": new_password})).await;
    wrong.assert_problem(422);
    assert_eq!(wrong.body["errors"][0]["field"], "current_password");
    let weak = app.post("/api/auth/password", Some(&keep.access), json!({"current_password": PASSWORD, "new_password": "password1"})).await;
    weak.assert_problem(422);
    assert_eq!(weak.body["errors"][0]["field"], "new_password");

    let r = app.post("/api/auth/password", Some(&keep.access), json!({"current_password": PASSWORD, "new_password": new_password})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    assert_eq!(me(&app, &keep.access).await.status, StatusCode::OK, "the current session stays");
    me(&app, &other.access).await.assert_problem(401);
    refresh(&app, &other.refresh).await.assert_problem(401);
    app.login("o@acme.test", PASSWORD, None).await.assert_problem(401);
    assert_eq!(app.login("o@acme.test", new_password, None).await.status, StatusCode::OK);
    assert_eq!(events(&app, "auth.password_changed").await.len(), 1);
}

#[tokio::test]
async fn switch_tenant_moves_the_session_to_another_membership_only() {
    let app = TestApp::spawn().await;
    let s = app.signup("Alpha", "o@alpha.test").await;
    app.signup("Stranger", "x@stranger.test").await;
    // The same account becomes owner of a second tenant (the admin CLI path).
    let owner = app.owner_client().await;
    owner
        .execute("SELECT app.create_tenant_with_owner('Beta', 'o@alpha.test', 'O', '$2b$04$xxxxxxxxxxxxxxxxxxxxxu', true)", &[])
        .await
        .expect("second tenant");
    // Only a verified account may act beyond the tenant it was created in.
    owner.execute("UPDATE users SET email_verified_at = now() WHERE email = 'o@alpha.test'", &[]).await.expect("verify");

    let r = app.post("/api/auth/switch-tenant", Some(&s.access), json!({"tenant": "beta"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let switched = Session::from(&r);
    let me_beta = me(&app, &switched.access).await;
    assert_eq!(me_beta.body["tenant"]["slug"], "beta");
    assert_eq!(me_beta.body["memberships"].as_array().map(Vec::len), Some(2));
    me(&app, &s.access).await.assert_problem(401);
    // A session never changes tenant: the old one ended (its refresh token
    // no longer works) and a new one, keyed in the other tenant, began.
    refresh(&app, &s.refresh).await.assert_problem(401);
    let claims_before = payload(&s.access);
    let claims_after = payload(&switched.access);
    assert_ne!(claims_before["sid"], claims_after["sid"]);
    let old_sid: uuid::Uuid = claims_before["sid"].as_str().and_then(|v| v.parse().ok()).expect("sid");
    let new_sid: uuid::Uuid = claims_after["sid"].as_str().and_then(|v| v.parse().ok()).expect("sid");
    let old = owner.query_one("SELECT tenant_id::text, revoked_reason FROM sessions WHERE id = $1", &[&old_sid]).await.expect("old");
    assert_eq!((old.get::<_, String>(0), old.get::<_, Option<String>>(1)), (s.tenant_id.clone(), Some("switched_tenant".into())));
    let new = owner
        .query_one(
            "SELECT s.tenant_id::text, s.revoked_at IS NULL, rt.tenant_id::text
               FROM sessions s JOIN app_private.refresh_tokens rt ON rt.tenant_id = s.tenant_id AND rt.session_id = s.id
              WHERE s.id = $1",
            &[&new_sid],
        )
        .await
        .expect("new");
    let beta = me_beta.body["tenant"]["id"].as_str().expect("tenant id");
    assert_eq!(new.get::<_, String>(0), beta);
    assert!(new.get::<_, bool>(1));
    assert_eq!(new.get::<_, String>(2), beta);
    let switched = Session::from(&refresh(&app, &switched.refresh).await);
    assert_eq!(me(&app, &switched.access).await.body["tenant"]["slug"], "beta");

    // A tenant the user does not belong to: 404, like one that does not exist.
    app.post("/api/auth/switch-tenant", Some(&switched.access), json!({"tenant": "stranger"})).await.assert_problem(404);
    app.post("/api/auth/switch-tenant", Some(&switched.access), json!({"tenant": "no-such"})).await.assert_problem(404);

    // Login without a tenant now goes to the most recently used one.
    let r = app.login("o@alpha.test", PASSWORD, None).await;
    assert_eq!(me(&app, r.body["access_token"].as_str().expect("token")).await.body["tenant"]["slug"], "beta");
    // The password of the existing account was left unchanged.
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn deactivating_a_membership_ends_its_sessions() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Acme", "o@acme.test").await;
    add_viewer(&app, &owner.access, "v@acme.test").await;
    let viewer = Session::from(&app.login("v@acme.test", PASSWORD, None).await);
    assert_eq!(me(&app, &viewer.access).await.status, StatusCode::OK);
    let id = payload(&viewer.access)["sub"].as_str().expect("sub").to_string();

    deactivate(&app, &owner.access, &id).await;

    me(&app, &viewer.access).await.assert_problem(401);
    refresh(&app, &viewer.refresh).await.assert_problem(401);
}

async fn add_viewer(app: &TestApp, token: &str, email: &str) -> String {
    let r = app.post("/api/users", Some(token), json!({"email": email, "name": "V", "password": PASSWORD, "roles": ["viewer"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

async fn deactivate(app: &TestApp, token: &str, user_id: &str) {
    let r = app.request(Method::PATCH, &format!("/api/users/{user_id}"), Some(token), Some(json!({"active": false}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn an_access_token_expires() {
    let app = TestApp::spawn_with(Options { access_ttl: Duration::from_secs(1), ..Default::default() }).await;
    let s = app.signup("Acme", "o@acme.test").await;
    assert_eq!(me(&app, &s.access).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(7)).await; // lifetime + the 5 s leeway
    me(&app, &s.access).await.assert_problem(401);
    let r = refresh(&app, &s.refresh).await;
    assert_eq!(me(&app, r.body["access_token"].as_str().expect("token")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn admin_cli_creates_a_tenant_and_owner_who_can_sign_in() {
    let app = TestApp::spawn().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("DATABASE_URL", app.db.owner_url())
        .env("TENET_OWNER_PASSWORD", PASSWORD)
        .env("BCRYPT_COST", "10")
        .args(["admin", "create-tenant", "--tenant-name", "Cli Co", "--email", "cli@cli.test", "--name", "Cli"])
        .output()
        .expect("run tenet");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cli-co"));
    assert_eq!(app.login("cli@cli.test", PASSWORD, Some("cli-co")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn signing_in_again_to_the_same_tenant_rewrites_nothing_of_the_account() {
    let app = TestApp::spawn().await;
    app.signup("Steady", "steady@example.test").await;
    let db = app.owner_client().await;
    let version = || async {
        let row = db
            .query_one("SELECT xmin::text, updated_at::text, last_tenant_id::text FROM users WHERE email = 'steady@example.test'", &[])
            .await
            .expect("the account");
        (row.get::<_, String>(0), row.get::<_, String>(1), row.get::<_, Option<String>>(2))
    };
    let before = version().await;
    assert!(before.2.is_some(), "signup records the tenant of the session");
    for _ in 0..2 {
        let r = app.login("steady@example.test", PASSWORD, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    // The same row version: no UPDATE ran, so updated_at is still the signup's.
    assert_eq!(version().await, before);
}
