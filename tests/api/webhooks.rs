//! Webhooks against a real local receiver: events come from the transaction
//! of the change (none for a refused write), bodies are signed, failures are
//! retried with backoff, every delivery id arrives exactly once even with two
//! servers' workers polling the one outbox, replays are new deliveries of the
//! same event, a failing endpoint is disabled, and only managers of the
//! endpoint's own tenant reach it. Private addresses are refused unless the
//! server allows them.
use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{body::Bytes, extract::State, http::HeaderMap, http::StatusCode as AxumStatus, routing::post, Router};
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use tenet::config::WebhookConfig;

use crate::helpers::{Options, Session, TestApp};

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Hit {
    delivery: String,
    event: String,
    signature: String,
    body: Vec<u8>,
    /// What the receiver answered.
    status: u16,
}

#[derive(Clone, Default)]
struct Receiver {
    hits: Arc<Mutex<Vec<Hit>>>,
    /// Answer 500 to this many requests first.
    fail_first: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(fail_first: usize) -> (Receiver, String) {
        let receiver = Receiver { fail_first: Arc::new(AtomicUsize::new(fail_first)), ..Receiver::default() };
        let app = Router::new().route("/hook", post(receive)).with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().expect("hits").clone()
    }

    fn delivered(&self) -> Vec<Hit> {
        self.hits().into_iter().filter(|h| h.status == 200).collect()
    }

    /// Waits (at most 15 s) until `n` requests were answered 200.
    async fn wait_delivered(&self, n: usize) -> Vec<Hit> {
        for _ in 0..300 {
            let delivered = self.delivered();
            if delivered.len() >= n {
                return delivered;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} delivered webhooks, got {:?}", self.hits());
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> AxumStatus {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let fail = r.fail_first.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
    let status = if fail { AxumStatus::INTERNAL_SERVER_ERROR } else { AxumStatus::OK };
    r.hits.lock().expect("hits").push(Hit {
        delivery: header("tenet-delivery"),
        event: header("tenet-event"),
        signature: header("tenet-signature"),
        body: body.to_vec(),
        status: status.as_u16(),
    });
    status
}

/// What a receiver does (docs/webhooks.md): recompute the HMAC over
/// `<t>.<body>` and compare, and refuse an old timestamp.
fn verify(secret: &str, signature: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in signature.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = Some(value.to_string()),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else { return false };
    if (chrono::Utc::now().timestamp() - t).abs() > 300 {
        return false;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    expected == v1
}

fn options(webhooks: WebhookConfig) -> Options {
    Options { webhooks, webhook_worker: true, ..Options::default() }
}

fn fast(disable_after: u32) -> WebhookConfig {
    WebhookConfig { allow_private: true, retry_base: Duration::from_millis(100), max_attempts: 5, disable_after, ..WebhookConfig::default() }
}


async fn endpoint(app: &TestApp, owner: &Session, url: &str, events: Value) -> (String, String) {
    let r = app.post("/api/webhooks", Some(&owner.access), json!({"url": url, "events": events, "description": "CRM sync"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let secret = r.body["secret"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("whsec_") && secret.len() >= 40, "{secret}");
    (r.body["id"].as_str().expect("id").to_string(), secret)
}

#[tokio::test]
async fn events_are_signed_retried_and_delivered_exactly_once_by_two_workers() {
    let app = TestApp::spawn_with(options(fast(50))).await;
    let peer = app.peer_with(options(fast(50))).await;
    // The receiver fails its first two requests: those deliveries are retried.
    let (receiver, url) = Receiver::start(2).await;
    let owner = app.signup("Hooked", "owner@hooked.test").await;
    let (hook, secret) = endpoint(&app, &owner, &url, json!(["contact.created", "contact.updated", "deal.stage_changed"])).await;

    // The secret is shown once: reading the endpoint does not answer it.
    let r = app.get(&format!("/api/webhooks/{hook}"), &owner.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body.get("secret").is_none(), "{}", r.text);
    assert_eq!(r.body["events"], json!(["contact.created", "contact.updated", "deal.stage_changed"]));

    // Writes through both servers; a refused write leaves no event behind.
    let mut created = Vec::new();
    for i in 0..10 {
        let server = if i % 2 == 0 { &app } else { &peer };
        let r = server.post("/api/contacts", Some(&owner.access), json!({"first_name": format!("Ann {i}")})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        created.push(r.body["id"].as_str().expect("id").to_string());
    }
    let refused = app.post("/api/contacts", Some(&owner.access), json!({"first_name": "Ghost", "company_id": uuid::Uuid::now_v7()})).await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    let r = app.request(Method::PATCH, &format!("/api/contacts/{}", created[0]), Some(&owner.access), Some(json!({"last_name": "Lee"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    // A company is not subscribed to: no event.
    app.post("/api/companies", Some(&owner.access), json!({"name": "Unheard"})).await;

    let delivered = receiver.wait_delivered(11).await;
    // Time for a duplicate to show up, if a delivery were claimed twice.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let delivered = { let now = receiver.delivered(); assert_eq!(now.len(), delivered.len().max(11), "{now:?}"); now };
    let mut per_delivery: HashMap<&str, usize> = HashMap::new();
    for hit in &delivered {
        *per_delivery.entry(hit.delivery.as_str()).or_default() += 1;
        assert!(verify(&secret, &hit.signature, &hit.body), "bad signature {}", hit.signature);
        assert!(!verify("whsec_someone-else", &hit.signature, &hit.body));
    }
    assert_eq!(per_delivery.len(), 11, "{per_delivery:?}");
    assert!(per_delivery.values().all(|&n| n == 1), "a delivery arrived twice: {per_delivery:?}");
    assert_eq!(receiver.hits().iter().filter(|h| h.status == 500).count(), 2);

    let bodies: Vec<Value> = delivered.iter().map(|h| serde_json::from_slice(&h.body).expect("json body")).collect();
    let names: Vec<&str> = bodies.iter().filter(|b| b["type"] == "contact.created").filter_map(|b| b["data"]["object"]["first_name"].as_str()).collect();
    assert_eq!(names.len(), 10, "{bodies:?}");
    assert!(!bodies.iter().any(|b| b["data"]["object"]["first_name"] == "Ghost" || b["type"].as_str().is_some_and(|t| t.starts_with("company"))));
    let update = bodies.iter().find(|b| b["type"] == "contact.updated").expect("the update's event");
    assert_eq!(update["data"]["object"]["last_name"], "Lee");
    assert_eq!(update["data"]["previous"], json!({"last_name": null}));
    assert_eq!(update["tenant_id"], owner.tenant_id.as_str());
    for (hit, body) in delivered.iter().zip(&bodies) {
        assert_eq!(hit.event, body["type"].as_str().expect("type"));
    }

    // The log: every delivery delivered; the two that met a 500 took two attempts.
    let r = app.get(&format!("/api/webhooks/{hook}/deliveries?limit=50"), &owner.access).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let log = r.body["items"].as_array().expect("items");
    assert_eq!(log.len(), 11, "{}", r.text);
    assert!(log.iter().all(|d| d["status"] == "delivered" && d["last_status_code"] == 200), "{}", r.text);
    assert_eq!(log.iter().filter(|d| d["attempts"] == 2).count(), 2, "{}", r.text);

    // A replay is a new delivery of the same event.
    let first = &log[log.len() - 1];
    let r = app.post(&format!("/api/webhooks/{hook}/deliveries/{}/replay", first["id"].as_str().expect("id")), Some(&owner.access), json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["replay_of"], first["id"]);
    assert_eq!(r.body["event_id"], first["event_id"]);
    let again = receiver.wait_delivered(12).await;
    let replayed = again.iter().find(|h| h.delivery == r.body["id"].as_str().expect("id")).expect("the replay arrived");
    let body: Value = serde_json::from_slice(&replayed.body).expect("json");
    assert_eq!(body["id"], first["event_id"]);
}

#[tokio::test]
async fn an_endpoint_that_keeps_failing_is_disabled_and_can_be_enabled_again() {
    let app = TestApp::spawn_with(options(fast(3))).await;
    let (receiver, url) = Receiver::start(usize::MAX).await;
    let owner = app.signup("Failing", "owner@failing.test").await;
    let (hook, _) = endpoint(&app, &owner, &url, json!(["company.created"])).await;
    app.post("/api/companies", Some(&owner.access), json!({"name": "Acme"})).await;
    let mut webhook = Value::Null;
    for _ in 0..200 {
        webhook = app.get(&format!("/api/webhooks/{hook}"), &owner.access).await.body;
        if webhook["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(webhook["enabled"], false, "{webhook}");
    assert_eq!(webhook["consecutive_failures"], 3);
    assert!(webhook["disabled_reason"].as_str().is_some_and(|r| r.contains('3')), "{webhook}");
    assert_eq!(receiver.hits().len(), 3);
    // Disabled: no more attempts, and new changes queue nothing.
    app.post("/api/companies", Some(&owner.access), json!({"name": "Initech"})).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.hits().len(), 3);
    let log = app.get(&format!("/api/webhooks/{hook}/deliveries"), &owner.access).await;
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(1), "{}", log.text);
    assert_eq!(log.body["items"][0]["status"], "pending");
    assert_eq!(log.body["items"][0]["last_status_code"], 500);

    // The audit log records who disabled it (nobody: the server) and the re-enabling.
    let r = app.request(Method::PATCH, &format!("/api/webhooks/{hook}"), Some(&owner.access), Some(json!({"enabled": true}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["consecutive_failures"], 0);
    assert_eq!(r.body["disabled_reason"], Value::Null);
    let audit = app.get("/api/audit-logs?entity=webhook_endpoint", &owner.access).await;
    let changes: Vec<&Value> = audit.body["items"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
    assert!(changes.iter().any(|e| e["action"] == "update" && e["actor_id"].is_null()), "{}", audit.text);
}

#[tokio::test]
async fn endpoints_are_public_urls_managed_only_inside_their_tenant() {
    // The default: private addresses refused, and no worker needed here.
    let app = TestApp::spawn().await;
    let owner = app.signup("Guarded", "owner@guarded.test").await;
    for bad in ["http://127.0.0.1:9/hook", "http://localhost:8080/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "ftp://example.com/x", "https://user:pw@example.com/x", "http://10.0.0.8/x"] {
        let r = app.post("/api/webhooks", Some(&owner.access), json!({"url": bad, "events": ["contact.created"]})).await;
        r.assert_problem(422);
        assert!(r.text.contains("url"), "{bad}: {}", r.text);
    }
    let r = app.post("/api/webhooks", Some(&owner.access), json!({"url": "https://hooks.example.com/tenet", "events": ["party.started"]})).await;
    assert!(r.status.is_client_error(), "{}", r.text);
    let r = app.post("/api/webhooks", Some(&owner.access), json!({"url": "https://hooks.example.com/tenet", "events": []})).await;
    r.assert_problem(422);
    let (hook, _) = endpoint(&app, &owner, "https://hooks.example.com/tenet", json!(["deal.created"])).await;
    let r = app.request(Method::PATCH, &format!("/api/webhooks/{hook}"), Some(&owner.access), Some(json!({"url": "http://192.168.1.10/x"}))).await;
    r.assert_problem(422);

    // A member without webhooks:manage: 403 everywhere.
    let (_, member) = app.add_member(&owner, "m@guarded.test", &["member"]).await;
    app.get("/api/webhooks", &member.access).await.assert_problem(403);
    app.get(&format!("/api/webhooks/{hook}"), &member.access).await.assert_problem(403);
    app.post("/api/webhooks", Some(&member.access), json!({"url": "https://evil.example.com/x", "events": ["contact.created"]})).await.assert_problem(403);
    app.request(Method::DELETE, &format!("/api/webhooks/{hook}"), Some(&member.access), None).await.assert_problem(403);

    // Another tenant's owner: the endpoint does not exist for them.
    let other = app.signup("Elsewhere", "owner@elsewhere.test").await;
    app.get(&format!("/api/webhooks/{hook}"), &other.access).await.assert_problem(404);
    app.get(&format!("/api/webhooks/{hook}/deliveries"), &other.access).await.assert_problem(404);
    app.post(&format!("/api/webhooks/{hook}/secret"), Some(&other.access), json!({})).await.assert_problem(404);
    app.request(Method::PATCH, &format!("/api/webhooks/{hook}"), Some(&other.access), Some(json!({"enabled": false}))).await.assert_problem(404);
    app.request(Method::DELETE, &format!("/api/webhooks/{hook}"), Some(&other.access), None).await.assert_problem(404);
    let r = app.get("/api/webhooks", &other.access).await;
    assert_eq!(r.body["items"], json!([]), "{}", r.text);
    // The other tenant's writes never reach this tenant's endpoint.
    let r = app.post("/api/deals", Some(&other.access), json!({"name": "Not yours"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let owner_db = app.owner_client().await;
    let events: i64 = owner_db.query_one("SELECT count(*) FROM app_private.webhook_events", &[]).await.expect("count").get(0);
    assert_eq!(events, 0, "no endpoint of the other tenant listens to deal.created");

    // The API role cannot read secrets, events or deliveries directly.
    for table in ["app_private.webhook_secrets", "app_private.webhook_events", "app_private.webhook_deliveries"] {
        let web = crate::helpers::as_request(&app, &owner.access).await;
        let denied = web.query(&format!("SELECT * FROM {table}"), &[]).await;
        let error = denied.expect_err("the API role reads an app_private table");
        assert_eq!(error.code(), Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE), "{table}: {error}");
    }

    // A new secret replaces the old one; deleting removes the endpoint.
    let r = app.post(&format!("/api/webhooks/{hook}/secret"), Some(&owner.access), json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["secret"].as_str().is_some_and(|s| s.starts_with("whsec_")));
    assert_eq!(app.request(Method::DELETE, &format!("/api/webhooks/{hook}"), Some(&owner.access), None).await.status, StatusCode::NO_CONTENT);
    app.get(&format!("/api/webhooks/{hook}"), &owner.access).await.assert_problem(404);
}
