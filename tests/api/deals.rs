//! Deals in pipelines over HTTP (issue 16, first part): the default pipeline,
//! exact amounts with a currency, stage moves, contacts, filters, the
//! permission matrix and another tenant's ids.
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, PASSWORD};

#[tokio::test]
async fn deals_live_in_the_stages_of_a_pipeline() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Pipeline Co", "owner@pipeline.test").await;
    let pipelines = app.get("/api/pipelines", &owner.access).await;
    assert_eq!(pipelines.status, StatusCode::OK, "{}", pipelines.text);
    let sales = &pipelines.body["items"][0];
    assert_eq!(sales["name"], "Sales");
    let stages: Vec<&str> = sales["stages"].as_array().expect("stages").iter().map(|s| s["name"].as_str().expect("name")).collect();
    assert_eq!(stages, ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"], "a new tenant has the default pipeline");
    let stage = |name: &str| sales["stages"].as_array().expect("stages").iter().find(|s| s["name"] == name).expect("stage")["id"].clone();

    let r = app.post("/api/deals", Some(&owner.access), json!({"name": "Big one", "amount": "1500.50", "currency": "EUR"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["amount"], "1500.50", "exact decimals, as strings");
    assert_eq!(r.body["stage_id"], stage("Lead"), "the first stage of the first pipeline");
    assert_eq!(r.body["owner_id"], owner.user_id.as_str());
    let id = r.body["id"].as_str().expect("id").to_string();
    let entered = r.body["stage_entered_at"].clone();

    for bad in [json!({"name": "x", "amount": "10"}), json!({"name": "x", "amount": "1.234", "currency": "EUR"}),
                json!({"name": "x", "amount": "10", "currency": "eur"}), json!({"name": "x", "currency": "EUR"})] {
        app.post("/api/deals", Some(&owner.access), bad).await.assert_problem(422);
    }

    let r = app.request(Method::PATCH, &format!("/api/deals/{id}"), Some(&owner.access), Some(json!({"stage_id": stage("Won")}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["stage_id"], stage("Won"));
    assert_ne!(r.body["stage_entered_at"], entered, "entering a stage stamps the time");
    let won = app.get(&format!("/api/deals?stage_id={}", stage("Won").as_str().expect("id")), &owner.access).await;
    assert_eq!(won.body["items"].as_array().map(Vec::len), Some(1));
    let lead = app.get(&format!("/api/deals?stage_id={}", stage("Lead").as_str().expect("id")), &owner.access).await;
    assert_eq!(lead.body["items"].as_array().map(Vec::len), Some(0));

    // Contacts of the deal; another tenant's ids are 422.
    let c = app.post("/api/contacts", Some(&owner.access), json!({"first_name": "Dana"})).await;
    let contact = c.body["id"].clone();
    let r = app.request(Method::PATCH, &format!("/api/deals/{id}"), Some(&owner.access), Some(json!({"contact_ids": [contact]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["contact_ids"], json!([contact]));
    let on_contact = app.get(&format!("/api/deals?contact_id={}", contact.as_str().expect("id")), &owner.access).await;
    assert_eq!(on_contact.body["items"].as_array().map(Vec::len), Some(1), "the deals a contact is on: {}", on_contact.text);
    let other = app.signup("Other Co", "owner@other.test").await;
    let theirs = app.get("/api/pipelines", &other.access).await.body["items"][0]["stages"][0]["id"].clone();
    let r = app.request(Method::PATCH, &format!("/api/deals/{id}"), Some(&owner.access), Some(json!({"stage_id": theirs}))).await;
    r.assert_problem(422);
    let their_contact = app.post("/api/contacts", Some(&other.access), json!({"first_name": "Theirs"})).await.body["id"].clone();
    let r = app.request(Method::PATCH, &format!("/api/deals/{id}"), Some(&owner.access), Some(json!({"contact_ids": [their_contact]}))).await;
    r.assert_problem(422);
    assert_eq!(app.get(&format!("/api/deals/{id}"), &other.access).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/deals", &other.access).await.body["items"], json!([]));

    // The permission matrix: a viewer reads, a member writes but does not delete.
    for (role, email) in [("viewer", "viewer@pipeline.test"), ("member", "member@pipeline.test")] {
        let r = app.post("/api/users", Some(&owner.access), json!({"email": email, "name": role, "password": PASSWORD, "roles": [role]})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    }
    let token = |r: crate::helpers::Response| r.body["access_token"].as_str().expect("token").to_string();
    let viewer = token(app.login("viewer@pipeline.test", PASSWORD, Some(&owner.tenant_slug)).await);
    let member = token(app.login("member@pipeline.test", PASSWORD, Some(&owner.tenant_slug)).await);
    assert_eq!(app.get("/api/deals", &viewer).await.body["items"].as_array().map(Vec::len), Some(1));
    app.post("/api/deals", Some(&viewer), json!({"name": "nope"})).await.assert_problem(403);
    let r = app.post("/api/deals", Some(&member), json!({"name": "Member deal"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["amount"], Value::Null);
    let mine = app.get("/api/deals?owner=me", &member).await;
    assert_eq!(mine.body["items"].as_array().map(Vec::len), Some(1), "{}", mine.text);
    app.request(Method::DELETE, &format!("/api/deals/{id}"), Some(&member), None).await.assert_problem(403);
    assert_eq!(app.request(Method::DELETE, &format!("/api/deals/{id}"), Some(&owner.access), None).await.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn pipeline_managers_shape_pipelines_and_stages_in_use_stay() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Shapes Co", "owner@shapes.test").await;
    let r = app
        .post("/api/pipelines", Some(&owner.access),
              json!({"name": "Renewals", "stages": [{"name": "Due"}, {"name": "Renewed", "kind": "won"}, {"name": "Churned", "kind": "lost"}]}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let pipeline = r.body["id"].as_str().expect("id").to_string();
    let kinds: Vec<&str> = r.body["stages"].as_array().expect("stages").iter().map(|s| s["kind"].as_str().expect("kind")).collect();
    assert_eq!(kinds, ["open", "won", "lost"]);
    app.post("/api/pipelines", Some(&owner.access), json!({"name": "renewals", "stages": [{"name": "A"}]})).await.assert_problem(409);
    app.post("/api/pipelines", Some(&owner.access), json!({"name": "Empty", "stages": []})).await.assert_problem(422);

    let r = app.post(&format!("/api/pipelines/{pipeline}/stages"), Some(&owner.access), json!({"name": "Negotiating", "position": 1})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let due = r.body["stages"][0]["id"].as_str().expect("id").to_string();
    let r = app.request(Method::PATCH, &format!("/api/stages/{due}"), Some(&owner.access), Some(json!({"name": "Due soon"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["stages"][0]["name"], "Due soon");

    // A deal in the stage keeps it (and its pipeline) from being deleted.
    let r = app.post("/api/deals", Some(&owner.access), json!({"name": "Renew Acme", "pipeline_id": pipeline, "stage_id": due})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let deal = r.body["id"].as_str().expect("id").to_string();
    app.request(Method::DELETE, &format!("/api/stages/{due}"), Some(&owner.access), None).await.assert_problem(409);
    app.request(Method::DELETE, &format!("/api/pipelines/{pipeline}"), Some(&owner.access), None).await.assert_problem(409);
    assert_eq!(app.request(Method::DELETE, &format!("/api/deals/{deal}"), Some(&owner.access), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.request(Method::DELETE, &format!("/api/stages/{due}"), Some(&owner.access), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.request(Method::DELETE, &format!("/api/pipelines/{pipeline}"), Some(&owner.access), None).await.status, StatusCode::NO_CONTENT);

    // A member may not; another tenant cannot even find it.
    let r = app.post("/api/users", Some(&owner.access), json!({"email": "m@shapes.test", "name": "M", "password": PASSWORD, "roles": ["member"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let member = app.login("m@shapes.test", PASSWORD, Some(&owner.tenant_slug)).await.body["access_token"].as_str().expect("token").to_string();
    app.post("/api/pipelines", Some(&member), json!({"name": "Mine", "stages": [{"name": "A"}]})).await.assert_problem(403);
    let sales = app.get("/api/pipelines", &owner.access).await.body["items"][0]["id"].as_str().expect("id").to_string();
    app.request(Method::PATCH, &format!("/api/pipelines/{sales}"), Some(&member), Some(json!({"name": "Hijacked"}))).await.assert_problem(403);
    let other = app.signup("Other Shapes", "owner@othershapes.test").await;
    app.request(Method::PATCH, &format!("/api/pipelines/{sales}"), Some(&other.access), Some(json!({"name": "Hijacked"}))).await.assert_problem(404);
    app.request(Method::DELETE, &format!("/api/pipelines/{sales}"), Some(&other.access), None).await.assert_problem(404);
}
