//! Refresh tokens: 256 random bits, handed out base64url-encoded, stored only
//! as their SHA-256 hash.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "tenet_refresh";

pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The browser-mode cookie: only sent back to `/api/auth`, never readable by
/// scripts, never sent cross-site.
pub fn cookie(token: &str, max_age_secs: u64) -> String {
    format!("{COOKIE_NAME}={token}; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age={max_age_secs}")
}

pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; HttpOnly; Secure; SameSite=Strict; Path=/api/auth; Max-Age=0")
}
