//! Attacks found in review of the database boundary, each tried and refused.
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{as_request, claims, connect, TestApp, PASSWORD};

const DROP_OWNER_ROLE: &str = "DELETE FROM membership_roles mr USING roles r
   WHERE r.tenant_id = mr.tenant_id AND r.id = mr.role_id AND r.name = 'owner' AND mr.user_id = $1::text::uuid";

#[tokio::test]
async fn the_api_role_cannot_mint_sessions_or_owners_for_existing_accounts() {
    let app = TestApp::spawn().await;
    let victim = app.signup("Victim", "ceo@victim.test").await;
    let web = app.web_client().await;
    web.batch_execute("SET role tenet_api").await.expect("role");

    // No path to make an existing account the owner of a new tenant.
    let e = web
        .execute("SELECT app.create_tenant_with_owner('Evil', 'ceo@victim.test', 'x', '$2b$10$abcdefghijklmnopqrstuu', true)", &[])
        .await
        .expect_err("not granted");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));

    // The old attack: begin a login for the victim's email, then open a
    // session without the password. begin_login answers a salt, never the
    // hash; the session opener is not executable; finish_login with a guessed
    // bcrypt output fails and opens nothing.
    let row = web
        .query_one("SELECT * FROM app.begin_login('ceo@victim.test', NULL, 10)", &[])
        .await
        .expect("begin_login");
    let columns: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    assert_eq!(columns, ["attempt_id", "password_salt", "retry_after"], "no hash may be answered");
    let salt: String = row.get("password_salt");
    assert_eq!(salt.len(), 29, "only the $2b$cost$salt prefix: {salt}");
    let attempt: i64 = row.get("attempt_id");
    let e = web
        .execute(
            "SELECT app.start_session(gen_random_uuid(), $1::text::uuid, $2::text::uuid, $3, $3, interval '1 day', 'auth.login')",
            &[&victim.user_id, &victim.tenant_id, &vec![7u8; 32]],
        )
        .await
        .expect_err("not granted");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
    let forged_output = format!("{salt}{}", "a".repeat(31));
    let finished = web
        .query_one(
            "SELECT status, session_id FROM app.finish_login($1, $2, gen_random_uuid(), $3, $4, interval '1 day')",
            &[&attempt, &forged_output, &vec![1u8; 32], &vec![2u8; 32]],
        )
        .await
        .expect("finish_login");
    assert_eq!(finished.get::<_, &str>("status"), "failed");
    assert_eq!(finished.get::<_, Option<uuid::Uuid>>("session_id"), None);
    // The attempt is spent: it cannot be retried with another guess.
    let e = web
        .query_one(
            "SELECT status FROM app.finish_login($1, $2, gen_random_uuid(), $3, $4, interval '1 day')",
            &[&attempt, &forged_output, &vec![3u8; 32], &vec![4u8; 32]],
        )
        .await
        .expect_err("spent attempt");
    assert_eq!(e.code().map(|c| c.code()), Some("TN401"));

    // The only session the victim has is the one signup opened.
    let owner = app.owner_client().await;
    let sessions: i64 = owner
        .query_one("SELECT count(*) FROM sessions WHERE user_id = $1::text::uuid", &[&victim.user_id])
        .await
        .expect("count")
        .get(0);
    assert_eq!(sessions, 1);

    // No hash is readable any other way either.
    let e = web.query("SELECT password_hash FROM app_private.user_secrets", &[]).await.expect_err("no usage on app_private");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
}

#[tokio::test]
async fn an_unknown_email_gets_a_stable_salt_like_a_real_one() {
    let app = TestApp::spawn().await;
    app.signup("Acme", "real@acme.test").await;
    let web = app.web_client().await;
    web.batch_execute("SET role tenet_api").await.expect("role");
    let salt = |email: &'static str| {
        let web = &web;
        async move {
            web.query_one("SELECT password_salt FROM app.begin_login($1, NULL, 10)", &[&email]).await.expect("salt").get::<_, String>(0)
        }
    };
    let (unknown1, unknown2, real) = (salt("ghost@nowhere.test").await, salt("ghost@nowhere.test").await, salt("real@acme.test").await);
    assert_eq!(unknown1, unknown2, "the fake salt must not change between calls");
    assert_ne!(unknown1, salt("other-ghost@nowhere.test").await);
    assert_eq!(unknown1.len(), real.len());
    assert_eq!(&unknown1[..7], &real[..7], "same version and cost");
}

#[tokio::test]
async fn session_ids_from_the_audit_log_are_not_enough_to_act_as_a_member() {
    let app = TestApp::spawn().await;
    let owner = app.signup("Acme", "o@acme.test").await;
    let c = claims(&owner.access);
    let web = app.web_client().await;
    web.batch_execute("BEGIN; SET LOCAL role tenet_api").await.expect("begin");
    // Everything the audit log shows: tenant, user and session ids; no secret.
    web.execute(
        "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), set_config('app.session_id', $3, true)",
        &[&c["tenant_id"].as_str(), &c["sub"].as_str(), &c["sid"].as_str()],
    )
    .await
    .expect("context");
    let authorized: Option<Vec<String>> = web.query_one("SELECT app.authorize()", &[]).await.expect("authorize").get(0);
    assert_eq!(authorized, None);
    let tenants: i64 = web.query_one("SELECT count(*) FROM tenants", &[]).await.expect("count").get(0);
    assert_eq!(tenants, 0);
    web.execute("SELECT set_config('app.session_secret', 'a-guess', true)", &[]).await.expect("guess");
    let tenants: i64 = web.query_one("SELECT count(*) FROM tenants", &[]).await.expect("count").get(0);
    assert_eq!(tenants, 0);
    // With the token's own secret, exactly the member's view.
    web.execute("SELECT set_config('app.session_secret', $1, true)", &[&c["ssec"].as_str()]).await.expect("secret");
    let tenants: i64 = web.query_one("SELECT count(*) FROM tenants", &[]).await.expect("count").get(0);
    assert_eq!(tenants, 1);
}

#[tokio::test]
async fn parallel_guesses_cannot_outrun_the_throttle() {
    let app = TestApp::spawn().await;
    app.signup("Acme", "target@acme.test").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        tasks.push(tokio::spawn(async move {
            client.post(url).json(&json!({"email": "target@acme.test", "password": format!("guess number {i}")})).send().await.map(|r| r.status())
        }));
    }
    let mut unauthorized = 0;
    for t in tasks {
        match t.await.expect("join").expect("request") {
            StatusCode::UNAUTHORIZED => unauthorized += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(unauthorized <= 10, "{unauthorized} guesses were checked");
    app.login("target@acme.test", PASSWORD, None).await.assert_problem(429);
}

#[tokio::test]
async fn a_tenant_cannot_rename_an_account_that_belongs_elsewhere_too() {
    let app = TestApp::spawn().await;
    let attacker = app.signup("Attacker", "boss@attacker.test").await;
    let victim = app.signup("Victim", "person@victim.test").await;
    // The victim's account also belongs to the attacker's tenant (as if it had accepted an invitation).
    app.owner_client()
        .await
        .execute(
            "INSERT INTO memberships (tenant_id, user_id) VALUES ($1::text::uuid, $2::text::uuid)",
            &[&attacker.tenant_id, &victim.user_id],
        )
        .await
        .expect("membership");
    let r = app.request(Method::PATCH, &format!("/api/users/{}", victim.user_id), Some(&attacker.access), Some(json!({"name": "Pwned"}))).await;
    r.assert_problem(403);
    assert_eq!(app.get("/api/auth/me", &victim.access).await.body["user"]["name"], "Owner");

    // An account only this tenant holds can be renamed, and the rename is audited.
    let own = app
        .post("/api/users", Some(&attacker.access), json!({"email": "new@attacker.test", "name": "New", "password": PASSWORD, "roles": ["viewer"]}))
        .await;
    let own_id = own.body["id"].as_str().expect("id").to_string();
    let r = app.request(Method::PATCH, &format!("/api/users/{own_id}"), Some(&attacker.access), Some(json!({"name": "Renamed"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let entries = app.get(&format!("/api/audit-logs?entity=user&record_id={own_id}"), &attacker.access).await;
    assert_eq!(entries.body["items"][0]["changes"], json!({"name": {"old": "New", "new": "Renamed"}}));
    // Users rename themselves.
    let r = app.request(Method::PATCH, &format!("/api/users/{}", victim.user_id), Some(&victim.access), Some(json!({"name": "Me"}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn helper_functions_say_nothing_about_other_tenants() {
    let app = TestApp::spawn().await;
    let a = app.signup("Aaa", "o@aaa.test").await;
    let b = app.signup("Bbb", "o@bbb.test").await;
    let c = as_request(&app, &a.access).await;
    let keys: Vec<String> = c.query_one("SELECT app.member_permission_keys($1::text::uuid)", &[&b.user_id]).await.expect("q").get(0);
    assert!(keys.is_empty(), "{keys:?}");
    let b_owner_role: Option<String> = app
        .owner_client()
        .await
        .query_one("SELECT id::text FROM roles WHERE tenant_id = $1::text::uuid AND name = 'owner'", &[&b.tenant_id])
        .await
        .expect("q")
        .get(0);
    let keys: Vec<String> = c.query_one("SELECT app.role_permission_keys($1::text::uuid)", &[&b_owner_role]).await.expect("q").get(0);
    assert!(keys.is_empty());
    let assigned: bool = c.query_one("SELECT app.role_is_assigned($1::text::uuid)", &[&b_owner_role]).await.expect("q").get(0);
    assert!(!assigned);
}

#[tokio::test]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let app = TestApp::spawn().await;
    let first = app.signup("Acme", "one@acme.test").await;
    app.post("/api/users", Some(&first.access), json!({"email": "two@acme.test", "name": "Two", "password": PASSWORD, "roles": ["owner"]})).await;
    let second = crate::helpers::Session::from(&app.login("two@acme.test", PASSWORD, None).await);
    let second_id = claims(&second.access)["sub"].as_str().expect("sub").to_string();
    let (demote_second, demote_first) = (format!("/api/users/{second_id}"), format!("/api/users/{}", first.user_id));
    let (x, y) = tokio::join!(
        app.request(Method::PATCH, &demote_second, Some(&first.access), Some(json!({"roles": ["admin"]}))),
        app.request(Method::PATCH, &demote_first, Some(&second.access), Some(json!({"roles": ["admin"]}))),
    );
    // Exactly one wins. The other is refused: 403 when it starts after the
    // winner committed (its author is no longer an owner, so cannot unassign
    // the owner role), 409 when both were already past that check (the
    // last-owner guard; the SQL-level test below forces that interleaving).
    let mut statuses = [x.status.as_u16(), y.status.as_u16()];
    statuses.sort_unstable();
    assert!(statuses == [200, 403] || statuses == [200, 409], "{statuses:?}: {} / {}", x.text, y.text);
    let owners: i64 = app
        .owner_client()
        .await
        .query_one(
            "SELECT count(*) FROM membership_roles mr JOIN roles r ON r.tenant_id = mr.tenant_id AND r.id = mr.role_id
              WHERE r.name = 'owner' AND mr.tenant_id = $1::text::uuid",
            &[&first.tenant_id],
        )
        .await
        .expect("q")
        .get(0);
    assert_eq!(owners, 1);
}

#[tokio::test]
async fn deleting_an_assigned_role_is_409_even_without_users_read() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    let manager_role = app.post("/api/roles", Some(&o.access), json!({"name": "role-manager", "permissions": ["roles:manage"]})).await;
    assert_eq!(manager_role.status, StatusCode::CREATED);
    let target = app.post("/api/roles", Some(&o.access), json!({"name": "target", "permissions": []})).await;
    app.post("/api/users", Some(&o.access), json!({"email": "rm@acme.test", "name": "RM", "password": PASSWORD, "roles": ["role-manager"]})).await;
    app.post("/api/users", Some(&o.access), json!({"email": "t@acme.test", "name": "T", "password": PASSWORD, "roles": ["target"]})).await;
    let rm = app.login("rm@acme.test", PASSWORD, None).await.body["access_token"].as_str().expect("t").to_string();
    let r = app.request(Method::DELETE, &format!("/api/roles/{}", target.body["id"].as_str().expect("id")), Some(&rm), None).await;
    r.assert_problem(409);
    let c = as_request(&app, &rm).await;
    let e = c
        .execute("DELETE FROM roles WHERE id = $1::text::uuid", &[&target.body["id"].as_str()])
        .await
        .expect_err("assigned");
    assert_eq!(e.code().map(|c| c.code()), Some("TN409"), "{e}");
}

#[tokio::test]
async fn the_chain_head_cannot_be_rewound() {
    let app = TestApp::spawn().await;
    let o = app.signup("Acme", "o@acme.test").await;
    for url in [app.db.owner_url(), app.db.admin_url()] {
        let c = connect(&url).await;
        for sql in ["UPDATE app_private.audit_chain_heads SET seq = seq - 1", "DELETE FROM app_private.audit_chain_heads", "TRUNCATE app_private.audit_chain_heads"] {
            let e = c.batch_execute(sql).await.expect_err(sql);
            assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e}");
        }
    }
    let ok: bool = app.owner_client().await.query_one("SELECT ok FROM app.audit_verify($1::text::uuid)", &[&o.tenant_id]).await.expect("v").get(0);
    assert!(ok);
}

#[tokio::test]
async fn the_api_role_cannot_create_temporary_tables() {
    let app = TestApp::spawn().await;
    // Database-level privileges are not copied from the template: migrate
    // this database itself, as a deployment does.
    tenet::db::migrate::run(&secrecy::SecretString::from(app.db.owner_url())).await.expect("migrate");
    let web = app.web_client().await;
    let e = web.batch_execute("CREATE TEMP TABLE roles (id uuid)").await.expect_err("temp");
    assert_eq!(e.code().map(|c| c.code()), Some("42501"));
}

#[tokio::test]
async fn two_owners_stepping_down_in_overlapping_transactions_get_one_success_and_one_409() {
    let app = TestApp::spawn().await;
    let first = app.signup("Acme", "one@acme.test").await;
    app.post("/api/users", Some(&first.access), json!({"email": "two@acme.test", "name": "Two", "password": PASSWORD, "roles": ["owner"]})).await;
    let second = crate::helpers::Session::from(&app.login("two@acme.test", PASSWORD, None).await);
    let second_id = claims(&second.access)["sub"].as_str().expect("sub").to_string();

    // Each owner drops their own owner role. Both pass every check made
    // before the row changes (each still holds what it unassigns); the
    // last-owner guard then serialises them, and the later one would leave
    // the tenant without an owner.
    let by_first = as_request(&app, &first.access).await;
    let by_second = as_request(&app, &second.access).await;
    assert_eq!(by_first.execute(DROP_OWNER_ROLE, &[&first.user_id]).await.expect("first steps down"), 1);
    let racing = tokio::spawn(async move {
        let result = by_second.execute(DROP_OWNER_ROLE, &[&second_id]).await;
        (result, by_second)
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    by_first.batch_execute("COMMIT").await.expect("the first demotion commits");
    let (result, by_second) = racing.await.expect("join");
    let e = result.expect_err("the second step-down would leave no owner");
    assert_eq!(e.code().map(|c| c.code()), Some("TN409"), "{e}");
    by_second.batch_execute("ROLLBACK").await.expect("rollback");
}

#[tokio::test]
async fn two_owners_stepping_down_at_once_get_exactly_one_success_and_one_409() {
    let app = TestApp::spawn().await;
    let first = app.signup("Acme", "one@acme.test").await;
    app.post("/api/users", Some(&first.access), json!({"email": "two@acme.test", "name": "Two", "password": PASSWORD, "roles": ["owner"]})).await;
    let second = crate::helpers::Session::from(&app.login("two@acme.test", PASSWORD, None).await);
    let second_id = claims(&second.access)["sub"].as_str().expect("sub").to_string();
    let (first_path, second_path) = (format!("/api/users/{}", first.user_id), format!("/api/users/{second_id}"));
    let (x, y) = tokio::join!(
        app.request(Method::PATCH, &first_path, Some(&first.access), Some(json!({"roles": ["admin"]}))),
        app.request(Method::PATCH, &second_path, Some(&second.access), Some(json!({"roles": ["admin"]}))),
    );
    let mut statuses = [x.status.as_u16(), y.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", x.text, y.text);
}

#[tokio::test]
async fn a_login_without_a_slug_never_lands_in_a_tenant_the_user_just_joined() {
    let app = TestApp::spawn().await;
    let victim = app.signup("Victim Home", "person@victim.test").await;
    let attacker = app.signup("Your Company IT - please verify", "boss@attacker.test").await;
    let added = app
        .post("/api/users", Some(&attacker.access), json!({"email": "person@victim.test", "name": "x", "password": PASSWORD, "roles": ["viewer"]}))
        .await;
    assert!(added.status.is_success(), "{}", added.text);
    let tenant_of = |r: &crate::helpers::Response| claims(r.body["access_token"].as_str().expect("token"))["tenant_id"].clone();

    // The tenant of the last sign-in wins.
    let r = app.login("person@victim.test", PASSWORD, None).await;
    assert_eq!(tenant_of(&r), serde_json::json!(victim.tenant_id));
    // Without one on record, the oldest membership, never the newest.
    app.owner_client()
        .await
        .execute("UPDATE users SET last_tenant_id = NULL WHERE email = 'person@victim.test'", &[])
        .await
        .expect("forget the last tenant");
    let r = app.login("person@victim.test", PASSWORD, None).await;
    assert_eq!(tenant_of(&r), serde_json::json!(victim.tenant_id));
}
