//! Passwords: bcrypt on the blocking thread pool, never on the async executor,
//! and at most one hash per core at a time.
//!
//! The server never sees a stored hash: to check a password it asks the
//! database for the account's salt and cost, computes bcrypt with them
//! (`hash_with_salt`), and the database compares the result.
//!
//! bcrypt reads at most 72 bytes. To keep every character of a password up to
//! 1024 characters significant, the password is pre-hashed: bcrypt is applied
//! to base64(SHA-256(password)), 44 ASCII bytes.
use std::sync::OnceLock;

use base64::{engine::general_purpose::STANDARD, Engine};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

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

/// At most one bcrypt per core at a time. A flood of logins still keeps
/// every core hashing, but no longer starts one blocking thread per waiting
/// login: with 32 of them the runtime's own worker threads got a small share
/// of the CPU and every other request (`me`) waited behind the hashes
/// (docs/performance.md, "me during a login flood").
fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)))
}

/// Runs `work` on the blocking pool once a hashing slot is free; the slot is
/// held until the work is done, even if the request is dropped meanwhile.
async fn on_a_core<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let slot = hashing_slots().acquire().await.map_err(|e| AppError::Internal(format!("hashing slots closed: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing task failed: {e}")))
}

pub async fn hash(password: String, cost: u32) -> AppResult<String> {
    on_a_core(move || bcrypt::hash(prehash(&password), cost))
        .await?
        .map_err(|e| AppError::Internal(format!("bcrypt failed: {e}")))
}

/// bcrypt of a candidate password with a given `$2b$<cost>$<22-char salt>`
/// prefix (as `app.begin_login` / `app.password_salt` answer it), for the
/// database to compare with the stored hash.
pub async fn hash_with_salt(password: String, salt: String) -> AppResult<String> {
    let (cost, salt) = parse_salt(&salt).ok_or_else(|| AppError::Internal("the database answered a malformed salt".into()))?;
    on_a_core(move || bcrypt::hash_with_salt(prehash(&password), cost, salt))
        .await?
        .map(|parts| parts.format_for_version(bcrypt::Version::TwoB))
        .map_err(|e| AppError::Internal(format!("bcrypt failed: {e}")))
}

/// `$2b$12$` + 22 characters of bcrypt's base64 → (cost, 16 salt bytes).
fn parse_salt(prefix: &str) -> Option<(u32, [u8; 16])> {
    use base64::{alphabet::BCRYPT, engine::GeneralPurpose, engine::GeneralPurposeConfig, engine::DecodePaddingMode};
    let rest = prefix.strip_prefix('$')?;
    let (_version, rest) = rest.split_once('$')?;
    let (cost, salt) = rest.split_once('$')?;
    let engine = GeneralPurpose::new(
        &BCRYPT,
        GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true).with_decode_padding_mode(DecodePaddingMode::RequireNone),
    );
    let bytes = engine.decode(salt.get(..22)?).ok()?;
    Some((cost.parse().ok()?, bytes.try_into().ok()?))
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
    fn a_hash_recomputed_from_its_salt_matches() -> Result<(), Box<dyn std::error::Error>> {
        let stored = bcrypt::hash(prehash("correct horse"), 4)?;
        let (cost, salt) = parse_salt(&stored[..29]).ok_or("no salt in the hash")?;
        let again = bcrypt::hash_with_salt(prehash("correct horse"), cost, salt)?;
        assert_eq!(again.format_for_version(bcrypt::Version::TwoB), stored);
        let wrong = bcrypt::hash_with_salt(prehash("wrong horse"), cost, salt)?;
        assert_ne!(wrong.format_for_version(bcrypt::Version::TwoB), stored);
        Ok(())
    }

    #[test]
    fn rejects_short_long_and_common_passwords() {
        assert!(validate_new("password", "short").is_err());
        assert!(validate_new("password", &"x".repeat(1025)).is_err());
        assert!(validate_new("password", "Password1").is_err());
        assert!(validate_new("password", "correct horse battery staple").is_ok());
    }
}
