//! E-mail to a lead's owner through the configured SMTP server (lettre over
//! tokio, rustls on the tree's aws-lc-rs provider). Off without settings.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{
        Mailbox,
        header::{ContentType, Header, HeaderName, HeaderValue},
    },
    transport::smtp::{
        authentication::Credentials,
        client::{Tls, TlsParameters},
        extension::ClientId,
    },
};
use secrecy::ExposeSecret;

use super::Sent;
use crate::config::{SmtpConfig, SmtpTls};

/// One e-mail to send.
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Also the `Message-ID`, so a mail client shows a resend as the same message.
    pub delivery_id: String,
}

// The body holds a person's answers: never printed.
impl std::fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outgoing")
            .field("delivery_id", &self.delivery_id)
            .finish_non_exhaustive()
    }
}

/// Why the mailer could not be built from the settings.
#[derive(Debug, thiserror::Error)]
#[error("SMTP settings: {0}")]
pub struct MailSetupError(String);

/// Sends e-mail through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").finish_non_exhaustive()
    }
}

/// The `Leadforge-Delivery-Id` header of a lead e-mail.
#[derive(Clone)]
struct DeliveryIdHeader(String);

impl Header for DeliveryIdHeader {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str(super::signed::DELIVERY_HEADER)
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

impl Mailer {
    /// The mailer of `config`.
    pub fn new(config: &SmtpConfig) -> Result<Self, MailSetupError> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| MailSetupError("SMTP_FROM is not an e-mail address".into()))?;
        let tls = match config.tls {
            SmtpTls::None => Tls::None,
            SmtpTls::Starttls => Tls::Required(
                TlsParameters::new(config.host.clone())
                    .map_err(|e| MailSetupError(format!("TLS: {e}")))?,
            ),
            SmtpTls::Tls => Tls::Wrapper(
                TlsParameters::new(config.host.clone())
                    .map_err(|e| MailSetupError(format!("TLS: {e}")))?,
            ),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
                .port(config.port)
                .tls(tls)
                .timeout(Some(Duration::from_secs(20)))
                .hello_name(ClientId::Domain(from.email.domain().to_owned()));
        if let Some(user) = &config.username {
            let password = config
                .password
                .as_ref()
                .map(|p| p.expose_secret().to_owned())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Sends `mail`; what the server answered, in plain words.
    pub async fn send(&self, mail: Outgoing) -> Sent {
        let Ok(to) = mail.to.parse::<Mailbox>() else {
            return Sent::failed(None, "the owner's e-mail address cannot be used");
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .message_id(Some(format!(
                "<{}@{}>",
                mail.delivery_id,
                self.from.email.domain()
            )))
            .header(DeliveryIdHeader(mail.delivery_id))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body);
        let message = match message {
            Ok(m) => m,
            Err(_) => return Sent::failed(None, "the e-mail could not be built"),
        };
        match self.transport.send(message).await {
            Ok(response) => Sent::accepted(Some(i32::from(u16::from(response.code())))),
            Err(e) => {
                let code = e.status().map(|c| i32::from(u16::from(c)));
                let words = if e.is_timeout() {
                    "the mail server did not answer in time"
                } else if e.is_tls() {
                    "the TLS connection to the mail server failed"
                } else if e.is_permanent() {
                    "the mail server refused the e-mail"
                } else if e.is_transient() {
                    "the mail server deferred the e-mail"
                } else {
                    "could not reach the mail server"
                };
                Sent::failed(code, words)
            }
        }
    }
}
