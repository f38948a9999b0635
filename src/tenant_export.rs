//! `tenet admin export-tenant --tenant SLUG --out FILE`: every row of one
//! tenant as a portable archive (docs/data-movement.md). A gzip'd tar of
//! `tables/<table>.jsonl` (one JSON object per row, from
//! `app.tenant_export_page`, which reads only `tenant_id = the tenant`),
//! and `manifest.json`: each file's row count and SHA-256, the audit chain's
//! head and whether the chain verified at the time of the export. All of it
//! is read in one REPEATABLE READ snapshot, so the files agree with each
//! other and with the chain head. Each table goes through a file on disk
//! first (a tar entry needs its size), so memory stays flat.
use std::{
    io::{BufWriter, Write},
    path::{Path, PathBuf},
};

use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Rows per page read from the database.
const PAGE: i32 = 5000;

#[derive(Debug, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub tenant: TenantInfo,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub tables: Vec<TableFile>,
    pub audit: AuditProof,
}

#[derive(Debug, Serialize)]
pub struct TenantInfo {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct TableFile {
    pub table: String,
    pub file: String,
    pub rows: u64,
    pub sha256: String,
}

/// The chain as `app.audit_verify` found it, and its head: a copy of the
/// audit log in the archive can be checked against both.
#[derive(Debug, Serialize)]
pub struct AuditProof {
    pub verified: bool,
    pub entries: i64,
    pub problem: Option<String>,
    pub head_seq: Option<i64>,
    pub head_hash: Option<String>,
}

/// Writes the archive of `tenant` (slug or id) to `out`; answers its manifest.
pub async fn export_tenant(client: &mut tokio_postgres::Client, tenant: &str, out: &Path) -> Result<Manifest, Error> {
    let tx = client.build_transaction().isolation_level(tokio_postgres::IsolationLevel::RepeatableRead).read_only(true).start().await?;
    let found = tx
        .query_opt("SELECT id, slug, name FROM tenants WHERE slug = $1 OR id::text = $1", &[&tenant])
        .await?
        .ok_or_else(|| format!("no tenant {tenant:?}"))?;
    let info = TenantInfo { id: found.get(0), slug: found.get(1), name: found.get(2) };
    let work = std::env::temp_dir().join(format!("tenet-export-{}", Uuid::now_v7()));
    std::fs::create_dir_all(work.join("tables"))?;
    let result = async {
        let mut tables = Vec::new();
        let names: Vec<String> = tx.query("SELECT table_name FROM app.tenant_export_tables()", &[]).await?.iter().map(|r| r.get(0)).collect();
        for table in names {
            let file = format!("tables/{table}.jsonl");
            let path = work.join(&file);
            let mut writer = BufWriter::new(std::fs::File::create(&path)?);
            let mut hasher = Sha256::new();
            let mut rows = 0u64;
            let mut after: Option<serde_json::Value> = None;
            loop {
                let page = tx.query("SELECT app.tenant_export_page($1, $2, $3, $4)", &[&info.id, &table, &after, &PAGE]).await?;
                for row in &page {
                    let value: serde_json::Value = row.get(0);
                    let mut line = serde_json::to_vec(&value)?;
                    line.push(b'\n');
                    hasher.update(&line);
                    writer.write_all(&line)?;
                    rows += 1;
                }
                match page.last() {
                    Some(last) if page.len() == PAGE as usize => after = Some(last.get(0)),
                    _ => break,
                }
            }
            writer.flush()?;
            let sha256 = crate::audit_checkpoint::hex(&hasher.finalize());
            tables.push(TableFile { table, file, rows, sha256 });
        }
        let verify = tx.query_one("SELECT ok, checked, problem FROM app.audit_verify($1)", &[&info.id]).await?;
        let head = tx.query_opt("SELECT seq, encode(hash, 'hex') FROM app_private.audit_chain_heads WHERE tenant_id = $1", &[&info.id]).await?;
        let audit = AuditProof {
            verified: verify.get(0),
            entries: verify.get(1),
            problem: verify.get(2),
            head_seq: head.as_ref().map(|h| h.get(0)),
            head_hash: head.as_ref().map(|h| h.get(1)),
        };
        let manifest = Manifest { format: "tenet-tenant-export/1", tenant: info, exported_at: chrono::Utc::now(), tables, audit };
        std::fs::write(work.join("manifest.json"), serde_json::to_vec_pretty(&manifest)?)?;
        write_tar(&work, &manifest, out)?;
        Ok::<_, Error>(manifest)
    }
    .await;
    let _ = std::fs::remove_dir_all(&work);
    let manifest = result?;
    tx.commit().await?;
    Ok(manifest)
}

fn write_tar(work: &Path, manifest: &Manifest, out: &Path) -> Result<(), Error> {
    let partial = PathBuf::from(format!("{}.partial", out.display()));
    let file = std::fs::File::create(&partial)?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::default()));
    tar.append_path_with_name(work.join("manifest.json"), "manifest.json")?;
    for t in &manifest.tables {
        tar.append_path_with_name(work.join(&t.file), &t.file)?;
    }
    tar.into_inner()?.finish()?.sync_all()?;
    // Only a complete archive gets the name asked for.
    std::fs::rename(&partial, out)?;
    Ok(())
}
