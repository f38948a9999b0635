//! API keys (contract v1.1): `tnt_<prefix>_<secret>`, where the prefix (12
//! hex digits) names the key in listings and the secret is 256 random bits.
//! The database stores only sha256 of the whole key, as the secret of a
//! session of kind `api_key`; a request made with a key then carries the same
//! context as a login's and is validated the same way on every statement.
//!
//! Resolving a prefix to its session's ids costs a round trip, so a verified
//! resolution is remembered for a minute (the ids of a key never change).
//! The cache decides nothing: revocation, expiry, the creator's membership
//! and the secret are still checked by the database on every request.
use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use uuid::Uuid;

use super::{refresh, Identity};
use crate::{
    db::{Database, RequestMeta},
    error::AppResult,
};

pub const SCHEME: &str = "tnt_";
const PREFIX_LEN: usize = 12;
const TTL: Duration = Duration::from_secs(60);
const CAPACITY: usize = 10_000;

/// A freshly made key: its public prefix and the whole secret string.
pub struct NewKey {
    pub prefix: String,
    pub secret: String,
}

pub fn generate() -> NewKey {
    let mut id = [0u8; PREFIX_LEN / 2];
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut id);
    rand::rng().fill_bytes(&mut secret);
    let prefix: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let secret = format!("{SCHEME}{prefix}_{}", URL_SAFE_NO_PAD.encode(secret));
    NewKey { prefix, secret }
}

/// The prefix of a well-formed key, `None` for anything else.
pub fn prefix_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(SCHEME)?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == PREFIX_LEN
        && prefix
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then_some(prefix)
}

#[derive(Clone, Copy)]
struct Resolved {
    user_id: Uuid,
    tenant_id: Uuid,
    session_id: Uuid,
    at: Instant,
}

/// Prefix → the key's session ids, for a minute.
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, Resolved>>,
}

impl KeyCache {
    /// The identity a key acts as, or `None` for a key that is malformed,
    /// unknown, revoked, expired or whose secret is wrong.
    pub async fn identity(
        &self,
        db: &Database,
        meta: &RequestMeta,
        token: &str,
    ) -> AppResult<Option<Identity>> {
        let Some(prefix) = prefix_of(token) else {
            return Ok(None);
        };
        let cached = self
            .entries
            .lock()
            .ok()
            .and_then(|e| e.get(prefix).copied())
            .filter(|r| r.at.elapsed() < TTL);
        let resolved = match cached {
            Some(r) => r,
            None => {
                // One round trip; commits last_used_at.
                let rows = db
                    .anonymous_once(
                        meta,
                        "SELECT session_id, user_id, tenant_id FROM app.resolve_api_key($1, $2)",
                        &[&prefix, &refresh::hash(token)],
                    )
                    .await?;
                let Some(row) = rows.into_iter().next() else { return Ok(None) };
                let r = Resolved {
                    session_id: row.get(0),
                    user_id: row.get(1),
                    tenant_id: row.get(2),
                    at: Instant::now(),
                };
                if let Ok(mut entries) = self.entries.lock() {
                    if entries.len() >= CAPACITY {
                        entries.retain(|_, e| e.at.elapsed() < TTL);
                        if entries.len() >= CAPACITY {
                            entries.clear();
                        }
                    }
                    entries.insert(prefix.to_string(), r);
                }
                r
            }
        };
        Ok(Some(Identity {
            user_id: resolved.user_id,
            tenant_id: resolved.tenant_id,
            session_id: resolved.session_id,
            session_secret: token.to_string(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_others_do_not() {
        let key = generate();
        assert_eq!(prefix_of(&key.secret), Some(key.prefix.as_str()));
        assert!(key.secret.len() > 50);
        for bad in [
            "",
            "tnt_",
            "tnt_abc_def",
            "Bearer x",
            "tnt_0123456789ab",
            "tnt_0123456789AB_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }
}
