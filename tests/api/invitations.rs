//! Invitations (contract v1.1): consent before membership, and the account
//! pre-hijack closed: accepting sets the password and ends whoever held the
//! address before its real owner.
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::{
    helpers::{claims, Options, Session, TestApp, PASSWORD},
    smtp_sink::link_token,
};

const VICTIM_PASSWORD: &str = "the real owner's passphrase";

#[tokio::test]
async fn a_pre_registered_address_is_taken_back_when_its_owner_accepts() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let sink = app.mail.clone().expect("sink");
    // Mallory registers the future employee's address before they do.
    let mallory = app.signup("Mallory Things", "hire@victimcorp.test").await;
    let corp = app.signup("VictimCorp", "admin@victimcorp.test").await;

    // VictimCorp's admin adds that address as admin: an invitation, no membership.
    let r = app.post("/api/users", Some(&corp.access), json!({"email": "hire@victimcorp.test", "name": "New Hire", "password": PASSWORD, "roles": ["admin"]})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    app.login("hire@victimcorp.test", PASSWORD, Some(&corp.tenant_slug)).await.assert_problem(401);

    // The mailbox's real owner gets the link.
    let mail = sink.wait_for_text("hire@victimcorp.test", "accept-invitation").await;
    let token = link_token(&mail);
    let lookup = app.request(Method::GET, &format!("/api/invitations/lookup?token={token}"), None, None).await;
    assert_eq!(lookup.status, StatusCode::OK, "{}", lookup.text);
    assert_eq!(lookup.body, json!({"tenant": {"name": "VictimCorp"}, "email": "hire@victimcorp.test", "account_exists": true, "needs_password": true}));

    // Accepting needs a password...
    let r = app.post("/api/invitations/accept", None, json!({"token": token})).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "password");
    // ...sets it, ends Mallory's sessions and signs in to VictimCorp.
    let r = app.post("/api/invitations/accept", None, json!({"token": token, "password": VICTIM_PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let hire = Session::from(&r);
    assert_eq!(claims(&hire.access)["tenant_id"], json!(corp.tenant_id));
    app.get("/api/auth/me", &mallory.access).await.assert_problem(401);
    app.post("/api/auth/refresh", None, json!({"refresh_token": mallory.refresh})).await.assert_problem(401);
    app.login("hire@victimcorp.test", PASSWORD, None).await.assert_problem(401);
    assert_eq!(app.login("hire@victimcorp.test", VICTIM_PASSWORD, Some(&corp.tenant_slug)).await.status, StatusCode::OK);
    let me = app.get("/api/auth/me", &hire.access).await;
    assert_eq!(me.body["roles"], json!(["admin"]));

    // Single use; audited.
    app.post("/api/invitations/accept", None, json!({"token": token, "password": "another passphrase here"})).await.assert_problem(422);
    let log = app.get("/api/audit-logs?action=auth.invitation_accepted", &corp.access).await;
    assert_eq!(log.body["items"].as_array().map(Vec::len), Some(1), "{}", log.text);
}

#[tokio::test]
async fn a_new_account_joins_by_invitation_with_a_name_and_password() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let sink = app.mail.clone().expect("sink");
    let corp = app.signup("Corp", "admin@corp.test").await;
    let r = app.post("/api/invitations", Some(&corp.access), json!({"email": "new@corp.test", "roles": ["viewer"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert!(r.header("location").is_some_and(|l| l.starts_with("/api/invitations/")));
    let token = link_token(&sink.wait_for_text("new@corp.test", "accept-invitation").await);
    let lookup = app.request(Method::GET, &format!("/api/invitations/lookup?token={token}"), None, None).await;
    assert_eq!(lookup.body["account_exists"], false);

    let r = app.post("/api/invitations/accept", None, json!({"token": token, "password": VICTIM_PASSWORD})).await;
    r.assert_problem(422);
    assert_eq!(r.body["errors"][0]["field"], "name");
    let r = app.post("/api/invitations/accept", None, json!({"token": token, "name": "Newcomer", "password": VICTIM_PASSWORD})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let members = app.get("/api/users", &corp.access).await;
    assert!(members.text.contains("Newcomer"), "{}", members.text);
    // Nothing pending any more.
    assert_eq!(app.get("/api/invitations", &corp.access).await.body["items"], json!([]));
}

#[tokio::test]
async fn invitations_pass_the_escalation_rule_when_sent_and_when_accepted() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let sink = app.mail.clone().expect("sink");
    let owner = app.signup("Corp", "owner@corp.test").await;
    let added = app.post("/api/users", Some(&owner.access), json!({"email": "admin@corp.test", "name": "Admin", "password": PASSWORD, "roles": ["admin"]})).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.text);
    let admin_id = added.body["id"].as_str().expect("id").to_string();
    let admin = Session::from(&app.login("admin@corp.test", PASSWORD, None).await);

    // An admin cannot invite an owner.
    let r = app.post("/api/invitations", Some(&admin.access), json!({"email": "x@corp.test", "roles": ["owner"]})).await;
    r.assert_problem(403);
    // An admin invites another admin, then is demoted before the acceptance.
    let r = app.post("/api/invitations", Some(&admin.access), json!({"email": "second@corp.test", "roles": ["admin"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = link_token(&sink.wait_for_text("second@corp.test", "accept-invitation").await);
    let r = app.request(Method::PATCH, &format!("/api/users/{admin_id}"), Some(&owner.access), Some(json!({"roles": ["viewer"]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = app.post("/api/invitations/accept", None, json!({"token": token, "name": "Second", "password": VICTIM_PASSWORD})).await;
    r.assert_problem(403);
    assert!(!app.get("/api/users", &owner.access).await.text.contains("second@corp.test"));
    // Only managers see and send invitations; a member of the tenant cannot be invited.
    app.get("/api/invitations", &admin.access).await.assert_problem(403);
    app.post("/api/invitations", Some(&owner.access), json!({"email": "admin@corp.test", "roles": []})).await.assert_problem(409);
}

#[tokio::test]
async fn a_revoked_invitation_stops_working_and_tokens_are_not_readable_in_sql() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let sink = app.mail.clone().expect("sink");
    let corp = app.signup("Corp", "admin@corp.test").await;
    let r = app.post("/api/invitations", Some(&corp.access), json!({"email": "gone@corp.test", "roles": []})).await;
    let id = r.body["id"].as_str().expect("id").to_string();
    let token = link_token(&sink.wait_for_text("gone@corp.test", "accept-invitation").await);
    let r = app.request(Method::DELETE, &format!("/api/invitations/{id}"), Some(&corp.access), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    app.request(Method::GET, &format!("/api/invitations/lookup?token={token}"), None, None).await.assert_problem(404);
    app.post("/api/invitations/accept", None, json!({"token": token, "name": "G", "password": VICTIM_PASSWORD})).await.assert_problem(422);
    app.request(Method::DELETE, &format!("/api/invitations/{id}"), Some(&corp.access), None).await.assert_problem(404);

    // As the API role: the token hash is not granted, and nothing is written directly.
    let c = crate::helpers::as_request(&app, &corp.access).await;
    let e = c.query("SELECT token_hash FROM invitations", &[]).await.expect_err("no column grant");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
    let c = crate::helpers::as_request(&app, &corp.access).await;
    let e = c
        .execute("INSERT INTO invitations (tenant_id, email, token_hash, expires_at) VALUES ($1::text::uuid, 'x@y.z', '\\x00', now())", &[&corp.tenant_id])
        .await
        .expect_err("no insert grant");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
}

#[tokio::test]
async fn an_unverified_account_works_only_in_its_home_tenant_until_it_verifies() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let sink = app.mail.clone().expect("sink");
    let home = app.signup("Home", "new@home.test").await;
    let other = app.signup("Other", "owner@other.test").await;
    // Signup mails a verification link.
    let verify_mail = sink.wait_for_text("new@home.test", "verify-email").await;
    assert!(verify_mail.text().contains("/verify-email?token="), "{}", verify_mail.data);
    // A membership elsewhere (planted by a superuser) is unusable while unverified.
    app.owner_client()
        .await
        .execute("INSERT INTO memberships (tenant_id, user_id) VALUES ($1::text::uuid, $2::text::uuid)", &[&other.tenant_id, &home.user_id])
        .await
        .expect("membership");
    app.login("new@home.test", PASSWORD, Some(&other.tenant_slug)).await.assert_problem(401);
    let r = app.post("/api/auth/switch-tenant", Some(&home.access), json!({"tenant": other.tenant_slug})).await;
    r.assert_problem(404);
    // Verified, it works everywhere it belongs.
    app.post("/api/auth/verify-email", None, json!({"token": "x".repeat(43)})).await.assert_problem(422);
    let r = app.post("/api/auth/verify-email", None, json!({"token": link_token(&verify_mail)})).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert_eq!(app.login("new@home.test", PASSWORD, Some(&other.tenant_slug)).await.status, StatusCode::OK);
    app.post("/api/auth/verify-email", None, json!({"token": link_token(&verify_mail)})).await.assert_problem(422);
}

#[tokio::test]
async fn a_verified_account_accepts_by_proving_it_is_its_holder() {
    let app = TestApp::spawn_with(Options { mail: true, ..Default::default() }).await;
    let sink = app.mail.clone().expect("sink");
    let person = app.signup("Own", "person@own.test").await;
    let verify = link_token(&sink.wait_for_text("person@own.test", "verify-email").await);
    assert_eq!(app.post("/api/auth/verify-email", None, json!({"token": verify})).await.status, StatusCode::NO_CONTENT);
    let corp = app.signup("Corp", "admin@corp.test").await;
    let r = app.post("/api/invitations", Some(&corp.access), json!({"email": "person@own.test", "roles": ["viewer"]})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let token = link_token(&sink.wait_for_text("person@own.test", "accept-invitation").await);
    let lookup = app.request(Method::GET, &format!("/api/invitations/lookup?token={token}"), None, None).await;
    assert_eq!(lookup.body["needs_password"], false, "{}", lookup.text);

    // Holding the link is not enough: a token thief cannot take the account.
    app.post("/api/invitations/accept", None, json!({"token": token})).await.assert_problem(401);
    app.post("/api/invitations/accept", None, json!({"token": token, "password": "not the password at all"})).await.assert_problem(401);
    // Signed in as the account, it accepts; its password and sessions stay.
    let r = app.request(Method::POST, "/api/invitations/accept", Some(&person.access), Some(json!({"token": token}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.get("/api/auth/me", &person.access).await.status, StatusCode::OK);
    assert_eq!(app.login("person@own.test", PASSWORD, Some(&corp.tenant_slug)).await.status, StatusCode::OK);
}
