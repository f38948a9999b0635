//! Notes, tasks and the record timeline over HTTP (issue 16, second part):
//! notes on exactly one record, tasks with an assignee and the database's
//! completion time, "my tasks", scopes (a note follows its author, a task its
//! assignee), links only to records the writer can read, another tenant's
//! ids, and the timeline merging changes (with names, field by field), notes
//! and tasks newest first across pages.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Session, TestApp, PASSWORD};

async fn member(app: &TestApp, owner: &Session, email: &str, name: &str, roles: Value) -> (String, String) {
    let r = app.post("/api/users", Some(&owner.access), json!({"email": email, "name": name, "password": PASSWORD, "roles": roles})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().expect("id").to_string();
    let r = app.login(email, PASSWORD, Some(&owner.tenant_slug)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    (id, r.body["access_token"].as_str().expect("token").to_string())
}

fn ids(r: &crate::helpers::Response) -> Vec<String> {
    r.body["items"].as_array().unwrap_or_else(|| panic!("no items in {}", r.text)).iter().map(|i| i["id"].as_str().expect("id").to_string()).collect()
}

#[tokio::test]
async fn notes_and_tasks_hang_on_records_and_follow_their_scope() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Notes Co", "owner@notes.test").await;
    let contact = app.post("/api/contacts", Some(&owner.access), json!({"first_name": "Dana"})).await.body["id"].as_str().expect("id").to_string();

    // A note: exactly one record; the author is the writer.
    let r = app.post("/api/notes", Some(&owner.access), json!({"body": "Met at **the fair**", "contact_id": contact})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["owner_id"], owner.user_id.as_str());
    assert_eq!(r.body["contact_id"], contact.as_str());
    let note = r.body["id"].as_str().expect("id").to_string();
    app.post("/api/notes", Some(&owner.access), json!({"body": "nowhere"})).await.assert_problem(422);
    let company = app.post("/api/companies", Some(&owner.access), json!({"name": "Initech"})).await.body["id"].clone();
    app.post("/api/notes", Some(&owner.access), json!({"body": "two", "contact_id": contact, "company_id": company})).await.assert_problem(422);
    app.post("/api/notes", Some(&owner.access), json!({"body": "  ", "contact_id": contact})).await.assert_problem(422);
    let r = app.request(Method::PATCH, &format!("/api/notes/{note}"), Some(&owner.access), Some(json!({"body": "Met at the fair, again"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["body"], "Met at the fair, again");
    let on_contact = app.get(&format!("/api/notes?contact_id={contact}"), &owner.access).await;
    assert_eq!(ids(&on_contact), std::slice::from_ref(&note));

    // A task: assigned to the creator by default; done_at is the database's.
    let r = app.post("/api/tasks", Some(&owner.access), json!({"title": "Call Dana", "due_date": "2026-12-01", "contact_id": contact})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["assignee_id"], owner.user_id.as_str());
    assert_eq!(r.body["done"], false);
    assert_eq!(r.body["done_at"], Value::Null);
    let task = r.body["id"].as_str().expect("id").to_string();
    let r = app.request(Method::PATCH, &format!("/api/tasks/{task}"), Some(&owner.access), Some(json!({"done": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["done_at"].is_string(), "completing stamps done_at: {}", r.text);
    let r = app.request(Method::PATCH, &format!("/api/tasks/{task}"), Some(&owner.access), Some(json!({"title": "Call Dana back"}))).await;
    assert!(r.body["done_at"].is_string(), "an edit keeps the completion time: {}", r.text);
    let r = app.request(Method::PATCH, &format!("/api/tasks/{task}"), Some(&owner.access), Some(json!({"done": false}))).await;
    assert_eq!(r.body["done_at"], Value::Null, "reopening clears it");
    app.request(Method::PATCH, &format!("/api/tasks/{task}"), Some(&owner.access), Some(json!({"title": null}))).await.assert_problem(422);

    // Scope own on notes and tasks: a rep sees their own notes and the tasks
    // assigned to them ("my tasks"), and cannot hand a task to a stranger.
    let r = app
        .post(
            "/api/roles",
            Some(&owner.access),
            json!({"name": "rep", "permissions": ["users:read"],
                   "grants": [{"key": "contacts:read", "scope": "own"}, {"key": "contacts:write", "scope": "own"},
                              {"key": "notes:read", "scope": "own"}, {"key": "notes:write", "scope": "own"},
                              {"key": "tasks:read", "scope": "own"}, {"key": "tasks:write", "scope": "own"}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let (rep_id, rep) = member(&app, &owner, "rep@notes.test", "Rep", json!(["rep"])).await;
    let assigned = app.post("/api/tasks", Some(&owner.access), json!({"title": "For the rep", "assignee_id": rep_id})).await;
    assert_eq!(assigned.status, StatusCode::CREATED, "{}", assigned.text);
    let assigned = assigned.body["id"].as_str().expect("id").to_string();
    let mine = app.get("/api/tasks?owner=me&done=false", &rep).await;
    assert_eq!(ids(&mine), std::slice::from_ref(&assigned), "my tasks: {}", mine.text);
    assert_eq!(ids(&app.get("/api/tasks", &rep).await), std::slice::from_ref(&assigned), "the owner's task is out of scope");
    assert_eq!(app.get(&format!("/api/tasks/{task}"), &rep).await.status, StatusCode::NOT_FOUND);
    assert_eq!(ids(&app.get("/api/notes", &rep).await), Vec::<String>::new());
    assert_eq!(app.get(&format!("/api/notes/{note}"), &rep).await.status, StatusCode::NOT_FOUND);
    let r = app.request(Method::PATCH, &format!("/api/tasks/{assigned}"), Some(&rep), Some(json!({"done": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "the assignee completes their task: {}", r.text);
    let r = app.request(Method::PATCH, &format!("/api/tasks/{assigned}"), Some(&rep), Some(json!({"assignee_id": owner.user_id}))).await;
    r.assert_problem(403);
    app.request(Method::PATCH, &format!("/api/notes/{note}"), Some(&rep), Some(json!({"body": "mine now"}))).await.assert_problem(404);
    app.request(Method::DELETE, &format!("/api/tasks/{assigned}"), Some(&rep), None).await.assert_problem(403);

    // Links only to records the writer can read: the owner's contact is out
    // of the rep's scope, and answers like one that does not exist.
    let r = app.post("/api/notes", Some(&rep), json!({"body": "sneaky", "contact_id": contact})).await;
    r.assert_problem(422);
    assert!(r.text.contains("contact_id"), "names the field: {}", r.text);
    let missing = app.post("/api/notes", Some(&rep), json!({"body": "ghost", "contact_id": uuid::Uuid::now_v7()})).await;
    missing.assert_problem(422);
    assert_eq!(r.body["errors"], missing.body["errors"], "invisible and missing answer alike");
    let r = app.request(Method::PATCH, &format!("/api/tasks/{assigned}"), Some(&rep), Some(json!({"contact_id": contact}))).await;
    r.assert_problem(422);
    let own_contact = app.post("/api/contacts", Some(&rep), json!({"first_name": "Rep's"})).await.body["id"].as_str().expect("id").to_string();
    let r = app.post("/api/notes", Some(&rep), json!({"body": "fine", "contact_id": own_contact})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["owner_id"], rep_id.as_str());

    // Another tenant: its ids are invisible, its records unlinkable.
    let other = app.signup("Other Notes", "owner@other-notes.test").await;
    assert_eq!(app.get(&format!("/api/notes/{note}"), &other.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/tasks/{task}"), &other.access).await.status, StatusCode::NOT_FOUND);
    app.post("/api/notes", Some(&other.access), json!({"body": "x", "contact_id": contact})).await.assert_problem(422);
    app.post("/api/tasks", Some(&other.access), json!({"title": "x", "contact_id": contact})).await.assert_problem(422);
    app.request(Method::DELETE, &format!("/api/notes/{note}"), Some(&other.access), None).await.assert_problem(404);
    app.get(&format!("/api/contacts/{contact}/timeline"), &other.access).await.assert_problem(404);

    // A viewer reads notes and tasks but writes neither.
    let (_, viewer) = member(&app, &owner, "viewer@notes.test", "Viewer", json!(["viewer"])).await;
    assert_eq!(app.get(&format!("/api/notes/{note}"), &viewer).await.status, StatusCode::OK);
    app.post("/api/notes", Some(&viewer), json!({"body": "x", "contact_id": contact})).await.assert_problem(403);
    app.post("/api/tasks", Some(&viewer), json!({"title": "x"})).await.assert_problem(403);

    // Deleting the contact takes its notes and tasks with it.
    assert_eq!(app.request(Method::DELETE, &format!("/api/contacts/{contact}"), Some(&owner.access), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/notes/{note}"), &owner.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/tasks/{task}"), &owner.access).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_records_timeline_merges_changes_notes_and_tasks_newest_first() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Timeline Co", "owner@timeline.test").await;
    let r = app.post("/api/deals", Some(&owner.access), json!({"name": "Pilot", "amount": "100.00", "currency": "EUR"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let deal = r.body["id"].as_str().expect("id").to_string();
    let r = app.request(Method::PATCH, &format!("/api/deals/{deal}"), Some(&owner.access), Some(json!({"amount": "250.00"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let note = app.post("/api/notes", Some(&owner.access), json!({"body": "Budget approved", "deal_id": deal})).await;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
    let task = app.post("/api/tasks", Some(&owner.access), json!({"title": "Send contract", "deal_id": deal})).await;
    assert_eq!(task.status, StatusCode::CREATED, "{}", task.text);
    // Another deal's note stays on its own timeline.
    let other = app.post("/api/deals", Some(&owner.access), json!({"name": "Other"})).await.body["id"].as_str().expect("id").to_string();
    app.post("/api/notes", Some(&owner.access), json!({"body": "elsewhere", "deal_id": other})).await;

    let r = app.get(&format!("/api/deals/{deal}/timeline"), &owner.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let items = r.body["items"].as_array().expect("items");
    let kinds: Vec<&str> = items.iter().map(|i| i["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["task", "note", "change", "change"], "newest first: {}", r.text);
    assert_eq!(items[0]["title"], "Send contract");
    assert_eq!(items[1]["body"], "Budget approved");
    assert_eq!(items[1]["actor_name"], "Owner", "who, by name: {}", r.text);
    let update = &items[2];
    assert_eq!(update["action"], "update");
    assert_eq!(update["actor_name"], "Owner");
    let amount = update["changes"].as_array().expect("changes").iter().find(|c| c["field"] == "amount").expect("amount changed");
    assert_eq!((amount["old"].clone(), amount["new"].clone()), (json!(100.00), json!(250.00)), "field by field: {}", r.text);
    assert_eq!(items[3]["action"], "insert");

    // Pages of two: the same four items, in order, then no cursor.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    for _ in 0..3 {
        let r = app.get(&format!("/api/deals/{deal}/timeline?limit=2&cursor={cursor}"), &owner.access).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        seen.extend(ids(&r));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, items.iter().map(|i| i["id"].as_str().expect("id").to_string()).collect::<Vec<_>>());

    // A member without audit:read sees the notes and tasks, not the changes;
    // a record they cannot read is 404; bad cursors are 400.
    let (_, member_token) = member(&app, &owner, "member@timeline.test", "Member", json!(["member"])).await;
    let r = app.get(&format!("/api/deals/{deal}/timeline"), &member_token).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let kinds: Vec<&str> = r.body["items"].as_array().expect("items").iter().map(|i| i["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["task", "note"]);
    app.get(&format!("/api/deals/{}/timeline", uuid::Uuid::now_v7()), &owner.access).await.assert_problem(404);
    app.get(&format!("/api/deals/{deal}/timeline?cursor=nope"), &owner.access).await.assert_problem(400);

    // The audit log names the actor too.
    let r = app.get(&format!("/api/audit-logs?record_id={deal}"), &owner.access).await;
    assert_eq!(r.body["items"][0]["actor_name"], "Owner", "{}", r.text);
}

#[tokio::test]
async fn the_demo_seed_fills_a_believable_pipeline() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Demo Company", "demo@seed.test").await;
    assert_eq!(owner.tenant_slug, "demo-company");
    // scripts/run applies it this way, as the owner role.
    let out = std::process::Command::new("psql")
        .arg(app.db.owner_url())
        .args(["-v", "ON_ERROR_STOP=1", "-q", "-v", "demo_email=demo@seed.test", "-f"])
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/seed-demo.sql"))
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = &owner.access;
    assert_eq!(app.get("/api/deals?limit=200", t).await.body["items"].as_array().map(Vec::len), Some(10));
    let mine = app.get("/api/tasks?assignee_id=me&done=false&sort=due_date", t).await;
    assert_eq!(ids(&mine).len(), 4, "{}", mine.text);
    assert_eq!(mine.body["items"][0]["title"], "Send the DPA to Globex legal", "the overdue one first");
    let globex = app.get("/api/deals?q=Globex", t).await.body["items"][0]["id"].as_str().expect("deal").to_string();
    let timeline = app.get(&format!("/api/deals/{globex}/timeline"), t).await;
    let kinds: Vec<&str> = timeline.body["items"].as_array().expect("items").iter().map(|i| i["kind"].as_str().expect("kind")).collect();
    assert!(kinds.contains(&"note") && kinds.contains(&"task") && kinds.contains(&"change"), "{}", timeline.text);
}
