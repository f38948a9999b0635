//! `tenet migrate`: the versioned migrations in `migrations/` (refinery),
//! then every file of `sql/` and `policies/` in name order, all re-applied in
//! one transaction. The files are embedded at build time, so what a DBA reads
//! in those folders is exactly what this binary installs.
use include_dir::{include_dir, Dir};
use secrecy::SecretString;

refinery::embed_migrations!("migrations");

static SQL_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/sql");
static POLICIES_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/policies");

/// Key of the advisory lock that serialises concurrent `tenet migrate` runs
/// against one database.
const MIGRATION_LOCK: i64 = 0x7465_6e65_745f_6d67; // "tenet_mg"

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("migration failed: {0}")]
    Refinery(#[from] refinery::Error),
    #[error("{file}: {source}")]
    File { file: String, source: tokio_postgres::Error },
}

/// The repeatable files, in the order they are applied.
pub fn repeatable_files() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (folder, dir) in [("sql", &SQL_DIR), ("policies", &POLICIES_DIR)] {
        let mut files: Vec<_> = dir
            .files()
            .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
            .filter_map(|f| Some((format!("{folder}/{}", f.path().display()), f.contents_utf8()?)))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        out.extend(files);
    }
    out
}

pub async fn run(url: &SecretString) -> Result<MigrationSummary, MigrateError> {
    let mut client = super::connect(url).await?;
    run_on(&mut client).await
}

#[derive(Debug)]
pub struct MigrationSummary {
    pub applied: Vec<String>,
    pub repeatable: usize,
}

pub async fn run_on(client: &mut tokio_postgres::Client) -> Result<MigrationSummary, MigrateError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).await?;
    let result = apply(client).await;
    // Unlock whatever happened; the session ends soon after anyway.
    let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]).await;
    result
}

async fn apply(client: &mut tokio_postgres::Client) -> Result<MigrationSummary, MigrateError> {
    let report = migrations::runner().set_abort_divergent(true).run_async(client).await?;
    let applied = report.applied_migrations().iter().map(|m| m.to_string()).collect();

    let files = repeatable_files();
    let tx = client.transaction().await?;
    // "policy … does not exist, skipping" notices are expected on every run.
    tx.batch_execute("SET LOCAL client_min_messages = warning").await?;
    for (name, sql) in &files {
        tx.batch_execute(sql).await.map_err(|source| MigrateError::File { file: name.clone(), source })?;
    }
    tx.commit().await?;
    Ok(MigrationSummary { applied, repeatable: files.len() })
}
