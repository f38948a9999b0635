//! RBAC and tenant administration: the permission matrix per system role,
//! escalation attempts, last-owner protection, immediate effect of changes,
//! cross-tenant ids, and SQL-level proofs that the database refuses on its
//! own when the handlers are skipped.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{as_request, claims, Response, Session, TestApp, PASSWORD};

struct Tenant {
    owner: Session,
    tokens: Vec<(&'static str, String)>,
}

/// A tenant with one member per system role, signed in.
async fn tenant(app: &TestApp, name: &str) -> Tenant {
    let domain = name.to_lowercase();
    let owner = app.signup(name, &format!("owner@{domain}.test")).await;
    let mut tokens = vec![("owner", owner.access.clone())];
    for role in ["admin", "member", "viewer"] {
        let email = format!("{role}@{domain}.test");
        add_member(app, &owner.access, &email, &[role]).await;
        let r = app.login(&email, PASSWORD, Some(&owner.tenant_slug)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        tokens.push((role, r.body["access_token"].as_str().expect("token").to_string()));
    }
    Tenant { owner, tokens }
}

impl Tenant {
    fn token(&self, role: &str) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).expect("role").1
    }
}

/// Adds a new account as a member: must answer 201.
async fn add_member(app: &TestApp, token: &str, email: &str, roles: &[&str]) -> Response {
    let r = try_add_member(app, token, email, roles).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r
}

/// Tries to add a member; the caller asserts the answer.
async fn try_add_member(app: &TestApp, token: &str, email: &str, roles: &[&str]) -> Response {
    app.post("/api/users", Some(token), json!({"email": email, "name": "Someone", "password": PASSWORD, "roles": roles})).await
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
    app.request(method, path, Some(token), body).await
}

fn id(r: &Response) -> String {
    r.body["id"].as_str().unwrap_or_else(|| panic!("no id in {}", r.text)).to_string()
}

#[tokio::test]
async fn every_route_answers_each_system_role_as_the_contract_says() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Matrix").await;
    let owner = t.owner.access.clone();
    let mut n = 0;

    for (role, token) in t.tokens.clone() {
        let can_manage = matches!(role, "owner" | "admin");
        let expect = |allowed: bool, ok: u16| if allowed { ok } else { 403 };
        // Fresh targets for the mutating routes, made by the owner.
        n += 1;
        let custom = send(&app, Method::POST, "/api/roles", &owner, Some(json!({"name": format!("custom-{n}"), "permissions": []}))).await;
        assert_eq!(custom.status, StatusCode::CREATED, "{}", custom.text);
        let custom_id = id(&custom);
        let doomed = send(&app, Method::POST, "/api/roles", &owner, Some(json!({"name": format!("doomed-{n}"), "permissions": []}))).await;
        let doomed_id = id(&doomed);
        let target = add_member(&app, &owner, &format!("target{n}@matrix.test"), &["viewer"]).await;
        let target_id = id(&target);
        let victim = add_member(&app, &owner, &format!("victim{n}@matrix.test"), &["viewer"]).await;
        let victim_id = id(&victim);

        let cases: Vec<(Method, String, Option<Value>, u16)> = vec![
            (Method::GET, "/api/tenant".into(), None, 200),
            (Method::PATCH, "/api/tenant".into(), Some(json!({"name": format!("Matrix {n}")})), expect(role == "owner", 200)),
            (Method::GET, "/api/permissions".into(), None, 200),
            (Method::GET, "/api/roles".into(), None, 200),
            (Method::GET, format!("/api/roles/{custom_id}"), None, 200),
            (Method::POST, "/api/roles".into(), Some(json!({"name": format!("new-{role}"), "permissions": ["users:read"]})), expect(can_manage, 201)),
            (Method::PATCH, format!("/api/roles/{custom_id}"), Some(json!({"description": "edited"})), expect(can_manage, 200)),
            (Method::DELETE, format!("/api/roles/{doomed_id}"), None, expect(can_manage, 204)),
            (Method::GET, "/api/users".into(), None, 200),
            (Method::GET, format!("/api/users/{target_id}"), None, 200),
            (
                Method::POST,
                "/api/users".into(),
                Some(json!({"email": format!("new-{role}@matrix.test"), "name": "New", "password": PASSWORD, "roles": ["viewer"]})),
                expect(can_manage, 201),
            ),
            (Method::PATCH, format!("/api/users/{target_id}"), Some(json!({"name": "Renamed"})), expect(can_manage, 200)),
            (Method::DELETE, format!("/api/users/{victim_id}"), None, expect(can_manage, 204)),
        ];
        for (method, path, body, status) in cases {
            let r = send(&app, method.clone(), &path, &token, body).await;
            assert_eq!(r.status.as_u16(), status, "{role}: {method} {path} -> {}", r.text);
            if status == 403 {
                r.assert_problem(403);
            }
        }
    }
}

#[tokio::test]
async fn an_admin_cannot_escalate() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Esc").await;
    let admin = t.token("admin");
    let admin_id = claims(admin)["sub"].as_str().expect("sub").to_string();
    let owner_id = t.owner.user_id.clone();

    // A role with a permission the admin lacks.
    send(&app, Method::POST, "/api/roles", admin, Some(json!({"name": "boss", "permissions": ["tenant:manage"]}))).await.assert_problem(403);
    // Assigning owner to a new member, to an existing member, to themselves.
    try_add_member(&app, admin, "new@esc.test", &["owner"]).await.assert_problem(403);
    let member = add_member(&app, &t.owner.access, "m2@esc.test", &["member"]).await;
    send(&app, Method::PATCH, &format!("/api/users/{}", id(&member)), admin, Some(json!({"roles": ["owner"]}))).await.assert_problem(403);
    send(&app, Method::PATCH, &format!("/api/users/{admin_id}"), admin, Some(json!({"roles": ["admin", "owner"]}))).await.assert_problem(403);
    // Smuggling tenant:manage into a custom role after the fact.
    let custom = send(&app, Method::POST, "/api/roles", admin, Some(json!({"name": "helper", "permissions": ["users:read"]}))).await;
    assert_eq!(custom.status, StatusCode::CREATED);
    send(&app, Method::PATCH, &format!("/api/roles/{}", id(&custom)), admin, Some(json!({"permissions": ["users:read", "tenant:manage"]})))
        .await
        .assert_problem(403);
    // Acting on the owner, who holds more than the admin.
    send(&app, Method::PATCH, &format!("/api/users/{owner_id}"), admin, Some(json!({"active": false}))).await.assert_problem(403);
    send(&app, Method::PATCH, &format!("/api/users/{owner_id}"), admin, Some(json!({"roles": ["viewer"]}))).await.assert_problem(403);
    send(&app, Method::DELETE, &format!("/api/users/{owner_id}"), admin, None).await.assert_problem(403);

    // Nothing changed.
    let me = app.get("/api/auth/me", admin).await;
    assert_eq!(me.body["roles"], json!(["admin"]));
    assert!(!me.body["permissions"].as_array().expect("perms").contains(&json!("tenant:manage")));
    let owner = app.get(&format!("/api/users/{owner_id}"), &t.owner.access).await;
    assert_eq!(owner.body["roles"], json!(["owner"]));
    assert_eq!(owner.body["active"], true);
}

#[tokio::test]
async fn the_last_owner_cannot_be_removed_deactivated_or_demoted() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Solo").await;
    let owner = &t.owner.access;
    let me = format!("/api/users/{}", t.owner.user_id);

    send(&app, Method::PATCH, &me, owner, Some(json!({"roles": ["admin"]}))).await.assert_problem(409);
    send(&app, Method::PATCH, &me, owner, Some(json!({"active": false}))).await.assert_problem(409);
    send(&app, Method::DELETE, &me, owner, None).await.assert_problem(409);
    assert_eq!(app.get("/api/auth/me", owner).await.body["roles"], json!(["owner"]));

    // With a second owner, the first may step down.
    let second = add_member(&app, owner, "second@solo.test", &["owner"]).await;
    assert_eq!(second.status, StatusCode::CREATED);
    let r = send(&app, Method::PATCH, &me, owner, Some(json!({"roles": ["admin"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["roles"], json!(["admin"]));
}

#[tokio::test]
async fn role_and_membership_changes_apply_on_the_next_request_with_the_same_token() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Live").await;
    let owner = &t.owner.access;
    let empty = send(&app, Method::POST, "/api/roles", owner, Some(json!({"name": "nothing", "permissions": []}))).await;
    let empty_id = id(&empty);
    let user = add_member(&app, owner, "u@live.test", &["nothing"]).await;
    let user_id = id(&user);
    let token = app.login("u@live.test", PASSWORD, Some(&t.owner.tenant_slug)).await.body["access_token"].as_str().expect("t").to_string();

    app.get("/api/users", &token).await.assert_problem(403);
    // Grant users:read to the role: the same token can now list users.
    let r = send(&app, Method::PATCH, &format!("/api/roles/{empty_id}"), owner, Some(json!({"permissions": ["users:read"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get("/api/users", &token).await.status, StatusCode::OK);
    assert!(app.get("/api/auth/me", &token).await.body["permissions"].as_array().expect("p").contains(&json!("users:read")));
    // Take the role away: forbidden again at once.
    send(&app, Method::PATCH, &format!("/api/users/{user_id}"), owner, Some(json!({"roles": []}))).await;
    app.get("/api/users", &token).await.assert_problem(403);
    // Deactivate: the token stops working; reactivated, it stays dead (sessions were revoked).
    send(&app, Method::PATCH, &format!("/api/users/{user_id}"), owner, Some(json!({"active": false}))).await;
    app.get("/api/auth/me", &token).await.assert_problem(401);
    app.login("u@live.test", PASSWORD, Some(&t.owner.tenant_slug)).await.assert_problem(401);
    send(&app, Method::PATCH, &format!("/api/users/{user_id}"), owner, Some(json!({"active": true}))).await;
    app.get("/api/auth/me", &token).await.assert_problem(401);
    assert_eq!(app.login("u@live.test", PASSWORD, Some(&t.owner.tenant_slug)).await.status, StatusCode::OK);
    // Removing the member also ends their sessions.
    let again = app.login("u@live.test", PASSWORD, Some(&t.owner.tenant_slug)).await.body["access_token"].as_str().expect("t").to_string();
    assert_eq!(send(&app, Method::DELETE, &format!("/api/users/{user_id}"), owner, None).await.status, StatusCode::NO_CONTENT);
    app.get("/api/auth/me", &again).await.assert_problem(401);
}

#[tokio::test]
async fn another_tenants_role_and_user_ids_are_404() {
    let app = TestApp::spawn().await;
    let a = tenant(&app, "Aaa").await;
    let b = tenant(&app, "Bbb").await;
    let b_role = send(&app, Method::POST, "/api/roles", &b.owner.access, Some(json!({"name": "b-role", "permissions": []}))).await;
    let b_role = id(&b_role);
    let b_user = b.owner.user_id.clone();
    let owner = &a.owner.access;

    for (method, path, body) in [
        (Method::GET, format!("/api/roles/{b_role}"), None),
        (Method::PATCH, format!("/api/roles/{b_role}"), Some(json!({"name": "stolen"}))),
        (Method::DELETE, format!("/api/roles/{b_role}"), None),
        (Method::GET, format!("/api/users/{b_user}"), None),
        (Method::PATCH, format!("/api/users/{b_user}"), Some(json!({"name": "stolen"}))),
        (Method::DELETE, format!("/api/users/{b_user}"), None),
        (Method::GET, format!("/api/roles/{}", Uuid::new_v4()), None),
        (Method::GET, format!("/api/users/{}", Uuid::new_v4()), None),
    ] {
        send(&app, method.clone(), &path, owner, body).await.assert_problem(404);
    }
    // B is untouched.
    assert_eq!(app.get(&format!("/api/roles/{b_role}"), &b.owner.access).await.body["name"], "b-role");
    assert_eq!(app.get(&format!("/api/users/{b_user}"), &b.owner.access).await.body["name"], "Owner");
    // A's lists show nothing of B.
    let users = app.get("/api/users", owner).await;
    assert!(users.body["items"].as_array().expect("items").iter().all(|u| u["email"].as_str().is_some_and(|e| e.ends_with("@aaa.test"))));
    // Assigning B's role by name in A: unknown there.
    try_add_member(&app, owner, "x@aaa.test", &["b-role"]).await.assert_problem(422);
}

#[tokio::test]
async fn system_roles_are_read_only_and_assigned_roles_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Sys").await;
    let owner = &t.owner.access;
    let roles = app.get("/api/roles", owner).await;
    let items = roles.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 4);
    let viewer = items.iter().find(|r| r["name"] == "viewer").expect("viewer");
    assert_eq!(viewer["system"], true);
    assert_eq!(viewer["permissions"], json!(["companies:read", "contacts:read", "deals:read", "notes:read", "tasks:read", "users:read"]));
    let viewer_id = viewer["id"].as_str().expect("id");

    send(&app, Method::PATCH, &format!("/api/roles/{viewer_id}"), owner, Some(json!({"name": "renamed"}))).await.assert_problem(409);
    send(&app, Method::DELETE, &format!("/api/roles/{viewer_id}"), owner, None).await.assert_problem(409);

    let custom = send(&app, Method::POST, "/api/roles", owner, Some(json!({"name": "sales", "permissions": ["users:read"]}))).await;
    assert_eq!(custom.header("location"), Some(format!("/api/roles/{}", id(&custom)).as_str()));
    add_member(&app, owner, "s@sys.test", &["sales"]).await;
    send(&app, Method::DELETE, &format!("/api/roles/{}", id(&custom)), owner, None).await.assert_problem(409);
    send(&app, Method::POST, "/api/roles", owner, Some(json!({"name": "sales", "permissions": []}))).await.assert_problem(409);
    let unknown = send(&app, Method::POST, "/api/roles", owner, Some(json!({"name": "x", "permissions": ["launch:missiles"]}))).await;
    unknown.assert_problem(422);
    assert_eq!(unknown.body["errors"][0]["field"], "permissions[0]", "the unknown key is named by its position");
    send(&app, Method::POST, "/api/roles", owner, Some(json!({"name": " ", "permissions": []}))).await.assert_problem(422);
}

#[tokio::test]
async fn adding_an_existing_account_invites_it_without_revealing_or_changing_it() {
    let app = TestApp::spawn().await;
    let a = app.signup("First", "first@first.test").await;
    app.signup("Second", "person@second.test").await;
    let r = app
        .post("/api/users", Some(&a.access), json!({"email": "Person@Second.test", "name": "Ignored", "password": "an entirely different one", "roles": ["member"]}))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["invitation"]["email"], "person@second.test");
    assert_eq!(r.body["invitation"]["roles"], json!(["member"]));
    assert!(!r.text.contains("Owner"), "the account's name must not show: {}", r.text);
    // No membership, no password change: only the mailed invitation can add it.
    let members = app.get("/api/users", &a.access).await;
    assert_eq!(members.body["items"].as_array().map(Vec::len), Some(1), "{}", members.text);
    assert_eq!(app.login("person@second.test", PASSWORD, None).await.status, StatusCode::OK);
    app.login("person@second.test", PASSWORD, Some(&a.tenant_slug)).await.assert_problem(401);
    app.login("person@second.test", "an entirely different one", None).await.assert_problem(401);
    // The invitation is pending for the tenant's managers.
    let pending = app.get("/api/invitations", &a.access).await;
    assert_eq!(pending.body["items"][0]["email"], "person@second.test", "{}", pending.text);
    // A member cannot be invited again.
    try_add_member(&app, &a.access, "first@first.test", &["member"]).await.assert_problem(409);
}

#[tokio::test]
async fn member_lists_paginate_without_skips_or_repeats() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Page", "owner@page.test").await;
    for i in 0..6 {
        add_member(&app, &owner.access, &format!("m{i}@page.test"), &["viewer"]).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/users?limit=2&cursor={c}"),
            None => "/api/users?limit=2".to_string(),
        };
        let page = app.get(&path, &owner.access).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let items = page.body["items"].as_array().expect("items");
        assert!(items.len() <= 2);
        seen.extend(items.iter().map(|u| u["id"].as_str().expect("id").to_string()));
        // A member added mid-way sorts before the cursor: no shift.
        if seen.len() == 2 {
            add_member(&app, &owner.access, "late@page.test", &["viewer"]).await;
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "a member was repeated");
    assert_eq!(seen.len(), 7, "six members and the owner");

    for bad in ["/api/users?limit=0", "/api/users?limit=201", "/api/users?limit=abc", "/api/users?cursor=%%%", "/api/users?cursor=bm9wZQ"] {
        app.get(bad, &owner.access).await.assert_problem(400);
    }
}

#[tokio::test]
async fn tenant_can_be_read_by_members_and_renamed_by_its_manager() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Named").await;
    let r = app.get("/api/tenant", t.token("viewer")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["slug"], t.owner.tenant_slug);
    assert!(r.body["created_at"].is_string());
    let r = send(&app, Method::PATCH, "/api/tenant", &t.owner.access, Some(json!({"name": "Renamed Inc"}))).await;
    assert_eq!(r.body["name"], "Renamed Inc");
    send(&app, Method::PATCH, "/api/tenant", &t.owner.access, Some(json!({"name": ""}))).await.assert_problem(422);
    let catalog = app.get("/api/permissions", t.token("viewer")).await;
    assert_eq!(catalog.body["items"].as_array().map(Vec::len), Some(24));
}

// ---------------------------------------------------------------------------
// SQL level: the database refuses on its own.
// ---------------------------------------------------------------------------
fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code().map(|c| c.code().to_string()).unwrap_or_default()
}

#[tokio::test]
async fn a_member_context_cannot_write_roles_or_memberships_in_sql() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Sql").await;
    let member = t.token("member");
    let tenant_id = claims(member)["tenant_id"].as_str().expect("t").to_string();
    let member_id = claims(member)["sub"].as_str().expect("sub").to_string();
    let outsider = app.signup("Out", "out@out.test").await;

    let c = as_request(&app, member).await;
    let owner_role: String = c.query_one("SELECT id::text FROM roles WHERE name = 'owner'", &[]).await.expect("roles are readable").get(0);
    for sql in [
        format!("INSERT INTO roles (tenant_id, name) VALUES ('{tenant_id}', 'sneaky')"),
        format!("INSERT INTO memberships (tenant_id, user_id) VALUES ('{tenant_id}', '{}')", outsider.user_id),
        format!("INSERT INTO membership_roles (tenant_id, user_id, role_id) VALUES ('{tenant_id}', '{member_id}', '{owner_role}')"),
    ] {
        c.batch_execute("SAVEPOINT s").await.expect("savepoint");
        let e = c.execute(sql.as_str(), &[]).await.expect_err(&sql);
        // Refused by RLS (42501) or, first, by the escalation guard (TN403).
        assert!(["42501", "TN403"].contains(&sqlstate(&e).as_str()), "{sql}: {e}");
        c.batch_execute("ROLLBACK TO SAVEPOINT s").await.expect("rollback to");
    }
    assert_eq!(c.execute("UPDATE roles SET name = 'x'", &[]).await.expect("update"), 0);
    assert_eq!(c.execute("DELETE FROM membership_roles", &[]).await.expect("delete"), 0);
    assert_eq!(c.execute("UPDATE memberships SET active = false", &[]).await.expect("update"), 0);
}

#[tokio::test]
async fn an_admin_context_cannot_escalate_in_sql() {
    let app = TestApp::spawn().await;
    let t = tenant(&app, "Sqlesc").await;
    let admin = t.token("admin");
    let tenant_id = claims(admin)["tenant_id"].as_str().expect("t").to_string();
    let admin_id = claims(admin)["sub"].as_str().expect("sub").to_string();
    let owner_id = t.owner.user_id.clone();

    let c = as_request(&app, admin).await;
    let owner_role: String = c.query_one("SELECT id::text FROM roles WHERE name = 'owner'", &[]).await.expect("q").get(0);
    let custom: String = c
        .query_one("INSERT INTO roles (tenant_id, name) VALUES ($1::text::uuid, 'mine') RETURNING id::text", &[&tenant_id])
        .await
        .expect("admins create custom roles")
        .get(0);
    for (sql, code) in [
        (format!("INSERT INTO role_permissions VALUES ('{tenant_id}', '{custom}', 'tenant:manage')"), "TN403"),
        (format!("INSERT INTO membership_roles VALUES ('{tenant_id}', '{admin_id}', '{owner_role}')"), "TN403"),
        (format!("DELETE FROM membership_roles WHERE user_id = '{owner_id}'"), "TN403"),
        (format!("UPDATE memberships SET active = false WHERE user_id = '{owner_id}'"), "TN403"),
        (format!("DELETE FROM memberships WHERE user_id = '{owner_id}'"), "TN403"),
        // System roles are read-only, said loudly by the one guard that owns the rule.
        (format!("UPDATE roles SET name = 'x' WHERE id = '{owner_role}'"), "TN409"),
        (format!("INSERT INTO role_permissions VALUES ('{tenant_id}', '{owner_role}', 'users:read')"), "TN409"),
        // The column is not even granted.
        ("UPDATE roles SET system = true".to_string(), "42501"),
    ] {
        c.batch_execute("SAVEPOINT s").await.expect("savepoint");
        match c.execute(sql.as_str(), &[]).await {
            Ok(n) => assert!(code == "OK0" && n == 0, "{sql} affected {n} rows"),
            Err(e) => assert_eq!(sqlstate(&e), code, "{sql}: {e}"),
        }
        c.batch_execute("ROLLBACK TO SAVEPOINT s").await.expect("rollback to");
    }

    // (The admin's transaction holds the tenant's audit chain: end it first.)
    c.batch_execute("ROLLBACK").await.expect("rollback");
    // The owner, in SQL, cannot remove the last owner either.
    let o = as_request(&app, &t.owner.access).await;
    let e = o.execute("DELETE FROM membership_roles WHERE user_id = $1::text::uuid", &[&owner_id]).await.expect_err("last owner");
    assert_eq!(sqlstate(&e), "TN409");
}
