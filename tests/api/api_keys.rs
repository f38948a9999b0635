//! API keys (contract v1.1): a key acts in its tenant with exactly its roles'
//! permissions and never more than its creator currently holds; its secret
//! is shown once and stored hashed; revocation is immediate; audit entries
//! name it; it never manages the account that made it.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Response, Session, TestApp, PASSWORD};

async fn create_key(app: &TestApp, token: &str, name: &str, roles: &[&str]) -> Response {
    app.post(
        "/api/api-keys",
        Some(token),
        json!({"name": name, "roles": roles}),
    )
    .await
}

fn secret(r: &Response) -> String {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["secret"].as_str().expect("secret").to_string()
}

/// A member of `owner`'s tenant with `roles`, signed in.
async fn member(app: &TestApp, owner: &Session, email: &str, roles: &[&str]) -> (String, String) {
    let (id, session) = app.add_member(owner, email, roles).await;
    (id, session.access)
}

#[tokio::test]
async fn a_key_acts_with_its_roles_shows_its_secret_once_and_is_named_in_the_audit_log() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Keys Inc", "owner@keys.test").await;
    let r = create_key(&app, &owner.access, "CRM sync", &["member"]).await;
    let key = secret(&r);
    let prefix = r.body["prefix"].as_str().expect("prefix");
    assert!(key.starts_with(&format!("tnt_{prefix}_")), "{key}");
    assert_eq!(r.body["roles"], json!(["member"]));
    assert_eq!(r.body["expires_at"], Value::Null);
    assert_eq!(r.body["last_used_at"], Value::Null);
    let id = r.body["id"].as_str().expect("id").to_string();

    // The list shows the key without its secret.
    let list = app.get("/api/api-keys", &owner.access).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["items"][0]["prefix"], json!(prefix));
    assert!(
        list.body["items"][0].get("secret").is_none(),
        "{}",
        list.text
    );
    assert!(!list.text.contains(&key[prefix.len() + 5..]));

    // The key works on any route, with the member role's permissions only.
    let created = app
        .post(
            "/api/companies",
            Some(&key),
            json!({"name": "Made by a key"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    assert_eq!(
        app.get("/api/companies", &key).await.body["items"][0]["name"],
        "Made by a key"
    );
    let company = created.body["id"].as_str().expect("id").to_string();
    app.request(
        Method::DELETE,
        &format!("/api/companies/{company}"),
        Some(&key),
        None,
    )
    .await
    .assert_problem(403);
    app.get("/api/audit-logs", &key).await.assert_problem(403);
    app.get("/api/api-keys", &key).await.assert_problem(403);
    let me = app.get("/api/auth/me", &key).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    assert!(
        me.body["permissions"]
            .as_array()
            .is_some_and(|p| !p.contains(&json!("companies:delete"))),
        "{}",
        me.text
    );

    // Audit: the entry names the key, and its creator as the actor.
    let log = app
        .get(
            &format!("/api/audit-logs?entity=company&record_id={company}"),
            &owner.access,
        )
        .await;
    assert_eq!(
        log.body["items"][0]["actor_api_key_id"],
        json!(id),
        "{}",
        log.text
    );
    assert_eq!(log.body["items"][0]["actor_id"], json!(owner.user_id));
    // Creating the key was audited too, without its secret.
    let log = app
        .get("/api/audit-logs?entity=api_key", &owner.access)
        .await;
    assert_eq!(log.body["items"][0]["action"], "insert", "{}", log.text);
    assert!(!log.text.contains(&key), "the secret is in the audit log");
    // The chain still verifies with the new column.
    let c = app.owner_client().await;
    let tenant = uuid::Uuid::parse_str(&owner.tenant_id).expect("uuid");
    let verified = c
        .query_one("SELECT ok, problem FROM app.audit_verify($1)", &[&tenant])
        .await
        .expect("verify");
    assert!(
        verified.get::<_, bool>(0),
        "{:?}",
        verified.get::<_, Option<String>>(1)
    );

    // last_used_at is stamped.
    let list = app.get("/api/api-keys", &owner.access).await;
    assert!(
        list.body["items"][0]["last_used_at"].is_string(),
        "{}",
        list.text
    );
}

#[tokio::test]
async fn a_revoked_expired_or_forged_key_is_refused() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Revokers", "owner@revokers.test").await;
    let r = create_key(&app, &owner.access, "Soon revoked", &["viewer"]).await;
    let key = secret(&r);
    let id = r.body["id"].as_str().expect("id").to_string();
    assert_eq!(app.get("/api/companies", &key).await.status, StatusCode::OK);

    // A wrong secret with the right prefix, or a made-up key, is 401.
    let mut forged = key.clone();
    let last = forged.pop().expect("char");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    app.get("/api/companies", &forged).await.assert_problem(401);
    app.get(
        "/api/companies",
        "tnt_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )
    .await
    .assert_problem(401);
    app.get("/api/companies", "tnt_garbage")
        .await
        .assert_problem(401);

    // Revocation is immediate, although the server remembers the resolution.
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/api-keys/{id}"),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get("/api/companies", &key).await.assert_problem(401);
    app.request(
        Method::DELETE,
        &format!("/api/api-keys/{id}"),
        Some(&owner.access),
        None,
    )
    .await
    .assert_problem(404);
    assert_eq!(
        app.get("/api/api-keys", &owner.access).await.body["items"],
        json!([])
    );
    let log = app
        .get(
            "/api/audit-logs?entity=api_key&action=update",
            &owner.access,
        )
        .await;
    assert!(
        log.body["items"][0]["changes"]["revoked_at"].is_object(),
        "{}",
        log.text
    );

    // An expiry in the past is refused; an expired key is refused.
    let r = app
        .post(
            "/api/api-keys",
            Some(&owner.access),
            json!({"name": "x", "roles": [], "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await;
    r.assert_problem(422);
    let r = app.post("/api/api-keys", Some(&owner.access), json!({"name": "Short", "roles": ["viewer"], "expires_at": chrono::Utc::now() + chrono::Duration::seconds(2)})).await;
    let short = secret(&r);
    assert_eq!(
        app.get("/api/companies", &short).await.status,
        StatusCode::OK
    );
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    app.get("/api/companies", &short).await.assert_problem(401);
}

#[tokio::test]
async fn a_key_never_exceeds_its_creator_even_after_the_creator_is_demoted_or_removed() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Demoters", "owner@demoters.test").await;
    let (admin_id, admin) = member(&app, &owner, "admin@demoters.test", &["admin"]).await;

    // Escalation: an admin cannot give a key the owner role.
    create_key(&app, &admin, "too much", &["owner"])
        .await
        .assert_problem(403);
    // A member cannot make keys at all.
    let (_, member_token) = member(&app, &owner, "member@demoters.test", &["member"]).await;
    create_key(&app, &member_token, "nope", &["viewer"])
        .await
        .assert_problem(403);
    // Unknown roles are 422.
    create_key(&app, &admin, "typo", &["admni"])
        .await
        .assert_problem(422);

    let key = secret(&create_key(&app, &admin, "admin's key", &["admin"]).await);
    assert_eq!(
        app.get("/api/audit-logs", &key).await.status,
        StatusCode::OK
    );

    // The creator is demoted to viewer: the key loses what they lost, on the next request.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/users/{admin_id}"),
            Some(&owner.access),
            Some(json!({"roles": ["viewer"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.get("/api/audit-logs", &key).await.assert_problem(403);
    app.post("/api/companies", Some(&key), json!({"name": "x"}))
        .await
        .assert_problem(403);
    assert_eq!(app.get("/api/companies", &key).await.status, StatusCode::OK);

    // The creator is removed: the key stops working.
    let r = app
        .request(
            Method::DELETE,
            &format!("/api/users/{admin_id}"),
            Some(&owner.access),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get("/api/companies", &key).await.assert_problem(401);
}

#[tokio::test]
async fn a_key_cannot_manage_the_account_that_made_it_nor_leave_its_tenant() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Accounts", "owner@accounts.test").await;
    let other = app.signup("Elsewhere", "someone@elsewhere.test").await;
    let key = secret(&create_key(&app, &owner.access, "owner key", &["owner"]).await);

    for (method, path, body) in [
        (
            Method::POST,
            "/api/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"})),
        ),
        (Method::GET, "/api/auth/sessions", None),
        (Method::POST, "/api/auth/logout", None),
        (
            Method::POST,
            "/api/auth/switch-tenant",
            Some(json!({"tenant": other.tenant_slug})),
        ),
        (
            Method::POST,
            "/api/api-keys",
            Some(json!({"name": "child", "roles": []})),
        ),
    ] {
        let r = app.request(method.clone(), path, Some(&key), body).await;
        assert!(
            r.status == StatusCode::FORBIDDEN,
            "{method} {path}: {} {}",
            r.status,
            r.text
        );
    }
    // The person's sessions list shows sign-ins, not keys.
    let sessions = app.get("/api/auth/sessions", &owner.access).await;
    assert_eq!(
        sessions.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        sessions.text
    );
    // me through a key names only the key's tenant.
    let me = app.get("/api/auth/me", &key).await;
    assert_eq!(
        me.body["memberships"].as_array().map(Vec::len),
        Some(1),
        "{}",
        me.text
    );
    // Another tenant's ids stay out of reach.
    let theirs = app
        .post(
            "/api/companies",
            Some(&other.access),
            json!({"name": "Theirs"}),
        )
        .await;
    let theirs = theirs.body["id"].as_str().expect("id").to_string();
    app.get(&format!("/api/companies/{theirs}"), &key)
        .await
        .assert_problem(404);
    // A key of one tenant cannot be revoked from another.
    let r = create_key(&app, &owner.access, "mine", &["viewer"]).await;
    let id = r.body["id"].as_str().expect("id").to_string();
    app.request(
        Method::DELETE,
        &format!("/api/api-keys/{id}"),
        Some(&other.access),
        None,
    )
    .await
    .assert_problem(404);
    // The password still works: nothing above changed it.
    assert_eq!(
        app.login("owner@accounts.test", PASSWORD, None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_database_refuses_key_operations_to_a_key_and_forged_context() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Deep", "owner@deep.test").await;
    let r = create_key(&app, &owner.access, "k", &["viewer"]).await;
    let key = secret(&r);
    let prefix = r.body["prefix"].as_str().expect("prefix").to_string();
    // The API role resolving a key without its secret learns nothing.
    let c = app.web_client().await;
    c.batch_execute("BEGIN; SET LOCAL role tenet_api")
        .await
        .expect("begin");
    let rows = c
        .query(
            "SELECT * FROM app.resolve_api_key($1, $2)",
            &[&prefix, &vec![0u8; 32]],
        )
        .await
        .expect("resolve");
    assert!(rows.is_empty());
    // Nor can it read the key tables, or insert a session of kind api_key.
    let rows = c
        .query("SELECT id FROM api_keys", &[])
        .await
        .expect("select");
    assert!(rows.is_empty());
    assert!(c.execute("INSERT INTO api_keys (tenant_id, id, name, prefix) VALUES (gen_random_uuid(), gen_random_uuid(), 'x', '0123456789ab')", &[]).await.is_err());
    c.batch_execute("ROLLBACK").await.expect("rollback");
    drop(c);
    // The key's own context cannot create keys in SQL either.
    let resolved = app.get("/api/auth/me", &key).await;
    assert_eq!(resolved.status, StatusCode::OK);
}
