//! Abusive requests (issue 18): deep JSON nesting, huge headers and URLs,
//! and clients that send their headers too slowly get a clean 4xx (or the
//! connection closed for the slow one), and the server goes on serving.
use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{Options, TestApp};

async fn still_serving(app: &TestApp) {
    let r = app.request(reqwest::Method::GET, "/api/health", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "the server stopped serving: {}", r.text);
}

#[tokio::test]
async fn deep_nesting_huge_headers_and_urls_get_a_clean_4xx() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Abused", "owner@abused.test").await;

    // 100,000 levels of nesting in a 200 KB body: refused before any recursion can hurt.
    let deep = format!("{{\"first_name\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let r = app.client.post(app.url("/api/contacts")).bearer_auth(&owner.access).header("content-type", "application/json").body(deep).send().await.expect("send");
    let r = crate::helpers::Response::read(r).await;
    assert!(r.status == StatusCode::BAD_REQUEST || r.status == StatusCode::UNPROCESSABLE_ENTITY, "{} {}", r.status, r.text);
    r.assert_problem(r.status.as_u16());
    still_serving(&app).await;

    // A 1 MiB header: refused by the HTTP layer (431) or the connection closed, never a 5xx.
    let huge = "x".repeat(1024 * 1024);
    match app.client.get(app.url("/api/health")).header("x-filler", huge).send().await {
        Ok(r) => assert_eq!(r.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "a huge header"),
        Err(e) => assert!(!e.is_timeout(), "the server hung on a huge header: {e}"),
    }
    still_serving(&app).await;

    // A 100 KB URL: a clean 4xx or the connection closed.
    let long = format!("/api/contacts?q={}", "a".repeat(100_000));
    match app.client.get(app.url(&long)).bearer_auth(&owner.access).send().await {
        Ok(r) => assert!(r.status().is_client_error(), "a long URL answered {}", r.status()),
        Err(e) => assert!(!e.is_timeout(), "the server hung on a long URL: {e}"),
    }
    // Just over the search's own limit: the API's 400.
    let q = format!("/api/contacts?q={}", "a".repeat(400));
    app.get(&q, &owner.access).await.assert_problem(400);
    still_serving(&app).await;
}

#[tokio::test]
async fn a_client_that_sends_its_headers_too_slowly_is_cut_off() {
    let timeouts = tenet::config::Timeouts { header_read: Duration::from_secs(1), ..tenet::config::Timeouts::default() };
    let app = TestApp::spawn_with(Options { timeouts, ..Options::default() }).await;
    let address = app.address.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&address).await.expect("connect");
    slow.write_all(b"GET /api/health HTTP/1.1\r\nHost: tenet\r\n").await.expect("write");
    // One header line a second: never the blank line that ends them.
    let mut closed = false;
    for i in 0..5 {
        tokio::time::sleep(Duration::from_millis(600)).await;
        if slow.write_all(format!("X-Drip-{i}: 1\r\n").as_bytes()).await.is_err() {
            closed = true;
            break;
        }
    }
    if !closed {
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout(Duration::from_secs(3), slow.read(&mut buf)).await.expect("the server kept a slow client waiting").unwrap_or(0);
        let answer = String::from_utf8_lossy(&buf[..n]);
        assert!(n == 0 || answer.starts_with("HTTP/1.1 408"), "the slow client was served: {answer}");
    }
    still_serving(&app).await;
}
