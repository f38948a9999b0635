//! Record-level access over HTTP (issue 15): the own / team / all matrix
//! with four users in two teams, the "mine / my team" filter, search within
//! scope, owner hand-off attacks, hidden fields, scopes in the escalation
//! rule, API keys, teams and a leaving owner. The same rules at the SQL level
//! are in tests/sql/60_record_access.sql.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Response, Session, TestApp, PASSWORD};

struct World {
    owner: Session,
    /// (name, user id, access token) of u1..u4.
    users: Vec<(String, String, String)>,
    /// Contact ids k0 (unowned, by the owner) and k1..k4 (created by u1..u4).
    contacts: Vec<String>,
    rep_own: String,
}

impl World {
    fn token(&self, name: &str) -> &str {
        &self.users.iter().find(|u| u.0 == name).expect("user").2
    }
    fn user_id(&self, name: &str) -> &str {
        &self.users.iter().find(|u| u.0 == name).expect("user").1
    }
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
    app.request(method, path, Some(token), body).await
}

fn first_names(r: &Response) -> Vec<String> {
    let mut names: Vec<String> = r.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {}", r.text))
        .iter()
        .map(|c| c["first_name"].as_str().expect("first_name").to_string())
        .collect();
    names.sort();
    names
}

/// rep_own: CRM permissions with scope own, phone hidden; rep_team: read and
/// write with scope team, delete own. u1, u2 rep_own; u3, u4 rep_team;
/// team North = {u1, u3}, South = {u2, u4}.
async fn world(app: &TestApp) -> World {
    let owner = app.signup("Scopes", "owner@scopes.test").await;
    let r = app
        .post(
            "/api/roles",
            Some(&owner.access),
            json!({"name": "rep_own", "permissions": ["users:read"],
                   "grants": [{"key": "contacts:read", "scope": "own"}, {"key": "contacts:write", "scope": "own"},
                              {"key": "contacts:delete", "scope": "own"}, {"key": "companies:read", "scope": "own"},
                              {"key": "companies:write", "scope": "own"}],
                   "hidden_fields": ["contacts.phone"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let rep_own = r.body["id"].as_str().expect("id").to_string();
    let r = app
        .post(
            "/api/roles",
            Some(&owner.access),
            json!({"name": "rep_team", "permissions": ["users:read", "contacts:read", "contacts:write"],
                   "grants": [{"key": "contacts:read", "scope": "team"}, {"key": "contacts:write", "scope": "team"},
                              {"key": "contacts:delete", "scope": "own"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.body["grants"],
        json!([{"key": "contacts:delete", "scope": "own"}, {"key": "contacts:read", "scope": "team"},
               {"key": "contacts:write", "scope": "team"}, {"key": "users:read", "scope": "all"}]),
        "a key in both permissions and grants takes the grant's scope"
    );

    let mut users = Vec::new();
    for (name, role) in [("u1", "rep_own"), ("u2", "rep_own"), ("u3", "rep_team"), ("u4", "rep_team")] {
        let email = format!("{name}@scopes.test");
        let r = app.post("/api/users", Some(&owner.access), json!({"email": email, "name": name, "password": PASSWORD, "roles": [role]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        let id = r.body["id"].as_str().expect("id").to_string();
        let r = app.login(&email, PASSWORD, Some(&owner.tenant_slug)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        users.push((name.to_string(), id, r.body["access_token"].as_str().expect("token").to_string()));
    }
    let mut w = World { owner, users, contacts: Vec::new(), rep_own };
    for (team, members) in [("North", ["u1", "u3"]), ("South", ["u2", "u4"])] {
        let ids: Vec<&str> = members.iter().map(|m| w.user_id(m)).collect();
        let r = app.post("/api/teams", Some(&w.owner.access), json!({"name": team, "members": ids})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["members"].as_array().map(Vec::len), Some(2));
    }
    let r = app.post("/api/contacts", Some(&w.owner.access), json!({"first_name": "k0", "owner_id": null})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["owner_id"], Value::Null, "an explicit null leaves the contact unowned");
    w.contacts.push(r.body["id"].as_str().expect("id").to_string());
    for i in 1..=4 {
        let name = format!("u{i}");
        let body = json!({"first_name": format!("k{i}"), "email": format!("k{i}@example.test"), "phone": format!("+1 555 000{i}")});
        let r = app.post("/api/contacts", Some(w.token(&name)), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["owner_id"], w.user_id(&name), "a new contact is owned by its creator");
        w.contacts.push(r.body["id"].as_str().expect("id").to_string());
    }
    w
}

#[tokio::test]
async fn the_own_team_all_matrix_holds_over_http() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let k = |i: usize| w.contacts[i].clone();

    // Lists.
    assert_eq!(first_names(&app.get("/api/contacts", &w.owner.access).await), ["k0", "k1", "k2", "k3", "k4"]);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), ["k1"]);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u2")).await), ["k2"]);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u3")).await), ["k1", "k3"]);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u4")).await), ["k2", "k4"]);
    // The filter narrows, never widens.
    assert_eq!(first_names(&app.get("/api/contacts?owner=me", w.token("u3")).await), ["k3"]);
    assert_eq!(first_names(&app.get("/api/contacts?owner=team", w.token("u3")).await), ["k1", "k3"]);
    assert_eq!(first_names(&app.get("/api/contacts?owner=team", w.token("u1")).await), ["k1"], "scope own with the team filter");
    assert_eq!(first_names(&app.get("/api/contacts?owner=me", &w.owner.access).await), Vec::<String>::new());
    app.get("/api/contacts?owner=everyone", &w.owner.access).await.assert_problem(400);
    // Pages of a filtered list.
    let page = app.get("/api/contacts?owner=team&limit=1", w.token("u3")).await;
    assert_eq!(first_names(&page), ["k3"]);
    let cursor = page.body["next_cursor"].as_str().expect("cursor");
    assert_eq!(first_names(&app.get(&format!("/api/contacts?owner=team&limit=1&cursor={cursor}"), w.token("u3")).await), ["k1"]);
    // Search stays in scope.
    assert_eq!(first_names(&app.get("/api/contacts?q=k", w.token("u1")).await), ["k1"]);
    assert_eq!(first_names(&app.get("/api/contacts?q=k&owner=me", w.token("u4")).await), ["k4"]);

    // Single reads, updates, deletes.
    assert_eq!(app.get(&format!("/api/contacts/{}", k(2)), w.token("u1")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/contacts/{}", k(0)), w.token("u3")).await.status, StatusCode::NOT_FOUND, "unowned: scope all only");
    assert_eq!(app.get(&format!("/api/contacts/{}", k(1)), w.token("u3")).await.status, StatusCode::OK);
    let patch = |id: String, token: &str, body: Value| {
        let token = token.to_string();
        let app = &app;
        async move { send(app, Method::PATCH, &format!("/api/contacts/{id}"), &token, Some(body)).await }
    };
    assert_eq!(patch(k(2), w.token("u1"), json!({"last_name": "x"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(patch(k(1), w.token("u3"), json!({"last_name": "by a teammate"})).await.status, StatusCode::OK);
    assert_eq!(patch(k(2), w.token("u3"), json!({"last_name": "x"})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{}", k(1)), w.token("u3"), None).await.status, StatusCode::NOT_FOUND, "delete scope own");

    // Hand-off attacks.
    patch(k(1), w.token("u1"), json!({"owner_id": w.user_id("u2")})).await.assert_problem(403);
    patch(k(1), w.token("u1"), json!({"owner_id": null})).await.assert_problem(403);
    patch(k(1), w.token("u3"), json!({"owner_id": w.user_id("u4")})).await.assert_problem(403);
    assert_eq!(patch(k(2), w.token("u1"), json!({"owner_id": w.user_id("u1")})).await.status, StatusCode::NOT_FOUND, "cannot take what it cannot see");
    app.post("/api/contacts", Some(w.token("u1")), json!({"first_name": "planted", "owner_id": w.user_id("u2")})).await.assert_problem(403);
    app.post("/api/contacts", Some(w.token("u1")), json!({"first_name": "unowned", "owner_id": null})).await.assert_problem(403);
    let r = patch(k(1), w.token("u3"), json!({"owner_id": w.user_id("u3")})).await;
    assert_eq!(r.status, StatusCode::OK, "a teammate takes over: {}", r.text);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), Vec::<String>::new(), "u1 no longer owns k1");
    let r = patch(k(0), &w.owner.access, json!({"owner_id": w.user_id("u4")})).await;
    assert_eq!(r.status, StatusCode::OK, "scope all hands anything to anyone: {}", r.text);
    assert_eq!(send(&app, Method::DELETE, &format!("/api/contacts/{}", k(3)), w.token("u3"), None).await.status, StatusCode::NO_CONTENT);

    // Nothing of this reaches another tenant.
    let other = app.signup("Elsewhere", "owner@elsewhere.test").await;
    assert_eq!(first_names(&app.get("/api/contacts", &other.access).await), Vec::<String>::new());
    let r = app.post("/api/teams", Some(&other.access), json!({"name": "Stolen", "members": [w.user_id("u1")]})).await;
    r.assert_problem(422);
}

#[tokio::test]
async fn hidden_fields_are_absent_in_every_answer_and_search() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let k1 = &w.contacts[1];
    let mine = app.get(&format!("/api/contacts/{k1}"), w.token("u1")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body["phone"], Value::Null, "rep_own hides the phone");
    assert_eq!(mine.body["email"], "k1@example.test", "but not the email");
    let list = app.get("/api/contacts", w.token("u1")).await;
    assert_eq!(list.body["items"][0]["phone"], Value::Null);
    let r = send(&app, Method::PATCH, &format!("/api/contacts/{k1}"), w.token("u1"), Some(json!({"phone": "+1 555 9999"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["phone"], Value::Null, "written, but still not shown to its writer");
    // Searching a hidden field finds nothing (it would reveal the value).
    assert_eq!(first_names(&app.get("/api/contacts?q=555", w.token("u1")).await), Vec::<String>::new());
    // Others see it.
    let seen = app.get(&format!("/api/contacts/{k1}"), &w.owner.access).await;
    assert_eq!(seen.body["phone"], "+1 555 9999");
    let seen = app.get(&format!("/api/contacts/{k1}"), w.token("u3")).await;
    assert_eq!(seen.body["phone"], "+1 555 9999", "rep_team hides nothing");
    // The role shows what it hides.
    let role = app.get(&format!("/api/roles/{}", w.rep_own), &w.owner.access).await;
    assert_eq!(role.body["hidden_fields"], json!(["contacts.phone"]));
    // The catalogue names the hideable fields and which permissions take a scope.
    let catalog = app.get("/api/permissions", &w.owner.access).await;
    let read = catalog.body["items"].as_array().expect("items").iter().find(|p| p["key"] == "contacts:read").cloned().expect("contacts:read");
    assert_eq!(read["scopable"], true);
    assert_eq!(read["hideable_fields"], json!(["contacts.email", "contacts.phone"]));
    // The audit log leaves the hidden values out too.
    let r = app
        .post("/api/roles", Some(&w.owner.access),
              json!({"name": "auditor", "permissions": ["audit:read", "contacts:read"], "hidden_fields": ["contacts.phone"]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app.post("/api/users", Some(&w.owner.access), json!({"email": "aud@scopes.test", "name": "Aud", "password": PASSWORD, "roles": ["auditor"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let auditor = app.login("aud@scopes.test", PASSWORD, Some(&w.owner.tenant_slug)).await.body["access_token"].as_str().expect("token").to_string();
    let has = |r: &Response, field: &str| r.body["items"].as_array().expect("items").iter().any(|e| e["changes"].get(field).is_some());
    let log = app.get("/api/audit-logs?entity=contact&limit=200", &auditor).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.text);
    assert!(!has(&log, "phone"), "no phone in the auditor's log: {}", log.text);
    assert!(has(&log, "email"), "the email is there");
    assert!(has(&app.get("/api/audit-logs?entity=contact&limit=200", &w.owner.access).await, "phone"), "the owner sees the phones");
    // An unknown field is 422.
    let r = send(&app, Method::PATCH, &format!("/api/roles/{}", w.rep_own), &w.owner.access, Some(json!({"hidden_fields": ["contacts.ssn"]}))).await;
    r.assert_problem(422);
}

#[tokio::test]
async fn scopes_and_fields_count_in_the_escalation_rule() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // A lead manages roles but reads contacts only with scope team and
    // without emails.
    let r = app
        .post(
            "/api/roles",
            Some(&w.owner.access),
            json!({"name": "lead", "permissions": ["roles:manage", "users:read", "users:manage"],
                   "grants": [{"key": "contacts:read", "scope": "team"}], "hidden_fields": ["contacts.email"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app.post("/api/users", Some(&w.owner.access), json!({"email": "lead@scopes.test", "name": "Lead", "password": PASSWORD, "roles": ["lead"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let lead = app.login("lead@scopes.test", PASSWORD, Some(&w.owner.tenant_slug)).await.body["access_token"].as_str().expect("token").to_string();

    let wider = json!({"name": "wider", "permissions": [], "grants": [{"key": "contacts:read", "scope": "all"}], "hidden_fields": ["contacts.email"]});
    app.post("/api/roles", Some(&lead), wider).await.assert_problem(403);
    let showing = json!({"name": "showing", "permissions": [], "grants": [{"key": "contacts:read", "scope": "own"}]});
    app.post("/api/roles", Some(&lead), showing).await.assert_problem(403);
    let narrower = json!({"name": "narrower", "permissions": [], "grants": [{"key": "contacts:read", "scope": "own"}], "hidden_fields": ["contacts.email"]});
    let r = app.post("/api/roles", Some(&lead), narrower).await;
    assert_eq!(r.status, StatusCode::CREATED, "a narrower scope with the same fields hidden: {}", r.text);
    let narrower_id = r.body["id"].as_str().expect("id").to_string();
    send(&app, Method::PATCH, &format!("/api/roles/{narrower_id}"), &lead, Some(json!({"hidden_fields": []}))).await.assert_problem(403);
    // Nor assigning a role whose grant is wider (rep_team reads with scope team, but writes).
    let r = app.post("/api/users", Some(&lead), json!({"email": "x@scopes.test", "name": "X", "password": PASSWORD, "roles": ["member"]})).await;
    r.assert_problem(403);
    // A permission that takes no scope.
    let r = app.post("/api/roles", Some(&w.owner.access), json!({"name": "odd", "permissions": [], "grants": [{"key": "users:read", "scope": "own"}]})).await;
    r.assert_problem(422);
}

#[tokio::test]
async fn an_api_key_reaches_no_more_than_its_role_scope_and_its_creator() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let r = app.post("/api/api-keys", Some(&w.owner.access), json!({"name": "own only", "roles": ["rep_own"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let key = r.body["secret"].as_str().expect("secret").to_string();
    // The owner owns none of k0..k4 (k0 is unowned): the key sees nothing.
    assert_eq!(first_names(&app.get("/api/contacts", &key).await), Vec::<String>::new());
    let r = app.post("/api/contacts", Some(&key), json!({"first_name": "via key", "phone": "+1 555 7777"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["owner_id"], w.owner.user_id.as_str(), "owned by the key's creator");
    assert_eq!(r.body["phone"], Value::Null, "the key's role hides the phone");
    assert_eq!(first_names(&app.get("/api/contacts", &key).await), ["via key"]);
}

#[tokio::test]
async fn teams_are_managed_by_team_managers_and_a_leaving_owner_hands_over() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let teams = app.get("/api/teams", w.token("u1")).await;
    assert_eq!(teams.status, StatusCode::OK);
    assert_eq!(teams.body["items"].as_array().map(Vec::len), Some(2), "every member reads the teams");
    app.post("/api/teams", Some(w.token("u1")), json!({"name": "Mine"})).await.assert_problem(403);
    let north = teams.body["items"].as_array().expect("items").iter().find(|t| t["name"] == "North").expect("north")["id"].as_str().expect("id").to_string();
    let r = send(&app, Method::PUT, &format!("/api/teams/{north}/members/{}", w.user_id("u1")), w.token("u1"), None).await;
    r.assert_problem(403);
    app.post("/api/teams", Some(&w.owner.access), json!({"name": "north"})).await.assert_problem(409);

    // u4 joins North: u3 now reaches u4's contact.
    let r = send(&app, Method::PUT, &format!("/api/teams/{north}/members/{}", w.user_id("u4")), &w.owner.access, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u3")).await), ["k1", "k3", "k4"]);
    let r = send(&app, Method::DELETE, &format!("/api/teams/{north}/members/{}", w.user_id("u4")), &w.owner.access, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u3")).await), ["k1", "k3"], "and no longer once they leave the team");

    // u4 leaves the tenant: their contact passes to the owner who removed them.
    let r = send(&app, Method::DELETE, &format!("/api/users/{}", w.user_id("u4")), &w.owner.access, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let k4 = app.get(&format!("/api/contacts/{}", w.contacts[4]), &w.owner.access).await;
    assert_eq!(k4.body["owner_id"], w.owner.user_id.as_str());
    let south = app.get("/api/teams", &w.owner.access).await.body["items"].as_array().expect("items").iter().find(|t| t["name"] == "South").cloned().expect("south");
    assert_eq!(south["members"], json!([w.user_id("u2")]), "and leaves their teams");
    let r = send(&app, Method::DELETE, &format!("/api/teams/{north}"), &w.owner.access, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u3")).await), ["k3"], "without a team, team scope is the caller's own");
}

#[tokio::test]
async fn the_servers_scope_hint_only_shapes_the_query_never_the_answer() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // u1 lists twice: the second list reads owner by owner (the server
    // remembered that u1's scope is narrower than all).
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), ["k1"]);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), ["k1"]);
    // u1 becomes a member (scope all) while the hint still says narrowed:
    // the very next list shows every contact.
    let r = send(&app, Method::PATCH, &format!("/api/users/{}", w.user_id("u1")), &w.owner.access, Some(json!({"roles": ["rep_own", "member"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), ["k0", "k1", "k2", "k3", "k4"]);
    // And back: the next list is narrowed again, whatever the hint said.
    let r = send(&app, Method::PATCH, &format!("/api/users/{}", w.user_id("u1")), &w.owner.access, Some(json!({"roles": ["rep_own"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), ["k1"]);
    assert_eq!(first_names(&app.get("/api/contacts", w.token("u1")).await), ["k1"]);
    // Pages of a hinted list follow the same keyset.
    let r = app.post("/api/contacts", Some(w.token("u1")), json!({"first_name": "k1b"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let page = app.get("/api/contacts?limit=1", w.token("u1")).await;
    assert_eq!(first_names(&page), ["k1b"]);
    let cursor = page.body["next_cursor"].as_str().expect("cursor");
    assert_eq!(first_names(&app.get(&format!("/api/contacts?limit=1&cursor={cursor}"), w.token("u1")).await), ["k1"]);
    // The hint still says narrowed when u1 loses contacts:read altogether:
    // 403, as for any list without the permission (never an empty 200).
    let r = app.post("/api/roles", Some(&w.owner.access), json!({"name": "directory", "permissions": ["users:read"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = send(&app, Method::PATCH, &format!("/api/users/{}", w.user_id("u1")), &w.owner.access, Some(json!({"roles": ["directory"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    app.get("/api/contacts", w.token("u1")).await.assert_problem(403);
}
