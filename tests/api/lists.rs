//! The list grammar over HTTP (issue 16): `field=value`, `field[gte]` /
//! `field[lte]` bounds, `sort=field` / `sort=-field` with keyset pages (the
//! id breaks ties, NULLs last), unknown parameters and bad values as 400, and
//! sorted lists still bounded by the caller's scope.
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};

fn names(r: &crate::helpers::Response, field: &str) -> Vec<String> {
    r.body["items"].as_array().unwrap_or_else(|| panic!("no items in {}", r.text)).iter().map(|i| i[field].as_str().unwrap_or("-").to_string()).collect()
}

/// Every page of `path` (which has its own query string) with `limit`.
async fn all_pages(app: &TestApp, token: &str, path: &str, limit: usize, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    for _ in 0..20 {
        let r = app.get(&format!("{path}&limit={limit}&cursor={cursor}"), token).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text);
        out.extend(names(&r, field));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = c.to_string(),
            None => return out,
        }
    }
    panic!("more than 20 pages of {path}");
}

#[tokio::test]
async fn lists_filter_and_sort_by_one_grammar_with_keyset_pages() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Grammar Co", "owner@grammar.test").await;
    let t = &owner.access;
    for (name, amount, close) in [("A", Value::Null, "2027-01-10"), ("B", json!("100.00"), "2026-12-01"), ("C", json!("250.50"), "2026-12-15"),
                                  ("D", json!("250.50"), Value::Null.as_str().unwrap_or("")), ("E", json!("1000.00"), "2027-03-01"), ("F", Value::Null, "")] {
        let mut body = json!({"name": name});
        if !amount.is_null() {
            body["amount"] = amount;
            body["currency"] = json!("EUR");
        }
        if !close.is_empty() {
            body["expected_close_date"] = json!(close);
        }
        let r = app.post("/api/deals", Some(t), body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }

    // Sorted both ways, two per page: ties by id (C before D: created first),
    // NULLs last in both directions, every page joined seamlessly.
    assert_eq!(all_pages(&app, t, "/api/deals?sort=amount", 2, "name").await, ["B", "C", "D", "E", "A", "F"]);
    assert_eq!(all_pages(&app, t, "/api/deals?sort=-amount", 2, "name").await, ["E", "D", "C", "B", "F", "A"]);
    assert_eq!(all_pages(&app, t, "/api/deals?sort=expected_close_date", 4, "name").await, ["B", "C", "A", "E", "D", "F"]);
    assert_eq!(all_pages(&app, t, "/api/deals?sort=-name", 5, "name").await, ["F", "E", "D", "C", "B", "A"]);
    assert_eq!(all_pages(&app, t, "/api/deals?sort=-created_at", 4, "name").await, ["F", "E", "D", "C", "B", "A"], "the default order");
    assert_eq!(all_pages(&app, t, "/api/deals?sort=created_at", 4, "name").await, ["A", "B", "C", "D", "E", "F"]);

    // Bounds and equality, exact on decimals, combined with a sort.
    let r = app.get("/api/deals?amount[gte]=250.5&amount[lte]=1000&sort=-amount", t).await;
    assert_eq!(names(&r, "name"), ["E", "D", "C"], "{}", r.text);
    let r = app.get("/api/deals?amount%5Bgte%5D=250.51", t).await;
    assert_eq!(names(&r, "name"), ["E"], "percent-encoded brackets work too: {}", r.text);
    let r = app.get("/api/deals?expected_close_date[lte]=2026-12-31&currency=EUR&sort=name", t).await;
    assert_eq!(names(&r, "name"), ["B", "C"], "{}", r.text);
    let r = app.get("/api/deals?owner_id=me&sort=name&limit=1", t).await;
    assert_eq!(names(&r, "name"), ["A"]);

    // Bad input: 400, never 500.
    for bad in ["/api/deals?colour=red", "/api/deals?sort=colour", "/api/deals?sort=", "/api/deals?amount[gte]=lots", "/api/deals?amount[gte]=1.234",
                "/api/deals?amount[gt]=5", "/api/deals?owner_id=you", "/api/deals?expected_close_date[gte]=tomorrow", "/api/contacts?sort=name",
                "/api/contacts?q=a&sort=first_name", "/api/tasks?sort=-due&limit=5"] {
        let r = app.get(bad, t).await;
        if bad.ends_with("sort=") {
            assert_eq!(r.status, StatusCode::OK, "an empty sort is the default: {}", r.text);
            continue;
        }
        r.assert_problem(400);
    }
    let sorted = app.get("/api/deals?sort=amount&limit=2", t).await;
    let cursor = sorted.body["next_cursor"].as_str().expect("cursor").to_string();
    app.get(&format!("/api/deals?sort=-amount&cursor={cursor}"), t).await.assert_problem(400);
    app.get(&format!("/api/deals?cursor={cursor}"), t).await.assert_problem(400);

    // Contacts without a last name come last; tasks by due date.
    for (first, last) in [("Zoe", Some("Adams")), ("Yan", None), ("Xia", Some("Brown"))] {
        app.post("/api/contacts", Some(t), json!({"first_name": first, "last_name": last})).await;
    }
    assert_eq!(all_pages(&app, t, "/api/contacts?sort=last_name", 1, "first_name").await, ["Zoe", "Xia", "Yan"]);
    assert_eq!(all_pages(&app, t, "/api/contacts?sort=-first_name", 2, "first_name").await, ["Zoe", "Yan", "Xia"]);
    for (title, due) in [("later", Some("2027-02-01")), ("someday", None), ("soon", Some("2026-12-02"))] {
        app.post("/api/tasks", Some(t), json!({"title": title, "due_date": due})).await;
    }
    let r = app.get("/api/tasks?assignee_id=me&done=false&sort=due_date", t).await;
    assert_eq!(names(&r, "title"), ["soon", "later", "someday"], "{}", r.text);
    let r = app.get("/api/tasks?due_date[lte]=2026-12-31", t).await;
    assert_eq!(names(&r, "title"), ["soon"]);

    // A sorted list stays within the caller's scope.
    let r = app
        .post("/api/roles", Some(t), json!({"name": "rep", "permissions": ["users:read"], "grants": [{"key": "deals:read", "scope": "own"}, {"key": "deals:write", "scope": "own"}]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = app.post("/api/users", Some(t), json!({"email": "rep@grammar.test", "name": "Rep", "password": PASSWORD, "roles": ["rep"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let rep = app.login("rep@grammar.test", PASSWORD, Some(&owner.tenant_slug)).await.body["access_token"].as_str().expect("token").to_string();
    let r = app.post("/api/deals", Some(&rep), json!({"name": "Rep's", "amount": "5.00", "currency": "EUR"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(all_pages(&app, &rep, "/api/deals?sort=-amount", 1, "name").await, ["Rep's"]);
    let r = app.get(&format!("/api/deals?sort=name&owner_id={}", owner.user_id), &rep).await;
    assert_eq!(names(&r, "name"), Vec::<String>::new(), "the owner_id filter narrows, never widens");
}
