//! Shared pieces of the CRM resources (companies, contacts, and whatever
//! comes next): a small builder for list queries whose SQL text is assembled
//! only from constant fragments and numbered placeholders (every value is a
//! bound parameter), the literal-substring search pattern, and the PATCH
//! field helper.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::Deserialize;
use tokio_postgres::{types::ToSql, Row};
use uuid::Uuid;

use super::pagination::{Page, Paged};
use crate::{
    auth::{Authenticated, Permission},
    error::{AppError, AppResult},
    validation::{Validator, NAME_MAX},
};

/// Declares a list's query parameters: the resource's own fields, then the
/// ones every list takes, so that they are written once. The grammar
/// (docs/lists.md): `field=value` keeps the rows equal to it, `field[gte]=` /
/// `field[lte]=` bound it (inclusive), `sort=field` or `sort=-field` orders by
/// it (the id breaks ties; default `-created_at`); any other parameter is 400
/// (`deny_unknown_fields`; serde cannot flatten a shared struct into one that
/// denies unknown fields, hence a macro).
macro_rules! list_filter {
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($body)*
            /// Created at or after (RFC 3339).
            #[serde(rename = "created_at[gte]")]
            pub created_at_gte: Option<chrono::DateTime<chrono::Utc>>,
            /// Created at or before (RFC 3339).
            #[serde(rename = "created_at[lte]")]
            pub created_at_lte: Option<chrono::DateTime<chrono::Utc>>,
            /// Last changed at or after (RFC 3339).
            #[serde(rename = "updated_at[gte]")]
            pub updated_at_gte: Option<chrono::DateTime<chrono::Utc>>,
            /// Last changed at or before (RFC 3339).
            #[serde(rename = "updated_at[lte]")]
            pub updated_at_lte: Option<chrono::DateTime<chrono::Utc>>,
            /// Page size, 1 to 200 (default 50).
            #[schemars(range(min = 1, max = 200))]
            pub limit: Option<i64>,
            /// `next_cursor` of the previous page.
            pub cursor: Option<String>,
        }

        impl $name {
            /// The created/updated bounds, for `ListQuery::timestamps`.
            pub fn timestamps(&self) -> [Option<chrono::DateTime<chrono::Utc>>; 4] {
                [self.created_at_gte, self.created_at_lte, self.updated_at_gte, self.updated_at_lte]
            }
        }

        impl $crate::api::export::Pageable for $name {
            fn export_page(&mut self, cursor: Option<String>) {
                self.cursor = cursor;
                self.limit = Some($crate::api::export::EXPORT_PAGE);
            }
        }
    };
}
pub(crate) use list_filter;

/// Whose records a list shows: the "mine / my team / all" filter. It narrows
/// the caller's scope (it never widens it: the policies decide).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OwnerFilter {
    /// Records the caller owns.
    Me,
    /// Records owned by the caller or a member of one of the caller's teams.
    Team,
    /// Every record the caller's scope reaches (the default).
    #[default]
    All,
}

impl OwnerFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            OwnerFilter::Me => "me",
            OwnerFilter::Team => "team",
            OwnerFilter::All => "all",
        }
    }
}

/// What the server remembers of each session's last unfiltered list: whether
/// its scope was narrower than all, so that the next list reads owner by
/// owner from the start. Only a hint for the shape of the query: the
/// database decides every row either way, and a stale hint costs speed,
/// never correctness (see `ListQuery::sql`). Entries live a minute.
#[derive(Default)]
pub struct ScopeHints {
    entries: Mutex<HashMap<HintKey, (bool, Instant)>>,
}

/// A session and the read permission of a list.
type HintKey = (Uuid, &'static str);

const HINT_TTL: Duration = Duration::from_secs(60);
const HINT_MAX: usize = 100_000;

impl ScopeHints {
    pub fn narrowed(&self, session: Uuid, permission: &'static str) -> bool {
        self.entries
            .lock()
            .ok()
            .and_then(|e| e.get(&(session, permission)).copied())
            .is_some_and(|(narrowed, at)| narrowed && at.elapsed() < HINT_TTL)
    }

    pub fn remember(&self, session: Uuid, permission: &'static str, narrowed: bool) {
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= HINT_MAX {
                e.retain(|_, (_, at)| at.elapsed() < HINT_TTL);
                if e.len() >= HINT_MAX {
                    e.clear();
                }
            }
            if narrowed || e.contains_key(&(session, permission)) {
                e.insert((session, permission), (narrowed, Instant::now()));
            }
        }
    }
}

/// A SELECT under construction: constant SQL, bound parameters.
pub struct ListQuery {
    columns: &'static str,
    from: &'static str,
    permission: &'static str,
    conditions: Vec<String>,
    owner_column: &'static str,
    owner: Option<String>,
    scoped: bool,
    searching: bool,
    sort: Option<Sort>,
    /// The placeholders of a sorted cursor: its sort key (`None` once in
    /// the NULLs) and its id.
    sort_after: Option<(Option<String>, String)>,
    limit: Option<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl ListQuery {
    /// `SELECT columns FROM from WHERE tenant_id = $1 …`: the tenant condition
    /// comes first so the planner uses the indexes that lead with tenant_id
    /// (RLS applies the same condition regardless). `permission` is the read
    /// permission whose scope an owner filter narrows.
    pub fn new(columns: &'static str, from: &'static str, permission: &'static str, tenant_id: Uuid) -> Self {
        let mut q = Self { columns, from, permission, conditions: Vec::new(), owner_column: "owner_id", owner: None, scoped: false, searching: false, sort: None, sort_after: None, limit: None, params: Vec::new() };
        let p = q.bind(tenant_id);
        q.conditions.push(["tenant_id = ", &p].concat());
        q
    }

    /// Binds a value and returns its placeholder (`$n`).
    pub fn bind<T: ToSql + Sync + Send + 'static>(&mut self, value: T) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    /// `AND column = $n`.
    pub fn equals<T: ToSql + Sync + Send + 'static>(&mut self, column: &'static str, value: T) {
        let p = self.bind(value);
        self.conditions.push([column, " = ", &p].concat());
    }

    /// The record filters of notes and tasks: only those on (about) the given
    /// company, contact or deal.
    pub fn linked_to(&mut self, company_id: Option<Uuid>, contact_id: Option<Uuid>, deal_id: Option<Uuid>) {
        for (column, id) in [("company_id", company_id), ("contact_id", contact_id), ("deal_id", deal_id)] {
            if let Some(id) = id {
                self.equals(column, id);
            }
        }
    }

    /// `AND <condition>`: constant SQL whose values are placeholders from `bind`.
    pub fn condition(&mut self, condition: String) {
        self.conditions.push(condition);
    }

    /// Keeps the rows whose ids a search function of `sql/50_search.sql`
    /// answers for `q` (an ILIKE pattern, metacharacters escaped): it uses
    /// the trigram indexes, which an ILIKE under RLS cannot, and applies the
    /// owner filter itself; the rows are still read through RLS here. `args`
    /// are the function's arguments between the pattern and the owner filter.
    pub fn search(&mut self, function: &'static str, q: &str, args: Vec<Box<dyn ToSql + Sync + Send>>, owner: OwnerFilter, page: &Page) {
        let mut bound = vec![self.bind(like_pattern(q))];
        for arg in args {
            self.params.push(arg);
            bound.push(format!("${}", self.params.len()));
        }
        bound.push(self.bind(owner.as_str()));
        bound.push(self.bind::<Option<DateTime<Utc>>>(page.after_time()));
        bound.push(self.bind::<Option<Uuid>>(page.after_id()));
        bound.push(self.bind(page.fetch()));
        self.conditions.push(["id = ANY(ARRAY(SELECT ", function, "(", &bound.join(", "), ")))"].concat());
        self.searching = true;
    }

    /// The column the scope and the owner filter are about, when it is not
    /// `owner_id` (tasks: `assignee_id`).
    pub fn owner_column(&mut self, column: &'static str) {
        self.owner_column = column;
    }

    /// Narrows the list to the owners of the filter. The page is then read
    /// owner by owner along the index (tenant_id, owner_id, created_at, id)
    /// and merged, so it costs the same whether the caller owns ten records
    /// or a million, instead of walking the tenant's page index past every
    /// record the policy filters out.
    pub fn owner(&mut self, owner: OwnerFilter) {
        if owner != OwnerFilter::All && !self.searching {
            self.owner = Some(self.bind(owner.as_str()));
        }
    }

    /// For a list without an owner filter whose caller's scope was narrower
    /// than all last time (`ScopeHints`): read owner by owner along the
    /// scope's owners (`run_list` falls back to the plain walk should the
    /// scope be all after all). Without the hint, the plain walk (the policy
    /// drops what is out of scope).
    pub fn scope_hint(&mut self, narrowed: bool) {
        self.scoped = narrowed && self.owner.is_none() && !self.searching;
    }


    /// `AND column <op> $n`: a bound of the filter grammar (`field[gte]`,
    /// `field[lte]`). `op` and `cast` are constants (`>=`, `::text::numeric`).
    pub fn compare<T: ToSql + Sync + Send + 'static>(&mut self, column: &'static str, op: &'static str, cast: &'static str, value: Option<T>) {
        if let Some(value) = value {
            let p = self.bind(value);
            self.conditions.push([column, " ", op, " ", &p, cast].concat());
        }
    }

    /// Orders the list by `sort` instead of newest first, continuing after
    /// the sorted cursor `after` (`SortCursor::parse`). A search (`q` through
    /// a search function) keeps its own order: 400.
    pub fn sort(&mut self, sort: Sort, after: Option<SortCursor>) -> AppResult<()> {
        if self.searching {
            return Err(AppError::BadRequest("sort cannot be combined with q.".into()));
        }
        self.sort = Some(sort);
        if let Some(after) = after {
            let id = self.bind(after.id);
            let value = after.value.map(|v| self.bind(v));
            self.sort_after = Some((value, id));
        }
        Ok(())
    }

    /// The bounds every list takes: `created_at[gte]`, `created_at[lte]`,
    /// `updated_at[gte]`, `updated_at[lte]`.
    pub fn timestamps(&mut self, [created_gte, created_lte, updated_gte, updated_lte]: [Option<DateTime<Utc>>; 4]) {
        self.compare("created_at", ">=", "", created_gte);
        self.compare("created_at", "<=", "", created_lte);
        self.compare("updated_at", ">=", "", updated_gte);
        self.compare("updated_at", "<=", "", updated_lte);
    }

    /// The order and the page (after the filters, the search and the owner filter).
    pub fn order(&mut self, order: Order) -> AppResult<()> {
        if let Some((sort, after)) = order.sorted {
            self.sort(sort, after)?;
        }
        self.page(&order.page);
        Ok(())
    }

    pub fn page(&mut self, page: &Page) {
        if let Some((at, id)) = page.after {
            let (a, i) = (self.bind::<DateTime<Utc>>(at), self.bind(id));
            self.conditions.push(["(created_at, id) < (", &a, ", ", &i, ")"].concat());
        }
        self.limit = Some(self.bind(page.fetch()));
    }

    /// The statement. Its last column, `narrowed`, says whether the rows came
    /// owner by owner because the caller's scope is narrower than all (what
    /// `ScopeHints` remembers); NULL for a search or an owner filter.
    pub fn sql(&self) -> String {
        let limit = self.limit.as_deref().unwrap_or("ALL");
        if let Some(sort) = self.sort {
            return self.sorted_sql(sort, limit);
        }
        let conditions = self.conditions.join(" AND ");
        let order = " ORDER BY created_at DESC, id DESC LIMIT ";
        let scope = ["(SELECT app.scope_owners('", self.permission, "'))"].concat();
        let by_owner = |owners: &str| {
            [
                "SELECT page.* FROM unnest(", owners, ") AS o(owner) CROSS JOIN LATERAL (SELECT ", self.columns, " FROM ",
                self.from, " WHERE ", &conditions, " AND ", self.owner_column, " = o.owner", order, limit, ") AS page",
            ]
            .concat()
        };
        if let Some(owner) = &self.owner {
            // One ordered index walk per owner of the filter
            // (app.list_owners), at most `limit` rows each, merged.
            let owners = ["(SELECT app.list_owners('", self.permission, "', ", owner, "))"].concat();
            return ["SELECT *, NULL::boolean AS narrowed FROM (", &by_owner(&owners), ") AS u", order, limit].concat();
        }
        if self.scoped {
            // The walk per owner of the scope, computed once. Should the
            // scope be all after all (a stale hint), the one row answered is
            // a marker (narrowed false, every column NULL) and `run_list`
            // runs the plain walk instead; an empty scope answers no row.
            return [
                "SELECT hit.*, s.owners IS NOT NULL AS narrowed FROM (SELECT app.scope_owners('", self.permission,
                "') AS owners OFFSET 0) AS s LEFT JOIN LATERAL (", &by_owner("s.owners"), order, limit,
                ") AS hit ON true WHERE s.owners IS NULL OR hit.id IS NOT NULL ORDER BY hit.created_at DESC, hit.id DESC LIMIT ", limit,
            ]
            .concat();
        }
        if self.searching {
            return ["SELECT ", self.columns, ", NULL::boolean AS narrowed FROM ", self.from, " WHERE ", &conditions, order, limit].concat();
        }
        [
            "SELECT ", self.columns, ", ", &scope, " IS NOT NULL AS narrowed FROM ", self.from, " WHERE ", &conditions, order,
            limit,
        ]
        .concat()
    }

    /// A list in the order of `sort`, an index walk along (tenant_id,
    /// column, id) (migrations/V015): the owner filter becomes a condition
    /// (the walk per owner is for the default order), and a nullable column's
    /// NULLs come after every value, ordered by id. Its last columns are
    /// `narrowed` (NULL) and `sort_key` (the column as text, for the cursor).
    fn sorted_sql(&self, sort: Sort, limit: &str) -> String {
        let mut conditions = self.conditions.clone();
        if let Some(owner) = &self.owner {
            conditions.push([self.owner_column, " = ANY ((SELECT app.list_owners('", self.permission, "', ", owner, "))::uuid[])"].concat());
        }
        let column = sort.qualified(self.from);
        let (dir, cmp) = if sort.desc { (" DESC", " < ") } else { (" ASC", " > ") };
        let id = [self.from, ".id"].concat();
        let select = |extra: &str| {
            [
                "SELECT ", self.columns, ", NULL::boolean AS narrowed, ", &column, "::text AS sort_key, ", &column, " AS sort_value FROM ",
                self.from, " WHERE ", &conditions.join(" AND "), extra,
            ]
            .concat()
        };
        // Past the cursor: a row comparison the index answers (an Index Cond).
        let past = |value: &str, i: &str| [" AND (", &column, ", ", &id, ")", cmp, "(", value, "::text", sort.field.cast, ", ", i, ")"].concat();
        let values = |keyset: &str| {
            let not_null = if sort.field.nullable { [" AND ", &column, " IS NOT NULL"].concat() } else { String::new() };
            [&select(&[&not_null, keyset].concat()), " ORDER BY ", &column, dir, ", ", &id, dir, " LIMIT ", limit].concat()
        };
        let nulls = |keyset: &str| [&select(&[" AND ", &column, " IS NULL", keyset].concat()), " ORDER BY ", &id, dir, " LIMIT ", limit].concat();
        match (&self.sort_after, sort.field.nullable) {
            (None, false) => values(""),
            (Some((Some(v), i)), false) => values(&past(v, i)),
            // Already in the NULLs: only they remain, by id.
            (Some((None, i)), _) => nulls(&[" AND ", &id, cmp, i].concat()),
            // The values in order, then every NULL by id: each part one walk
            // of the same index, merged.
            (after, true) => {
                let keyset = match after {
                    Some((Some(v), i)) => past(v, i),
                    _ => String::new(),
                };
                ["SELECT * FROM ((", &values(&keyset), ") UNION ALL (", &nulls(""), ")) AS u ORDER BY sort_value IS NULL, sort_value", dir, ", id", dir, " LIMIT ", limit]
                    .concat()
            }
        }
    }

    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
    }

    /// The page of `rows` (fetched with `page.fetch()`), mapped, with the
    /// cursor of the next one: `(created_at, id)` in the default order, the
    /// sort key and id when sorted.
    pub fn finish<T>(&self, page: &Page, rows: &[Row], map: impl Fn(&Row) -> T, key: impl Fn(&T) -> (DateTime<Utc>, Uuid)) -> Paged<T> {
        let Some(sort) = self.sort else {
            return page.finish(rows.iter().map(map).collect(), key);
        };
        let limit = page.limit as usize;
        let more = rows.len() > limit;
        let rows = &rows[..rows.len().min(limit)];
        let next_cursor = if more {
            rows.last().map(|r| SortCursor { value: r.get("sort_key"), id: r.get("id") }.encode(sort))
        } else {
            None
        };
        Paged { items: rows.iter().map(map).collect(), next_cursor }
    }
}

/// The order and page of a list: `sort`, `limit` and `cursor` parsed
/// together (a sorted list's cursor carries its sort key).
pub struct Order {
    pub page: Page,
    sorted: Option<(Sort, Option<SortCursor>)>,
}

impl Order {
    pub fn parse(sort: Option<&str>, sorts: &'static [&'static SortField], limit: Option<i64>, cursor: Option<&str>) -> AppResult<Order> {
        match Sort::parse(sort, sorts)? {
            None => Ok(Order { page: Page::parse(limit, cursor)?, sorted: None }),
            Some(sort) => Ok(Order { page: Page::parse(limit, None)?, sorted: Some((sort, SortCursor::parse(cursor, sort)?)) }),
        }
    }
}

/// A sortable field of a list: its name in `sort=`, its column, the cast
/// that reads a cursor's text back as the column's type, whether it may be NULL.
pub struct SortField {
    pub name: &'static str,
    pub column: &'static str,
    pub cast: &'static str,
    pub nullable: bool,
}

pub const CREATED_AT: SortField = SortField { name: "created_at", column: "created_at", cast: "::timestamptz", nullable: false };
pub const UPDATED_AT: SortField = SortField { name: "updated_at", column: "updated_at", cast: "::timestamptz", nullable: false };

/// `sort=field` (ascending) or `sort=-field` (descending), one of a list's
/// sortable fields; the id breaks ties.
#[derive(Clone, Copy)]
pub struct Sort {
    field: &'static SortField,
    desc: bool,
}

impl Sort {
    /// `None` for the default order (`-created_at`, which the lists walk
    /// their own way); 400 for a field that cannot be sorted on.
    pub fn parse(spec: Option<&str>, fields: &'static [&'static SortField]) -> AppResult<Option<Sort>> {
        let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(None) };
        let (desc, name) = match spec.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, spec),
        };
        let field = fields.iter().copied().find(|f| f.name == name).ok_or_else(|| {
            let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
            AppError::BadRequest(format!("sort must be one of {} (prefix - for descending).", names.join(", ")).into())
        })?;
        Ok((!(desc && field.name == "created_at")).then_some(Sort { field, desc }))
    }

    fn qualified(&self, from: &str) -> String {
        [from, ".", self.field.column].concat()
    }

    fn tag(&self) -> String {
        [if self.desc { "-" } else { "" }, self.field.name].concat()
    }
}

/// Where a sorted page ends: the sort key as text (`None` once in the NULLs) and the id.
pub struct SortCursor {
    value: Option<String>,
    id: Uuid,
}

impl SortCursor {
    /// 400 unless `cursor` is a cursor of a page in this very order.
    pub fn parse(cursor: Option<&str>, sort: Sort) -> AppResult<Option<SortCursor>> {
        let Some(cursor) = cursor.filter(|c| !c.is_empty()) else { return Ok(None) };
        let invalid = || AppError::BadRequest("The cursor is invalid (or from a list in another order).".into());
        let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let (tag, value, id): (String, Option<String>, Uuid) = serde_json::from_slice(&raw).map_err(|_| invalid())?;
        if tag != sort.tag() {
            return Err(invalid());
        }
        Ok(Some(SortCursor { value, id }))
    }

    fn encode(&self, sort: Sort) -> String {
        let json = serde_json::to_vec(&(sort.tag(), &self.value, self.id)).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }
}

/// Runs a list whose shape may follow the session's scope hint
/// (`ListQuery::scope_hint`, `ScopeHints`), and remembers what its answer
/// says about the scope. A stale hint (the caller's scope is all now) costs
/// one more round trip, never a wrong page.
pub async fn run_list(auth: &Authenticated, permission: Permission, q: &mut ListQuery) -> AppResult<Vec<Row>> {
    q.scope_hint(auth.narrowed_hint(q.permission));
    let mut rows = auth.read_via_policy(permission, &q.sql(), &q.params()).await?;
    let mut narrowed = rows.first().and_then(|r| r.get::<_, Option<bool>>("narrowed"));
    if q.scoped && narrowed == Some(false) {
        q.scope_hint(false);
        rows = auth.read_via_policy(permission, &q.sql(), &q.params()).await?;
        narrowed = rows.first().and_then(|r| r.get::<_, Option<bool>>("narrowed"));
    }
    if let Some(narrowed) = narrowed {
        auth.remember_narrowed(q.permission, narrowed);
    }
    Ok(rows)
}

/// The SET list of a PATCH: only the columns given are named, each value a
/// bound parameter (`$1` is the record's id).
pub struct SetList {
    sets: Vec<String>,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl SetList {
    /// The row `id` of `tenant`: the statement names the tenant too, so a
    /// distributed database routes it to one shard (docs/scaling.md).
    pub fn new(tenant: &Uuid, id: &Uuid) -> Self {
        Self { sets: Vec::new(), params: vec![Box::new(*tenant), Box::new(*id)] }
    }

    pub fn column<T: ToSql + Sync + Send + 'static>(&mut self, given: bool, column: &'static str, value: T) {
        self.column_cast(given, column, "", value);
    }

    /// Like `column`, with a constant cast after the placeholder (`::text::numeric`).
    pub fn column_cast<T: ToSql + Sync + Send + 'static>(&mut self, given: bool, column: &'static str, cast: &'static str, value: T) {
        if given {
            self.params.push(Box::new(value));
            self.sets.push([column, " = $", &self.params.len().to_string(), cast].concat());
        }
    }

    /// `UPDATE table SET … WHERE tenant_id = $1 AND id = $2 RETURNING id`. With nothing given,
    /// `always = always` (a readable required column), so an empty PATCH
    /// still needs the write permission and answers 404 for an unreachable id.
    pub fn update(&self, table: &'static str, always: &'static str) -> String {
        self.update_returning(table, always, "id")
    }

    /// Like `update`, answering the constant column list `returning`.
    pub fn update_returning(&self, table: &'static str, always: &'static str, returning: &'static str) -> String {
        let sets = if self.sets.is_empty() { [always, " = ", always].concat() } else { self.sets.join(", ") };
        ["UPDATE ", table, " SET ", &sets, " WHERE tenant_id = $1 AND id = $2 RETURNING ", returning].concat()
    }

    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

/// The `q` search text of a list: trimmed, `None` when empty, 400 when longer
/// than the 320 characters the OpenAPI document allows.
pub fn search_text(q: Option<&str>) -> AppResult<Option<&str>> {
    match q {
        Some(q) if q.chars().count() > NAME_MAX => Err(AppError::BadRequest(format!("q must be at most {NAME_MAX} characters.").into())),
        Some(q) => Ok(Some(q.trim()).filter(|t| !t.is_empty())),
        None => Ok(None),
    }
}

/// The `owner_id=` / `assignee_id=` filter of the grammar: `me` (the
/// caller) or a member's id; 400 otherwise.
pub fn member_ref(field: &str, value: Option<&str>, me: Uuid) -> AppResult<Option<Uuid>> {
    match value {
        None => Ok(None),
        Some("me") => Ok(Some(me)),
        Some(v) => v.parse().map(Some).map_err(|_| AppError::BadRequest(format!("{field} must be `me` or a member's id.").into())),
    }
}

/// An amount bound of the grammar (`amount[gte]=1000.50`): a decimal with
/// at most two places, kept as text so that it is compared exactly; 400 otherwise.
pub fn decimal_bound(field: &str, value: Option<String>) -> AppResult<Option<String>> {
    let Some(v) = value else { return Ok(None) };
    let (int, frac) = v.split_once('.').unwrap_or((&v, ""));
    let digits = |s: &str, max: usize| s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
    if !int.is_empty() && digits(int, 18) && digits(frac, 2) && (frac.is_empty() != v.contains('.')) {
        Ok(Some(v))
    } else {
        Err(AppError::BadRequest(format!("{field} must be a decimal number with at most two places.").into()))
    }
}

/// `%q%` with the LIKE metacharacters escaped (backslash is ILIKE's escape).
pub fn like_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// A PATCH field: `None` = absent (unchanged), `Some(None)` = null (cleared),
/// `Some(Some(v))` = set. Returns `(given, value)` for `CASE WHEN given …`.
pub fn optional_text(v: &mut Validator, field: &str, value: Option<Option<String>>, max: usize) -> (bool, Option<String>) {
    match value {
        None => (false, None),
        Some(inner) => (true, v.optional(field, inner.as_deref(), max)),
    }
}

/// A PATCH field that may not be null.
pub fn required_text(v: &mut Validator, field: &str, value: Option<Option<String>>, max: usize) -> (bool, Option<String>) {
    match value {
        None => (false, None),
        Some(None) => {
            v.push(field, "cannot be null");
            (false, None)
        }
        Some(Some(text)) => (true, Some(v.required(field, &text, max))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammars_values_are_checked() -> Result<(), Box<dyn std::error::Error>> {
        let me = Uuid::now_v7();
        assert_eq!(member_ref("owner_id", Some("me"), me).ok(), Some(Some(me)));
        assert!(member_ref("owner_id", Some("you"), me).is_err());
        assert_eq!(decimal_bound("amount[gte]", Some("1000.5".into())).ok(), Some(Some("1000.5".into())));
        for bad in ["", ".5", "1.", "1.234", "-1", "1e3", "12a"] {
            assert!(decimal_bound("amount[gte]", Some(bad.into())).is_err(), "{bad}");
        }
        let fields: &'static [&'static SortField] = &[&CREATED_AT, &UPDATED_AT];
        assert!(Sort::parse(Some("-created_at"), fields)?.is_none(), "the default order walks its own way");
        assert!(Sort::parse(Some("name"), fields).is_err());
        let sort = Sort::parse(Some("-updated_at"), fields)?.ok_or("a sorted order")?;
        let cursor = SortCursor { value: Some("2026-11-29 09:00:00+00".into()), id: me }.encode(sort);
        assert!(SortCursor::parse(Some(&cursor), sort)?.is_some());
        let other = Sort::parse(Some("updated_at"), fields)?.ok_or("a sorted order")?;
        assert!(SortCursor::parse(Some(&cursor), other).is_err(), "a cursor of another order is refused");
        Ok(())
    }

    #[test]
    fn like_metacharacters_are_literal() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
