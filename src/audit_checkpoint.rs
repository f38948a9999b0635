//! Signed audit checkpoints. Nothing inside PostgreSQL stops a superuser
//! from disabling triggers, deleting a tenant's newest audit entries and
//! rewinding its chain head: the chain then still verifies. What makes that
//! visible is a copy of each chain head kept *off the database*:
//! `tenet admin audit-checkpoint` prints every tenant's head (seq, hash,
//! time) as JSON signed with an HMAC key that lives only in the operator's
//! environment (`AUDIT_CHECKPOINT_KEY`), and `tenet admin audit-verify
//! --checkpoint FILE` reports every tenant whose chain is now shorter than,
//! or diverges from, that checkpoint.
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

/// The environment variable holding the signing key (at least 32 bytes).
pub const KEY_VAR: &str = "AUDIT_CHECKPOINT_KEY";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Head {
    pub tenant_id: Uuid,
    pub tenant_slug: Option<String>,
    pub seq: i64,
    /// Hex SHA-256 of entry `seq`.
    pub hash: String,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// What is signed: everything but the signature, serialized in field order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Body {
    pub version: u32,
    pub created_at: DateTime<Utc>,
    pub heads: Vec<Head>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    #[serde(flatten)]
    pub body: Body,
    /// Hex HMAC-SHA256 of the compact JSON of `body`.
    pub signature: String,
}

/// A tenant whose chain no longer contains what the checkpoint recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub tenant_id: Uuid,
    pub tenant_slug: Option<String>,
    pub problem: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("{KEY_VAR} must be set to a secret of at least 32 bytes (kept off the database server)")]
    Key,
    #[error("the checkpoint's signature does not match: it was altered, or signed with another key")]
    Signature,
    #[error("database: {0}")]
    Database(#[from] tokio_postgres::Error),
    #[error("the checkpoint cannot be serialized: {0}")]
    Json(#[from] serde_json::Error),
}

/// The key from `AUDIT_CHECKPOINT_KEY`.
pub fn key_from_env() -> Result<Vec<u8>, CheckpointError> {
    match std::env::var(KEY_VAR) {
        Ok(k) if k.len() >= 32 => Ok(k.into_bytes()),
        _ => Err(CheckpointError::Key),
    }
}

fn mac(key: &[u8], body: &Body) -> Result<Hmac<Sha256>, CheckpointError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| CheckpointError::Key)?;
    mac.update(&serde_json::to_vec(body)?);
    Ok(mac)
}

/// Lower-case hex of bytes (digests, signatures).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

/// Every tenant's chain head, signed. `client` is the owner role.
pub async fn take(client: &tokio_postgres::Client, key: &[u8]) -> Result<Checkpoint, CheckpointError> {
    let rows = client
        .query(
            "SELECT h.tenant_id, t.slug::text, h.seq, encode(h.hash, 'hex'),
                    (SELECT a.occurred_at FROM audit_log a WHERE a.tenant_id = h.tenant_id AND a.seq = h.seq)
               FROM app_private.audit_chain_heads h LEFT JOIN tenants t ON t.id = h.tenant_id
              ORDER BY h.tenant_id",
            &[],
        )
        .await?;
    let heads = rows
        .iter()
        .map(|r| Head { tenant_id: r.get(0), tenant_slug: r.get(1), seq: r.get(2), hash: r.get(3), occurred_at: r.get(4) })
        .collect();
    let body = Body { version: 1, created_at: Utc::now(), heads };
    let signature = hex(&mac(key, &body)?.finalize().into_bytes());
    Ok(Checkpoint { body, signature })
}

/// Checks the signature, then every recorded head against the live chains.
pub async fn compare(client: &tokio_postgres::Client, checkpoint: &Checkpoint, key: &[u8]) -> Result<Vec<Finding>, CheckpointError> {
    let signature = unhex(&checkpoint.signature).ok_or(CheckpointError::Signature)?;
    mac(key, &checkpoint.body)?.verify_slice(&signature).map_err(|_| CheckpointError::Signature)?;

    let mut findings = Vec::new();
    for head in &checkpoint.body.heads {
        let finding = |problem: String| Finding { tenant_id: head.tenant_id, tenant_slug: head.tenant_slug.clone(), problem };
        let now = client
            .query_opt("SELECT seq, encode(hash, 'hex') FROM app_private.audit_chain_heads WHERE tenant_id = $1", &[&head.tenant_id])
            .await?;
        let now_seq: i64 = now.as_ref().map(|r| r.get(0)).unwrap_or(0);
        if now_seq < head.seq {
            findings.push(finding(format!(
                "the chain is shorter than the checkpoint: its head is at entry {now_seq}, the checkpoint recorded entry {}",
                head.seq
            )));
            continue;
        }
        let recorded = client
            .query_opt(
                "SELECT encode(hash, 'hex') FROM audit_log WHERE tenant_id = $1 AND seq = $2
                 UNION ALL
                 SELECT encode(hash, 'hex') FROM app_private.audit_chain_anchors WHERE tenant_id = $1 AND seq = $2
                 LIMIT 1",
                &[&head.tenant_id, &head.seq],
            )
            .await?;
        match recorded.map(|r| r.get::<_, String>(0)) {
            None if head.seq > 0 => findings.push(finding(format!("entry {} of the checkpoint is missing", head.seq))),
            Some(hash) if hash != head.hash => {
                findings.push(finding(format!("the chain diverges from the checkpoint at entry {}", head.seq)))
            }
            _ => {
                let ok: bool = client.query_one("SELECT ok FROM app.audit_verify($1)", &[&head.tenant_id]).await?.get(0);
                if !ok {
                    findings.push(finding("the chain no longer verifies (see audit-verify --tenant)".into()));
                }
            }
        }
    }
    Ok(findings)
}
