//! Search under RLS (issue 13): `q` finds rows through the trigram indexes
//! (app.search_contacts / app.search_companies answer ids as the owner), but
//! the rows are read through RLS, so the policies still decide what is seen.
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{as_request, TestApp};

fn names(r: &crate::helpers::Response, field: &str) -> Vec<String> {
    r.body["items"].as_array().expect("items").iter().map(|i| i[field].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test]
async fn search_finds_through_the_index_but_a_policy_still_hides_rows() {
    let app = TestApp::spawn().await;
    let a = app.signup("Searchers", "owner@search.test").await;
    let b = app.signup("Others", "owner@others.test").await;
    for name in ["Ada Lovelace", "Adam Smith", "Hidden Adams", "Grace Hopper"] {
        let (first, last) = name.split_once(' ').expect("two words");
        let r = app.post("/api/contacts", Some(&a.access), json!({"first_name": first, "last_name": last})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let r = app.post("/api/contacts", Some(&b.access), json!({"first_name": "Adalbert", "last_name": "Other"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = app.post("/api/companies", Some(&a.access), json!({"name": "Adamant Ltd", "domain": "adamant.test"})).await;
    assert_eq!(r.status, StatusCode::CREATED);

    let found = app.get("/api/contacts?q=ADA", &a.access).await;
    assert_eq!(names(&found, "first_name"), ["Hidden", "Adam", "Ada"], "{}", found.text);
    assert_eq!(names(&app.get("/api/companies?q=amant", &a.access).await, "name"), ["Adamant Ltd"]);
    // Keyset pages through search results.
    let first = app.get("/api/contacts?q=ada&limit=2", &a.access).await;
    assert_eq!(names(&first, "first_name"), ["Hidden", "Adam"]);
    let cursor = first.body["next_cursor"].as_str().expect("cursor").to_string();
    let second = app.get(&format!("/api/contacts?q=ada&limit=2&cursor={cursor}"), &a.access).await;
    assert_eq!(names(&second, "first_name"), ["Ada"]);

    // A restrictive policy the search function knows nothing about: if the
    // rows came from the function (as the owner) instead of through RLS, the
    // hidden contact would show.
    let owner = app.owner_client().await;
    owner
        .batch_execute(
            "CREATE POLICY \"test: hide some\" ON contacts AS RESTRICTIVE FOR SELECT TO tenet_api USING (first_name <> 'Hidden')",
        )
        .await
        .expect("policy");
    let found = app.get("/api/contacts?q=ada", &a.access).await;
    assert_eq!(names(&found, "first_name"), ["Adam", "Ada"], "{}", found.text);

    // Another tenant's rows are never found; a forged context finds nothing.
    assert_eq!(names(&app.get("/api/contacts?q=adalbert", &a.access).await, "first_name"), Vec::<String>::new());
    let c = as_request(&app, &a.access).await;
    let ids = c.query("SELECT app.search_contacts('%ada%', NULL, 'all', NULL, NULL, 50)", &[]).await.expect("search");
    assert_eq!(ids.len(), 3, "the function answers ids (the hidden one too): RLS decides on the rows");
    c.execute("SELECT set_config('app.session_secret', 'forged', true)", &[]).await.expect("forge");
    let ids = c.query("SELECT app.search_contacts('%ada%', NULL, 'all', NULL, NULL, 50)", &[]).await.expect("search");
    assert!(ids.is_empty(), "a forged context must find nothing");
    c.execute("SELECT set_config('app.tenant_id', $1, true)", &[&b.tenant_id]).await.expect("forge");
    let ids = c.query("SELECT app.search_contacts('%ada%', NULL, 'all', NULL, NULL, 50)", &[]).await.expect("search");
    assert!(ids.is_empty());
}

#[tokio::test]
async fn search_needs_the_read_permission_in_the_database_too() {
    let app = TestApp::spawn().await;
    let a = app.signup("Perms", "owner@perms.test").await;
    let r = app.post("/api/contacts", Some(&a.access), json!({"first_name": "Findme"})).await;
    assert_eq!(r.status, StatusCode::CREATED);
    // A custom role with no permission at all.
    let role = app.post("/api/roles", Some(&a.access), json!({"name": "nothing", "permissions": []})).await;
    assert_eq!(role.status, StatusCode::CREATED, "{}", role.text);
    let r = app.post("/api/users", Some(&a.access), json!({"email": "none@perms.test", "name": "None", "password": crate::helpers::PASSWORD, "roles": ["nothing"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let login = app.login("none@perms.test", crate::helpers::PASSWORD, Some(&a.tenant_slug)).await;
    let token = login.body["access_token"].as_str().expect("token").to_string();
    app.get("/api/contacts?q=findme", &token).await.assert_problem(403);
    let c = as_request(&app, &token).await;
    let ids = c.query("SELECT app.search_contacts('%findme%', NULL, 'all', NULL, NULL, 50)", &[]).await.expect("search");
    assert!(ids.is_empty(), "without contacts:read the function answers nothing");
}
