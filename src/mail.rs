//! Notifications by e-mail, when SMTP is configured (`SMTP_HOST`, `MAIL_FROM`, …): a worker
//! takes the notifications not mailed yet, a batch at a time under row locks that other
//! processes skip, and sends each to its user's address in Vietnamese, then English, with
//! the link to the page it is about. A batch whose sending fails is left for the next round.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use secrecy::ExposeSecret as _;
use sqlx::PgPool;
use url::Url;

use crate::config::{MailConfig, SmtpTls};
use crate::db;
use crate::db::notifications::Unmailed;
use crate::i18n::{self, Lang};

/// Notifications one round sends at most.
const BATCH: i64 = 50;

/// A configured sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: Url,
}

impl Mailer {
    /// The sender the configuration describes.
    pub fn new(config: &MailConfig, base_url: &Url) -> anyhow::Result<Self> {
        let builder = match config.tls {
            SmtpTls::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)?
            }
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host)?,
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host),
        };
        let builder = builder.port(config.port);
        let builder = match &config.credentials {
            Some((user, password)) => builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            )),
            None => builder,
        };
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| anyhow::anyhow!("MAIL_FROM {:?}: {e}", config.from))?;
        Ok(Self {
            transport: builder.build(),
            from,
            base_url: base_url.clone(),
        })
    }

    /// The message of notification `n` to `to`: Vietnamese first, English second.
    fn message(&self, n: &Unmailed, to: Mailbox) -> anyhow::Result<Message> {
        let text = |lang| i18n::t_with(lang, &n.message_key, &[("value", &n.value)]);
        let link = self.base_url.join(&n.link)?;
        let body = format!(
            "{vi}\n{link}\n\n{footer_vi}\n\n---\n\n{en}\n{link}\n\n{footer_en}\n",
            vi = text(Lang::Vi),
            en = text(Lang::En),
            footer_vi = i18n::t(Lang::Vi, "mail.footer"),
            footer_en = i18n::t(Lang::En, "mail.footer"),
        );
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(format!(
                "{} {}",
                i18n::t(Lang::Vi, "mail.subject_prefix"),
                text(Lang::Vi)
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(body)?)
    }

    /// Sends one round: the notifications taken are stamped once sent (those of users
    /// without an address at once). Returns how many e-mails went out.
    pub async fn send_round(&self, pool: &PgPool) -> anyhow::Result<usize> {
        let mut tx = pool.begin().await?;
        let batch = db::notifications::take_unmailed(&mut tx, BATCH).await?;
        let mut done = Vec::with_capacity(batch.len());
        let mut sent = 0;
        for n in &batch {
            if let Some((name, address)) = &n.to {
                let to = match address.parse() {
                    Ok(email) => Mailbox::new(Some(name.clone()), email),
                    Err(error) => {
                        tracing::warn!(notification.id = n.id, %error, "an address cannot be mailed");
                        done.push(n.id);
                        continue;
                    }
                };
                let message = self.message(n, to)?;
                if let Err(error) = self.transport.send(message).await {
                    // What went out stays stamped; the rest waits for the next round.
                    tracing::warn!(%error, "mail could not be sent; retried later");
                    break;
                }
                sent += 1;
            }
            done.push(n.id);
        }
        db::notifications::mark_mailed(&mut tx, &done).await?;
        tx.commit().await?;
        Ok(sent)
    }
}

/// Sends the outbox every `MAIL_POLL_SECONDS`.
pub fn spawn(mailer: Mailer, pool: PgPool, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            match mailer.send_round(&pool).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "notifications mailed"),
                Err(error) => tracing::warn!(%error, "mailing notifications failed"),
            }
        }
    });
}
