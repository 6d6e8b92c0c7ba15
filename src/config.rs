//! Configuration from environment variables (see the table in README.md).

use std::time::Duration;

use chrono::NaiveTime;

use crate::db::Backend;
use crate::domain::calendar::OfficeHours;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    /// A second address serving only `/metrics`, without a token (a private network).
    pub metrics_bind: Option<String>,
    /// The bearer token `/metrics` asks for on the main address; none: not served there.
    pub metrics_token: Option<String>,
    pub pool_size: u32,
    /// HTTPS: the PEM certificate chain and private key (`MOTCUA_TLS_CERT`,
    /// `MOTCUA_TLS_KEY`); `None`: plain HTTP.
    pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
    /// Where users reach this service (`https://motcua.example.vn`, no trailing
    /// slash), for links it hands out; `None`: links are relative.
    pub public_url: Option<String>,
    /// How long a request waits for a database connection before answering 503. r2d2
    /// also retries a lost database at least every half of it, so it bounds how long
    /// the service takes to notice the database is back.
    pub pool_timeout: Duration,
    /// `/ready` answers 503 when a SQLite database's disk has less free space.
    pub ready_min_free_bytes: u64,
    /// Reports, worklists and searches computed at once (at most the pool minus 2);
    /// more wait their turn in order.
    pub report_concurrency: usize,
    pub admin_password: Option<String>,
    pub jwt_secret: JwtSecretSource,
    pub token_ttl: Duration,
    pub login_limit_per_ip: u32,
    pub login_limit_per_account: u32,
    pub login_window: Duration,
    pub max_body_bytes: usize,
    /// The longest a request body may take to arrive.
    pub body_timeout: Duration,
    /// Open client connections at most (each holds a file descriptor).
    pub max_connections: usize,
    pub log_json: bool,
    pub office_hours: OfficeHours,
    pub public_lookups_per_minute: u32,
    /// Oldest vote a kiosk may still replay.
    pub vote_max_age_days: i64,
    /// Repeat-press guard for votes without a dossier.
    pub vote_repeat_guard_seconds: i64,
    /// How far back managers may date a receipt or an event (paper records, imports).
    pub back_dating_days: i64,
    /// Transfers only to offices of the dossier's own province tree.
    pub transfers_within_province: bool,
}

#[derive(Debug, Clone)]
pub enum JwtSecretSource {
    /// `MOTCUA_JWT_SECRET`: the key itself (at least 32 bytes).
    Value(String),
    /// `MOTCUA_JWT_SECRET_FILE`: read from the file, generated there when absent.
    File(String),
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parsed<T: std::str::FromStr>(name: &str, default: T) -> Result<T, ConfigError> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| ConfigError(format!("{name}: cannot parse {v:?}"))),
    }
}

/// Two reports per core: a report is CPU work, here and in the database, so more at
/// once only makes each slower (wrk, 20 managers, district by field, 1 M dossiers on
/// PostgreSQL, 2 cores: p99 48–57 ms with up to 8 at once, 35–39 ms with 4).
fn default_report_concurrency() -> usize {
    2 * std::thread::available_parallelism().map_or(2, |n| n.get())
}

pub const DEFAULT_DATABASE_URL: &str = "./data/motcua.db";

/// Imports of old archives go through a migration, not the desk's API.
const MAX_BACK_DATING_DAYS: i64 = 10 * 366;

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let jwt_secret = match (var("MOTCUA_JWT_SECRET"), var("MOTCUA_JWT_SECRET_FILE")) {
            (Some(value), _) => JwtSecretSource::Value(value),
            (None, Some(file)) => JwtSecretSource::File(file),
            (None, None) => JwtSecretSource::File(default_secret_file(&database_url)),
        };
        // PostgreSQL's work is mostly CPU on the same few cores: more connections than
        // 8 only made 20 managers' reports queue longer on 2 cores (p99 of district by
        // field, 1 M dossiers: 61 ms with 16, 51 ms with 8).
        let default_pool = 8;
        Ok(Config {
            bind: var("MOTCUA_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            metrics_bind: var("MOTCUA_METRICS_BIND"),
            metrics_token: match var("MOTCUA_METRICS_TOKEN") {
                Some(token) if token.len() < 32 => {
                    return Err(ConfigError(
                        "MOTCUA_METRICS_TOKEN: at least 32 characters".to_owned(),
                    ))
                }
                token => token,
            },
            pool_size: parsed("MOTCUA_DB_POOL_SIZE", default_pool)?,
            tls: match (var("MOTCUA_TLS_CERT"), var("MOTCUA_TLS_KEY")) {
                (Some(cert), Some(key)) => Some((cert.into(), key.into())),
                (None, None) => None,
                _ => {
                    return Err(ConfigError(
                        "MOTCUA_TLS_CERT and MOTCUA_TLS_KEY go together".to_owned(),
                    ))
                }
            },
            public_url: match var("MOTCUA_PUBLIC_URL") {
                Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
                    return Err(ConfigError(
                        "MOTCUA_PUBLIC_URL: an http:// or https:// address".to_owned(),
                    ))
                }
                url => url.map(|u| u.trim_end_matches('/').to_owned()),
            },
            pool_timeout: Duration::from_millis(parsed("MOTCUA_DB_POOL_TIMEOUT_MS", 5_000)?.max(1)),
            ready_min_free_bytes: parsed("MOTCUA_READY_MIN_FREE_MB", 64u64)?
                .saturating_mul(1 << 20),
            report_concurrency: parsed("MOTCUA_REPORT_CONCURRENCY", default_report_concurrency())?
                .max(1),
            admin_password: var("MOTCUA_ADMIN_PASSWORD"),
            jwt_secret,
            token_ttl: Duration::from_secs(parsed("MOTCUA_TOKEN_TTL_SECONDS", 8 * 3600)?),
            login_limit_per_ip: parsed("MOTCUA_LOGIN_LIMIT_PER_IP", 30)?,
            login_limit_per_account: parsed("MOTCUA_LOGIN_LIMIT_PER_ACCOUNT", 10)?,
            login_window: Duration::from_secs(parsed("MOTCUA_LOGIN_WINDOW_SECONDS", 60)?),
            max_body_bytes: parsed("MOTCUA_MAX_BODY_BYTES", 256 * 1024)?,
            body_timeout: Duration::from_secs(parsed("MOTCUA_BODY_TIMEOUT_SECONDS", 15)?.max(1)),
            max_connections: parsed("MOTCUA_MAX_CONNECTIONS", 1024)?.max(2),
            log_json: var("MOTCUA_LOG_FORMAT").is_some_and(|f| f == "json"),
            office_hours: match var("MOTCUA_OFFICE_HOURS") {
                Some(v) => parse_office_hours(&v)?,
                None => OfficeHours::default(),
            },
            public_lookups_per_minute: parsed("MOTCUA_PUBLIC_LOOKUPS_PER_MINUTE", 60)?,
            vote_max_age_days: parsed("MOTCUA_VOTE_MAX_AGE_DAYS", 30)?,
            vote_repeat_guard_seconds: parsed("MOTCUA_VOTE_REPEAT_GUARD_SECONDS", 5)?,
            back_dating_days: match parsed("MOTCUA_BACK_DATING_DAYS", 366)? {
                days @ 0..=MAX_BACK_DATING_DAYS => days,
                _ => {
                    return Err(ConfigError(format!(
                        "MOTCUA_BACK_DATING_DAYS: between 0 and {MAX_BACK_DATING_DAYS}"
                    )))
                }
            },
            transfers_within_province: match var("MOTCUA_TRANSFERS").as_deref() {
                None | Some("province") => true,
                Some("anywhere") => false,
                Some(other) => {
                    return Err(ConfigError(format!(
                        "MOTCUA_TRANSFERS: `province` or `anywhere`, not {other:?}"
                    )))
                }
            },
            database_url,
        })
    }

    /// Settings for tests: a given database, a fixed key, generous limits.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:0".to_owned(),
            metrics_bind: None,
            metrics_token: None,
            pool_size: 4,
            tls: None,
            public_url: None,
            pool_timeout: Duration::from_secs(10),
            ready_min_free_bytes: 0,
            report_concurrency: 2,
            admin_password: None,
            jwt_secret: JwtSecretSource::Value("test-secret-test-secret-test-secret!".to_owned()),
            token_ttl: Duration::from_secs(3600),
            login_limit_per_ip: 1000,
            login_limit_per_account: 1000,
            login_window: Duration::from_secs(60),
            max_body_bytes: 256 * 1024,
            body_timeout: Duration::from_secs(15),
            max_connections: 1024,
            log_json: false,
            office_hours: OfficeHours::default(),
            public_lookups_per_minute: 1000,
            vote_max_age_days: 30,
            vote_repeat_guard_seconds: 5,
            // The suite back-dates to fixed dates of 2026: ten years keeps it true.
            back_dating_days: 3650,
            transfers_within_province: true,
        }
    }
}

/// Next to the SQLite file (`./data/jwt.key` by default); `./data/jwt.key` for PostgreSQL.
fn default_secret_file(database_url: &str) -> String {
    match Backend::from_url(database_url) {
        Backend::Sqlite(path) => std::path::Path::new(&path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .join("jwt.key")
            .to_string_lossy()
            .into_owned(),
        Backend::Postgres(_) => "./data/jwt.key".to_owned(),
    }
}

/// `07:00-11:30,13:30-17:00`: a morning and an afternoon session, local time.
fn parse_office_hours(value: &str) -> Result<OfficeHours, ConfigError> {
    let bad = || {
        ConfigError(format!(
            "MOTCUA_OFFICE_HOURS: expected like 07:00-11:30,13:30-17:00, got {value:?}"
        ))
    };
    let session = |s: &str| -> Option<(NaiveTime, NaiveTime)> {
        let (a, b) = s.trim().split_once('-')?;
        let a = NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?;
        let b = NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?;
        (a < b).then_some((a, b))
    };
    let (morning, afternoon) = value.split_once(',').ok_or_else(bad)?;
    let morning = session(morning).ok_or_else(bad)?;
    let afternoon = session(afternoon).ok_or_else(bad)?;
    if morning.1 > afternoon.0 {
        return Err(bad());
    }
    Ok(OfficeHours { morning, afternoon })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_parse() {
        let hours = parse_office_hours("07:30-11:30, 13:00-17:00").unwrap();
        assert_eq!(hours.morning.0, NaiveTime::from_hms_opt(7, 30, 0).unwrap());
        assert_eq!(
            hours.afternoon.1,
            NaiveTime::from_hms_opt(17, 0, 0).unwrap()
        );
        assert!(parse_office_hours("13:00-17:00,07:00-11:00").is_err());
        assert!(parse_office_hours("7-11").is_err());
    }
}
