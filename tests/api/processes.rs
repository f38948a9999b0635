//! Several `tenet serve` processes on one database (issue 19): everything a
//! second server must see is in PostgreSQL, never in one process's memory.
//! `TestApp::peer` starts another server on the same database with its own
//! pool, caches and mail worker, as a second process would have.
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Options, TestApp, PASSWORD};

#[tokio::test]
async fn a_refresh_reuse_a_logout_and_the_login_throttle_are_seen_by_the_other_server() {
    let a = TestApp::spawn().await;
    let b = a.peer().await;
    let s = a.signup("Two Servers", "owner@two.test").await;

    // Refresh on A; the old refresh token replayed on B is reuse: 401, and
    // the whole session ends on both servers.
    let r = a.post("/api/auth/refresh", None, json!({"refresh_token": s.refresh})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rotated_access = r.body["access_token"].as_str().expect("access").to_string();
    let rotated_refresh = r.body["refresh_token"].as_str().expect("refresh").to_string();
    assert_eq!(b.get("/api/auth/me", &rotated_access).await.status, StatusCode::OK, "B accepts A's new token");
    b.post("/api/auth/refresh", None, json!({"refresh_token": s.refresh})).await.assert_problem(401);
    a.post("/api/auth/refresh", None, json!({"refresh_token": rotated_refresh})).await.assert_problem(401);
    a.get("/api/auth/me", &rotated_access).await.assert_problem(401);

    // Logout on A: B refuses the access token at once.
    let login = b.login("owner@two.test", PASSWORD, None).await;
    let access = login.body["access_token"].as_str().expect("access").to_string();
    assert_eq!(b.get("/api/contacts", &access).await.status, StatusCode::OK);
    assert_eq!(a.request(Method::POST, "/api/auth/logout", Some(&access), None).await.status, StatusCode::NO_CONTENT);
    b.get("/api/contacts", &access).await.assert_problem(401);

    // The login throttle counts failures on both servers together.
    for i in 0..10 {
        let server = if i % 2 == 0 { &a } else { &b };
        server.login("owner@two.test", "wrong password!", None).await.assert_problem(401);
    }
    a.login("owner@two.test", PASSWORD, None).await.assert_problem(429);
    b.login("owner@two.test", PASSWORD, None).await.assert_problem(429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_mail_workers_deliver_every_mail_exactly_once() {
    let a = TestApp::spawn_with(Options { mail: true, ..Options::default() }).await;
    let b = a.peer().await;
    let sink = a.mail.clone().expect("sink");
    // Each sign-up queues one confirmation mail; half arrive through each
    // server, and both workers poll the one outbox.
    let emails: Vec<String> = (0..10).map(|i| format!("owner{i}@mail-twice.test")).collect();
    for (i, email) in emails.iter().enumerate() {
        let server = if i % 2 == 0 { &a } else { &b };
        server.signup(&format!("Mail {i}"), email).await;
    }
    for email in &emails {
        sink.wait_for(email).await;
    }
    // Time for a duplicate to show up, if a mail were claimed twice.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = sink.mails();
    for email in &emails {
        let n = mails.iter().filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(email))).count();
        assert_eq!(n, 1, "{email} got {n} mails");
    }
}

/// Rotating `JWT_SECRET` (issue 19): a server with the new key and the old
/// one as `JWT_SECRET_PREVIOUS` accepts access tokens the old key signed, a
/// refresh moves the session to the new key, and a server without the
/// previous key refuses the old tokens but lets the session refresh. A token
/// signed with any other key is refused by all of them.
#[tokio::test]
async fn a_rotated_jwt_key_keeps_every_session() {
    use crate::helpers::{claims, JWT_SECRET};
    let old = TestApp::spawn().await;
    let owner = old.signup("Rotating", "owner@rotating.test").await;
    let new_key = "the-new-jwt-secret-that-is-long-enough-0123456789".to_string();
    let rotating = old.peer_with(Options { jwt_secret: Some(new_key.clone()), jwt_secret_previous: Some(JWT_SECRET.into()), ..Options::default() }).await;
    let rotated = old.peer_with(Options { jwt_secret: Some(new_key.clone()), ..Options::default() }).await;

    // The old key's access token works where the old key is the previous one.
    assert_eq!(rotating.get("/api/auth/me", &owner.access).await.status, StatusCode::OK);
    rotated.get("/api/auth/me", &owner.access).await.assert_problem(401);

    // A refresh moves the session to the new key.
    let r = rotating.post("/api/auth/refresh", None, json!({"refresh_token": owner.refresh})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let fresh = crate::helpers::Session::from(&r);
    assert_ne!(claims(&fresh.access)["ssec"], claims(&owner.access)["ssec"], "the session secret now derives from the new key");
    assert_eq!(rotating.get("/api/auth/me", &fresh.access).await.status, StatusCode::OK);
    assert_eq!(rotated.get("/api/auth/me", &fresh.access).await.status, StatusCode::OK, "the new key alone suffices now");
    // The old access token of the moved session no longer matches its secret.
    rotating.get("/api/auth/me", &owner.access).await.assert_problem(401);

    // Without the previous key, a session of the old key still refreshes (its
    // refresh token is checked by the database, not by the key) and works.
    let second = old.login("owner@rotating.test", crate::helpers::PASSWORD, None).await;
    let second = crate::helpers::Session::from(&second);
    let r = rotated.post("/api/auth/refresh", None, json!({"refresh_token": second.refresh})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let moved = crate::helpers::Session::from(&r);
    let me = rotated.get("/api/auth/me", &moved.access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);

    // A token signed with a key nobody configured: refused everywhere.
    let forger = jsonwebtoken::EncodingKey::from_secret(b"a-forgers-key-that-is-long-enough-0123456789");
    let mut forged_claims = claims(&fresh.access);
    forged_claims["exp"] = json!(chrono::Utc::now().timestamp() + 600);
    let forged = jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256), &forged_claims, &forger).expect("sign");
    for server in [&old, &rotating, &rotated] {
        server.get("/api/auth/me", &forged).await.assert_problem(401);
    }
}
