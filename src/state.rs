//! Shared application state, built once at start-up and cloned into every worker.

use std::time::Instant;

use actix_web::web;

use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::auth::rate_limit::RateLimiter;
use crate::config::Config;
use crate::db::{self, AnyConnection, Backend, DbError, DbPool};
use crate::error::{ApiError, ApiResult};
use crate::telemetry::Metrics;

pub struct AppState {
    pub config: Config,
    pub backend: Backend,
    pub pool: DbPool,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
    pub login_per_ip: RateLimiter,
    pub login_per_account: RateLimiter,
    pub metrics: Metrics,
    pub started_at: Instant,
}

impl AppState {
    /// Connects, migrates and loads keys. Fails with a message an operator can act on.
    pub fn new(config: Config) -> Result<AppState, String> {
        let backend = Backend::from_url(&config.database_url);
        let pool = db::init_pool(&backend, config.pool_size).map_err(|e| e.to_string())?;
        let jwt = JwtKeys::load(&config.jwt_secret)?;
        let hash_permits = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Ok(AppState {
            backend,
            pool,
            jwt,
            hasher: PasswordHasher::new(hash_permits),
            login_per_ip: RateLimiter::new(config.login_limit_per_ip, config.login_window),
            login_per_account: RateLimiter::new(
                config.login_limit_per_account,
                config.login_window,
            ),
            metrics: Metrics::default(),
            started_at: Instant::now(),
            config,
        })
    }

    /// Runs blocking database work on the thread pool with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get().map_err(DbError::from)?;
            f(&mut conn)
        })
        .await
        .map_err(ApiError::from)?
    }

    /// Like [`AppState::db`], inside a write transaction (see [`db::write_tx`]).
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> ApiResult<T> + Send + 'static,
    {
        self.db(move |conn| db::write_tx(conn, f)).await
    }
}
