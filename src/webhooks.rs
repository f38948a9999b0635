//! Webhook delivery. A change to a company, contact or deal writes its event
//! and one delivery per subscribed endpoint in its own transaction
//! (`app.webhook_event`, sql/60_webhooks.sql); the worker started by
//! `tenet serve` claims due deliveries (`FOR UPDATE SKIP LOCKED`, so several
//! processes share the work and never post one delivery twice at once),
//! signs each body and posts it, and reports every attempt back: 2xx is
//! delivered, anything else is retried with exponential backoff, and an
//! endpoint that keeps failing is disabled.
//!
//! The signature (`Tenet-Signature: t=<unix seconds>,v1=<hex>`) is
//! HMAC-SHA256 under the endpoint's secret over `<t>.<body>`; docs/webhooks.md
//! shows how a receiver verifies it. Endpoints must be http(s); loopback,
//! private, link-local and other non-public addresses are refused when the
//! endpoint is saved and again when the name is resolved for each attempt
//! (no DNS rebinding), unless `WEBHOOK_ALLOW_PRIVATE`.
use std::{
    net::{IpAddr, SocketAddr},
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use hmac::{Hmac, Mac};
use reqwest::{
    dns::{Addrs, Name, Resolve, Resolving},
    redirect::Policy,
    Url,
};
use sha2::Sha256;
use uuid::Uuid;

use crate::{config::WebhookConfig, db::Database, db::RequestMeta, error::AppError};

/// The signature header's name.
pub const SIGNATURE_HEADER: &str = "tenet-signature";

/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn signature(secret: &str, timestamp: u64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex = crate::audit_checkpoint::hex(&mac.finalize().into_bytes());
    format!("t={timestamp},v1={hex}")
}

/// Whether an address is on the public internet: not loopback, private,
/// link-local (cloud metadata), shared (CGNAT), documentation, multicast,
/// reserved or unspecified; IPv4-mapped IPv6 addresses as their IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || a >= 240
                || (a == 100 && (b & 0xc0) == 64)
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b & 0xfe) == 18))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8)
                || (s[0] == 0x0064 && s[1] == 0xff9b)
                || s[..6].iter().all(|&x| x == 0))
        }
    }
}

/// Why an endpoint URL is refused, for a 422; `None` when it may be saved.
/// A name is checked again, resolved, at each attempt.
pub fn url_problem(url: &str, allow_private: bool) -> Option<&'static str> {
    let Ok(parsed) = Url::parse(url) else { return Some("must be an absolute http(s) URL") };
    if !matches!(parsed.scheme(), "http" | "https") {
        return Some("must be an http or https URL");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("must not carry credentials; verify the signature instead");
    }
    if parsed.fragment().is_some() {
        return Some("must not have a fragment");
    }
    let private = match parsed.host() {
        None => return Some("must name a host"),
        Some(url::Host::Ipv4(ip)) => !is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => !is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || [".localhost", ".local", ".internal", ".localdomain"].iter().any(|s| name.ends_with(s))
        }
    };
    (private && !allow_private).then_some("must not point to a loopback, private or link-local address")
}

/// Resolves names for the HTTP client, keeping only public addresses (all
/// when private ones are allowed): what was checked is what is connected to.
struct PublicOnly {
    allow_private: bool,
}

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

/// What one attempt came to.
enum Outcome {
    Delivered(u16),
    Failed(Option<u16>, String),
}

/// The worker's half: an HTTP client that follows no redirect and connects
/// only where `url_problem` and `PublicOnly` allow.
#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    config: WebhookConfig,
}

struct Claimed {
    tenant_id: Uuid,
    id: Uuid,
    url: String,
    secret: String,
    event_type: String,
    payload: serde_json::Value,
}

impl Deliverer {
    pub fn new(config: &WebhookConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(Policy::none())
            .user_agent(concat!("Tenet-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly { allow_private: config.allow_private }))
            .build()?;
        Ok(Self { client, config: *config })
    }

    async fn attempt(&self, d: &Claimed) -> Outcome {
        if let Some(problem) = url_problem(&d.url, self.config.allow_private) {
            return Outcome::Failed(None, format!("the URL {problem}"));
        }
        let body = match serde_json::to_vec(&d.payload) {
            Ok(body) => body,
            Err(e) => return Outcome::Failed(None, format!("cannot encode the event: {e}")),
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
        let request = self
            .client
            .post(&d.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("tenet-event", &d.event_type)
            .header("tenet-delivery", d.id.to_string())
            .header(SIGNATURE_HEADER, signature(&d.secret, now, &body))
            .body(body);
        match request.send().await {
            Ok(response) if response.status().is_success() => Outcome::Delivered(response.status().as_u16()),
            Ok(response) => {
                let status = response.status();
                Outcome::Failed(Some(status.as_u16()), format!("the receiver answered {status}"))
            }
            Err(e) => Outcome::Failed(None, error_chain(&e)),
        }
    }

    /// Attempts the deliveries due now; answers how many were claimed.
    pub async fn deliver_due(&self, db: &Database) -> Result<usize, AppError> {
        let meta = RequestMeta { request_id: "webhook-worker".into(), ..Default::default() };
        // Each call to the outbox is one round trip: BEGIN, the call, COMMIT pipelined.
        let rows = db
            .anonymous_once(&meta, "SELECT tenant_id, id, url, secret, event_type, payload FROM app.claim_webhook_deliveries(10)", &[])
            .await?;
        let claimed: Vec<Claimed> = rows
            .iter()
            .map(|r| Claimed {
                tenant_id: r.get(0),
                id: r.get(1),
                url: r.get(2),
                secret: r.get(3),
                event_type: r.get(4),
                payload: r.get(5),
            })
            .collect();
        // The claimed deliveries go out together; each is reported on its own.
        let outcomes = futures_util::future::join_all(claimed.iter().map(|d| self.attempt(d))).await;
        let base_ms = i32::try_from(self.config.retry_base.as_millis()).unwrap_or(i32::MAX);
        let max_attempts = i32::try_from(self.config.max_attempts).unwrap_or(i32::MAX);
        let disable_after = i32::try_from(self.config.disable_after).unwrap_or(i32::MAX);
        for (d, outcome) in claimed.iter().zip(outcomes) {
            match outcome {
                Outcome::Delivered(status) => {
                    db.anonymous_once(&meta, "SELECT app.webhook_delivered($1, $2, $3)", &[&d.tenant_id, &d.id, &i32::from(status)]).await?
                }
                Outcome::Failed(status, error) => {
                    tracing::warn!(delivery = %d.id, event = %d.event_type, %error, "webhook not delivered; retried later");
                    let status = status.map(i32::from);
                    db.anonymous_once(
                        &meta,
                        "SELECT app.webhook_failed($1, $2, $3, $4, $5, $6, $7)",
                        &[&d.tenant_id, &d.id, &status, &error, &base_ms, &max_attempts, &disable_after],
                    )
                    .await?
                }
            };
        }
        Ok(claimed.len())
    }

    /// The worker: delivers until the process stops, polling every `idle`
    /// when nothing is due.
    pub async fn run(self, db: Database, idle: Duration) {
        loop {
            match self.deliver_due(&db).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "webhook worker: cannot reach the outbox"),
            }
            tokio::time::sleep(idle).await;
        }
    }
}

/// An HTTP client error with its causes ("connection refused", "timed out"), at most 500 characters.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() -> Result<(), std::net::AddrParseError> {
        for private in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::"] {
            assert!(!is_public(private.parse()?), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse()?), "{public}");
        }
        Ok(())
    }

    #[test]
    fn endpoint_urls_are_checked() {
        assert_eq!(url_problem("https://hooks.example.com/tenet", false), None);
        for bad in ["ftp://example.com/x", "https://user:pw@example.com/", "not a url", "http://127.0.0.1:8080/", "http://localhost/x", "http://[::1]/", "http://169.254.169.254/latest", "http://db.internal/"] {
            assert!(url_problem(bad, false).is_some(), "{bad}");
        }
        assert_eq!(url_problem("http://127.0.0.1:8080/hook", true), None);
        assert!(url_problem("ftp://127.0.0.1/", true).is_some());
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        // echo -n '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        let sig = signature("whsec_test", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(sig, "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
        assert_ne!(sig, signature("whsec_other", 1_700_000_000, br#"{"a":1}"#));
    }
}
