//! Input validation shared by the API handlers and the admin commands: text
//! fields are trimmed and bounded, every field error is collected before
//! answering 422, and the limits the OpenAPI document states live here.
use crate::error::{AppError, FieldError};

/// Names and emails (contract: at most 320 characters).
pub const NAME_MAX: usize = 320;
/// Other free text (contract: at most 2,000 characters).
pub const TEXT_MAX: usize = 2000;
/// At most this many field errors are answered, so a huge body cannot
/// amplify into a huge problem document.
pub const MAX_FIELD_ERRORS: usize = 20;

#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// A required text: at most `max` characters as sent (what the OpenAPI
    /// document says), non-empty after trimming; answered trimmed.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.push(field, "is required");
        } else if value.chars().count() > max {
            self.push(field, &format!("must be at most {max} characters"));
        }
        trimmed.to_string()
    }

    /// An optional text: at most `max` characters as sent, trimmed, empty
    /// becomes `None`.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        if value.is_some_and(|v| v.chars().count() > max) {
            self.push(field, &format!("must be at most {max} characters"));
            return None;
        }
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        if trimmed.chars().count() > max {
            self.push(field, &format!("must be at most {max} characters"));
        }
        Some(trimmed.to_string())
    }

    /// An optional email address.
    pub fn optional_email(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.email(field, trimmed))
    }

    /// A list of at most `max` items (422 beyond, before any item is looked at).
    pub fn at_most<T>(&mut self, field: &str, items: &[T], max: usize) -> bool {
        if items.len() > max {
            self.push(field, &format!("must have at most {max} items"));
            return false;
        }
        true
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn email(&mut self, field: &str, value: &str) -> String {
        let email = value.trim().to_string();
        if email.is_empty() {
            self.push(field, "is required");
        } else if value.chars().count() > NAME_MAX {
            self.push(field, &format!("must be at most {NAME_MAX} characters"));
        } else if !is_email(&email) {
            self.push(field, "must be an email address");
        }
        email
    }

    pub fn push(&mut self, field: &str, message: &str) {
        if self.errors.len() < MAX_FIELD_ERRORS {
            self.errors.push(FieldError::new(field, message));
        }
    }

    pub fn add(&mut self, error: Result<(), FieldError>) {
        if let Err(e) = error {
            self.push(&e.field, &e.message);
        }
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.errors))
        }
    }

    /// The errors themselves (an import reports them per row).
    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    /// The errors as one line, for the admin commands.
    pub fn finish_as_text(self) -> Result<(), String> {
        if self.errors.is_empty() {
            return Ok(());
        }
        Err(self.errors.iter().map(|f| format!("{} {}", f.field, f.message)).collect::<Vec<_>>().join("; "))
    }
}

/// For PATCH bodies: distinguishes an absent field (`None`) from `null`
/// (`Some(None)`). Use with `#[serde(default, deserialize_with = "double_option")]`.
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted
/// domain, no spaces or control characters.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',')
}

/// Where a JSON document holds a string (value or key) with a NUL character,
/// which PostgreSQL text cannot store: the path of the first one, e.g.
/// `first_name` or `roles[2]`.
pub fn find_nul(value: &serde_json::Value) -> Option<String> {
    fn walk(value: &serde_json::Value, path: &mut String) -> bool {
        match value {
            serde_json::Value::String(s) => s.contains('\0'),
            serde_json::Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let found = walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            serde_json::Value::Object(map) => map.iter().any(|(key, item)| {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&key.replace('\0', "\\u0000"));
                let found = key.contains('\0') || walk(item, path);
                if !found {
                    path.truncate(len);
                }
                found
            }),
            _ => false,
        }
    }
    let mut path = String::new();
    walk(value, &mut path).then(|| if path.is_empty() { "body".to_string() } else { path })
}

/// Checks a raw query string: every percent-decoded key and value must be
/// UTF-8 without NUL. Answers the offending parameter's name.
pub fn check_query(raw: &str) -> Result<(), String> {
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key_bytes = percent_decode(key);
        let name = String::from_utf8_lossy(&key_bytes).replace('\0', "");
        for part in [&key_bytes, &percent_decode(value)] {
            match std::str::from_utf8(part) {
                Ok(s) if !s.contains('\0') => {}
                _ => return Err(name),
            }
        }
    }
    Ok(())
}

fn percent_decode(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_path_of_a_nul() {
        let v = serde_json::json!({"name": "ok", "roles": ["a", "b\u{0}"]});
        assert_eq!(find_nul(&v).as_deref(), Some("roles[1]"));
        assert_eq!(find_nul(&serde_json::json!({"a": {"b": "x\u{0}y"}})).as_deref(), Some("a.b"));
        assert_eq!(find_nul(&serde_json::json!({"a": "\\u0000 is text"})), None);
    }

    #[test]
    fn query_strings_must_decode_to_utf8_without_nul() {
        assert_eq!(check_query("q=a%00b"), Err("q".to_string()));
        assert_eq!(check_query("limit=5&q=%FF"), Err("q".to_string()));
        assert_eq!(check_query("q=caf%C3%A9&limit=5"), Ok(()));
        assert_eq!(check_query("q=100%"), Ok(()));
    }
}
