//! The `tenet` command line: `serve`, `migrate` and admin subcommands.
use std::io::BufRead;

use clap::{Parser, Subcommand};

use crate::{
    audit_checkpoint,
    auth::password,
    config::{self, Config},
    db, startup,
    state::AppState,
    validation::{Validator, NAME_MAX},
};

#[derive(Parser)]
#[command(name = "tenet", version, about = "Multi-tenant CRM foundation where PostgreSQL is the security boundary")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the HTTP API (and the built frontend at /). DATABASE_URL: a login role granted tenet_api.
    Serve {
        /// Apply migrations first, as the owner role in MIGRATE_DATABASE_URL.
        #[arg(long)]
        migrate: bool,
    },
    /// Apply migrations, then sql/ and policies/. DATABASE_URL: the owner role.
    Migrate,
    /// Administration (DATABASE_URL: the owner role).
    #[command(subcommand)]
    Admin(Admin),
    /// Print the OpenAPI document (no database needed); the frontend's types
    /// are generated from it.
    Openapi,
    /// The hashing process `serve` starts (bcrypt jobs on standard input,
    /// answers on standard output); not for direct use.
    #[command(hide = true)]
    HashWorker,
}

#[derive(Subcommand)]
pub enum Admin {
    /// Create a tenant and its owner (for deployments with signup disabled).
    /// The password is read from TENET_OWNER_PASSWORD or the first line of standard input.
    /// An existing account becomes the owner and keeps its password.
    CreateTenant {
        #[arg(long)]
        tenant_name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Print every table's RLS state, policies and grants from the live catalog,
    /// and the access matrix (system role x table x command).
    PolicyReport {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Run the lint catalog (sql/lints/) against the live database; exits 1
    /// when any rule does not hold.
    Lint {
        /// Print the findings as JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Verify a tenant's audit hash chain (by slug or id); exits 1 and names the
    /// first broken entry when it does not verify. With --checkpoint FILE (from
    /// audit-checkpoint), checks every tenant of the checkpoint instead and
    /// exits 1 naming each chain that is now shorter or diverges.
    AuditVerify {
        #[arg(long, required_unless_present = "checkpoint")]
        tenant: Option<String>,
        #[arg(long)]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Print every tenant's audit chain head as JSON, signed with
    /// AUDIT_CHECKPOINT_KEY (never stored in the database): ship it off the
    /// database server, e.g. hourly from cron.
    AuditCheckpoint,
    /// Write every row of a tenant (by slug or id), its audit chain and a
    /// manifest (row counts, SHA-256 of each file, the chain's head and
    /// whether it verified) to a .tar.gz archive.
    ExportTenant {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

pub type CliResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub async fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve { migrate } => {
            if migrate {
                let url = std::env::var("MIGRATE_DATABASE_URL")
                    .map_err(|_| "--migrate needs MIGRATE_DATABASE_URL (the owner role's URL)")?;
                let summary = db::migrate::run(&secrecy::SecretString::from(url)).await?;
                tracing::info!(applied = ?summary.applied, "migrations applied");
            }
            serve().await
        }
        Command::Migrate => {
            let url = config::database_url()?;
            let summary = db::migrate::run(&url).await?;
            tracing::info!(applied = ?summary.applied, repeatable_files = summary.repeatable, "migrations applied");
            Ok(())
        }
        Command::HashWorker => Err("hash-worker is started by `tenet serve`, in main, before any runtime".into()),
        Command::Openapi => {
            let (_, openapi) = startup::api_router();
            println!("{}", String::from_utf8_lossy(&crate::api::docs::to_json(&openapi)));
            Ok(())
        }
        Command::Admin(Admin::CreateTenant { tenant_name, email, name }) => create_tenant(tenant_name, email, name).await,
        Command::Admin(Admin::AuditVerify { checkpoint: Some(file), .. }) => audit_verify_checkpoint(file).await,
        Command::Admin(Admin::AuditVerify { tenant, .. }) => audit_verify(tenant.unwrap_or_default()).await,
        Command::Admin(Admin::AuditCheckpoint) => audit_checkpoint().await,
        Command::Admin(Admin::ExportTenant { tenant, out }) => {
            let mut client = db::connect(&config::database_url()?).await?;
            let manifest = crate::tenant_export::export_tenant(&mut client, &tenant, &out).await?;
            let rows: u64 = manifest.tables.iter().map(|t| t.rows).sum();
            println!(
                "exported {} ({}): {rows} rows in {} tables to {}; audit chain {} ({} entries)",
                manifest.tenant.slug,
                manifest.tenant.id,
                manifest.tables.len(),
                out.display(),
                if manifest.audit.verified { "verifies" } else { "DOES NOT VERIFY" },
                manifest.audit.entries
            );
            Ok(())
        }
        Command::Admin(Admin::Lint { json }) => lint(json).await,
        Command::Admin(Admin::PolicyReport { json }) => {
            let client = db::connect(&config::database_url()?).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&db::report::policy_report_json(&client).await?)?);
            } else {
                print!("{}", db::report::policy_report(&client).await?);
            }
            Ok(())
        }
    }
}

async fn serve() -> CliResult {
    let config = Config::from_env()?;
    let port = config.port;
    {
        let client = db::connect(&config.database_url).await.map_err(|e| format!("cannot connect to the database: {e}"))?;
        db::check_login_role(&client).await?;
    }
    let pool = db::pool(&config.database_url, config.db_pool_size, config.timeouts.pool_wait)?;
    let header_read_timeout = config.timeouts.header_read;
    let mailer = crate::mail::Mailer::new(&config.mail)?;
    let deliverer = crate::webhooks::Deliverer::new(&config.webhooks).map_err(|e| format!("cannot build the webhook client: {e}"))?;
    if config.mail.smtp_url.is_none() {
        tracing::info!(mail_dir = ?config.mail.dir, "SMTP_URL is not set: mails go to the log (tokens redacted) and MAIL_DIR");
    }
    if config.hashing_process {
        match std::env::current_exe() {
            Ok(exe) => password::start_hashing_process(exe),
            Err(e) => tracing::warn!(error = %e, "cannot find the tenet binary; bcrypt runs on threads of the server"),
        }
    }
    let state = AppState::new(config, pool).await?;
    tokio::spawn(mailer.run(state.db.clone(), std::time::Duration::from_secs(1)));
    tokio::spawn(deliverer.run(state.db.clone(), std::time::Duration::from_secs(1)));
    let app = startup::build_app(state);
    startup::return_freed_startup_memory();
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", port)).await?;
    tracing::info!(port, "tenet listening");
    startup::serve(listener, app, header_read_timeout).await?;
    tracing::info!("tenet stopped");
    Ok(())
}

async fn create_tenant(tenant_name: String, email: String, name: String) -> CliResult {
    let password = match std::env::var("TENET_OWNER_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let mut v = Validator::new();
    let tenant_name = v.required("tenant_name", &tenant_name, NAME_MAX);
    let email = v.email("email", &email);
    let name = v.required("name", &name, NAME_MAX);
    v.add(password::validate_new("password", &password));
    v.finish_as_text()?;
    let cost = std::env::var("BCRYPT_COST").ok().and_then(|c| c.parse().ok()).unwrap_or(12);
    let hash = password::hash(password, cost).await?;
    let client = db::connect(&config::database_url()?).await?;
    let row = client
        .query_one(
            "SELECT tenant_id, tenant_slug, user_id FROM app.create_tenant_with_owner($1, $2, $3, $4, true)",
            &[&tenant_name, &email, &name, &hash],
        )
        .await
        .map_err(|e| e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string()))?;
    println!(
        "created tenant {} (slug {}) with owner {} ({})",
        row.get::<_, uuid::Uuid>(0),
        row.get::<_, String>(1),
        email,
        row.get::<_, uuid::Uuid>(2)
    );
    Ok(())
}

async fn audit_verify(tenant: String) -> CliResult {
    let client = db::connect(&config::database_url()?).await?;
    let found = client
        .query_opt("SELECT id, slug FROM tenants WHERE slug = $1 OR id::text = $1", &[&tenant])
        .await?
        .ok_or_else(|| format!("no tenant {tenant:?}"))?;
    let (id, slug): (uuid::Uuid, String) = (found.get(0), found.get(1));
    let row = client.query_one("SELECT ok, checked, broken_seq, broken_id, problem FROM app.audit_verify($1)", &[&id]).await?;
    let checked: i64 = row.get(1);
    if row.get::<_, bool>(0) {
        println!("audit chain of {slug} ({id}) verifies: {checked} entries");
        Ok(())
    } else {
        let seq: Option<i64> = row.get(2);
        let entry: Option<uuid::Uuid> = row.get(3);
        let problem: String = row.get(4);
        Err(format!(
            "audit chain of {slug} ({id}) is BROKEN at entry seq {} (id {}): {problem}; {checked} entries before it verify",
            seq.map(|s| s.to_string()).unwrap_or_else(|| "?".into()),
            entry.map(|e| e.to_string()).unwrap_or_else(|| "-".into()),
        )
        .into())
    }
}

async fn audit_checkpoint() -> CliResult {
    let key = audit_checkpoint::key_from_env()?;
    let client = db::connect(&config::database_url()?).await?;
    let checkpoint = audit_checkpoint::take(&client, &key).await?;
    println!("{}", serde_json::to_string_pretty(&checkpoint)?);
    Ok(())
}

async fn audit_verify_checkpoint(file: std::path::PathBuf) -> CliResult {
    let key = audit_checkpoint::key_from_env()?;
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let checkpoint: audit_checkpoint::Checkpoint =
        serde_json::from_str(&text).map_err(|e| format!("{} is not an audit checkpoint: {e}", file.display()))?;
    let client = db::connect(&config::database_url()?).await?;
    let findings = audit_checkpoint::compare(&client, &checkpoint, &key).await?;
    if findings.is_empty() {
        println!(
            "every audit chain still holds the {} heads of the checkpoint taken {}",
            checkpoint.body.heads.len(),
            checkpoint.body.created_at
        );
        return Ok(());
    }
    for f in &findings {
        println!("tenant {} ({}): {}", f.tenant_slug.as_deref().unwrap_or("deleted"), f.tenant_id, f.problem);
    }
    Err(format!("{} tenant(s) no longer match the checkpoint", findings.len()).into())
}

async fn lint(json: bool) -> CliResult {
    let mut client = db::connect(&config::database_url()?).await?;
    let findings = db::lint::run(&mut client).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&findings)?);
    } else {
        for f in &findings {
            println!("{} [{}] {}: {}  ({})", f.level, f.lint, f.object, f.detail, f.title);
        }
        println!("{} lints, {} findings", db::lint::catalog().len(), findings.len());
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(format!("{} lint findings", findings.len()).into())
    }
}
