//! Health, readiness, and the error format of the HTTP layer itself.
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{config, Options, TestApp};

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::spawn().await;
    let r = app.request(Method::GET, "/api/health", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, json!({"status": "ok"}));
}

#[tokio::test]
async fn ready_answers_ok_when_the_database_answers() {
    let app = TestApp::spawn().await;
    let r = app.request(Method::GET, "/api/ready", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn ready_answers_503_when_the_database_is_unreachable() {
    // Arrange: an app whose pool points at a port where nothing listens.
    let cfg = config("postgres://nobody:nothing@127.0.0.1:1/none".into(), &Options::default());
    let pool = tenet::db::pool(&cfg.database_url, 1, cfg.timeouts.pool_wait).expect("pool");
    let header_read_timeout = cfg.timeouts.header_read;
    let state = tenet::state::AppState::new(cfg, pool).await.expect("state");
    let app = tenet::startup::build_app(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(tenet::startup::serve(listener, app, header_read_timeout));

    let r = reqwest::get(format!("http://{addr}/api/ready")).await.expect("request");

    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_echoes_a_valid_one() {
    let app = TestApp::spawn().await;
    let generated = app.client.get(app.url("/api/health")).send().await.expect("request");
    let id = generated.headers()["x-request-id"].to_str().expect("ascii").to_string();
    assert!(!id.is_empty());

    let echoed = app.client.get(app.url("/api/health")).header("x-request-id", "abc-123.XYZ").send().await.expect("request");
    assert_eq!(echoed.headers()["x-request-id"], "abc-123.XYZ");

    let replaced = app.client.get(app.url("/api/health")).header("x-request-id", "bad id\twith spaces").send().await.expect("request");
    assert_ne!(replaced.headers()["x-request-id"], "bad id\twith spaces");
}

#[tokio::test]
async fn unknown_api_routes_are_404_problems_and_wrong_methods_405() {
    let app = TestApp::spawn().await;
    app.request(Method::GET, "/api/no-such-thing", None, None).await.assert_problem(404);
    app.request(Method::GET, "/api", None, None).await.assert_problem(404);
    app.request(Method::DELETE, "/api/health", None, None).await.assert_problem(405);
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_types_are_422_with_the_field() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.headers()["content-type"], "application/problem+json");

    let r = app.request(Method::POST, "/api/auth/login", None, Some(json!({"email": 5, "password": "x"}))).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "email", "{}", r.text);

    let r = app.request(Method::POST, "/api/auth/login", None, Some(json!({"password": "x"}))).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "email", "{}", r.text);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(1024 * 1024 + 10);
    let r = app.request(Method::POST, "/api/auth/login", None, Some(json!({"email": big, "password": "x"}))).await;
    r.assert_problem(413);
}

#[tokio::test]
async fn a_bad_path_parameter_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Acme", "owner@acme.test").await;
    let r = app.request(Method::DELETE, "/api/auth/sessions/not-a-uuid", Some(&owner.access), None).await;
    r.assert_problem(400);
}

/// `tenet serve` (the real binary) on a database of its own; answers the
/// child and its base URL once /api/ready answers 200.
async fn spawn_binary(db: &crate::helpers::TestDb) -> (tokio::process::Child, String) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .env("DATABASE_URL", db.web_url())
        .env("JWT_SECRET", crate::helpers::JWT_SECRET)
        .env("PORT", port.to_string())
        .env("BCRYPT_COST", "12")
        .env("RUST_LOG", "warn")
        .arg("serve")
        .kill_on_drop(true)
        .spawn()
        .expect("spawn tenet");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/api/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    (child, base)
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests_and_exits_cleanly() {
    // Arrange: the real binary on a database of its own.
    let db = crate::helpers::TestDb::new().await;
    let (mut child, base) = spawn_binary(&db).await;
    let client = reqwest::Client::new();

    // Act: a slow request (bcrypt, cost 12) in flight when SIGTERM arrives.
    let login = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/api/auth/signup");
        async move {
            client
                .post(url)
                .json(&json!({"tenant_name": "Drain", "email": "d@drain.test", "password": crate::helpers::PASSWORD, "name": "D"}))
                .send()
                .await
                .map(|r| r.status())
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
    assert!(killed.success());

    // Assert: the in-flight request completes, then the process exits 0.
    assert_eq!(login.await.expect("join").expect("in-flight request answered"), StatusCode::CREATED);
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait()).await.expect("exits").expect("status");
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn metrics_are_off_by_default_and_need_their_token() {
    let app = TestApp::spawn().await;
    app.get("/api/metrics", "anything").await.assert_problem(404);

    let app = TestApp::spawn_with(Options { metrics_token: Some("scrape-token-0123456789".into()), ..Options::default() }).await;
    app.request(Method::GET, "/api/metrics", None, None).await.assert_problem(401);
    app.get("/api/metrics", "wrong-token-0123456789").await.assert_problem(401);
    // Traffic to count: a matched route with an id, an unmatched path, a
    // database error (a company that does not exist: a foreign key
    // violation, SQLSTATE class 23).
    let owner = app.signup("Metrics Co", "owner@metrics.test").await;
    let id = uuid::Uuid::now_v7();
    app.get(&format!("/api/contacts/{id}"), &owner.access).await.assert_problem(404);
    app.get("/api/no-such-thing/12345", &owner.access).await.assert_problem(404);
    app.post("/api/contacts", Some(&owner.access), json!({"first_name": "X", "company_id": id})).await.assert_problem(422);

    let r = app.get("/api/metrics", "scrape-token-0123456789").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/plain")), "{:?}", r.header("content-type"));
    let text = &r.text;
    assert!(text.contains(r#"tenet_http_requests_total{method="GET",route="/api/contacts/{id}",status="404"}"#), "{text}");
    assert!(text.contains(r#"route="/api/{*rest}""#), "an unknown API path counts under the catch-all: {text}");
    assert!(!text.contains(&id.to_string()) && !text.contains("12345"), "raw paths never become labels");
    assert!(text.contains("tenet_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/contacts/{id}\""), "{text}");
    assert!(text.contains(r#"tenet_db_pool_connections{state="max"} 4"#), "{text}");
    assert!(text.contains("tenet_db_pool_waiting"), "{text}");
    assert!(text.contains(r#"tenet_db_errors_total{class="23"}"#), "{text}");
    // The sign-up's confirmation mail waits (this server runs no mail worker).
    assert!(text.contains(r#"tenet_outbox_due{outbox="emails"} 1"#), "{text}");
    assert!(text.contains(r#"tenet_outbox_due{outbox="webhooks"} 0"#), "{text}");
}

/// Fields of /proc/PID/stat after the parenthesised command name (field 3 is
/// index 0): state, ppid, pgrp, session, ...
fn proc_stat(pid: u32) -> Vec<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().map(str::to_owned).collect()).unwrap_or_default()
}

/// The children of `parent` whose command line has `word`.
fn children_running(parent: u32, word: &str) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| proc_stat(*pid).get(1).is_some_and(|ppid| *ppid == parent.to_string()))
        .filter(|pid| std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains(word)))
        .collect()
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_server_hashes_passwords_in_a_lower_priority_process_of_its_own() {
    // Arrange: the real binary, and an account (its sign-up hashes once).
    let db = crate::helpers::TestDb::new().await;
    let (child, base) = spawn_binary(&db).await;
    let server = child.id().expect("pid");
    let client = reqwest::Client::new();
    let signup = json!({"tenant_name": "Hashing", "email": "h@hashing.test", "password": crate::helpers::PASSWORD, "name": "H"});
    let r = client.post(format!("{base}/api/auth/signup")).json(&signup).send().await.expect("signup");
    assert_eq!(r.status(), StatusCode::CREATED);
    let login = json!({"email": "h@hashing.test", "password": crate::helpers::PASSWORD, "tenant": r.json::<serde_json::Value>().await.expect("json")["tenant"]["slug"]});
    let sign_in = |body: serde_json::Value| {
        let (client, url) = (client.clone(), format!("{base}/api/auth/login"));
        async move { client.post(url).json(&body).send().await.expect("login").status() }
    };

    // Assert: one hash-worker child, in a session (so an autogroup) of its
    // own, its group and its hashing threads at nice 10.
    let workers = children_running(server, "hash-worker");
    assert_eq!(workers.len(), 1, "one hashing process: {workers:?}");
    let worker = workers[0];
    assert_ne!(proc_stat(worker)[3], proc_stat(server)[3], "the hashing process has a session of its own");
    if std::fs::read_to_string("/proc/sys/kernel/sched_autogroup_enabled").is_ok_and(|v| v.trim() == "1") {
        let group = std::fs::read_to_string(format!("/proc/{worker}/autogroup")).expect("autogroup");
        assert!(group.trim_end().ends_with("nice 10"), "{group}");
    }
    let nices: Vec<String> = std::fs::read_dir(format!("/proc/{worker}/task"))
        .expect("tasks")
        .filter_map(|t| {
            let tid: u32 = t.ok()?.file_name().to_str()?.parse().ok()?;
            let comm = std::fs::read_to_string(format!("/proc/{worker}/task/{tid}/comm")).ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{worker}/task/{tid}/stat")).ok()?;
            comm.starts_with("bcrypt").then(|| stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().nth(16).unwrap_or("").to_owned()))?
        })
        .collect();
    assert!(!nices.is_empty() && nices.iter().all(|n| n == "10"), "hashing threads' nice values: {nices:?}");

    // The right password signs in and a wrong one does not: the answers
    // come from the hashing process.
    assert_eq!(sign_in(login.clone()).await, StatusCode::OK);
    let mut wrong = login.clone();
    wrong["password"] = json!("not the password at all");
    assert_eq!(sign_in(wrong).await, StatusCode::UNAUTHORIZED);

    // A hashing process that dies while hashing (cost 12: a quarter of a
    // second) is replaced, and the sign-in it was hashing for still succeeds.
    let in_flight = tokio::spawn(sign_in(login.clone()));
    tokio::time::sleep(std::time::Duration::from_millis(60)).await;
    let kill = |pid: u32| std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().expect("kill").success();
    assert!(kill(worker));
    assert_eq!(in_flight.await.expect("join"), StatusCode::OK);
    let live = || children_running(server, "hash-worker").into_iter().filter(|pid| proc_stat(*pid).first().is_some_and(|s| s != "Z")).collect::<Vec<_>>();
    let second = live();
    assert!(second.len() == 1 && second[0] != worker, "a new hashing process: {second:?}");

    // One that died while idle is replaced at the next sign-in.
    assert!(kill(second[0]));
    for _ in 0..50 {
        if proc_stat(second[0]).first().is_none_or(|state| state == "Z") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(sign_in(login).await, StatusCode::OK);
    let third = live();
    assert!(third.len() == 1 && third[0] != second[0] && third[0] != worker, "a new hashing process: {third:?}");
}

#[tokio::test]
async fn the_hashing_process_answers_bcrypt_by_job_and_ends_with_its_input() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let mut worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_tenet"))
        .arg("hash-worker")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn hash-worker");
    let mut input = worker.stdin.take().expect("stdin");
    let mut output = tokio::io::BufReader::new(worker.stdout.take().expect("stdout")).lines();
    let salt = [7u8; 16];
    let prehash = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=";
    let salt64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, salt);
    // A malformed line is skipped, not answered, and the worker goes on.
    input.write_all(format!("7 4 {salt64} {prehash}\nnot a job\n8 99 {salt64} {prehash}\n").as_bytes()).await.expect("write");
    let mut answers = std::collections::HashMap::new();
    for _ in 0..2 {
        let line = tokio::time::timeout(std::time::Duration::from_secs(10), output.next_line()).await.expect("answered").expect("read").expect("a line");
        let (id, hash) = line.split_once(' ').expect("<id> <hash>");
        answers.insert(id.to_owned(), hash.to_owned());
    }
    let expected = bcrypt::hash_with_salt(prehash, 4, salt).expect("bcrypt").format_for_version(bcrypt::Version::TwoB);
    assert_eq!(answers.get("7"), Some(&expected));
    assert_eq!(answers.get("8").map(String::as_str), Some("-"), "cost 99 is refused, answered as -");

    // Jobs hash in parallel, one per thread: with two slow jobs queued, two
    // hashing threads are runnable at once (a thread waiting for a lock is
    // asleep, whatever else the machine is doing).
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    if cores >= 2 {
        input.write_all(format!("9 14 {salt64} {prehash}\n10 14 {salt64} {prehash}\n").as_bytes()).await.expect("write");
        let pid = worker.id().expect("pid");
        // Threads that take turns are both runnable only at a hand-over:
        // three samples of both running at once rule that out.
        let mut both_running = 0;
        for _ in 0..200 {
            let running = std::fs::read_dir(format!("/proc/{pid}/task"))
                .expect("tasks")
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("stat")).ok())
                .filter(|stat| stat.contains("(bcrypt-") && stat.rsplit_once(')').is_some_and(|(_, r)| r.trim_start().starts_with('R')))
                .count();
            both_running += usize::from(running >= 2);
            if both_running >= 3 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(both_running >= 3, "two hashing threads ran at once in only {both_running} samples");
        for _ in 0..2 {
            tokio::time::timeout(std::time::Duration::from_secs(30), output.next_line()).await.expect("answered").expect("read").expect("a line");
        }
    }
    drop(input);
    let status = tokio::time::timeout(std::time::Duration::from_secs(10), worker.wait()).await.expect("exits").expect("status");
    assert!(status.success(), "{status:?}");
}
