//! SQL-level proofs of the database contract: fail-closed tenancy, no context
//! bleeding between pooled requests, least privilege and the catalog
//! invariants of every table.
use tenet::{
    auth::Identity,
    config::Timeouts,
    db::{Database, RequestMeta},
};
use tokio_postgres::{Client, GenericClient};
use uuid::Uuid;

use crate::helpers::{connect, TestApp, TestDb};

/// A bcrypt hash (cost 4 is fine for rows no one logs in with).
const HASH: &str = "$2b$04$KDKxTf0WbJ4c7ptIVyTgReC6VE4DqjLqzYGJD1ABljsD8MpnQn1Oa";

struct Seeded {
    tenant: Uuid,
    user: Uuid,
    session: Uuid,
    secret: String,
}

impl Seeded {
    fn identity(&self) -> Identity {
        Identity { user_id: self.user, tenant_id: self.tenant, session_id: self.session, session_secret: self.secret.clone() }
    }
}

/// A one-connection pool as the API's login role, set up as `tenet serve` does.
fn database(db: &TestDb) -> Database {
    let pool = tenet::db::pool(&secrecy::SecretString::from(db.app_url()), 1, std::time::Duration::from_secs(5)).expect("pool");
    Database::new(pool, &Timeouts::default(), crate::helpers::transaction_pooling())
}

/// Creates a tenant with an owner and a live session, as the owner role.
async fn seed(owner: &Client, tenant_name: &str, email: &str) -> Seeded {
    let row = owner
        .query_one(
            "SELECT tenant_id, user_id FROM app.create_tenant_with_owner($1, $2, 'Owner', $3, false)",
            &[&tenant_name, &email, &HASH],
        )
        .await
        .expect("create tenant");
    let (tenant, user): (Uuid, Uuid) = (row.get(0), row.get(1));
    let (session, secret) = open_session(owner, user, tenant).await;
    Seeded { tenant, user, session, secret }
}

/// A live session and its secret, written directly as the owner (the API can
/// only open one through a verified login).
async fn open_session(owner: &Client, user: Uuid, tenant: Uuid) -> (Uuid, String) {
    let hash = Uuid::new_v4().as_bytes().repeat(2);
    let secret = Uuid::new_v4().simple().to_string();
    let id = owner
        .query_one(
            "INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, secret_hash, expires_at)
             VALUES ($1, $2, $3, sha256(convert_to($4, 'UTF8')), now() + interval '1 day') RETURNING id",
            &[&user, &tenant, &hash, &secret],
        )
        .await
        .expect("open session")
        .get(0);
    (id, secret)
}

/// Adds a member (no roles) with a live session to a tenant, as the owner role.
async fn seed_member(owner: &Client, tenant: Uuid, email: &str) -> Seeded {
    let user: Uuid = owner
        .query_one(
            "WITH u AS (INSERT INTO users (email, name) VALUES ($1, 'Member') RETURNING id),
                  s AS (INSERT INTO app_private.user_secrets (user_id, password_hash) SELECT id, $2 FROM u)
             SELECT id FROM u",
            &[&email, &HASH],
        )
        .await
        .expect("user")
        .get(0);
    owner.execute("INSERT INTO memberships (tenant_id, user_id) VALUES ($1, $2)", &[&tenant, &user]).await.expect("membership");
    let (session, secret) = open_session(owner, user, tenant).await;
    Seeded { tenant, user, session, secret }
}

/// The context of `who`'s session (its secret included), claiming `tenant`.
async fn set_context(c: &impl GenericClient, tenant: Uuid, who: &Seeded) {
    c.execute(
        "SELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true),
                set_config('app.session_id', $3, true), set_config('app.session_secret', $4, true)",
        &[&tenant.to_string(), &who.user.to_string(), &who.session.to_string(), &who.secret],
    )
    .await
    .expect("set context");
}

const TENANT_TABLES: [&str; 6] = ["tenants", "memberships", "roles", "role_permissions", "membership_roles", "sessions"];

async fn visible_rows(c: &impl GenericClient, table: &str) -> i64 {
    c.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await.expect("count").get(0)
}

#[tokio::test]
async fn without_context_every_table_reads_nothing_and_accepts_no_write() {
    // Arrange: two tenants with data, and the API's login role.
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    seed(&owner, "Beta", "b@beta.test").await;
    let web = connect(&db.web_url()).await;
    // The login role itself (NOINHERIT) holds nothing outside a request.
    let bare = web.query_one("SELECT count(*) FROM tenants", &[]).await.expect_err("the bare login role reads nothing");
    assert!(matches!(bare.code().map(|c| c.code()), Some("42501" | "42P01")), "{bare}");
    // What a request without a context is: tenet_api with no app.* settings.
    web.batch_execute("SET ROLE tenet_api").await.expect("set role");

    // Act + Assert: reads see nothing, or are refused outright.
    let tables: Vec<String> = owner
        .query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'refinery%'", &[])
        .await
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.len() >= 10, "{tables:?}");
    for table in &tables {
        match web.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await {
            Ok(row) => assert_eq!(row.get::<_, i64>(0), 0, "{table} leaks rows without a context"),
            Err(e) => assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{table}: {e}"),
        }
    }

    // Writes are refused.
    let attempts = [
        format!("INSERT INTO tenants (name, slug) VALUES ('x', 'x-{}')", Uuid::new_v4().simple()),
        format!("INSERT INTO memberships (tenant_id, user_id) VALUES ('{}', '{}')", a.tenant, a.user),
        format!("INSERT INTO roles (tenant_id, name) VALUES ('{}', 'hacker')", a.tenant),
        "INSERT INTO users (email, name) VALUES ('x@y.z', 'x')".to_string(),
        format!("INSERT INTO app_private.user_secrets (user_id, password_hash) VALUES ('{}', '{HASH}')", a.user),
        format!("INSERT INTO sessions (user_id, tenant_id, refresh_token_hash, expires_at) VALUES ('{}', '{}', '\\x00', now())", a.user, a.tenant),
        "INSERT INTO app_private.security_events (action) VALUES ('auth.login')".to_string(),
    ];
    for sql in &attempts {
        let e = web.execute(sql.as_str(), &[]).await.expect_err(sql);
        assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e}");
    }
    for table in ["tenants", "memberships", "roles", "role_permissions", "membership_roles", "users"] {
        let deleted = web.execute(&format!("DELETE FROM {table}"), &[]).await.unwrap_or(0);
        assert_eq!(deleted, 0, "{table}");
    }
    assert_eq!(web.execute("UPDATE tenants SET name = 'pwned'", &[]).await.expect("update"), 0);
    assert_eq!(web.execute("UPDATE memberships SET active = false", &[]).await.expect("update"), 0);
    let owner_view: i64 = owner.query_one("SELECT count(*) FROM tenants WHERE name = 'pwned'", &[]).await.expect("q").get(0);
    assert_eq!(owner_view, 0);
}

#[tokio::test]
async fn a_context_for_a_non_member_or_a_revoked_session_reads_nothing() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let b = seed(&owner, "Beta", "b@beta.test").await;
    let mut web = connect(&db.web_url()).await;

    // A's user and session, claiming B's tenant.
    let tx = web.transaction().await.expect("begin");
    set_context(&tx, b.tenant, &a).await;
    for table in TENANT_TABLES {
        assert_eq!(visible_rows(&tx, table).await, 0, "{table} leaks to a non-member");
    }
    assert_eq!(tx.execute("UPDATE tenants SET name = 'pwned'", &[]).await.expect("update"), 0);
    tx.rollback().await.expect("rollback");

    // A's own, valid context sees exactly A.
    let tx = web.transaction().await.expect("begin");
    set_context(&tx, a.tenant, &a).await;
    let ids: Vec<Uuid> = tx.query("SELECT id FROM tenants", &[]).await.expect("q").iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, vec![a.tenant]);
    tx.rollback().await.expect("rollback");

    // After the session is revoked, the same context sees nothing.
    owner.execute("UPDATE sessions SET revoked_at = now() WHERE id = $1", &[&a.session]).await.expect("revoke");
    let tx = web.transaction().await.expect("begin");
    set_context(&tx, a.tenant, &a).await;
    for table in TENANT_TABLES {
        assert_eq!(visible_rows(&tx, table).await, 0, "{table} leaks to a revoked session");
    }
    tx.rollback().await.expect("rollback");

    // An inactive membership is no better.
    let c = seed_member(&owner, a.tenant, "c@alpha.test").await;
    owner.execute("UPDATE memberships SET active = false WHERE user_id = $1", &[&c.user]).await.expect("deactivate");
    let tx = web.transaction().await.expect("begin");
    set_context(&tx, c.tenant, &c).await;
    assert_eq!(visible_rows(&tx, "tenants").await, 0);
    tx.rollback().await.expect("rollback");
}

#[tokio::test]
async fn a_pooled_connection_carries_no_context_into_the_next_request() {
    // Arrange: a pool of exactly one connection, so every scope reuses it.
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let b = seed(&owner, "Beta", "b@beta.test").await;
    let database = database(&db);
    let pool = database.pool.clone();
    let meta = RequestMeta { request_id: "req-1".into(), ..Default::default() };
    let (as_a, as_b) = (a.identity(), b.identity());

    // Request 1, as A.
    let scope = database.authenticated(&meta, &as_a).await.expect("scope A");
    let pid_a: i32 = scope.query_one("SELECT pg_backend_pid()", &[]).await.expect("pid").get(0);
    let seen: Vec<Uuid> = scope.query("SELECT id FROM tenants", &[]).await.expect("q").iter().map(|r| r.get(0)).collect();
    assert_eq!(seen, vec![a.tenant]);
    scope.commit().await.expect("commit");

    // Request 2, no context, on the same connection.
    let scope = database.anonymous(&RequestMeta::default()).await.expect("anonymous");
    let row = scope
        .query_one(
            "SELECT pg_backend_pid(), coalesce(current_setting('app.tenant_id', true), ''),
                    coalesce(current_setting('app.user_id', true), ''), (SELECT count(*) FROM tenants),
                    (SELECT count(*) FROM memberships)",
            &[],
        )
        .await
        .expect("q");
    assert_eq!(row.get::<_, i32>(0), pid_a, "the pool must have reused the connection");
    assert_eq!(row.get::<_, String>(1), "");
    assert_eq!(row.get::<_, String>(2), "");
    assert_eq!(row.get::<_, i64>(3), 0);
    assert_eq!(row.get::<_, i64>(4), 0);
    scope.commit().await.expect("commit");

    // Request 3, as A again, but abandoned mid-way (a handler error): it must
    // be rolled back before the connection is reused.
    let scope = database.authenticated(&meta, &as_a).await.expect("scope A");
    scope.execute("UPDATE tenants SET name = 'half-done'", &[]).await.ok();
    drop(scope);

    // Request 4, as B: sees B only, and nothing A left behind.
    let scope = database.authenticated(&meta, &as_b).await.expect("scope B");
    let row = scope
        .query_one("SELECT pg_backend_pid(), array_agg(id), bool_or(name = 'half-done') FROM tenants", &[])
        .await
        .expect("q");
    assert_eq!(row.get::<_, i32>(0), pid_a);
    assert_eq!(row.get::<_, Vec<Uuid>>(1), vec![b.tenant]);
    assert_eq!(row.get::<_, Option<bool>>(2), Some(false));
    scope.commit().await.expect("commit");
    let renamed: i64 = owner.query_one("SELECT count(*) FROM tenants WHERE name = 'half-done'", &[]).await.expect("q").get(0);
    assert_eq!(renamed, 0, "an abandoned scope must not commit");

    // Outside any transaction the connection holds no session-level setting.
    let client = pool.get().await.expect("client");
    let row = client
        .query_one("SELECT coalesce(current_setting('app.tenant_id', true), ''), current_user::text, session_user::text", &[])
        .await
        .expect("q");
    assert_eq!(row.get::<_, String>(0), "");
    assert_eq!(row.get::<_, String>(1), row.get::<_, String>(2), "the role switch must be transaction-local");
}

#[tokio::test]
async fn requests_run_as_tenet_api() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let scope = database(&db)
        .authenticated(&RequestMeta::default(), &a.identity())
        .await
        .expect("scope");
    let role: String = scope.query_one("SELECT current_user::text", &[]).await.expect("q").get(0);
    assert_eq!(role, "tenet_api");
    assert!(scope.has(tenet::auth::Permission::TenantManage), "the owner's permissions come from the database: {:?}", scope.permissions());
}

#[tokio::test]
async fn an_unknown_session_is_refused_as_401() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let database = database(&db);
    let forged = Identity { session_id: Uuid::new_v4(), ..a.identity() };
    let err = database.authenticated(&RequestMeta::default(), &forged).await.err().expect("must fail");
    assert_eq!(err.status().as_u16(), 401);
    // Knowing the real session's ids is not enough without its secret.
    for secret in ["", "guessed", &a.secret[1..]] {
        let forged = Identity { session_secret: secret.to_string(), ..a.identity() };
        let err = database.authenticated(&RequestMeta::default(), &forged).await.err().expect("must fail");
        assert_eq!(err.status().as_u16(), 401, "secret {secret:?}");
    }
    database.authenticated(&RequestMeta::default(), &a.identity()).await.expect("the real secret opens the scope");
}

#[tokio::test]
async fn catalog_invariants_hold_for_every_table() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;

    // RLS enabled and forced everywhere, a policy per command for tenet_api
    // wherever tenet_api has the privilege.
    let rows = owner
        .query(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname NOT LIKE 'refinery%'",
            &[],
        )
        .await
        .expect("q");
    for r in &rows {
        let table: String = r.get(0);
        assert!(r.get::<_, bool>(1) && r.get::<_, bool>(2), "{table}: RLS must be enabled and forced");
        for (cmd, privilege) in [("SELECT", "SELECT"), ("INSERT", "INSERT"), ("UPDATE", "UPDATE"), ("DELETE", "DELETE")] {
            let granted: bool = owner
                .query_one(
                    "SELECT CASE WHEN $2 = 'DELETE' THEN has_table_privilege('tenet_api', $1::text::regclass, $2)
                                 ELSE has_any_column_privilege('tenet_api', $1::text::regclass, $2) END",
                    &[&table, &privilege],
                )
                .await
                .expect("q")
                .get(0);
            if granted {
                let policies: i64 = owner
                    .query_one(
                        "SELECT count(*) FROM pg_policies WHERE tablename = $1 AND cmd = $2 AND 'tenet_api' = ANY(roles)",
                        &[&table, &cmd],
                    )
                    .await
                    .expect("q")
                    .get(0);
                assert!(policies > 0, "{table}: tenet_api may {cmd} but no policy governs it");
            }
        }
    }

    // Every table with a tenant_id, read from the catalog (so a new table is
    // checked the day it lands): tenant_id NOT NULL leading the primary key,
    // every unique constraint and every foreign key to another tenant table;
    // a policy for each command, INSERT and UPDATE with WITH CHECK. The
    // authentication tables found before a tenant is known are the contract's
    // exception, and must say so in a COMMENT.
    let tenant_tables: Vec<(String, bool, Option<String>)> = owner
        .query(
            "SELECT c.relname::text, a.attnotnull, obj_description(c.oid, 'pg_class')
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              ORDER BY 1",
            &[],
        )
        .await
        .expect("q")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let names: Vec<&str> = tenant_tables.iter().map(|t| t.0.as_str()).collect();
    for expected in ["audit_log", "companies", "contacts", "memberships", "roles", "role_permissions", "membership_roles"] {
        assert!(names.contains(&expected), "{expected} must be found as a tenant table: {names:?}");
    }
    for (table, not_null, comment) in &tenant_tables {
        if comment.as_deref().is_some_and(|c| c.starts_with("Authentication table") || c.starts_with("Security events that concern no tenant")) {
            continue;
        }
        assert!(not_null, "{table}.tenant_id must be NOT NULL");
        let keys = owner
            .query(
                "SELECT con.conname::text, con.contype::text, a.attname::text,
                        (SELECT EXISTS (SELECT 1 FROM pg_attribute fa WHERE fa.attrelid = con.confrelid AND fa.attname = 'tenant_id'))
                   FROM pg_constraint con
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
                  WHERE con.conrelid = $1::text::regclass AND con.contype IN ('p', 'u', 'f')",
                &[table],
            )
            .await
            .expect("q");
        assert!(keys.iter().any(|k| k.get::<_, String>(1) == "p"), "{table} has no primary key");
        for k in &keys {
            let (name, kind, first, to_tenant_table): (String, String, String, bool) = (k.get(0), k.get(1), k.get(2), k.get(3));
            if kind != "f" || to_tenant_table {
                assert_eq!(first, "tenant_id", "{table}: constraint {name} must lead with tenant_id");
            }
        }
        for cmd in ["SELECT", "INSERT", "UPDATE", "DELETE"] {
            let rows = owner
                .query("SELECT with_check IS NOT NULL FROM pg_policies WHERE tablename = $1 AND cmd IN ($2, 'ALL')", &[table, &cmd])
                .await
                .expect("q");
            assert!(!rows.is_empty(), "{table}: no policy for {cmd}");
            if cmd == "INSERT" || cmd == "UPDATE" {
                assert!(rows.iter().all(|r| r.get::<_, bool>(0)), "{table}: a {cmd} policy without WITH CHECK");
            }
        }
    }

    // Nothing granted to PUBLIC on tables, and tenet_api is least-privileged.
    let public_grants: i64 = owner
        .query_one("SELECT count(*) FROM information_schema.role_table_grants WHERE grantee = 'PUBLIC' AND table_schema = 'public'", &[])
        .await
        .expect("q")
        .get(0);
    assert_eq!(public_grants, 0);
    let api = owner
        .query_one("SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'tenet_api'", &[])
        .await
        .expect("q");
    assert!(!api.get::<_, bool>(0) && !api.get::<_, bool>(1) && !api.get::<_, bool>(2));
    let owns: i64 = owner
        .query_one("SELECT count(*) FROM pg_tables WHERE tableowner = 'tenet_api'", &[])
        .await
        .expect("q")
        .get(0);
    assert_eq!(owns, 0);

    // SECURITY DEFINER functions pin search_path; no function is executable by PUBLIC.
    let unpinned: Vec<String> = owner
        .query(
            "SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'app' AND p.prosecdef
                AND NOT EXISTS (SELECT 1 FROM unnest(coalesce(p.proconfig, '{}')) c WHERE c LIKE 'search_path=%')",
            &[],
        )
        .await
        .expect("q")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(unpinned.is_empty(), "SECURITY DEFINER without search_path: {unpinned:?}");
    let public_exec: Vec<String> = owner
        .query(
            "SELECT p.proname::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = 'app' AND has_function_privilege('public', p.oid, 'EXECUTE')",
            &[],
        )
        .await
        .expect("q")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(public_exec.is_empty(), "functions executable by PUBLIC: {public_exec:?}");
}

#[tokio::test]
async fn policy_helpers_run_once_per_statement() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let mut web = connect(&db.web_url()).await;
    let tx = web.transaction().await.expect("begin");
    set_context(&tx, a.tenant, &a).await;
    tx.batch_execute("SET LOCAL role tenet_api").await.expect("role");
    let plan: Vec<String> =
        tx.query("EXPLAIN SELECT * FROM memberships", &[]).await.expect("explain").iter().map(|r| r.get(0)).collect();
    let plan = plan.join("\n");
    assert!(plan.contains("InitPlan"), "policy helpers must be InitPlans:\n{plan}");
    assert!(!plan.contains("SubPlan"), "policy helpers must not run per row:\n{plan}");
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let owner = app.owner_client().await;
    let before = catalog_fingerprint(&owner).await;
    let url = secrecy::SecretString::from(app.db.owner_url());
    let summary = tenet::db::migrate::run(&url).await.expect("second migrate");
    assert!(summary.applied.is_empty(), "{:?}", summary.applied);
    assert!(summary.repeatable >= 5);
    let after = catalog_fingerprint(&owner).await;
    for (what, (b, a)) in ["policies", "grants", "functions", "triggers", "tables"].iter().zip(before.iter().zip(after.iter())) {
        assert_eq!(b, a, "re-applying sql/ and policies/ changed the {what}");
    }
}

/// What a DBA would diff: policies, table and column grants, function
/// definitions and privileges, triggers, tables with their RLS flags.
async fn catalog_fingerprint(c: &Client) -> Vec<Vec<String>> {
    let queries = [
        "SELECT schemaname || '.' || tablename || ' ' || policyname || ' ' || cmd || ' ' || roles::text || ' '
                || coalesce(qual, '') || ' ' || coalesce(with_check, '')
           FROM pg_policies ORDER BY 1",
        "SELECT table_name || ' ' || grantee || ' ' || privilege_type FROM information_schema.role_table_grants
          WHERE table_schema = 'public' UNION ALL
         SELECT table_name || '.' || column_name || ' ' || grantee || ' ' || privilege_type
           FROM information_schema.role_column_grants WHERE table_schema = 'public' ORDER BY 1",
        "SELECT p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid)) || ' ' || coalesce(p.proacl::text, '')
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname IN ('app', 'public') AND p.prokind = 'f' ORDER BY 1",
        "SELECT tgrelid::regclass::text || ' ' || tgname || ' ' || md5(pg_get_triggerdef(oid)) FROM pg_trigger
          WHERE NOT tgisinternal ORDER BY 1",
        "SELECT c.oid::regclass::text || ' ' || c.relrowsecurity || ' ' || c.relforcerowsecurity || ' ' || coalesce(c.relacl::text, '')
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('public', 'app', 'app_private') AND c.relkind IN ('r', 'p') ORDER BY 1",
    ];
    let mut out: Vec<Vec<String>> = Vec::new();
    for q in queries {
        out.push(c.query(q, &[]).await.expect("catalog").iter().map(|r| r.get::<_, String>(0)).collect());
    }
    assert!(out.iter().all(|part| !part.is_empty()), "every part of the fingerprint reads something");
    out
}

fn tenet_binary() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"));
    cmd.env("JWT_SECRET", crate::helpers::JWT_SECRET).env("PORT", "0").env("RUST_LOG", "error");
    cmd
}

#[tokio::test]
async fn serve_refuses_a_superuser_login_role() {
    let db = TestDb::new().await;
    let out = tenet_binary().env("DATABASE_URL", db.admin_url()).arg("serve").output().expect("run tenet");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("superuser"), "{stderr}");
}

#[tokio::test]
async fn serve_refuses_a_bypassrls_login_role_and_the_table_owner() {
    let db = TestDb::new().await;
    let admin = connect(&db.admin_url()).await;
    admin
        .batch_execute(
            "DO $$ BEGIN
               CREATE ROLE tenet_test_bypass LOGIN BYPASSRLS PASSWORD 'bypass';
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
             GRANT tenet_api TO tenet_test_bypass;",
        )
        .await
        .expect("role");
    let out = tenet_binary()
        .env("DATABASE_URL", crate::helpers::url("tenet_test_bypass", "bypass", &db.name))
        .arg("serve")
        .output()
        .expect("run tenet");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("BYPASSRLS"), "{}", String::from_utf8_lossy(&out.stderr));

    let out = tenet_binary().env("DATABASE_URL", db.owner_url()).arg("serve").output().expect("run tenet");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("tenet_api") || stderr.contains("owns"), "{stderr}");
}

#[tokio::test]
async fn policy_report_lists_every_table_with_its_policies() {
    let db = TestDb::new().await;
    let out = tenet_binary()
        .env("DATABASE_URL", db.owner_url())
        .args(["admin", "policy-report"])
        .output()
        .expect("run tenet");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("table tenants") && report.contains("RLS on, FORCE on"), "{report}");
    assert!(report.contains("\"members see their own tenant\""), "{report}");
}

#[tokio::test]
async fn the_access_matrix_says_which_system_role_may_do_what() {
    let db = TestDb::new().await;
    let out = tenet_binary().env("DATABASE_URL", db.owner_url()).args(["admin", "policy-report", "--json"]).output().expect("run tenet");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let cell = |table: &str, command: &str| {
        report["access_matrix"]
            .as_array()
            .expect("matrix")
            .iter()
            .find(|c| c["table"] == table && c["command"] == command)
            .unwrap_or_else(|| panic!("no cell {table} {command}"))
            .clone()
    };
    let roles = |table: &str, command: &str| -> Vec<String> { serde_json::from_value(cell(table, command)["system_roles"].clone()).expect("roles") };
    assert_eq!(roles("companies", "SELECT"), ["admin", "member", "owner", "viewer"]);
    assert_eq!(roles("companies", "INSERT"), ["admin", "member", "owner"]);
    assert_eq!(roles("companies", "DELETE"), ["admin", "owner"]);
    assert_eq!(roles("tenants", "UPDATE"), ["owner"]);
    assert_eq!(cell("companies", "DELETE")["permissions"], serde_json::json!(["companies:delete"]));
    assert!(cell("companies", "SELECT")["predicate"].as_str().expect("predicate").contains("tenant_with_permission('companies:read'"));
    // Nobody deletes or edits audit entries.
    assert_eq!(cell("audit_log", "DELETE")["allowed"], false);
    assert_eq!(cell("audit_log", "UPDATE")["allowed"], false);
    assert!(report["tables"].as_array().expect("tables").iter().any(|t| t["table"] == "contacts" && t["force_rls"] == true));

    // The same as a view a DBA can query.
    let owner = connect(&db.owner_url()).await;
    let viewer_writes: i64 = owner
        .query_one(
            "SELECT count(*) FROM app.access_matrix WHERE 'viewer' = ANY (system_roles) AND command <> 'SELECT'",
            &[],
        )
        .await
        .expect("view")
        .get(0);
    assert_eq!(viewer_writes, 0, "a viewer writes nothing");
}

/// The validation is never cached: every statement checks the session in
/// the tables, so neither a setting the API role changes mid-transaction nor
/// a revocation committed meanwhile can be outlived by an earlier check.
#[tokio::test]
async fn no_value_set_by_the_api_role_stands_in_for_the_per_statement_check() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let b = seed(&owner, "Bravo", "b@bravo.test").await;
    for (tenant, name) in [(a.tenant, "Alpha's"), (b.tenant, "Bravo's")] {
        owner.execute("INSERT INTO companies (tenant_id, name) VALUES ($1, $2)", &[&tenant, &name]).await.expect("company");
    }
    let database = database(&db);
    let scope = database.authenticated(&RequestMeta::default(), &a.identity()).await.expect("scope");
    let visible = |rows: Vec<tokio_postgres::Row>| rows.iter().map(|r| r.get::<_, String>(0)).collect::<Vec<_>>();
    let names = "SELECT name FROM companies ORDER BY name";
    assert_eq!(visible(scope.query(names, &[]).await.expect("q")), ["Alpha's"]);

    // Pointing the context at another tenant, session or user, after a valid
    // check in the same transaction, shows nothing of either tenant.
    for (name, value) in [("app.tenant_id", b.tenant), ("app.session_id", b.session), ("app.user_id", b.user)] {
        let value = value.to_string();
        scope.query("SELECT set_config($1, $2, true)", &[&name, &value]).await.expect("set");
        assert!(visible(scope.query(names, &[]).await.expect("q")).is_empty(), "after {name} = {value}");
        assert!(scope.query("SELECT app.authorize()", &[]).await.expect("q")[0].get::<_, Option<Vec<String>>>(0).is_none());
    }
    // Every id of b's session, with a's secret: still nothing; and no write.
    assert!(visible(scope.query(names, &[]).await.expect("q")).is_empty());
    let insert = scope.query("INSERT INTO companies (tenant_id, name) VALUES ($1, 'planted')", &[&b.tenant]).await;
    assert!(insert.is_err(), "a write into b with a's secret must fail");
    drop(scope);

    // A revocation committed while a transaction is open takes effect on its
    // next statement.
    let scope = database.authenticated(&RequestMeta::default(), &a.identity()).await.expect("scope");
    assert_eq!(visible(scope.query(names, &[]).await.expect("q")), ["Alpha's"]);
    owner.execute("UPDATE sessions SET revoked_at = now() WHERE id = $1", &[&a.session]).await.expect("revoke");
    assert!(visible(scope.query(names, &[]).await.expect("q")).is_empty());
}

/// `anonymous_once` sends BEGIN, context, the statement and COMMIT as one
/// pipeline: a failing statement leaves the (single) pooled connection
/// clean, with no transaction open and no setting left behind.
#[tokio::test]
async fn a_one_round_trip_statement_that_fails_leaves_the_connection_clean() {
    let db = TestDb::new().await;
    let database = database(&db);
    let meta = |id: &str| RequestMeta { request_id: id.to_string(), ..RequestMeta::default() };
    let err = database.anonymous_once(&meta("first"), "SELECT 1 / 0", &[]).await.expect_err("division by zero");
    assert_eq!(err.status().as_u16(), 500);
    let rows = database
        .anonymous_once(&meta("second"), "SELECT current_setting('app.request_id', true), txid_current_if_assigned() IS NULL", &[])
        .await
        .expect("the connection is usable");
    assert_eq!(rows[0].get::<_, String>(0), "second");
    // Outside any transaction now: a fresh one on the same connection starts clean.
    let scope = database.anonymous(&meta("third")).await.expect("scope");
    let row = scope.query_one("SELECT current_setting('app.request_id', true)", &[]).await.expect("q");
    assert_eq!(row.get::<_, String>(0), "third");
}

/// `DATABASE_TRANSACTION_POOLING` (behind PgBouncer in transaction mode, any
/// transaction may run on another server connection): no statement stays
/// prepared on the server connection after a request, whatever the request
/// did, so nothing can rely on one later. The default mode, for contrast,
/// keeps them (its one Parse per connection and statement).
#[tokio::test]
async fn with_transaction_pooling_no_statement_outlives_its_transaction() {
    let db = TestDb::new().await;
    let owner = connect(&db.owner_url()).await;
    let a = seed(&owner, "Alpha", "a@alpha.test").await;
    let meta = RequestMeta::default();
    let prepared_after = |transaction_pooling: bool| {
        let url = db.web_url();
        let identity = a.identity();
        let meta = meta.clone();
        async move {
            let pool = tenet::db::pool(&secrecy::SecretString::from(url), 1, std::time::Duration::from_secs(5)).expect("pool");
            let database = Database::new(pool, &Timeouts::default(), transaction_pooling);
            // Every way a request reaches the database: a read in one
            // pipeline, a scope with parameters and a commit, a savepoint,
            // an anonymous call.
            let (_, rows) = database
                .authenticated_read(&meta, &identity, None, "SELECT id FROM tenants WHERE id = $1", &[&identity.tenant_id])
                .await
                .expect("read");
            assert_eq!(rows.len(), 1);
            let scope = database.authenticated(&meta, &identity).await.expect("scope");
            let name = format!("Renamed {}", Uuid::new_v4().simple());
            assert_eq!(scope.execute("UPDATE tenants SET name = $2 WHERE id = $1", &[&identity.tenant_id, &name]).await.expect("update"), 1);
            scope.query_in_savepoint("SELECT name FROM tenants WHERE id = $1", &[&identity.tenant_id]).await.expect("savepoint");
            scope.commit().await.expect("commit");
            database.anonymous_once(&meta, "SELECT $1::text", &[&"x"]).await.expect("anonymous");
            database.ping().await.expect("ping");
            // Then, on the same (only) connection: what is left prepared.
            let scope = database.anonymous(&meta).await.expect("scope");
            let left: i64 = scope.query_one("SELECT count(*) FROM pg_prepared_statements", &[]).await.expect("count").get(0);
            (left, name)
        }
    };

    let (left, name) = prepared_after(true).await;
    assert_eq!(left, 0, "a statement outlived its transaction");
    let stored: String = owner.query_one("SELECT name FROM tenants WHERE id = $1", &[&a.tenant]).await.expect("name").get(0);
    assert_eq!(stored, name, "the unnamed statements did their work");
    let (left, _) = prepared_after(false).await;
    assert!(left >= 5, "the default mode keeps its statements prepared per connection ({left})");
}
