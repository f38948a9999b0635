//! Access tokens: HS256 JWTs with `sub`, `tenant_id`, `sid`, `ssec`, `iat`, `nbf`,
//! `exp`, `iss`, `aud`. The algorithm is pinned: `alg: none`, any other
//! algorithm, a bad signature, a wrong issuer or audience and an expired token
//! are all rejected. Whether the session is still live is checked by the
//! database on every request, not here.
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::auth::Identity;

pub const ISSUER: &str = "tenet";
pub const AUDIENCE: &str = "tenet-api";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub tenant_id: Uuid,
    pub sid: Uuid,
    /// The session's secret (see `JwtKeys::session_secret`).
    pub ssec: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Derives session secrets; never leaves the process.
    session_key: Vec<u8>,
    /// The key being rotated out (`JWT_SECRET_PREVIOUS`): it still verifies.
    previous: Option<DecodingKey>,
    pub ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 5;
        validation.validate_nbf = true;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            session_key: [b"tenet session secret:".as_slice(), secret].concat(),
            previous: None,
            ttl,
        }
    }

    /// Also accepts access tokens signed with the key being rotated out, until
    /// they expire (one access-token lifetime after the new key took over).
    pub fn with_previous(mut self, previous: Option<&[u8]>) -> Self {
        self.previous = previous.map(DecodingKey::from_secret);
        self
    }


    /// The secret of a session: HMAC-SHA256 of its id under a key only this
    /// server holds. The database stores its SHA-256 when the session opens
    /// and compares on every request, so it is recomputed, not stored, when
    /// a refresh issues the next access token. Rotating `JWT_SECRET` keeps
    /// every session: a refresh moves it to the new key
    /// (`app.rekey_session_secret`), and with the old key as
    /// `JWT_SECRET_PREVIOUS` its access tokens still verify until then.
    pub fn session_secret(&self, session_id: Uuid) -> String {
        // HMAC takes keys of any length: the error arm is never taken, and
        // an empty secret would match no session.
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.session_key) else { return String::new() };
        mac.update(session_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The identity of a session, with its secret.
    pub fn identity(&self, user_id: Uuid, tenant_id: Uuid, session_id: Uuid) -> Identity {
        Identity { user_id, tenant_id, session_id, session_secret: self.session_secret(session_id) }
    }

    pub fn issue(&self, identity: &Identity) -> Result<String, jsonwebtoken::errors::Error> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims = Claims {
            sub: identity.user_id,
            tenant_id: identity.tenant_id,
            sid: identity.session_id,
            ssec: identity.session_secret.clone(),
            iat: now,
            nbf: now,
            exp: now + self.ttl.as_secs(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    pub fn verify(&self, token: &str) -> Option<Identity> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .or_else(|| jsonwebtoken::decode::<Claims>(token, self.previous.as_ref()?, &self.validation).ok())?;
        let c = data.claims;
        Some(Identity { user_id: c.sub, tenant_id: c.tenant_id, session_id: c.sid, session_secret: c.ssec })
    }
}
