//! Companies and contacts: CRUD, validation, PATCH semantics, keyset
//! pagination under concurrent inserts, literal search, tenant isolation and
//! audit entries.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{as_request, claims, Response, Session, TestApp, PASSWORD};

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
    app.request(method, path, Some(token), body).await
}

async fn create(app: &TestApp, token: &str, resource: &str, body: Value) -> Value {
    let r = send(app, Method::POST, &format!("/api/{resource}"), token, Some(body)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

async fn list(app: &TestApp, token: &str, path: &str) -> Vec<Value> {
    let r = app.get(path, token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["items"].as_array().expect("items").clone()
}

fn names(items: &[Value], field: &str) -> Vec<String> {
    items.iter().map(|i| i[field].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn companies_crud_with_patch_semantics() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let r = send(&app, Method::POST, "/api/companies", &o.access, Some(json!({"name": "  Globex  ", "domain": "globex.test", "industry": "Energy", "owner_id": o.user_id}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().expect("id").to_string();
    assert_eq!(r.header("location"), Some(format!("/api/companies/{id}").as_str()));
    assert_eq!(r.body["name"], "Globex", "names are trimmed");
    assert_eq!(r.body["owner_id"], o.user_id);

    let path = format!("/api/companies/{id}");
    let got = app.get(&path, &o.access).await;
    assert_eq!(got.body, r.body);

    // Only the given fields change; null clears an optional one.
    let p = send(&app, Method::PATCH, &path, &o.access, Some(json!({"industry": null, "domain": "globex.example"}))).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(p.body["name"], "Globex");
    assert_eq!(p.body["domain"], "globex.example");
    assert!(p.body["industry"].is_null());
    assert_eq!(p.body["owner_id"], o.user_id);
    assert!(p.body["updated_at"].as_str() > r.body["updated_at"].as_str());
    let unchanged = send(&app, Method::PATCH, &path, &o.access, Some(json!({}))).await;
    assert_eq!(unchanged.body["domain"], "globex.example");
    send(&app, Method::PATCH, &path, &o.access, Some(json!({"name": null}))).await.assert_problem(422);

    assert_eq!(send(&app, Method::DELETE, &path, &o.access, None).await.status, StatusCode::NO_CONTENT);
    app.get(&path, &o.access).await.assert_problem(404);
    send(&app, Method::DELETE, &path, &o.access, None).await.assert_problem(404);
}

#[tokio::test]
async fn contacts_crud_company_filter_and_company_deletion() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let globex = create(&app, &o.access, "companies", json!({"name": "Globex"})).await;
    let initech = create(&app, &o.access, "companies", json!({"name": "Initech"})).await;
    let ann = create(&app, &o.access, "contacts", json!({"first_name": "Ann", "last_name": "Lee", "email": "ann@globex.test", "phone": "+1 555", "company_id": globex["id"]})).await;
    create(&app, &o.access, "contacts", json!({"first_name": "Bob", "company_id": initech["id"]})).await;
    create(&app, &o.access, "contacts", json!({"first_name": "Cy"})).await;

    let at_globex = list(&app, &o.access, &format!("/api/contacts?company_id={}", globex["id"].as_str().expect("id"))).await;
    assert_eq!(names(&at_globex, "first_name"), vec!["Ann"]);
    assert_eq!(names(&list(&app, &o.access, "/api/contacts").await, "first_name"), vec!["Cy", "Bob", "Ann"], "newest first");

    let path = format!("/api/contacts/{}", ann["id"].as_str().expect("id"));
    let p = send(&app, Method::PATCH, &path, &o.access, Some(json!({"last_name": null, "email": "ANN@globex.test"}))).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert!(p.body["last_name"].is_null());
    assert_eq!(p.body["email"], "ANN@globex.test");
    assert_eq!(p.body["company_id"], globex["id"]);

    // Deleting the company keeps the contact, without the company.
    send(&app, Method::DELETE, &format!("/api/companies/{}", globex["id"].as_str().expect("id")), &o.access, None).await;
    let after = app.get(&path, &o.access).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.body["company_id"].is_null());
}

#[tokio::test]
async fn validation_errors_name_their_fields() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let r = send(&app, Method::POST, "/api/companies", &o.access, Some(json!({"name": " ", "domain": "d".repeat(2001)}))).await;
    r.assert_problem(422);
    let fields: Vec<&str> = r.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["name", "domain"]);
    let r = send(&app, Method::POST, "/api/companies", &o.access, Some(json!({"name": "x".repeat(321)}))).await;
    r.assert_problem(422);
    let r = send(&app, Method::POST, "/api/companies", &o.access, Some(json!({"domain": "no-name.test"}))).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "name");
    let r = send(&app, Method::POST, "/api/contacts", &o.access, Some(json!({"first_name": "A", "email": "not an email", "last_name": "l".repeat(321)}))).await;
    r.assert_problem(422);
    let fields: Vec<&str> = r.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec!["last_name", "email"]);
    let r = send(&app, Method::POST, "/api/contacts", &o.access, Some(json!({"first_name": "A", "company_id": "not-a-uuid"}))).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "company_id");
    assert!(list(&app, &o.access, "/api/companies").await.is_empty(), "nothing was stored");
    assert!(list(&app, &o.access, "/api/contacts").await.is_empty());
}

#[tokio::test]
async fn pages_neither_skip_nor_repeat_while_rows_are_inserted() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    for i in 0..10 {
        create(&app, &o.access, "companies", json!({"name": format!("Company {i:02}")})).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut inserted = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/companies?limit=3&cursor={c}"),
            None => "/api/companies?limit=3".into(),
        };
        let r = app.get(&path, &o.access).await;
        let items = r.body["items"].as_array().expect("items");
        seen.extend(names(items, "name"));
        // Inserts between pages land before the cursor and shift nothing.
        create(&app, &o.access, "companies", json!({"name": format!("Late {inserted}")})).await;
        inserted += 1;
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..10).rev().map(|i| format!("Company {i:02}")).collect();
    assert_eq!(seen, expected);
    app.get("/api/companies?limit=0", &o.access).await.assert_problem(400);
    app.get("/api/companies?limit=201", &o.access).await.assert_problem(400);
    app.get("/api/companies?cursor=bogus", &o.access).await.assert_problem(400);
    app.get("/api/contacts?company_id=nope", &o.access).await.assert_problem(400);
}

#[tokio::test]
async fn search_is_case_insensitive_and_wildcards_are_literal() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let tricky = [
        "50% Off Ltd",
        "under_score inc",
        "Robert'); DROP TABLE companies;--",
        "back\\slash",
        "Plain Acme Corp",
        "5000 Offices",
        "underXscore",
    ];
    for (i, name) in tricky.iter().enumerate() {
        let c = create(&app, &o.access, "companies", json!({"name": name, "domain": format!("d{i}.example")})).await;
        assert_eq!(c["name"], *name, "stored verbatim");
    }
    let search = |q: &str| {
        let q = q.to_string();
        let app = &app;
        let token = o.access.clone();
        async move {
            let url = reqwest::Url::parse_with_params(&app.url("/api/companies"), &[("q", q.as_str())]).expect("url");
            let r = app.client.get(url).bearer_auth(token).send().await.expect("request");
            assert_eq!(r.status(), StatusCode::OK);
            let body: Value = r.json().await.expect("json");
            let mut found = names(body["items"].as_array().expect("items"), "name");
            found.sort();
            found
        }
    };
    assert_eq!(search("%").await, vec!["50% Off Ltd"]);
    assert_eq!(search("_").await, vec!["under_score inc"]);
    assert_eq!(search("'); DROP").await, vec!["Robert'); DROP TABLE companies;--"]);
    assert_eq!(search("\\").await, vec!["back\\slash"]);
    assert_eq!(search("ACME").await, vec!["Plain Acme Corp"]);
    assert_eq!(search("off").await, vec!["50% Off Ltd", "5000 Offices"]);
    assert_eq!(search("D1.EXAMPLE").await, vec!["under_score inc"], "the domain is searched too");
    assert_eq!(search("nothing like it").await, Vec::<String>::new());

    create(&app, &o.access, "contacts", json!({"first_name": "Zoë", "last_name": "O'Brien", "email": "zoe_100%@mail.test"})).await;
    create(&app, &o.access, "contacts", json!({"first_name": "Zed", "email": "zed1000@mail.test"})).await;
    let url = reqwest::Url::parse_with_params(&app.url("/api/contacts"), &[("q", "_100%")]).expect("url");
    let r: Value = app.client.get(url).bearer_auth(&o.access).send().await.expect("r").json().await.expect("json");
    assert_eq!(names(r["items"].as_array().expect("items"), "first_name"), vec!["Zoë"]);
    assert_eq!(names(&list(&app, &o.access, "/api/contacts?q=o%27brien").await, "first_name"), vec!["Zoë"]);
}

#[tokio::test]
async fn another_tenants_records_and_references_are_invisible() {
    let app = TestApp::spawn().await;
    let a = app.signup("Aaa", "o@aaa.test").await;
    let b = app.signup("Bbb", "o@bbb.test").await;
    let b_company = create(&app, &b.access, "companies", json!({"name": "B secret"})).await;
    let b_contact = create(&app, &b.access, "contacts", json!({"first_name": "B person"})).await;
    let b_company_id = b_company["id"].as_str().expect("id");
    let b_contact_id = b_contact["id"].as_str().expect("id");

    for (method, path, body) in [
        (Method::GET, format!("/api/companies/{b_company_id}"), None),
        (Method::PATCH, format!("/api/companies/{b_company_id}"), Some(json!({"name": "mine"}))),
        (Method::DELETE, format!("/api/companies/{b_company_id}"), None),
        (Method::GET, format!("/api/contacts/{b_contact_id}"), None),
        (Method::PATCH, format!("/api/contacts/{b_contact_id}"), Some(json!({"first_name": "mine"}))),
        (Method::DELETE, format!("/api/contacts/{b_contact_id}"), None),
    ] {
        send(&app, method, &path, &a.access, body).await.assert_problem(404);
    }
    assert!(list(&app, &a.access, "/api/companies?q=secret").await.is_empty());
    assert!(list(&app, &a.access, &format!("/api/contacts?company_id={b_company_id}")).await.is_empty());

    // References into another tenant answer exactly like unknown ones.
    let foreign = send(&app, Method::POST, "/api/contacts", &a.access, Some(json!({"first_name": "X", "company_id": b_company_id}))).await;
    let unknown = send(&app, Method::POST, "/api/contacts", &a.access, Some(json!({"first_name": "X", "company_id": Uuid::new_v4()}))).await;
    foreign.assert_problem(422);
    assert_eq!(foreign.body, unknown.body);
    assert_eq!(foreign.body["errors"][0]["field"], "company_id");
    let foreign_owner = send(&app, Method::POST, "/api/companies", &a.access, Some(json!({"name": "X", "owner_id": b.user_id}))).await;
    let unknown_owner = send(&app, Method::POST, "/api/companies", &a.access, Some(json!({"name": "X", "owner_id": Uuid::new_v4()}))).await;
    foreign_owner.assert_problem(422);
    assert_eq!(foreign_owner.body, unknown_owner.body);
    let mine = create(&app, &a.access, "contacts", json!({"first_name": "Mine"})).await;
    let r = send(&app, Method::PATCH, &format!("/api/contacts/{}", mine["id"].as_str().expect("id")), &a.access, Some(json!({"owner_id": b.user_id}))).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "owner_id");

    // B's data is intact.
    assert_eq!(app.get(&format!("/api/companies/{b_company_id}"), &b.access).await.body["name"], "B secret");
}

#[tokio::test]
async fn permissions_are_enforced_per_action_and_by_the_database() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    for (email, role) in [("v@acme.test", "viewer"), ("m@acme.test", "member")] {
        let r = app.post("/api/users", Some(&o.access), json!({"email": email, "name": role, "password": PASSWORD, "roles": [role]})).await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let viewer = Session::from(&app.login("v@acme.test", PASSWORD, None).await);
    let member = Session::from(&app.login("m@acme.test", PASSWORD, None).await);
    let company = create(&app, &o.access, "companies", json!({"name": "Globex"})).await;
    let path = format!("/api/companies/{}", company["id"].as_str().expect("id"));

    assert_eq!(list(&app, &viewer.access, "/api/companies").await.len(), 1);
    send(&app, Method::POST, "/api/companies", &viewer.access, Some(json!({"name": "V"}))).await.assert_problem(403);
    send(&app, Method::PATCH, &path, &viewer.access, Some(json!({"name": "V"}))).await.assert_problem(403);
    send(&app, Method::DELETE, &path, &viewer.access, None).await.assert_problem(403);
    create(&app, &member.access, "companies", json!({"name": "By member"})).await;
    assert_eq!(send(&app, Method::PATCH, &path, &member.access, Some(json!({"name": "Edited"}))).await.status, StatusCode::OK);
    send(&app, Method::DELETE, &path, &member.access, None).await.assert_problem(403);

    // The database refuses the viewer on its own, handlers skipped.
    let claims = claims(&viewer.access);
    let c = as_request(&app, &viewer.access).await;
    let e = c
        .execute("INSERT INTO companies (tenant_id, name) VALUES ($1::text::uuid, 'sneaky')", &[&claims["tenant_id"].as_str()])
        .await
        .expect_err("viewer insert");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
    let c = as_request(&app, &viewer.access).await;
    assert_eq!(c.execute("UPDATE companies SET name = 'x'", &[]).await.expect("update"), 0);
    assert_eq!(c.execute("DELETE FROM companies", &[]).await.expect("delete"), 0);
}

#[tokio::test]
async fn each_change_is_audited() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let company = create(&app, &o.access, "companies", json!({"name": "Globex", "domain": "globex.test"})).await;
    let id = company["id"].as_str().expect("id");
    let contact = create(&app, &o.access, "contacts", json!({"first_name": "Ann", "company_id": id})).await;
    send(&app, Method::PATCH, &format!("/api/companies/{id}"), &o.access, Some(json!({"name": "Globex Two"}))).await;
    send(&app, Method::DELETE, &format!("/api/companies/{id}"), &o.access, None).await;

    let entries = list(&app, &o.access, &format!("/api/audit-logs?record_id={id}")).await;
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().expect("action")).collect();
    assert_eq!(actions, vec!["delete", "update", "insert"]);
    assert!(entries.iter().all(|e| e["entity"] == "company" && e["actor_id"] == o.user_id));
    assert_eq!(entries[1]["changes"], json!({"name": {"old": "Globex", "new": "Globex Two"}}));
    assert_eq!(entries[2]["changes"]["domain"], json!({"old": null, "new": "globex.test"}));

    // The contact lost its company through the cascade: recorded too.
    let contact_entries = list(&app, &o.access, &format!("/api/audit-logs?record_id={}", contact["id"].as_str().expect("id"))).await;
    let actions: Vec<&str> = contact_entries.iter().map(|e| e["action"].as_str().expect("action")).collect();
    assert_eq!(actions, vec!["update", "insert"]);
    assert_eq!(contact_entries[0]["changes"]["company_id"]["new"], Value::Null);
}

#[tokio::test]
async fn lists_answer_403_without_read_and_401_after_logout() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    create(&app, &o.access, "companies", json!({"name": "Globex"})).await;
    app.post("/api/roles", Some(&o.access), json!({"name": "nothing", "permissions": []})).await;
    app.post("/api/users", Some(&o.access), json!({"email": "n@acme.test", "name": "N", "password": PASSWORD, "roles": ["nothing"]})).await;
    let nobody = Session::from(&app.login("n@acme.test", PASSWORD, None).await);

    app.get("/api/companies", &nobody.access).await.assert_problem(403);
    app.get("/api/contacts", &nobody.access).await.assert_problem(403);

    assert_eq!(list(&app, &o.access, "/api/companies").await.len(), 1);
    app.request(Method::POST, "/api/auth/logout", Some(&o.access), None).await;
    app.get("/api/companies", &o.access).await.assert_problem(401);
    app.get("/api/contacts", &o.access).await.assert_problem(401);
}
