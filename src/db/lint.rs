//! `tenet admin lint`: the lint catalog of `sql/lints/`, one catalog query
//! per file, each returning zero rows while its rule holds (the
//! supabase/splinter shape). The files are embedded at build time, so what a
//! DBA reads in the folder is exactly what runs; each file starts with
//! `-- title:` and `-- level:` lines and a comment saying why the rule exists.
use include_dir::{include_dir, Dir};
use serde::Serialize;

static LINTS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/sql/lints");

/// One rule of the catalog.
#[derive(Debug, Clone)]
pub struct Lint {
    /// The file name without `.sql`, e.g. `0001_table_without_forced_rls`.
    pub name: String,
    pub title: String,
    /// `error` or `warning`.
    pub level: String,
    pub sql: &'static str,
}

/// A place where a rule does not hold.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    pub lint: String,
    pub title: String,
    pub level: String,
    pub object: String,
    pub detail: String,
}

/// Every lint, in file order.
pub fn catalog() -> Vec<Lint> {
    let mut lints: Vec<Lint> = LINTS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .filter_map(|f| {
            let sql = f.contents_utf8()?;
            let header = |key: &str| {
                sql.lines().find_map(|l| l.strip_prefix(&format!("-- {key}:")).map(|v| v.trim().to_string())).unwrap_or_default()
            };
            Some(Lint {
                name: f.path().file_stem()?.to_string_lossy().into_owned(),
                title: header("title"),
                level: header("level"),
                sql,
            })
        })
        .collect();
    lints.sort_by(|a, b| a.name.cmp(&b.name));
    lints
}

/// Runs every lint (read-only) and answers what it found.
pub async fn run(client: &mut tokio_postgres::Client) -> Result<Vec<Finding>, tokio_postgres::Error> {
    let tx = client.build_transaction().read_only(true).start().await?;
    let mut findings = Vec::new();
    for lint in catalog() {
        for row in tx.query(lint.sql, &[]).await? {
            findings.push(Finding {
                lint: lint.name.clone(),
                title: lint.title.clone(),
                level: lint.level.clone(),
                object: row.get(0),
                detail: row.get(1),
            });
        }
    }
    tx.rollback().await?;
    Ok(findings)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_lint_names_its_title_and_level() {
        let lints = super::catalog();
        assert!(lints.len() >= 14);
        for lint in lints {
            assert!(!lint.title.is_empty(), "{} has no -- title:", lint.name);
            assert!(["error", "warning"].contains(&lint.level.as_str()), "{} level {:?}", lint.name, lint.level);
        }
    }
}
