//! The database layer: the connection pool, migrations (versioned files plus
//! the re-applied `sql/` and `policies/` folders), the per-request scope that
//! carries the request context into Postgres, and the catalog report.
pub mod lint;
pub mod migrate;
pub mod report;
pub mod scope;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use secrecy::{ExposeSecret, SecretString};
use tokio_postgres::NoTls;

pub use scope::{Database, RequestMeta, Scope};

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("DATABASE_URL is not a valid PostgreSQL connection string")]
    InvalidUrl,
    #[error("could not build the connection pool: {0}")]
    Pool(String),
}

pub fn pool(url: &SecretString, size: usize, wait: Duration) -> Result<Pool, DbSetupError> {
    let mut pg: tokio_postgres::Config = url.expose_secret().parse().map_err(|_| DbSetupError::InvalidUrl)?;
    if pg.get_application_name().is_none() {
        pg.application_name("tenet");
    }
    pg.connect_timeout(Duration::from_secs(5));
    let manager = Manager::from_config(pg, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(wait))
        .create_timeout(Some(Duration::from_secs(5)))
        .recycle_timeout(Some(Duration::from_secs(5)))
        .build()
        .map_err(|e| DbSetupError::Pool(e.to_string()))
}

/// Connects one client outside the pool (migrations, admin commands).
pub async fn connect(url: &SecretString) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url.expose_secret(), NoTls).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "database connection closed with an error");
        }
    });
    Ok(client)
}

/// Why `tenet serve` refuses a login role.
#[derive(Debug, thiserror::Error)]
pub enum LoginRoleError {
    #[error("refusing to start: the database login role {0:?} is a superuser; log in as a role granted tenet_api (see README)")]
    Superuser(String),
    #[error("refusing to start: the database login role {0:?} has BYPASSRLS; log in as a role granted tenet_api (see README)")]
    BypassRls(String),
    #[error(
        "refusing to start: the database login role {0:?} can become {1:?} (a superuser or BYPASSRLS role) through role \
         membership; log in as a NOINHERIT role granted only tenet_api (see README)"
    )]
    ReachesPrivileged(String, String),
    #[error("refusing to start: the database login role {0:?} is not a member of tenet_api; run `tenet migrate` and `GRANT tenet_api TO {0}`")]
    NotApiMember(String),
    #[error("refusing to start: the database login role {0:?} owns the tables, or can become their owner {1:?} through role membership, so row-level security would not bind it; log in as a separate role granted tenet_api")]
    Owner(String, String),
    #[error("refusing to start: cannot check the database login role: {0}")]
    Database(#[from] tokio_postgres::Error),
}

/// The login role must be an ordinary role granted `tenet_api`: never a
/// superuser, never BYPASSRLS, never the owner of the tables, and unable to
/// become any of them through role membership (a login role may switch to
/// every role it is a member of, inherited or not).
pub async fn check_login_role(client: &tokio_postgres::Client) -> Result<(), LoginRoleError> {
    // Unnamed (query_typed_one): one round trip, and nothing left prepared
    // behind a pooler in transaction mode.
    let row = client
        .query_typed_one(
            "SELECT current_user::text, r.rolsuper, r.rolbypassrls,
                    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenet_api')
                      AND pg_has_role(current_user, 'tenet_api', 'MEMBER'),
                    (SELECT p.rolname::text FROM pg_roles p
                      WHERE (p.rolsuper OR p.rolbypassrls) AND p.rolname <> current_user
                        AND pg_has_role(current_user, p.oid, 'MEMBER')
                      ORDER BY p.rolname LIMIT 1),
                    (SELECT t.tableowner::text FROM pg_tables t
                      WHERE t.schemaname = 'public' AND t.tablename = 'tenants'
                        AND pg_has_role(current_user, t.tableowner, 'MEMBER'))
               FROM pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await?;
    let name: String = row.get(0);
    if row.get::<_, bool>(1) {
        return Err(LoginRoleError::Superuser(name));
    }
    if row.get::<_, bool>(2) {
        return Err(LoginRoleError::BypassRls(name));
    }
    if let Some(privileged) = row.get::<_, Option<String>>(4) {
        return Err(LoginRoleError::ReachesPrivileged(name, privileged));
    }
    if let Some(owner) = row.get::<_, Option<String>>(5) {
        return Err(LoginRoleError::Owner(name, owner));
    }
    if !row.get::<_, bool>(3) {
        return Err(LoginRoleError::NotApiMember(name));
    }
    Ok(())
}
