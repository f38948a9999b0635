//! Outgoing mail. Changes that cause a mail write it into the outbox in
//! their own transaction (`app.queue_email`, sql/25_mail.sql); the worker
//! started by `tenet serve` claims due mails, renders them and delivers them:
//! over SMTP (`lettre`) when `SMTP_URL` is set, otherwise to the log with
//! every token redacted and, when `MAIL_DIR` is set, to `.eml` files there.
//! A failed delivery is retried with exponential backoff by the database.
use std::{path::PathBuf, time::Duration};

use lettre::{
    message::{header::ContentType, Mailbox},
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use secrecy::ExposeSecret;

use crate::{config::MailConfig, db::Database, db::RequestMeta, error::AppError};

/// How mails leave the process.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Log { dir: Option<PathBuf> },
}

#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    app_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP_URL is not a valid smtp:// or smtps:// URL: {0}")]
    Url(String),
    #[error("MAIL_FROM is not a valid address: {0}")]
    From(String),
}

/// A rendered mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
    /// The token the body carries, to redact in logs.
    pub secret: Option<String>,
}

impl Mailer {
    pub fn new(config: &MailConfig) -> Result<Self, MailError> {
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                    .map_err(|e| MailError::Url(e.to_string()))?
                    .timeout(Some(Duration::from_secs(10)))
                    .build(),
            ),
            None => Transport::Log { dir: config.dir.clone() },
        };
        let from = config.from.parse().map_err(|e: lettre::address::AddressError| MailError::From(e.to_string()))?;
        Ok(Self { transport, from, app_url: config.app_url.clone() })
    }

    /// The subject and text of a queued mail.
    pub fn render(&self, template: &str, payload: &serde_json::Value) -> Option<Rendered> {
        let text = |key: &str| payload.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let name = text("name");
        let greeting = if name.is_empty() { "Hello,".to_string() } else { format!("Hello {name},") };
        match template {
            "password_reset" => {
                let token = text("token");
                Some(Rendered {
                    subject: "Reset your Tenet password".into(),
                    body: format!(
                        "{greeting}\n\nsomeone (hopefully you) asked to reset the password of your Tenet account.\n\
                         Choose a new one here within the hour:\n\n{}/reset-password?token={token}\n\n\
                         If it was not you, ignore this mail: your password stays as it is.\n",
                        self.app_url
                    ),
                    secret: Some(token),
                })
            }
            "verify_email" => {
                let token = text("token");
                Some(Rendered {
                    subject: "Confirm your email for Tenet".into(),
                    body: format!(
                        "{greeting}\n\nconfirm that this address is yours within seven days:\n\n\
                         {}/verify-email?token={token}\n\n\
                         Until then your account works only in the workspace it was created in.\n",
                        self.app_url
                    ),
                    secret: Some(token),
                })
            }
            "invitation" => {
                let token = text("token");
                Some(Rendered {
                    subject: format!("You are invited to {} on Tenet", text("tenant")),
                    body: format!(
                        "Hello,\n\nyou are invited to join {} on Tenet. Accept within seven days here:\n\n\
                         {}/accept-invitation?token={token}\n\n\
                         If you did not expect this invitation, ignore this mail.\n",
                        text("tenant"),
                        self.app_url
                    ),
                    secret: Some(token),
                })
            }
            _ => None,
        }
    }

    async fn deliver(&self, id: i64, to: &str, mail: &Rendered) -> Result<(), String> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to.parse::<Mailbox>().map_err(|e| format!("bad recipient: {e}"))?)
            .subject(&mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| format!("cannot build the mail: {e}"))?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Log { dir } => {
                let redacted = match &mail.secret {
                    Some(secret) if !secret.is_empty() => mail.body.replace(secret, "[redacted]"),
                    _ => mail.body.clone(),
                };
                tracing::info!(mail_id = id, to, subject = %mail.subject, body = %redacted, "mail (no SMTP_URL set)");
                if let Some(dir) = dir {
                    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
                    std::fs::write(dir.join(format!("{id:06}.eml")), message.formatted()).map_err(|e| e.to_string())?;
                }
                Ok(())
            }
        }
    }

    /// Sends the mails due now; answers how many were claimed.
    pub async fn send_due(&self, db: &Database) -> Result<usize, AppError> {
        let meta = RequestMeta { request_id: "mail-worker".into(), ..Default::default() };
        // Each call to the outbox is one round trip: BEGIN, the call, COMMIT pipelined.
        let claimed = db.anonymous_once(&meta, "SELECT id, recipient, template, payload FROM app.claim_outbox(10)", &[]).await?;
        for row in &claimed {
            let (id, to, template): (i64, String, String) = (row.get(0), row.get(1), row.get(2));
            let payload: serde_json::Value = row.get(3);
            let outcome = match self.render(&template, &payload) {
                Some(mail) => self.deliver(id, &to, &mail).await,
                None => Err(format!("unknown mail template {template:?}")),
            };
            match outcome {
                Ok(()) => db.anonymous_once(&meta, "SELECT app.outbox_sent($1)", &[&id]).await?,
                Err(error) => {
                    tracing::warn!(mail_id = id, %error, "mail not sent; retried later");
                    db.anonymous_once(&meta, "SELECT app.outbox_failed($1, $2)", &[&id, &error]).await?
                }
            };
        }
        Ok(claimed.len())
    }

    /// The worker: sends due mails until the process stops, polling every
    /// `idle` when there is nothing to send.
    pub async fn run(self, db: Database, idle: Duration) {
        loop {
            match self.send_due(&db).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mail worker: cannot reach the outbox"),
            }
            tokio::time::sleep(idle).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_mail_links_to_the_app_with_its_token() -> Result<(), Box<dyn std::error::Error>> {
        let config = MailConfig { smtp_url: None, from: "Tenet <no-reply@example.com>".into(), app_url: "https://crm.example.com".into(), dir: None };
        let mailer = Mailer::new(&config)?;
        let mail = mailer.render("password_reset", &serde_json::json!({"token": "abc", "name": "Ann"})).ok_or("no password_reset template")?;
        assert!(mail.body.contains("https://crm.example.com/reset-password?token=abc"));
        assert!(mail.body.starts_with("Hello Ann,"));
        assert_eq!(mail.secret.as_deref(), Some("abc"));
        assert!(mailer.render("nope", &serde_json::json!({})).is_none());
        Ok(())
    }
}
