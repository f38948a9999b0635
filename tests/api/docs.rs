//! The OpenAPI document and Swagger UI, and the rule that no route goes
//! undocumented.
use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::TestApp;

async fn openapi(app: &TestApp) -> Value {
    let r = app.request(Method::GET, "/api/docs/openapi.json", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    r.body
}

#[tokio::test]
async fn openapi_document_is_3_1_with_the_bearer_scheme() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    assert!(doc["openapi"].as_str().unwrap_or_default().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert_eq!(doc["paths"]["/api/auth/me"]["get"]["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(doc["paths"]["/api/auth/login"]["post"]["security"], serde_json::json!([]), "login must not require a token");
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.client.get(app.url("/api/docs")).send().await.expect("request");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("text");
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("unpkg.com") && !html.contains("cdn.jsdelivr"), "Swagger UI must not load assets from the internet");
    // Every asset the page references answers from our server.
    for asset in html.split(['"', '\'']).filter(|s| s.ends_with(".js") || s.ends_with(".css")) {
        let path = if asset.starts_with('/') { asset.to_string() } else { format!("/api/docs/{}", asset.trim_start_matches("./")) };
        let r = app.client.get(app.url(&path)).send().await.expect("asset");
        assert_eq!(r.status(), StatusCode::OK, "asset {path}");
    }
}

const METHODS: [&str; 5] = ["get", "post", "patch", "put", "delete"];

/// A concrete URL for a documented path template.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| if segment.starts_with('{') { "00000000-0000-0000-0000-000000000000" } else { segment })
        .collect::<Vec<_>>()
        .join("/")
}

/// Asks the built router, not the source text: every documented operation
/// is routed (it never reaches the catch-all that answers unknown API
/// paths), every method the document does not list on a documented path is
/// 405, and every operation has a summary, a success answer and, but for
/// health and readiness, its 4xx answers.
#[tokio::test]
async fn every_route_is_documented() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    let paths = doc["paths"].as_object().expect("paths");
    let catch_all = app.request(Method::GET, "/api/no-such-route", None, None).await;
    catch_all.assert_problem(404);
    let catch_all_detail = catch_all.body["detail"].clone();

    for (path, item) in paths {
        let item = item.as_object().expect("path item");
        for method in METHODS {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = app.client.request(m, app.url(&concrete(path))).header("content-type", "application/json").body("{}").send().await.expect("r");
            let status = r.status();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            match item.get(method) {
                Some(op) => {
                    assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is documented but not routed");
                    assert_ne!(body["detail"], catch_all_detail, "{method} {path} is documented but reaches the catch-all");
                    assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} has no summary");
                    assert!(op["operationId"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path} has no operationId");
                    let responses = op["responses"].as_object().expect("responses");
                    assert!(responses.keys().any(|k| k.starts_with('2')), "{method} {path} documents no success response");
                    if !["/api/health", "/api/ready"].contains(&path.as_str()) {
                        assert!(responses.keys().any(|k| k.starts_with('4')), "{method} {path} documents no 4xx answer");
                    }
                }
                None => assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} answers but is not documented"),
            }
        }
    }
}

#[tokio::test]
async fn the_contract_routes_are_all_documented() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    for (path, method) in [
        ("/api/auth/signup", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/me", "get"),
        ("/api/auth/refresh", "post"),
        ("/api/auth/logout", "post"),
        ("/api/auth/switch-tenant", "post"),
        ("/api/auth/sessions", "get"),
        ("/api/auth/sessions/{id}", "delete"),
        ("/api/auth/password", "post"),
        ("/api/health", "get"),
        ("/api/ready", "get"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path} is not documented");
    }
}

/// The frontend's API types are generated from `frontend/openapi.json`; this
/// keeps that snapshot identical to what the code generates.
#[test]
fn the_openapi_snapshot_is_current() {
    let (_, openapi) = tenet::startup::api_router();
    let generated: Value = serde_json::from_slice(&tenet::api::docs::to_json(&openapi)).expect("json");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend/openapi.json");
    let snapshot: Value = std::fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    if generated != snapshot {
        if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
            std::fs::write(&path, format!("{}\n", serde_json::to_string_pretty(&generated).expect("json"))).expect("write");
        } else {
            panic!("frontend/openapi.json is stale: run `UPDATE_SNAPSHOTS=1 cargo test --test api the_openapi_snapshot`, then `npm run gen:api` in frontend/");
        }
    }
}
