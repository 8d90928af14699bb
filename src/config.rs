//! Configuration comes from environment variables only; a bad or missing value stops
//! start-up with a message naming the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// Everything the server needs to know about its environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: the PostgreSQL connection string (kept secret: it may hold a password).
    pub database_url: SecretString,
    /// `BIND_ADDR`: where the server listens.
    pub bind_addr: SocketAddr,
    /// `BASE_URL`: the address users reach; `https` makes the session cookie `Secure`.
    pub base_url: Url,
    /// `DATABASE_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// `DATABASE_ACQUIRE_TIMEOUT_MS`: how long a request waits for a connection before a 503.
    pub db_acquire_timeout: Duration,
    /// `SESSION_IDLE_MINUTES`: a session unused this long ends.
    pub session_idle: Duration,
    /// `SESSION_ABSOLUTE_HOURS`: a session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// `SHUTDOWN_GRACE_SECONDS`: how long open requests may finish after SIGTERM/SIGINT.
    pub shutdown_grace: Duration,
    /// `PASSWORD_HASH_CONCURRENCY`: password hashes computed at once (each takes 19 MiB).
    pub password_hash_concurrency: usize,
    /// `TRUST_FORWARDED_FOR`: take the client address from `X-Forwarded-For` (behind a proxy).
    pub trust_forwarded_for: bool,
    /// `LOG_FORMAT`: `text` (default) or `json`.
    pub log_json: bool,
    /// `STORAGE_DIR`: where uploaded documents are kept (relative to the working directory
    /// unless absolute).
    pub storage_dir: PathBuf,
    /// `UPLOAD_MAX_FILE_MB`: the largest file accepted, in bytes.
    pub upload_max_file: u64,
    /// `UPLOAD_MAX_REQUEST_MB`: the largest upload request (several files), in bytes.
    pub upload_max_request: u64,
    /// `DAILY_JOB_DISABLED`: this process does not run the daily reminders (another one, or
    /// `khuyencong remind` from cron, does).
    pub daily_job_disabled: bool,
    /// `SMTP_HOST` and the rest: notifications by e-mail, when set.
    pub mail: Option<MailConfig>,
}

/// How a connection to the SMTP server is secured (`SMTP_TLS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// `starttls` (default): a plain connection upgraded with STARTTLS, or refused.
    StartTls,
    /// `tls`: TLS from the first byte (port 465).
    Tls,
    /// `none`: no encryption; only for a relay on this machine or loopback tests.
    None,
}

/// Where and how notifications are mailed.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `SMTP_HOST`.
    pub host: String,
    /// `SMTP_PORT` (587 by default; 465 for `tls`).
    pub port: u16,
    /// `SMTP_TLS`.
    pub tls: SmtpTls,
    /// `SMTP_USERNAME` and `SMTP_PASSWORD`, when the server wants them.
    pub credentials: Option<(String, SecretString)>,
    /// `MAIL_FROM`: the sender, e.g. `Trung tâm Khuyến công <khuyencong@example.vn>`.
    pub from: String,
    /// `MAIL_POLL_SECONDS`: how often the outbox is looked at (30 by default).
    pub poll: Duration,
}

/// A variable that is missing or cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {problem}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub name: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can supply their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &'static str| lookup(name).filter(|v| !v.trim().is_empty());
        let parsed = |name: &'static str, default: &str| -> Result<String, ConfigError> {
            Ok(var(name).unwrap_or_else(|| default.to_owned()))
        };

        let database_url = var("DATABASE_URL").ok_or(ConfigError {
            name: "DATABASE_URL",
            problem: "is not set (e.g. postgres://user:password@127.0.0.1:5432/khuyencong)".into(),
        })?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError {
                name: "DATABASE_URL",
                problem: "must start with postgres:// or postgresql://".into(),
            });
        }

        let bind_text = parsed("BIND_ADDR", "127.0.0.1:8080")?;
        let bind_addr: SocketAddr = bind_text.parse().map_err(|e| ConfigError {
            name: "BIND_ADDR",
            problem: format!("{bind_text:?} is not an address:port ({e})"),
        })?;

        let base_text = parsed("BASE_URL", &format!("http://{bind_addr}"))?;
        let base_url = Url::parse(&base_text)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| ConfigError {
                name: "BASE_URL",
                problem: format!("{base_text:?} is not an http(s) URL"),
            })?;

        let log_format = parsed("LOG_FORMAT", "text")?;
        let log_json = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => {
                return Err(ConfigError {
                    name: "LOG_FORMAT",
                    problem: format!("{other:?} is neither text nor json"),
                });
            }
        };

        const MB: u64 = 1024 * 1024;
        let upload_max_file = number(&var, "UPLOAD_MAX_FILE_MB", 20, 1..=1024)?;
        let upload_max_request = number(&var, "UPLOAD_MAX_REQUEST_MB", 50, 1..=4096)?;
        if upload_max_request < upload_max_file {
            return Err(ConfigError {
                name: "UPLOAD_MAX_REQUEST_MB",
                problem: format!(
                    "{upload_max_request} is less than UPLOAD_MAX_FILE_MB ({upload_max_file})"
                ),
            });
        }

        let default_hashes = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            database_url: SecretString::from(database_url),
            bind_addr,
            base_url,
            db_max_connections: number(&var, "DATABASE_MAX_CONNECTIONS", 10, 1..=1000)?,
            db_acquire_timeout: Duration::from_millis(number(
                &var,
                "DATABASE_ACQUIRE_TIMEOUT_MS",
                3000,
                10..=600_000,
            )?),
            session_idle: Duration::from_secs(
                60 * number(&var, "SESSION_IDLE_MINUTES", 60, 1..=10_080)?,
            ),
            session_absolute: Duration::from_secs(
                3600 * number(&var, "SESSION_ABSOLUTE_HOURS", 12, 1..=720)?,
            ),
            shutdown_grace: Duration::from_secs(number(
                &var,
                "SHUTDOWN_GRACE_SECONDS",
                10,
                0..=600,
            )?),
            password_hash_concurrency: number(
                &var,
                "PASSWORD_HASH_CONCURRENCY",
                default_hashes as u64,
                1..=64,
            )? as usize,
            trust_forwarded_for: flag(&var, "TRUST_FORWARDED_FOR")?,
            log_json,
            storage_dir: PathBuf::from(parsed("STORAGE_DIR", ".data/uploads")?),
            upload_max_file: upload_max_file * MB,
            upload_max_request: upload_max_request * MB,
            daily_job_disabled: flag(&var, "DAILY_JOB_DISABLED")?,
            mail: mail_config(&var)?,
        })
    }

    /// Whether cookies must carry `Secure` (the site is served over https).
    pub fn cookie_secure(&self) -> bool {
        self.base_url.scheme() == "https"
    }
}

fn number<T>(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let Some(text) = var(name) else {
        return Ok(default);
    };
    let value: T = text.trim().parse().map_err(|_| ConfigError {
        name,
        problem: format!("{text:?} is not a whole number"),
    })?;
    if !range.contains(&value) {
        return Err(ConfigError {
            name,
            problem: format!("{value} is outside {}..={}", range.start(), range.end()),
        });
    }
    Ok(value)
}

/// The mail settings, if `SMTP_HOST` is set (then `MAIL_FROM` must be too).
fn mail_config(
    var: &impl Fn(&'static str) -> Option<String>,
) -> Result<Option<MailConfig>, ConfigError> {
    let Some(host) = var("SMTP_HOST") else {
        return Ok(None);
    };
    let tls = match var("SMTP_TLS").as_deref().map(str::trim) {
        None | Some("starttls") => SmtpTls::StartTls,
        Some("tls") => SmtpTls::Tls,
        Some("none") => SmtpTls::None,
        Some(other) => {
            return Err(ConfigError {
                name: "SMTP_TLS",
                problem: format!("{other:?} is not starttls, tls or none"),
            });
        }
    };
    let default_port = if tls == SmtpTls::Tls { 465 } else { 587 };
    let from = var("MAIL_FROM").ok_or(ConfigError {
        name: "MAIL_FROM",
        problem: "is required with SMTP_HOST (e.g. Trung tâm Khuyến công <kc@example.vn>)".into(),
    })?;
    let credentials = match (var("SMTP_USERNAME"), var("SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, SecretString::from(password))),
        (None, None) => None,
        _ => {
            return Err(ConfigError {
                name: "SMTP_USERNAME",
                problem: "SMTP_USERNAME and SMTP_PASSWORD go together".into(),
            });
        }
    };
    Ok(Some(MailConfig {
        host: host.trim().to_owned(),
        port: number(var, "SMTP_PORT", default_port, 1..=65535)?,
        tls,
        credentials,
        from,
        poll: Duration::from_secs(number(var, "MAIL_POLL_SECONDS", 30, 1..=3600)?),
    }))
}

fn flag(
    var: &impl Fn(&'static str) -> Option<String>,
    name: &'static str,
) -> Result<bool, ConfigError> {
    match var(name).as_deref().map(str::trim) {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(other) => Err(ConfigError {
            name,
            problem: format!("{other:?} is not true or false"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
    }

    const DB: (&str, &str) = ("DATABASE_URL", "postgres://u:p@127.0.0.1/db");

    #[test]
    fn defaults_apply_when_only_the_database_is_given() {
        let config = from(&[DB]).expect("valid");
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(config.base_url.as_str(), "http://127.0.0.1:8080/");
        assert!(!config.cookie_secure());
    }

    #[test]
    fn a_missing_database_url_is_named() {
        let err = from(&[]).expect_err("missing");
        assert_eq!(err.name, "DATABASE_URL");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("BIND_ADDR", "localhost"),
            ("BASE_URL", "ftp://x"),
            ("DATABASE_MAX_CONNECTIONS", "0"),
            ("SESSION_IDLE_MINUTES", "ten"),
            ("LOG_FORMAT", "xml"),
            ("TRUST_FORWARDED_FOR", "perhaps"),
            ("UPLOAD_MAX_FILE_MB", "0"),
            ("UPLOAD_MAX_FILE_MB", "2 MB"),
            ("UPLOAD_MAX_REQUEST_MB", "99999"),
        ] {
            let err = from(&[DB, (name, value)]).expect_err(name);
            assert_eq!(err.name, name);
        }
    }

    #[test]
    fn uploads_have_a_directory_and_limits() {
        let config = from(&[DB]).expect("valid");
        assert_eq!(config.storage_dir, PathBuf::from(".data/uploads"));
        assert_eq!(config.upload_max_file, 20 * 1024 * 1024);
        assert_eq!(config.upload_max_request, 50 * 1024 * 1024);
        let config = from(&[
            DB,
            ("STORAGE_DIR", "/srv/khuyencong/uploads"),
            ("UPLOAD_MAX_FILE_MB", "5"),
            ("UPLOAD_MAX_REQUEST_MB", "5"),
        ])
        .expect("valid");
        assert_eq!(config.storage_dir, PathBuf::from("/srv/khuyencong/uploads"));
        assert_eq!(config.upload_max_file, 5 * 1024 * 1024);
        assert_eq!(config.upload_max_request, 5 * 1024 * 1024);
    }

    #[test]
    fn a_request_limit_below_the_file_limit_is_refused() {
        let err = from(&[
            DB,
            ("UPLOAD_MAX_FILE_MB", "30"),
            ("UPLOAD_MAX_REQUEST_MB", "10"),
        ])
        .expect_err("inconsistent");
        assert_eq!(err.name, "UPLOAD_MAX_REQUEST_MB");
    }

    #[test]
    fn https_base_url_makes_cookies_secure() {
        let config = from(&[DB, ("BASE_URL", "https://khuyencong.example")]).expect("valid");
        assert!(config.cookie_secure());
    }
}
