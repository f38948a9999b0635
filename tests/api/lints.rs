//! The lint catalog (`sql/lints/`, `tenet admin lint`): a fresh database
//! passes every rule, and each rule fires on the defect it exists for,
//! planted in a scratch database.
use crate::helpers::{connect, TestDb};

async fn findings(db: &TestDb) -> Vec<tenet::db::lint::Finding> {
    let mut owner = connect(&db.owner_url()).await;
    tenet::db::lint::run(&mut owner).await.expect("lints run")
}

#[tokio::test]
async fn a_fresh_database_passes_every_lint() {
    let db = TestDb::new().await;
    let found = findings(&db).await;
    assert!(found.is_empty(), "findings on a fresh database:\n{found:#?}");
}

/// Each lint, and a statement (run as a superuser) that breaks its rule.
const DEFECTS: &[(&str, &str)] = &[
    ("0001_table_without_forced_rls", "ALTER TABLE companies NO FORCE ROW LEVEL SECURITY"),
    ("0002_rls_without_policy", "CREATE TABLE scratch (id int); ALTER TABLE scratch ENABLE ROW LEVEL SECURITY"),
    (
        "0003_write_policy_without_with_check",
        "CREATE POLICY scratch ON companies FOR UPDATE TO tenet_api USING (tenant_id = (SELECT app.current_tenant_id()))",
    ),
    ("0004_always_true_policy", "CREATE POLICY scratch ON companies FOR SELECT TO tenet_api USING (true)"),
    ("0005_policy_function_per_row", "CREATE POLICY scratch ON companies FOR SELECT TO tenet_api USING (tenant_id = app.current_tenant_id())"),
    ("0006_security_definer_search_path", "CREATE FUNCTION app.scratch() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1'"),
    (
        "0007_security_definer_executable",
        "CREATE FUNCTION app.scratch() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1';
         REVOKE ALL ON FUNCTION app.scratch() FROM PUBLIC; GRANT EXECUTE ON FUNCTION app.scratch() TO tenet_api",
    ),
    ("0008_view_without_security_invoker", "CREATE VIEW scratch AS SELECT id FROM companies"),
    ("0009_api_role_privileges", "GRANT TRUNCATE ON companies TO tenet_api"),
    ("0010_tenant_key_not_leading", "CREATE TABLE scratch (id uuid PRIMARY KEY, tenant_id uuid NOT NULL)"),
    (
        "0011_unindexed_foreign_key",
        "CREATE TABLE scratch (tenant_id uuid NOT NULL, company_id uuid, PRIMARY KEY (tenant_id, company_id),
           FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id));
         CREATE TABLE scratch2 (tenant_id uuid NOT NULL, id uuid, company_id uuid, PRIMARY KEY (tenant_id, id),
           FOREIGN KEY (tenant_id, company_id) REFERENCES companies (tenant_id, id))",
    ),
    ("0012_audited_table_without_trigger", "DROP TRIGGER companies_audit ON companies"),
    ("0013_granted_to_public", "GRANT SELECT ON companies TO PUBLIC"),
    (
        "0014_name_at_the_limit",
        "CREATE POLICY \"a policy whose name is far longer than the sixty-three bytes PostgreSQL keeps\" ON companies
           FOR SELECT TO tenet_api USING (false)",
    ),
    ("0015_missing_comment", "CREATE FUNCTION app.scratch() RETURNS int LANGUAGE sql AS 'SELECT 1'; REVOKE ALL ON FUNCTION app.scratch() FROM PUBLIC"),
    ("0016_policy_without_comment", "CREATE POLICY scratch ON companies FOR SELECT TO tenet_api USING (false)"),
    ("0017_tenant_table_command_without_policy", "DROP POLICY \"deleters remove the companies in their scope\" ON companies"),
];

#[tokio::test]
async fn every_lint_fires_on_its_defect() {
    let catalog: Vec<String> = tenet::db::lint::catalog().into_iter().map(|l| l.name).collect();
    let planted: Vec<String> = DEFECTS.iter().map(|(l, _)| l.to_string()).collect();
    assert_eq!(catalog, planted, "every lint needs a planted defect here");

    for (lint, defect) in DEFECTS {
        let db = TestDb::new().await;
        connect(&db.admin_url()).await.batch_execute(defect).await.unwrap_or_else(|e| panic!("plant {lint}: {e}"));
        let found = findings(&db).await;
        assert!(found.iter().any(|f| f.lint == *lint), "{lint} did not fire on: {defect}\nfound: {found:#?}");
    }
}

/// Lint 0010 also sees unique indexes, schema app_private, and the
/// authentication tables once their tenant_id is required: each of these
/// would keep a table from being distributed by tenant_id.
#[tokio::test]
async fn tenant_leading_keys_cover_unique_indexes_app_private_and_authentication_tables() {
    let defects = [
        ("invitations", "CREATE UNIQUE INDEX scratch_idx ON invitations (token_hash)"),
        ("app_private.scratch", "CREATE TABLE app_private.scratch (tenant_id uuid NOT NULL, id uuid PRIMARY KEY)"),
        (
            "scratch",
            "CREATE TABLE scratch (tenant_id uuid NOT NULL, id uuid PRIMARY KEY);
             COMMENT ON TABLE scratch IS 'Authentication table found before a tenant is known'",
        ),
    ];
    for (object, defect) in defects {
        let db = TestDb::new().await;
        connect(&db.admin_url()).await.batch_execute(defect).await.unwrap_or_else(|e| panic!("plant: {e}"));
        let found = findings(&db).await;
        assert!(
            found.iter().any(|f| f.lint == "0010_tenant_key_not_leading" && f.object == object),
            "0010 did not fire on {object}: {defect}\nfound: {found:#?}"
        );
    }
}

#[tokio::test]
async fn tenet_admin_lint_exits_1_with_json_findings_on_a_broken_database() {
    let db = TestDb::new().await;
    let lint = |json: bool| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tenet"));
        cmd.env("DATABASE_URL", db.owner_url()).env("RUST_LOG", "error").args(["admin", "lint"]);
        if json {
            cmd.arg("--json");
        }
        cmd.output().expect("run tenet")
    };
    let clean = lint(false);
    assert!(clean.status.success(), "{}", String::from_utf8_lossy(&clean.stdout));
    assert!(String::from_utf8_lossy(&clean.stdout).contains(", 0 findings"));

    connect(&db.admin_url()).await.batch_execute("GRANT SELECT ON companies TO PUBLIC").await.expect("plant");
    let broken = lint(true);
    assert_eq!(broken.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&broken.stdout).expect("json");
    assert_eq!(findings[0]["lint"], "0013_granted_to_public", "{findings}");
    assert_eq!(findings[0]["object"], "companies");
}

/// Migrations that take strong locks (ALTER TABLE, CREATE INDEX, DROP) set a
/// lock_timeout, so a deploy fails fast instead of queueing every request
/// behind it. V001–V003 landed before this rule and are immutable.
#[test]
fn migrations_that_take_strong_locks_set_a_lock_timeout() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).expect("migrations").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let version: u32 = name.trim_start_matches('V').split("__").next().and_then(|v| v.parse().ok()).expect("V###__name.sql");
        if version < 4 {
            continue;
        }
        let sql = std::fs::read_to_string(entry.path()).expect("read").to_uppercase();
        let strong = ["ALTER TABLE", "CREATE INDEX", "DROP TABLE", "DROP EXTENSION", "ALTER EXTENSION"].iter().any(|s| sql.contains(s));
        if strong {
            assert!(sql.contains("SET LOCK_TIMEOUT"), "{name} takes strong locks without a lock_timeout");
            checked += 1;
        }
    }
    assert!(checked >= 3, "the rule checked {checked} migrations");
}
