//! Input PostgreSQL cannot store, or that is not text at all, is refused at
//! the edge with a problem naming the field: never a 500, never stored.
use reqwest::{header, Method, StatusCode};
use serde_json::json;

use crate::helpers::{Response, TestApp, PASSWORD};

/// Sends a raw JSON text (so escapes like `\u0000` reach the server as written).
async fn post_raw(app: &TestApp, path: &str, token: Option<&str>, body: &str) -> Response {
    let mut req = app.client.post(app.url(path)).header(header::CONTENT_TYPE, "application/json").body(body.to_string());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    Response::read(req.send().await.expect("request")).await
}

fn assert_field(r: &Response, field: &str) {
    r.assert_problem(422);
    let fields: Vec<&str> = r.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, vec![field], "{}", r.text);
}

#[tokio::test]
async fn a_nul_in_any_json_text_field_is_a_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let t = Some(s.access.as_str());

    assert_field(&post_raw(&app, "/api/companies", t, r#"{"name": "Ac\u0000me"}"#).await, "name");
    assert_field(&post_raw(&app, "/api/contacts", t, r#"{"first_name": "a\u0000b"}"#).await, "first_name");
    assert_field(&post_raw(&app, "/api/auth/login", None, r#"{"email": "o@acme.test\u0000", "password": "x"}"#).await, "email");
    let login_slug = format!(r#"{{"email": "o@acme.test", "password": "{PASSWORD}", "tenant": "ac\u0000me"}}"#);
    assert_field(&post_raw(&app, "/api/auth/login", None, &login_slug).await, "tenant");
    let signup = format!(r#"{{"tenant_name": "Evil\u0000Corp", "email": "n@new.test", "password": "{PASSWORD}", "name": "N"}}"#);
    assert_field(&post_raw(&app, "/api/auth/signup", None, &signup).await, "tenant_name");
    assert_field(&post_raw(&app, "/api/roles", t, r#"{"name": "r", "permissions": ["users:read", "x\u0000"]}"#).await, "permissions[1]");

    // Nothing was stored, and a backslash-escaped "\u0000" is ordinary text.
    let r = app.get("/api/companies", &s.access).await;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
    let r = post_raw(&app, "/api/companies", t, r#"{"name": "literally \\u0000"}"#).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["name"], "literally \\u0000");
}

#[tokio::test]
async fn a_lone_surrogate_is_malformed_json() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let r = post_raw(&app, "/api/contacts", Some(&s.access), r#"{"first_name": "a\ud800b"}"#).await;
    r.assert_problem(400);
}

#[tokio::test]
async fn query_strings_that_are_not_utf8_text_are_a_400() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    for query in ["q=a%00b", "q=%FF%FE", "company_id=%00"] {
        let r = app.get(&format!("/api/contacts?{query}"), &s.access).await;
        r.assert_problem(400);
    }
    let r = app.get("/api/audit-logs?entity=%00", &s.access).await;
    r.assert_problem(400);
    // Valid UTF-8 still searches.
    let r = app.get("/api/contacts?q=caf%C3%A9", &s.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn a_user_agent_that_is_not_text_is_ignored_not_a_500() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/api/auth/signup"))
        .header(header::USER_AGENT, header::HeaderValue::from_bytes(b"caf\xe9 \xff").expect("obs-text header"))
        .json(&json!({"tenant_name": "Acme", "email": "o@acme.test", "password": PASSWORD, "name": "O"}))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_body_without_a_json_content_type_is_a_415() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    let r = app
        .client
        .request(Method::POST, app.url("/api/companies"))
        .bearer_auth(&s.access)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(r#"{"name": "Acme"}"#)
        .send()
        .await
        .expect("request");
    Response::read(r).await.assert_problem(415);
}

#[tokio::test]
async fn limits_are_the_ones_the_openapi_document_states() {
    let app = TestApp::spawn().await;
    let s = app.signup("Acme", "o@acme.test").await;
    // Lengths count what was sent, before trimming.
    let padded = format!("{} ", "a".repeat(320));
    let r = app.post("/api/companies", Some(&s.access), json!({"name": padded})).await;
    assert_field(&r, "name");
    let r = app.post("/api/companies", Some(&s.access), json!({"name": "a".repeat(320)})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // q is at most 320 characters; limit is 1..=200.
    app.get(&format!("/api/companies?q={}", "x".repeat(321)), &s.access).await.assert_problem(400);
    app.get("/api/companies?limit=0", &s.access).await.assert_problem(400);
    app.get("/api/companies?limit=201", &s.access).await.assert_problem(400);
    // A name may be omitted from a PATCH, but not null.
    let id = r.body["id"].as_str().expect("id");
    let r = app.request(Method::PATCH, &format!("/api/companies/{id}"), Some(&s.access), Some(json!({"name": null}))).await;
    assert_field(&r, "name");
}
