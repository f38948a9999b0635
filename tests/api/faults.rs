//! Faults between the server and its database, and clients that walk away
//! (issue 18; docs/reliability.md). The server reaches PostgreSQL through a
//! loopback proxy the test controls: cutting it drops every open connection
//! and refuses new ones, which is what the server sees when the database
//! stops or the network to it fails.
use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::json;
use tokio::{net::TcpListener, task::JoinHandle};
use uuid::Uuid;

use crate::helpers::{host_port, Options, TestApp};

/// A TCP proxy to PostgreSQL that can be cut and restored.
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn start() -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let down = Arc::new(AtomicBool::new(false));
        let links: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let (host, real) = host_port();
        let (d, l) = (down.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if d.load(Ordering::SeqCst) {
                    drop(client); // refused: closed at once
                    continue;
                }
                let target = format!("{host}:{real}");
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                l.lock().expect("links").push(link);
            }
        });
        Proxy { port, down, links }
    }

    /// Drops every open connection and refuses new ones.
    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn the_database_going_away_under_load_costs_503s_not_writes() {
    let proxy = Proxy::start().await;
    let timeouts = tenet::config::Timeouts { pool_wait: Duration::from_millis(500), ..tenet::config::Timeouts::default() };
    let app = Arc::new(TestApp::spawn_with(Options { db_port: Some(proxy.port), pool_size: 4, timeouts, ..Options::default() }).await);
    let owner = app.signup("Outage", "owner@outage.test").await;

    // Four clients write and read without pause through the whole drill.
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (app, token, stop) = (app.clone(), owner.access.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let mut created = Vec::new();
            let mut statuses = Vec::new();
            let mut i = 0;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                let r = app.post("/api/contacts", Some(&token), json!({"first_name": format!("Client {c} write {i}")})).await;
                if r.status == StatusCode::CREATED {
                    created.push(r.body["id"].as_str().expect("id").to_string());
                } else if r.status.is_server_error() {
                    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
                    r.assert_problem(503);
                    assert!(r.header("retry-after").is_some(), "a 503 says when to come back");
                }
                statuses.push(r.status.as_u16());
                let r = app.get("/api/contacts?limit=5", &token).await;
                statuses.push(r.status.as_u16());
                if r.status.is_server_error() {
                    r.assert_problem(503);
                }
            }
            (created, statuses)
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;

    proxy.cut();
    let cut_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let ready = app.request(reqwest::Method::GET, "/api/ready", None, None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE, "{}", ready.text);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.request(reqwest::Method::GET, "/api/ready", None, None).await.status, StatusCode::SERVICE_UNAVAILABLE);
    proxy.restore();
    let restored_at = Instant::now();

    // It recovers by itself: the first successful write after the cut.
    let mut recovered = None;
    for _ in 0..100 {
        let r = app.post("/api/contacts", Some(&owner.access), json!({"first_name": "After"})).await;
        if r.status == StatusCode::CREATED {
            recovered = Some(restored_at.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recovered = recovered.expect("the server did not recover within 10 s of the database coming back");
    assert!(recovered < Duration::from_secs(5), "recovery took {recovered:?}");
    assert_eq!(app.request(reqwest::Method::GET, "/api/ready", None, None).await.status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::SeqCst);

    let mut created = HashSet::new();
    let mut statuses = Vec::new();
    for client in clients {
        let (ids, s) = client.await.expect("client");
        created.extend(ids);
        statuses.extend(s);
    }
    assert!(statuses.contains(&503), "the outage was seen: {:?}", cut_at.elapsed());
    assert!(statuses.iter().all(|&s| s == 200 || s == 201 || s == 503), "only 2xx and 503: {:?}", statuses.iter().collect::<HashSet<_>>());
    // No write answered 2xx is missing.
    let db = app.owner_client().await;
    let found: Vec<String> = db
        .query("SELECT id::text FROM contacts WHERE first_name LIKE 'Client %'", &[])
        .await
        .expect("contacts")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let found: HashSet<String> = found.into_iter().collect();
    let missing: Vec<&String> = created.iter().filter(|id| !found.contains(*id)).collect();
    assert!(missing.is_empty(), "{} writes answered 201 are missing", missing.len());
    assert!(created.len() > 10, "the clients wrote before and after the cut ({})", created.len());
    let unavailable = statuses.iter().filter(|&&s| s == 503).count();
    println!("outage drill: {} requests, {unavailable} answered 503, {} writes answered 201 all present, recovered {recovered:?} after the database came back", statuses.len(), created.len());
}

#[tokio::test]
async fn a_client_that_walks_away_mid_export_leaves_the_connection_clean() {
    let app = TestApp::spawn_with(Options { pool_size: 2, ..Options::default() }).await;
    let owner = app.signup("Walkaway", "owner@walkaway.test").await;
    let db = app.owner_client().await;
    let tenant: Uuid = owner.tenant_id.parse().expect("tenant");
    db.execute("INSERT INTO contacts (tenant_id, first_name) SELECT $1, 'Row ' || i FROM generate_series(1, 20000) i", &[&tenant])
        .await
        .expect("seed");
    for _ in 0..3 {
        let mut response = app.client.get(app.url("/api/contacts/export.json")).bearer_auth(&owner.access).send().await.expect("export");
        assert_eq!(response.status(), StatusCode::OK);
        let first = response.chunk().await.expect("a chunk");
        assert!(first.is_some_and(|c| !c.is_empty()));
        drop(response); // the client goes away mid-stream
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    // No transaction of the server is left open, and the pool serves the next requests.
    let database: String = db.query_one("SELECT current_database()", &[]).await.expect("db").get(0);
    let open: i64 = db
        .query_one(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND usename = $2 AND state <> 'idle'",
            &[&database, &crate::helpers::WEB_ROLE],
        )
        .await
        .expect("activity")
        .get(0);
    assert_eq!(open, 0, "a connection of the server is still busy or in a transaction");
    for _ in 0..4 {
        let r = app.get("/api/contacts?limit=1", &owner.access).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    }
    let other = app.signup("Next", "owner@next-walkaway.test").await;
    let r = app.get("/api/contacts", &other.access).await;
    assert_eq!(r.body["items"], json!([]), "the next tenant on a reused connection sees nothing of the first");
}
