//! Outgoing mail through the outbox and a real SMTP sink, and the password
//! reset flow it carries.
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    helpers::{Options, TestApp, PASSWORD},
    smtp_sink::link_token,
};

const NEW_PASSWORD: &str = "a completely new passphrase";

#[tokio::test]
async fn a_password_reset_is_mailed_and_ends_every_session() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let s = app.signup("Acme", "o@acme.test").await;
    let sink = app.mail.clone().expect("sink");

    // Known and unknown emails get the same answer, in at least the same time.
    let started = Instant::now();
    let known = app.post("/api/auth/password-reset", None, json!({"email": "O@acme.test"})).await;
    let known_time = started.elapsed();
    let started = Instant::now();
    let unknown = app.post("/api/auth/password-reset", None, json!({"email": "nobody@acme.test"})).await;
    let unknown_time = started.elapsed();
    assert_eq!((known.status, unknown.status), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(known.text, unknown.text);
    assert!(known_time >= Duration::from_millis(200) && unknown_time >= Duration::from_millis(200));

    // The mail arrives over SMTP with a link carrying the token.
    let mail = sink.wait_for_text("o@acme.test", "reset-password").await;
    assert!(mail.data.contains("Subject: Reset your Tenet password"), "{}", mail.data);
    assert!(mail.text().contains("http://app.tenet.test/reset-password?token="), "{}", mail.data);
    let token = link_token(&mail);
    assert!(token.len() >= 43, "{token}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let resets = sink.mails().into_iter().filter(|m| m.text().contains("reset-password")).count();
    assert_eq!(resets, 1, "an unknown email gets no mail");

    // Once sent, the outbox keeps no token.
    let kept: i64 = app
        .owner_client()
        .await
        .query_one("SELECT count(*) FROM app_private.outbox_emails WHERE payload ? 'token' OR sent_at IS NULL", &[])
        .await
        .expect("outbox")
        .get(0);
    assert_eq!(kept, 0);

    // A bad token changes nothing.
    let r = app.post("/api/auth/password-reset/confirm", None, json!({"token": "x".repeat(43), "new_password": NEW_PASSWORD})).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "token");
    assert_eq!(app.get("/api/auth/me", &s.access).await.status, StatusCode::OK);

    // The real one sets the password and ends every session.
    let r = app.post("/api/auth/password-reset/confirm", None, json!({"token": token, "new_password": NEW_PASSWORD})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    app.get("/api/auth/me", &s.access).await.assert_problem(401);
    app.post("/api/auth/refresh", None, json!({"refresh_token": s.refresh})).await.assert_problem(401);
    app.login("o@acme.test", PASSWORD, None).await.assert_problem(401);
    assert_eq!(app.login("o@acme.test", NEW_PASSWORD, None).await.status, StatusCode::OK);

    // Single use.
    let r = app.post("/api/auth/password-reset/confirm", None, json!({"token": token, "new_password": "yet another passphrase"})).await;
    r.assert_problem(422);

    // Both steps are in the tenant's audit log.
    let fresh = crate::helpers::Session::from(&app.login("o@acme.test", NEW_PASSWORD, None).await);
    let log = app.get("/api/audit-logs?limit=200", &fresh.access).await;
    let actions: Vec<&str> = log.body["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"auth.password_reset_requested") && actions.contains(&"auth.password_reset"), "{actions:?}");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_and_the_api_role_cannot_read_the_outbox() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    app.signup("Acme", "o@acme.test").await;
    let owner = app.owner_client().await;
    // A mail to an address the SMTP client refuses to build: it fails, and is rescheduled.
    owner
        .execute("INSERT INTO app_private.outbox_emails (recipient, template, payload) VALUES ('not an address', 'password_reset', '{}')", &[])
        .await
        .expect("queue");
    let mut row = None;
    for _ in 0..100 {
        let r = owner
            .query_one("SELECT attempts, last_error, next_attempt_at > now() FROM app_private.outbox_emails WHERE recipient = 'not an address'", &[])
            .await
            .expect("row");
        if r.get::<_, i32>(0) >= 1 && r.get::<_, Option<String>>(1).is_some() {
            row = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = row.expect("the worker tried the mail");
    assert!(row.get::<_, bool>(2), "the next attempt is scheduled later (backoff)");

    let web = app.web_client().await;
    web.batch_execute("SET role tenet_api").await.expect("role");
    let e = web.query("SELECT * FROM app_private.outbox_emails", &[]).await.expect_err("no usage");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
}

#[tokio::test]
async fn without_smtp_mails_go_to_mail_dir() {
    let dir = std::env::temp_dir().join(format!("tenet-mail-{}", uuid::Uuid::new_v4().simple()));
    let app = TestApp::spawn_with(Options { mail_dir: Some(dir.clone()), ..Default::default() }).await;
    app.signup("Acme", "o@acme.test").await;
    let r = app.post("/api/auth/password-reset", None, json!({"email": "o@acme.test"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    let mut eml = None;
    for _ in 0..100 {
        let files = std::fs::read_dir(&dir).map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>()).unwrap_or_default();
        eml = files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).find(|t| t.replace("=\r\n", "").contains("reset-password"));
        if eml.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let eml = eml.expect("an .eml file in MAIL_DIR");
    let text = crate::smtp_sink::Mail { to: vec![], data: eml.replace("\r\n", "\n") }.text();
    assert!(text.contains("To: o@acme.test") && text.contains("reset-password?token="), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = Method::GET;
}
