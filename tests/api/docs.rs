//! The OpenAPI document and Swagger UI, and the rule that no route goes
//! undocumented.
use std::{collections::BTreeSet, path::Path};

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
    assert!(doc["paths"]["/api/auth/login"]["post"]["security"].is_null(), "login must not require a token");
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

/// Paths of the `api_route("…"` calls in src/, and the plain `.route("…"`
/// calls, which are allowed only for the documentation and catch-all routes.
fn routes_in_source() -> (BTreeSet<String>, BTreeSet<String>) {
    let mut documented = BTreeSet::new();
    let mut plain = BTreeSet::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).expect("read src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read file");
            for (marker, set) in [(".api_route(", &mut documented), (".route(", &mut plain)] {
                for piece in text.split(marker).skip(1) {
                    if let Some(route) = piece.trim_start().strip_prefix('"').and_then(|p| p.split('"').next()) {
                        set.insert(route.to_string());
                    }
                }
            }
        }
    }
    (documented, plain)
}

#[tokio::test]
async fn every_route_is_documented() {
    let app = TestApp::spawn().await;
    let doc = openapi(&app).await;
    let paths = doc["paths"].as_object().expect("paths");
    let (documented, plain) = routes_in_source();

    let allowed_plain: BTreeSet<String> =
        ["/api/docs/openapi.json", "/api", "/api/", "/api/{*rest}"].into_iter().map(String::from).collect();
    let undocumented: Vec<_> = plain.difference(&allowed_plain).collect();
    assert!(undocumented.is_empty(), "routes registered without OpenAPI docs: {undocumented:?}");

    for route in &documented {
        let item = paths.get(route).unwrap_or_else(|| panic!("{route} is missing from the OpenAPI document"));
        for (method, op) in item.as_object().expect("path item") {
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {route} has no summary");
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|k| k.starts_with('2')), "{method} {route} documents no success response");
        }
    }
    assert_eq!(documented.len(), paths.len(), "the document and the source disagree on the routes");
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
