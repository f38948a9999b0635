//! The audit log: written by the database in the same transaction as each
//! change, append-only for everyone, hash-chained per tenant and verifiable.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{as_request, connect, Response, Session, TestApp, PASSWORD};

async fn audit(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let r = app.get(&format!("/api/audit-logs{query}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().expect("items").clone()
}

fn count(entries: &[Value], entity: &str, action: &str) -> usize {
    entries.iter().filter(|e| e["entity"] == entity && e["action"] == action).count()
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Response {
    app.request(method, path, Some(token), Some(body)).await
}

async fn verify(app: &TestApp, tenant_id: &str) -> tokio_postgres::Row {
    app.owner_client()
        .await
        .query_one("SELECT ok, checked, broken_seq, broken_id, problem FROM app.audit_verify($1::text::uuid)", &[&tenant_id])
        .await
        .expect("verify")
}

#[tokio::test]
async fn every_change_to_an_audited_table_is_recorded_once_with_actor_and_changes() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let t = &o.access;
    let before = audit(&app, t, "?limit=200").await;
    assert_eq!(count(&before, "tenant", "insert"), 1, "signup is audited: {before:?}");
    assert!(before.iter().filter(|e| e["entity"] == "tenant").all(|e| e["actor_id"] == o.user_id));

    // tenants: update
    send(&app, Method::PATCH, "/api/tenant", t, json!({"name": "Acme Two"})).await;
    // roles + role_permissions: insert, update, delete
    let role = send(&app, Method::POST, "/api/roles", t, json!({"name": "sales", "permissions": ["users:read", "audit:read"]})).await;
    let role_id = role.body["id"].as_str().expect("id").to_string();
    send(&app, Method::PATCH, &format!("/api/roles/{role_id}"), t, json!({"name": "sales2", "permissions": ["users:read"]})).await;
    // memberships + membership_roles: insert, update, delete
    let user = send(&app, Method::POST, "/api/users", t, json!({"email": "u@acme.test", "name": "U", "password": PASSWORD, "roles": ["sales2"]})).await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    let user_id = user.body["id"].as_str().expect("id").to_string();
    send(&app, Method::PATCH, &format!("/api/users/{user_id}"), t, json!({"active": false})).await;
    assert_eq!(app.request(Method::DELETE, &format!("/api/users/{user_id}"), Some(t), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.request(Method::DELETE, &format!("/api/roles/{role_id}"), Some(t), None).await.status, StatusCode::NO_CONTENT);

    let all = audit(&app, t, "?limit=200").await;
    let new: Vec<Value> = all.iter().filter(|e| !before.contains(e)).cloned().collect();
    let expected = [
        ("tenant", "update", 1),
        ("role", "insert", 1),
        ("role", "update", 1),
        ("role", "delete", 1),
        ("role_permission", "insert", 2),
        ("role_permission", "delete", 2), // audit:read on PATCH, users:read with the role
        ("membership", "insert", 1),
        ("membership", "update", 1),
        ("membership", "delete", 1),
        ("membership_role", "insert", 1),
        ("membership_role", "delete", 1),
    ];
    for (entity, action, n) in expected {
        assert_eq!(count(&new, entity, action), n, "{entity} {action}: {new:#?}");
    }
    assert_eq!(new.len(), expected.iter().map(|e| e.2).sum::<usize>(), "no other entries: {new:#?}");
    assert!(new.iter().all(|e| e["actor_id"] == o.user_id), "the actor is the user, not the database role");
    assert!(new.iter().all(|e| e["request_id"].as_str().is_some_and(|r| !r.is_empty())));
    assert!(new.iter().all(|e| e["ip"] == "127.0.0.1"));

    let rename = new.iter().find(|e| e["entity"] == "tenant").expect("tenant update");
    assert_eq!(rename["changes"], json!({"name": {"old": "Acme", "new": "Acme Two"}}));
    let deactivate = new.iter().find(|e| e["entity"] == "membership" && e["action"] == "update").expect("deactivation");
    assert_eq!(deactivate["changes"], json!({"active": {"old": true, "new": false}}));
    assert_eq!(deactivate["record_id"], user_id);
    let role_update = new.iter().find(|e| e["entity"] == "role" && e["action"] == "update").expect("role update");
    assert_eq!(role_update["changes"], json!({"name": {"old": "sales", "new": "sales2"}}));
    assert!(!serde_json::to_string(&all).expect("json").contains("$2b$"), "no password hash is ever copied");

    let v = verify(&app, &o.tenant_id).await;
    assert!(v.get::<_, bool>(0), "{:?}", v.get::<_, Option<String>>(4));
}

#[tokio::test]
async fn a_failed_change_leaves_no_entry() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let before = audit(&app, &o.access, "?limit=200").await.len();
    // The last owner's demotion inserts the admin role, then fails: all rolled back.
    send(&app, Method::PATCH, &format!("/api/users/{}", o.user_id), &o.access, json!({"roles": ["admin"]})).await.assert_problem(409);
    send(&app, Method::POST, "/api/roles", &o.access, json!({"name": "", "permissions": []})).await.assert_problem(422);
    assert_eq!(audit(&app, &o.access, "?limit=200").await.len(), before);
    assert_eq!(app.get("/api/auth/me", &o.access).await.body["roles"], json!(["owner"]));
}

#[tokio::test]
async fn security_events_are_in_the_tenants_log() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    app.login("o@acme.test", "wrong password!!", None).await.assert_problem(401);
    let second = Session::from(&app.login("o@acme.test", PASSWORD, None).await);
    let rotated = Session::from(&app.post("/api/auth/refresh", None, json!({"refresh_token": second.refresh})).await);
    app.post("/api/auth/refresh", None, json!({"refresh_token": second.refresh})).await.assert_problem(401);
    let third = Session::from(&app.login("o@acme.test", PASSWORD, None).await);
    let third_sid = crate::helpers::Session::from(&app.login("o@acme.test", PASSWORD, None).await);
    let sid = {
        let list = app.get("/api/auth/sessions", &third.access).await;
        list.body["items"].as_array().expect("items").iter().find(|s| s["current"] == false).expect("other")["id"].as_str().expect("id").to_string()
    };
    app.request(Method::DELETE, &format!("/api/auth/sessions/{sid}"), Some(&third.access), None).await;
    app.post("/api/auth/password", Some(&third.access), json!({"current_password": PASSWORD, "new_password": "another good passphrase"})).await;
    app.request(Method::POST, "/api/auth/logout", Some(&third.access), None).await;
    let _ = (rotated, third_sid);

    let fresh = Session::from(&app.login("o@acme.test", "another good passphrase", None).await);
    let entries = audit(&app, &fresh.access, "?limit=200").await;
    for action in ["auth.signup", "auth.login", "auth.login_failed", "auth.refresh_reuse", "auth.session_revoked", "auth.password_changed", "auth.logout"] {
        assert!(entries.iter().any(|e| e["action"] == action), "{action} missing: {entries:#?}");
    }
    let failed = entries.iter().find(|e| e["action"] == "auth.login_failed").expect("failed");
    assert_eq!(failed["changes"]["reason"], "wrong_password");
    assert_eq!(failed["actor_id"], o.user_id);
    let only_logins = audit(&app, &fresh.access, "?action=auth.login").await;
    assert!(!only_logins.is_empty() && only_logins.iter().all(|e| e["action"] == "auth.login"));
}

#[tokio::test]
async fn only_auditors_read_the_log_and_only_their_tenants() {
    let app = TestApp::spawn().await;
    let a = app.signup("Aaa", "o@aaa.test").await;
    let b = app.signup("Bbb", "o@bbb.test").await;
    send(&app, Method::PATCH, "/api/tenant", &b.access, json!({"name": "Bbb secret rename"})).await;
    send(&app, Method::POST, "/api/users", &a.access, json!({"email": "m@aaa.test", "name": "M", "password": PASSWORD, "roles": ["member"]})).await;
    let member = app.login("m@aaa.test", PASSWORD, None).await.body["access_token"].as_str().expect("t").to_string();
    app.get("/api/audit-logs", &member).await.assert_problem(403);

    let entries = audit(&app, &a.access, "?limit=200").await;
    let text = serde_json::to_string(&entries).expect("json");
    assert!(!text.contains("Bbb") && !text.contains(&b.tenant_id) && !text.contains(&b.user_id), "tenant B leaks into A's log");
    assert!(audit(&app, &a.access, &format!("?record_id={}", b.tenant_id)).await.is_empty());
    assert!(audit(&app, &a.access, &format!("?actor_id={}", b.user_id)).await.is_empty());

    // In SQL, an audit:read holder's context sees only its own tenant's rows.
    let c = as_request(&app, &a.access).await;
    let foreign: i64 = c.query_one("SELECT count(*) FROM audit_log WHERE tenant_id <> $1::text::uuid", &[&a.tenant_id]).await.expect("q").get(0);
    assert_eq!(foreign, 0);
}

#[tokio::test]
async fn filters_and_pagination_work() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    for i in 0..5 {
        send(&app, Method::POST, "/api/roles", &o.access, json!({"name": format!("r{i}"), "permissions": []})).await;
    }
    let roles = audit(&app, &o.access, "?entity=role&action=insert").await;
    assert_eq!(roles.len(), 9, "four system roles and five custom ones");
    let mut seen = Vec::new();
    let mut path = "?entity=role&limit=4".to_string();
    loop {
        let r = app.get(&format!("/api/audit-logs{path}"), &o.access).await;
        seen.extend(r.body["items"].as_array().expect("items").iter().map(|e| e["id"].clone()));
        match r.body["next_cursor"].as_str() {
            Some(c) => path = format!("?entity=role&limit=4&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 9);
    let future = audit(&app, &o.access, "?from=2999-01-01T00:00:00Z").await;
    assert!(future.is_empty());
    let past = audit(&app, &o.access, "?to=2000-01-01T00:00:00Z").await;
    assert!(past.is_empty());
    app.get("/api/audit-logs?from=yesterday", &o.access).await.assert_problem(400);
    app.get("/api/audit-logs?actor_id=42", &o.access).await.assert_problem(400);
}

#[tokio::test]
async fn nobody_can_update_or_delete_entries_without_the_switch() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;

    // The API role, even with audit:read: no privilege at all.
    let c = as_request(&app, &o.access).await;
    for sql in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log",
                "INSERT INTO audit_log (tenant_id, seq, action, entity, prev_hash, hash) SELECT tenant_id, 999, 'x', 'x', hash, hash FROM app_private.audit_chain_heads"] {
        c.batch_execute("SAVEPOINT s").await.expect("sp");
        let e = c.batch_execute(sql).await.expect_err(sql);
        assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e}");
        c.batch_execute("ROLLBACK TO SAVEPOINT s").await.expect("rb");
    }

    // The owner and a superuser: refused by the guard.
    for url in [app.db.owner_url(), app.db.admin_url()] {
        let client = connect(&url).await;
        for sql in ["DELETE FROM audit_log", "UPDATE audit_log SET changes = '{}'", "TRUNCATE audit_log"] {
            let e = client.batch_execute(sql).await.expect_err(sql);
            assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql} as {url}: {e}");
        }
    }
    let v = verify(&app, &o.tenant_id).await;
    assert!(v.get::<_, bool>(0));
}

#[tokio::test]
async fn an_entry_edited_behind_the_guard_is_found_and_the_maintenance_is_recorded() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    send(&app, Method::PATCH, "/api/tenant", &o.access, json!({"name": "Acme Two"})).await;
    send(&app, Method::PATCH, "/api/tenant", &o.access, json!({"name": "Acme Three"})).await;
    let verified = app
        .owner_client()
        .await
        .query_one("SELECT checked FROM app.audit_verify($1::text::uuid)", &[&o.tenant_id])
        .await
        .expect("v")
        .get::<_, i64>(0);
    assert!(verified >= 5);

    // A superuser rewrites history under the maintenance switch.
    let admin = connect(&app.db.admin_url()).await;
    let target: i64 = admin
        .query_one(
            "SELECT seq FROM audit_log WHERE tenant_id = $1::text::uuid AND entity = 'tenant' AND action = 'update' ORDER BY seq LIMIT 1",
            &[&o.tenant_id],
        )
        .await
        .expect("q")
        .get(0);
    admin
        .batch_execute(&format!(
            "BEGIN; SET LOCAL tenet.audit_maintenance = 'test: tampering';
             UPDATE audit_log SET changes = '{{\"name\": {{\"old\": \"Acme\", \"new\": \"Innocent\"}}}}'
              WHERE tenant_id = '{}' AND seq = {target}; COMMIT;",
            o.tenant_id
        ))
        .await
        .expect("tamper");

    let v = verify(&app, &o.tenant_id).await;
    assert!(!v.get::<_, bool>(0));
    assert_eq!(v.get::<_, Option<i64>>(2), Some(target), "{:?}", v.get::<_, Option<String>>(4));
    assert!(v.get::<_, String>(4).contains("edited"));

    // The switch left its own trace in the chain.
    let trace: i64 = admin
        .query_one("SELECT count(*) FROM audit_log WHERE action = 'audit.maintenance' AND changes->>'reason' = 'test: tampering'", &[])
        .await
        .expect("q")
        .get(0);
    assert_eq!(trace, 1);

    // The CLI names the broken entry and fails.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("DATABASE_URL", app.db.owner_url())
        .args(["admin", "audit-verify", "--tenant", &o.tenant_slug])
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("seq {target}")), "{stderr}");
}

#[tokio::test]
async fn a_deleted_entry_is_found_and_an_intact_chain_verifies_from_the_cli() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    for i in 0..3 {
        send(&app, Method::PATCH, "/api/tenant", &o.access, json!({"name": format!("Acme {i}")})).await;
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("DATABASE_URL", app.db.owner_url())
        .args(["admin", "audit-verify", "--tenant", &o.tenant_slug])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("verifies"));

    let admin = connect(&app.db.admin_url()).await;
    admin
        .batch_execute(&format!(
            "BEGIN; SET LOCAL tenet.audit_maintenance = 'test: deletion';
             DELETE FROM audit_log WHERE tenant_id = '{}' AND seq = 3; COMMIT;",
            o.tenant_id
        ))
        .await
        .expect("delete");
    let v = verify(&app, &o.tenant_id).await;
    assert!(!v.get::<_, bool>(0));
    assert_eq!(v.get::<_, Option<i64>>(2), Some(4), "the entry after the gap is named: {:?}", v.get::<_, Option<String>>(4));
}

#[tokio::test]
async fn concurrent_writes_to_one_tenant_keep_one_valid_chain() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/roles");
        let token = o.access.clone();
        tasks.push(tokio::spawn(async move {
            client.post(url).bearer_auth(token).json(&json!({"name": format!("c{i}"), "permissions": ["users:read"]})).send().await.map(|r| r.status())
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("join").expect("request"), StatusCode::CREATED);
    }
    let v = verify(&app, &o.tenant_id).await;
    assert!(v.get::<_, bool>(0), "{:?}", v.get::<_, Option<String>>(4));
    let seqs: Vec<i64> = app
        .owner_client()
        .await
        .query("SELECT seq FROM audit_log WHERE tenant_id = $1::text::uuid ORDER BY seq", &[&o.tenant_id])
        .await
        .expect("q")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_audit_tables_privileges_and_triggers_are_as_documented() {
    let app = TestApp::spawn().await;
    let owner = app.owner_client().await;
    let rows = |sql: &'static str| {
        let owner = &owner;
        async move { owner.query(sql, &[]).await.expect("q").iter().map(|r| r.get::<_, String>(0)).collect::<Vec<String>>() }
    };
    // No table-wide privilege; SELECT on every column but the recorded values,
    // which are read through audit_log_visible (hidden fields left out).
    let table = rows("SELECT privilege_type::text FROM information_schema.role_table_grants
                       WHERE table_name = 'audit_log' AND grantee = 'tenet_api' ORDER BY 1").await;
    assert_eq!(table, Vec::<String>::new());
    let columns = rows("SELECT DISTINCT privilege_type::text FROM information_schema.column_privileges
                         WHERE table_name = 'audit_log' AND grantee = 'tenet_api' ORDER BY 1").await;
    assert_eq!(columns, vec!["SELECT"]);
    let changes = rows("SELECT column_name::text FROM information_schema.column_privileges
                         WHERE table_name = 'audit_log' AND grantee = 'tenet_api' AND column_name = 'changes'").await;
    assert_eq!(changes, Vec::<String>::new());
    let view = rows("SELECT concat_ws(',', has_table_privilege('tenet_api', 'audit_log_visible', 'SELECT'),
                                      has_table_privilege('tenet_api', 'audit_log_visible', 'INSERT, UPDATE, DELETE, TRUNCATE'))").await;
    assert_eq!(view, vec!["t,f"], "tenet_api reads audit_log_visible and nothing more");
    for table in ["app_private.audit_chain_heads", "app_private.audit_chain_anchors", "app_private.security_events"] {
        let any: bool = owner
            .query_one("SELECT has_table_privilege('tenet_api', $1::text, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE')", &[&table])
            .await
            .expect("q")
            .get(0);
        assert!(!any, "tenet_api must not touch {table}");
    }
    let triggers: Vec<String> = owner
        .query(
            "SELECT tgrelid::regclass::text || ':' || tgname::text FROM pg_trigger
              WHERE NOT tgisinternal AND tgname LIKE '%audit%' OR tgname IN ('audit_log_append_only', 'audit_log_no_truncate') ORDER BY 1",
            &[],
        )
        .await
        .expect("q")
        .iter()
        .map(|r| r.get(0))
        .collect();
    for expected in [
        "audit_log:audit_log_append_only",
        "audit_log:audit_log_no_truncate",
        "tenants:tenants_audit",
        "memberships:memberships_audit",
        "membership_roles:membership_roles_audit",
        "roles:roles_audit",
        "role_permissions:role_permissions_audit",
    ] {
        assert!(triggers.iter().any(|t| t == expected), "{expected} missing from {triggers:?}");
    }
}

#[tokio::test]
async fn user_agents_are_stored_without_control_characters() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/api/auth/signup"))
        .header("user-agent", "evil\tagent")
        .json(&json!({"tenant_name": "Acme", "email": "o@acme.test", "password": PASSWORD, "name": "O"}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::CREATED);
    let ua: Option<String> = app
        .owner_client()
        .await
        .query_one("SELECT user_agent FROM audit_log WHERE action = 'auth.signup'", &[])
        .await
        .expect("q")
        .get(0);
    assert_eq!(ua.as_deref(), Some("evilagent"));
}
