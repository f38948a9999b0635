//! Shared pieces of the CRM resources (companies, contacts, and whatever
//! comes next): a small builder for list queries whose SQL text is assembled
//! only from constant fragments and numbered placeholders (every value is a
//! bound parameter), the literal-substring search pattern, and the PATCH
//! field helper.
use chrono::{DateTime, Utc};
use tokio_postgres::types::ToSql;
use uuid::Uuid;

use super::pagination::Page;
use crate::{
    error::{AppError, AppResult},
    validation::{Validator, NAME_MAX},
};

/// A SELECT under construction: constant SQL, bound parameters.
pub struct ListQuery {
    sql: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl ListQuery {
    /// `select` must end with a FROM clause; the tenant condition comes first
    /// so the planner uses the indexes that lead with tenant_id (RLS applies
    /// the same condition regardless).
    pub fn new(select: &'static str, tenant_id: Uuid) -> Self {
        let mut q = Self { sql: String::from(select), params: Vec::new() };
        let p = q.bind(tenant_id);
        q.sql.push_str(" WHERE tenant_id = ");
        q.sql.push_str(&p);
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
        self.sql.push_str(&[" AND ", column, " = ", &p].concat());
    }

    /// `AND (c1 ILIKE $n OR c2 ILIKE $n …)`: case-insensitive substring search
    /// in which `%`, `_` and `\` are literal.
    /// Keeps the rows whose ids a search function of `sql/50_search.sql`
    /// answers for `q` (an ILIKE pattern, metacharacters escaped): it uses
    /// the trigram indexes, which an ILIKE under RLS cannot; the rows are
    /// still read through RLS here. `args` are the function's arguments
    /// between the pattern and the keyset (e.g. a filter).
    pub fn search(&mut self, function: &'static str, q: &str, args: Vec<Box<dyn ToSql + Sync + Send>>, page: &Page) {
        let mut bound = vec![self.bind(like_pattern(q))];
        for arg in args {
            self.params.push(arg);
            bound.push(format!("${}", self.params.len()));
        }
        bound.push(self.bind::<Option<DateTime<Utc>>>(page.after_time()));
        bound.push(self.bind::<Option<Uuid>>(page.after_id()));
        bound.push(self.bind(page.fetch()));
        self.sql.push_str(&[" AND id = ANY(ARRAY(SELECT ", function, "(", &bound.join(", "), ")))"].concat());
    }

    pub fn page(&mut self, page: &Page) {
        if let Some((at, id)) = page.after {
            let (a, i) = (self.bind::<DateTime<Utc>>(at), self.bind(id));
            self.sql.push_str(&[" AND (created_at, id) < (", &a, ", ", &i, ")"].concat());
        }
        let limit = self.bind(page.fetch());
        self.sql.push_str(&[" ORDER BY created_at DESC, id DESC LIMIT ", &limit].concat());
    }

    pub fn sql(&self) -> &str {
        &self.sql
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
    fn like_metacharacters_are_literal() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
