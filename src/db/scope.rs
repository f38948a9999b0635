//! The request scope: one transaction on a pooled connection, carrying the
//! request context into Postgres.
//!
//! `Scope::begin` sends, as one pipeline (a single round trip):
//!   BEGIN;
//!   SELECT set_config('role', 'tenet_api', true), set_config('app.tenant_id', $1, true), …,
//!          set_config('statement_timeout', …, true), set_config('idle_in_transaction_session_timeout', …, true);
//!   SELECT app.authorize();
//! Every setting is transaction-local (`is_local = true`), so nothing survives
//! into the next request on that connection, also behind PgBouncer in
//! transaction mode. Statements are prepared once per connection
//! (`prepare_cached`), or, with `DATABASE_TRANSACTION_POOLING` (a pooler that
//! may give each transaction another server connection), sent unnamed with
//! parameter types learnt once per process: see `Statements`.
//! `app.authorize()` answers NULL unless
//! the context is a live session of an active member (the caller gets 401),
//! otherwise the caller's permissions (so handlers can answer 403 early; the
//! RLS policies enforce them regardless).
//!
//! A scope that is dropped without `commit()` is rolled back before its
//! connection can serve anyone else.
use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, RwLock},
};

use deadpool_postgres::{Object, Pool};
use tokio_postgres::{
    types::{ToSql, Type},
    Row, Statement,
};
use uuid::Uuid;

use crate::{
    auth::{permission, Identity, Permission},
    config::Timeouts,
    error::{AppError, AppResult},
};

// The timeouts are set per transaction too, so that a request can never hold
// its connection idle in a transaction (or run a statement) for long, also
// behind PgBouncer, where session settings are not ours to make.
//
// plan_cache_mode: every statement of a request is prepared once per
// connection and bound to the request's values; its plan does not depend on
// them (each walks an index that leads with tenant_id, the policies' checks
// are InitPlans). Left to choose, PostgreSQL kept planning a custom plan on
// every execution of the lists (a generic plan of a statement over a view with
// RLS is estimated dearer than it is): 0.25 ms of planning for the scope-all
// list, 0.5 ms for the owner-by-owner one, per request. Generic plans made
// the list 19 % and the own-scoped list 58 % faster under pgbench with bound
// parameters (docs/performance.md, benches/scopes.sh).
const SET_CONTEXT: &str = "SELECT set_config('role', 'tenet_api', true), \
     set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true), \
     set_config('app.session_id', $3, true), set_config('app.session_secret', $4, true), \
     set_config('app.request_id', $5, true), set_config('app.client_ip', $6, true), \
     set_config('app.user_agent', $7, true), set_config('statement_timeout', $8, true), \
     set_config('idle_in_transaction_session_timeout', $9, true), \
     set_config('plan_cache_mode', 'force_generic_plan', true)";
const AUTHORIZE: &str = "SELECT app.authorize()";
/// SET_CONTEXT's parameters: all text, known without asking the server.
const SET_CONTEXT_TYPES: [Type; 9] = [
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
];

type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// How statements reach the server.
///
/// `Prepared` (the default, a direct connection or a session-mode pooler):
/// each statement is prepared once per pooled connection and then only bound
/// and executed, its plan cached by PostgreSQL.
///
/// `Unnamed` (`DATABASE_TRANSACTION_POOLING`, e.g. PgBouncer 1.18 in
/// transaction mode, which hands each transaction whichever server connection
/// is free): nothing is left prepared on a server connection after a
/// transaction. Each statement goes as one unnamed Parse, Bind, Execute with
/// its parameter types given; the types are learnt the first time this
/// process sees the statement, by preparing it inside the transaction and
/// closing it at once (the Close is sent before anything later in that
/// transaction). The price: PostgreSQL plans every execution.
#[derive(Clone)]
enum Statements {
    Prepared,
    Unnamed(Arc<RwLock<HashMap<String, Arc<[Type]>>>>),
}

/// A statement ready to run on one connection, as `Statements` says.
enum Ready {
    Named(Statement),
    Unnamed(Arc<[Type]>),
}

impl Statements {
    async fn ready(&self, c: &Object, sql: &str, params: usize) -> Result<Ready, tokio_postgres::Error> {
        let known = match self {
            Statements::Prepared => return Ok(Ready::Named(c.prepare_cached(sql).await?)),
            Statements::Unnamed(known) => known,
        };
        if params == 0 {
            return Ok(Ready::Unnamed(Arc::from([])));
        }
        if let Some(types) = known.read().ok().and_then(|k| k.get(sql).cloned()) {
            return Ok(Ready::Unnamed(types));
        }
        let statement = c.prepare(sql).await?;
        let types: Arc<[Type]> = Arc::from(statement.params());
        // Dropping it sends the Close now, inside this transaction.
        drop(statement);
        if let Ok(mut k) = known.write() {
            k.insert(sql.to_owned(), types.clone());
        }
        Ok(Ready::Unnamed(types))
    }
}

impl Ready {
    fn typed<'a>(types: &[Type], params: Params<'a>) -> Vec<(&'a (dyn ToSql + Sync), Type)> {
        params.iter().copied().zip(types.iter().cloned()).collect()
    }

    async fn query(&self, c: &Object, sql: &str, params: Params<'_>) -> Result<Vec<Row>, tokio_postgres::Error> {
        match self {
            Ready::Named(statement) => c.query(statement, params).await,
            Ready::Unnamed(types) => c.query_typed(sql, &Self::typed(types, params)).await,
        }
    }

    async fn query_opt(&self, c: &Object, sql: &str, params: Params<'_>) -> Result<Option<Row>, tokio_postgres::Error> {
        match self {
            Ready::Named(statement) => c.query_opt(statement, params).await,
            Ready::Unnamed(types) => c.query_typed_opt(sql, &Self::typed(types, params)).await,
        }
    }

    async fn query_one(&self, c: &Object, sql: &str, params: Params<'_>) -> Result<Row, tokio_postgres::Error> {
        match self {
            Ready::Named(statement) => c.query_one(statement, params).await,
            Ready::Unnamed(types) => c.query_typed_one(sql, &Self::typed(types, params)).await,
        }
    }

    async fn execute(&self, c: &Object, sql: &str, params: Params<'_>) -> Result<u64, tokio_postgres::Error> {
        match self {
            Ready::Named(statement) => c.execute(statement, params).await,
            Ready::Unnamed(types) => c.execute_typed(sql, &Self::typed(types, params)).await,
        }
    }
}

/// The pool, and the settings every request transaction gets.
#[derive(Clone)]
pub struct Database {
    pub pool: Pool,
    statement_timeout_ms: String,
    idle_in_transaction_timeout_ms: String,
    statements: Statements,
}

impl Database {
    /// `transaction_pooling`: the pool's connections lead to a pooler in
    /// transaction mode (`DATABASE_TRANSACTION_POOLING`).
    pub fn new(pool: Pool, timeouts: &Timeouts, transaction_pooling: bool) -> Self {
        Self {
            pool,
            statement_timeout_ms: timeouts.statement.as_millis().to_string(),
            idle_in_transaction_timeout_ms: timeouts.idle_in_transaction.as_millis().to_string(),
            statements: if transaction_pooling { Statements::Unnamed(Arc::default()) } else { Statements::Prepared },
        }
    }

    /// Readiness: one statement on a pooled connection.
    pub async fn ping(&self) -> AppResult<()> {
        let client = self.pool.get().await?;
        self.statements.ready(&client, "SELECT 1", 0).await?.query_one(&client, "SELECT 1", &[]).await?;
        Ok(())
    }

    /// A scope for an authenticated request: fails with 401 unless the
    /// identity names a live session of an active member of its tenant.
    pub async fn authenticated(&self, meta: &RequestMeta, identity: &Identity) -> AppResult<Scope> {
        let opened = Scope::open(self, meta, Some(identity), true, None, None).await?;
        Ok(opened.authorized(None)?.0)
    }

    /// Like `authenticated`, with the first statement, one that needs a
    /// permission (typically a write): 401 for an invalid context and 403
    /// without the permission take precedence over whatever the statement
    /// answered (RLS refused it too; the transaction is rolled back).
    pub async fn authenticated_query_requiring(
        &self,
        meta: &RequestMeta,
        identity: &Identity,
        permission: Permission,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<(Scope, Vec<Row>)> {
        Scope::open(self, meta, Some(identity), true, Some((sql, params)), None).await?.authorized(Some(permission))
    }

    /// A read-only request in one round trip: BEGIN, context, authorization,
    /// the statement and ROLLBACK as one pipeline, so the connection is back
    /// in the pool, clean, as soon as the answer arrives. 401 for an invalid
    /// context; 403 without `required`. Answers the caller's permissions and
    /// the rows.
    pub async fn authenticated_read(
        &self,
        meta: &RequestMeta,
        identity: &Identity,
        required: Option<Permission>,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<(Vec<Permission>, Vec<Row>)> {
        let opened = Scope::open(self, meta, Some(identity), true, Some((sql, params)), Some("ROLLBACK")).await?;
        let (scope, rows) = opened.authorized(required)?;
        let mut scope = scope;
        Ok((std::mem::take(&mut scope.permissions), rows))
    }

    /// A read whose rows RLS shows only to a valid context holding
    /// `required` (the table's read policy names exactly that permission):
    /// BEGIN, context, the statement and ROLLBACK in one round trip, without
    /// app.authorize(). Rows prove the context valid and the permission held;
    /// only an empty answer costs a second round trip, to tell 200 from 401
    /// and 403. The database's check is the policy's, on every statement.
    pub async fn authenticated_read_via_policy(
        &self,
        meta: &RequestMeta,
        identity: &Identity,
        required: Permission,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<Vec<Row>> {
        let rows = self.read_unauthorized(meta, identity, sql, params).await?;
        if rows.is_empty() {
            self.authenticated_read(meta, identity, Some(required), "SELECT 1 WHERE false", &[]).await?;
        }
        Ok(rows)
    }

    /// A read by one statement that validates the context itself (a SECURITY
    /// DEFINER entry point answering no row unless `app.authorize()` does,
    /// e.g. `app.me()`): BEGIN, context, the statement and ROLLBACK in one
    /// round trip; no row is 401.
    pub async fn authenticated_read_self_validating(
        &self,
        meta: &RequestMeta,
        identity: &Identity,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<Vec<Row>> {
        let rows = self.read_unauthorized(meta, identity, sql, params).await?;
        if rows.is_empty() {
            return Err(AppError::Unauthorized("The session is not valid.".into()));
        }
        Ok(rows)
    }

    /// BEGIN, the context, one statement and ROLLBACK in one round trip,
    /// without app.authorize(): for statements that RLS or the function
    /// they call answer only for a valid context.
    async fn read_unauthorized(
        &self,
        meta: &RequestMeta,
        identity: &Identity,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AppResult<Vec<Row>> {
        let opened = Scope::open(self, meta, Some(identity), false, Some((sql, params)), Some("ROLLBACK")).await?;
        Ok(opened.rows?)
    }

    /// A scope with no tenant context, for the steps before a tenant is known
    /// (signup, login, refresh): tenant tables read as empty; only the
    /// SECURITY DEFINER entry points of schema `app` can do anything.
    pub async fn anonymous(&self, meta: &RequestMeta) -> AppResult<Scope> {
        Ok(Scope::open(self, meta, None, false, None, None).await?.inner)
    }

    /// One statement with no tenant context in a transaction of its own, as
    /// one pipeline: BEGIN, context, the statement, COMMIT (one round trip;
    /// for the SECURITY DEFINER entry points of refresh, login and API-key
    /// resolution). If the statement fails, the COMMIT rolls back.
    pub async fn anonymous_once(&self, meta: &RequestMeta, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Vec<Row>> {
        let opened = Scope::open(self, meta, None, false, Some((sql, params)), Some("COMMIT")).await?;
        Ok(opened.rows?)
    }
}

/// Facts about the HTTP request that the audit trail records.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub request_id: String,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
}

pub struct Scope {
    client: Option<Object>,
    statements: Statements,
    permissions: Vec<Permission>,
}

impl Scope {
    async fn open(
        db: &Database,
        meta: &RequestMeta,
        identity: Option<&Identity>,
        authorize_context: bool,
        first: Option<(&str, &[&(dyn ToSql + Sync)])>,
        end: Option<&'static str>,
    ) -> AppResult<Opened> {
        let client = db.pool.get().await?;
        let statements = &db.statements;
        // Only BEGIN and the context are made ready up front: they name
        // nothing but pg_catalog, so the login role may parse them (and their
        // types are known, so nothing is prepared outside the transaction
        // with unnamed statements). Every other statement is prepared (on a
        // cache miss) after they were sent, so its Parse runs inside the
        // transaction as tenet_api: a login role that does not inherit
        // tenet_api (NOINHERIT, the recommended setup) may not even look into
        // schema app.
        let begin = statements.ready(&client, "BEGIN", 0).await?;
        let set_context = match statements {
            Statements::Prepared => statements.ready(&client, SET_CONTEXT, SET_CONTEXT_TYPES.len()).await?,
            Statements::Unnamed(_) => Ready::Unnamed(Arc::from(SET_CONTEXT_TYPES)),
        };

        let text = |id: Option<Uuid>| id.map(|u| u.to_string()).unwrap_or_default();
        let tenant = text(identity.map(|i| i.tenant_id));
        let user = text(identity.map(|i| i.user_id));
        let session = text(identity.map(|i| i.session_id));
        let secret = identity.map(|i| i.session_secret.as_str()).unwrap_or_default();
        let ip = meta.ip.map(|ip| ip.to_string()).unwrap_or_default();
        let ua = meta.user_agent.clone().unwrap_or_default();
        let params: [&(dyn ToSql + Sync); 9] = [
            &tenant,
            &user,
            &session,
            &secret,
            &meta.request_id,
            &ip,
            &ua,
            &db.statement_timeout_ms,
            &db.idle_in_transaction_timeout_ms,
        ];

        // Owning the connection from here on means an error below still rolls back.
        let scope = Scope { client: Some(client), statements: statements.clone(), permissions: Vec::new() };
        let c = scope.conn()?;
        // One round trip: tokio-postgres sends each request when its future is
        // first polled, and join! polls them in order, so they are pipelined
        // (a statement not yet prepared on this connection costs one more
        // round trip, once). An anonymous scope has nothing to authorize.
        let rest = async {
            let authorize = match identity {
                Some(_) if authorize_context => Some(statements.ready(c, AUTHORIZE, 0).await?),
                _ => None,
            };
            let first_statement = match first {
                Some((sql, params)) => Some(statements.ready(c, sql, params.len()).await?),
                None => None,
            };
            let end_statement = match end {
                Some(sql) => Some(statements.ready(c, sql, 0).await?),
                None => None,
            };
            let authorize_request = async {
                match &authorize {
                    Some(stmt) => stmt.query_one(c, AUTHORIZE, &[]).await.map(|row| row.get::<_, Option<Vec<String>>>(0)),
                    None => Ok(None),
                }
            };
            let first_request = async {
                match (&first_statement, first) {
                    (Some(stmt), Some((sql, first_params))) => stmt.query(c, sql, first_params).await.map(Some),
                    _ => Ok(None),
                }
            };
            let end_request = async {
                match (&end_statement, end) {
                    (Some(stmt), Some(sql)) => stmt.execute(c, sql, &[]).await.map(Some),
                    _ => Ok(None),
                }
            };
            let (authorized, rows, ended) = tokio::join!(authorize_request, first_request, end_request);
            Ok::<_, tokio_postgres::Error>((authorized, rows, ended))
        };
        let (began, context, rest) =
            tokio::join!(begin.execute(c, "BEGIN", &[]), set_context.execute(c, SET_CONTEXT, &params), rest);
        let (authorized, rows, committed) = match rest {
            Ok(answers) => answers,
            // A statement failed to prepare: the transaction stays open and
            // the dropped scope rolls it back.
            Err(e) => {
                began?;
                context?;
                return Err(e.into());
            }
        };
        began?;
        context?;
        let mut scope = scope;
        if committed?.is_some() {
            // The transaction is over (committed, or rolled back if a
            // statement failed): the connection goes back to the pool clean.
            scope.client.take();
        }
        let permissions = authorized?;
        // The first statement's error waits: a 401 or 403 explains it better.
        let rows = rows.map(Option::unwrap_or_default);
        Ok(Opened { inner: scope, permissions_or_none: permissions, rows })
    }

    fn conn(&self) -> AppResult<&Object> {
        self.client.as_ref().ok_or_else(|| AppError::Internal("scope used after commit".into()))
    }

    pub fn permissions(&self) -> &[Permission] {
        &self.permissions
    }

    pub fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    /// Answers 403 early when the caller lacks a permission. The database
    /// enforces the same rule on its own; this only spares the work.
    pub fn require(&self, permission: Permission) -> AppResult<()> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("This action requires the permission {permission}.").into()))
        }
    }

    async fn statement(&self, sql: &str, params: Params<'_>) -> AppResult<Ready> {
        Ok(self.statements.ready(self.conn()?, sql, params.len()).await?)
    }

    pub async fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Vec<Row>> {
        let stmt = self.statement(sql, params).await?;
        Ok(stmt.query(self.conn()?, sql, params).await?)
    }

    pub async fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Row> {
        let stmt = self.statement(sql, params).await?;
        Ok(stmt.query_one(self.conn()?, sql, params).await?)
    }

    pub async fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Option<Row>> {
        let stmt = self.statement(sql, params).await?;
        Ok(stmt.query_opt(self.conn()?, sql, params).await?)
    }

    pub async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<u64> {
        let stmt = self.statement(sql, params).await?;
        Ok(stmt.execute(self.conn()?, sql, params).await?)
    }

    /// A statement without parameters or answer, sent as a simple query
    /// (SAVEPOINT, RELEASE, ROLLBACK TO).
    pub async fn batch(&self, sql: &str) -> AppResult<()> {
        Ok(self.conn()?.batch_execute(sql).await?)
    }

    /// One statement under a savepoint, in one round trip (SAVEPOINT, the
    /// statement and RELEASE pipelined): if it fails, the transaction is
    /// rolled back to before it and goes on (an import's row that fails).
    pub async fn query_in_savepoint(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Vec<Row>> {
        let c = self.conn()?;
        let stmt = self.statement(sql, params).await?;
        let (saved, rows, released) = tokio::join!(
            c.batch_execute("SAVEPOINT row_savepoint"),
            stmt.query(c, sql, params),
            c.batch_execute("RELEASE SAVEPOINT row_savepoint")
        );
        saved?;
        match (rows, released) {
            (Ok(rows), Ok(())) => Ok(rows),
            (Err(e), _) => {
                c.batch_execute("ROLLBACK TO SAVEPOINT row_savepoint").await?;
                Err(e.into())
            }
            (Ok(_), Err(e)) => Err(e.into()),
        }
    }

    /// Ends a read-only scope without waiting: the rollback runs in the
    /// background before the connection returns to the pool.
    pub fn release(self) {
        drop(self);
    }

    /// The transaction's last statement and COMMIT in one round trip (a
    /// write's read-back, e.g. through a masking view): its row, once
    /// committed. If the statement fails, the COMMIT rolls the transaction
    /// back and the statement's error is answered; a failed COMMIT is
    /// answered as `commit` answers it.
    pub async fn query_opt_then_commit(mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AppResult<Option<Row>> {
        let c = self.conn()?;
        let stmt = self.statement(sql, params).await?;
        let commit = self.statements.ready(c, "COMMIT", 0).await?;
        // Until both answered, the scope holds the connection: dropped on the
        // way (the client went away), it is rolled back as any other scope.
        let (row, committed) = tokio::join!(stmt.query_opt(c, sql, params), commit.execute(c, "COMMIT", &[]));
        let client = self.client.take().ok_or_else(|| AppError::Internal("scope committed twice".into()))?;
        Self::ended(client, committed)?;
        Ok(row?)
    }

    pub async fn commit(mut self) -> AppResult<()> {
        let client = self.client.take().ok_or_else(|| AppError::Internal("scope committed twice".into()))?;
        let result = match self.statements.ready(&client, "COMMIT", 0).await {
            Ok(stmt) => stmt.execute(&client, "COMMIT", &[]).await,
            Err(e) => Err(e),
        };
        Self::ended(client, result)
    }

    /// After COMMIT: if it failed, the transaction's state is unknown, and
    /// the connection is never handed out again.
    fn ended(client: Object, committed: Result<u64, tokio_postgres::Error>) -> AppResult<()> {
        if let Err(e) = committed {
            drop(Object::take(client));
            return Err(e.into());
        }
        Ok(())
    }
}

struct Opened {
    inner: Scope,
    permissions_or_none: Option<Vec<String>>,
    rows: Result<Vec<Row>, tokio_postgres::Error>,
}

impl Opened {
    /// The scope (and first rows) of a valid context; 401 otherwise, after
    /// which the dropped scope rolls the transaction back.
    fn authorized(self, required: Option<Permission>) -> AppResult<(Scope, Vec<Row>)> {
        let Opened { mut inner, permissions_or_none, rows } = self;
        let Some(permissions) = permissions_or_none else {
            return Err(AppError::Unauthorized("The session is not valid.".into()));
        };
        inner.permissions = permission::from_keys(permissions);
        if let Some(permission) = required {
            inner.require(permission)?;
        }
        Ok((inner, rows?))
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    if client.batch_execute("ROLLBACK").await.is_err() {
                        drop(Object::take(client));
                    }
                });
            }
            // No runtime to roll back on: detach the connection so it closes.
            Err(_) => drop(Object::take(client)),
        }
    }
}
