//! Configuration from environment variables (see the table in README.md).

use std::time::Duration;

use crate::db::Backend;

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: String,
    pub pool_size: u32,
    pub admin_password: Option<String>,
    pub jwt_secret: JwtSecretSource,
    pub token_ttl: Duration,
    pub login_limit_per_ip: u32,
    pub login_limit_per_account: u32,
    pub login_window: Duration,
    pub max_body_bytes: usize,
    pub log_json: bool,
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

pub const DEFAULT_DATABASE_URL: &str = "./data/motcua.db";

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let jwt_secret = match (var("MOTCUA_JWT_SECRET"), var("MOTCUA_JWT_SECRET_FILE")) {
            (Some(value), _) => JwtSecretSource::Value(value),
            (None, Some(file)) => JwtSecretSource::File(file),
            (None, None) => JwtSecretSource::File(default_secret_file(&database_url)),
        };
        let default_pool = match Backend::from_url(&database_url) {
            Backend::Postgres(_) => 16,
            Backend::Sqlite(_) => 8,
        };
        Ok(Config {
            bind: var("MOTCUA_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            pool_size: parsed("MOTCUA_DB_POOL_SIZE", default_pool)?,
            admin_password: var("MOTCUA_ADMIN_PASSWORD"),
            jwt_secret,
            token_ttl: Duration::from_secs(parsed("MOTCUA_TOKEN_TTL_SECONDS", 8 * 3600)?),
            login_limit_per_ip: parsed("MOTCUA_LOGIN_LIMIT_PER_IP", 30)?,
            login_limit_per_account: parsed("MOTCUA_LOGIN_LIMIT_PER_ACCOUNT", 10)?,
            login_window: Duration::from_secs(parsed("MOTCUA_LOGIN_WINDOW_SECONDS", 60)?),
            max_body_bytes: parsed("MOTCUA_MAX_BODY_BYTES", 256 * 1024)?,
            log_json: var("MOTCUA_LOG_FORMAT").is_some_and(|f| f == "json"),
            database_url,
        })
    }

    /// Settings for tests: a given database, a fixed key, generous limits.
    pub fn for_tests(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_owned(),
            bind: "127.0.0.1:0".to_owned(),
            pool_size: 4,
            admin_password: None,
            jwt_secret: JwtSecretSource::Value("test-secret-test-secret-test-secret!".to_owned()),
            token_ttl: Duration::from_secs(3600),
            login_limit_per_ip: 1000,
            login_limit_per_account: 1000,
            login_window: Duration::from_secs(60),
            max_body_bytes: 256 * 1024,
            log_json: false,
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
