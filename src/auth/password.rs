//! Passwords: bcrypt on the blocking thread pool, never on the async executor.
//!
//! bcrypt reads at most 72 bytes. To keep every character of a password up to
//! 1024 characters significant, the password is pre-hashed: bcrypt is applied
//! to base64(SHA-256(password)), 44 ASCII bytes.
use std::sync::OnceLock;

use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult, FieldError};

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 1024;

static COMMON: &str = include_str!("common-passwords.txt");

fn prehash(password: &str) -> String {
    STANDARD.encode(Sha256::digest(password.as_bytes()))
}

/// Checks a new password against the contract's rules.
pub fn validate_new(field: &str, password: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return Err(FieldError::new(field, format!("must be at least {MIN_LEN} characters")));
    }
    if chars > MAX_LEN {
        return Err(FieldError::new(field, format!("must be at most {MAX_LEN} characters")));
    }
    if is_common(password) {
        return Err(FieldError::new(field, "is too common; choose a less predictable password"));
    }
    Ok(())
}

fn is_common(password: &str) -> bool {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    let set = SET.get_or_init(|| COMMON.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect());
    set.contains(password.to_lowercase().as_str())
}

pub async fn hash(password: String, cost: u32) -> AppResult<String> {
    tokio::task::spawn_blocking(move || bcrypt::hash(prehash(&password), cost))
        .await
        .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))?
        .map_err(|e| AppError::Internal(format!("bcrypt failed: {e}")))
}

/// Verifies a password; a malformed stored hash counts as a mismatch.
pub async fn verify(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || bcrypt::verify(prehash(&password), &hash).unwrap_or(false))
        .await
        .map_err(|e| AppError::Internal(format!("verification task failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_passwords_stay_significant_past_72_bytes() {
        let a = "a".repeat(100);
        let b = format!("{}b", "a".repeat(99));
        assert_ne!(prehash(&a), prehash(&b));
        assert!(prehash(&a).len() <= 72);
    }

    #[test]
    fn rejects_short_long_and_common_passwords() {
        assert!(validate_new("password", "short").is_err());
        assert!(validate_new("password", &"x".repeat(1025)).is_err());
        assert!(validate_new("password", "Password1").is_err());
        assert!(validate_new("password", "correct horse battery staple").is_ok());
    }
}
