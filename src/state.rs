//! Shared application state, built once at start-up and cloned into every worker.

use std::time::Instant;

use actix_web::web;

use crate::auth::jwt::JwtKeys;
use crate::auth::login_throttle::LoginThrottle;
use crate::auth::password::PasswordHasher;
use crate::auth::rate_limit::RateLimiter;
use crate::config::{Config, JwtSecretSource};
use crate::db::{self, AnyConnection, Backend, DbError, DbPool};
use crate::error::{ApiError, ApiResult};
use crate::service::stats_folder::StatsFolder;
use crate::service::votes::VoteWriter;
use crate::telemetry::Metrics;

pub struct AppState {
    pub config: Config,
    pub backend: Backend,
    pub pool: DbPool,
    pub jwt: JwtKeys,
    pub hasher: PasswordHasher,
    /// Login attempts per client address.
    pub login_per_ip: RateLimiter,
    /// Failed logins per account and address.
    pub login_throttle: LoginThrottle,
    /// Citizens' status lookups per client address.
    pub public_lookups: RateLimiter,
    pub metrics: Metrics,
    /// Group commit for kiosk votes.
    pub vote_writer: VoteWriter,
    /// The holiday calendar, reloaded only when it changed.
    pub calendar: db::calendar::CalendarCache,
    /// Users' names for report labels, read again only when `users` changed.
    pub user_names: db::users::NameCache,
    /// Admits long reads (reports, worklists, searches) in order of arrival, a few at
    /// a time (see [`AppState::long_read`]).
    long_reads: tokio::sync::Semaphore,
    /// Keeps the dashboards' rollups caught up with dossier changes.
    _stats_folder: StatsFolder,
    pub started_at: Instant,
}

/// Connections that long reads never take: the desk's writes, the kiosks' vote
/// groups and the stats folder always find one.
const KEPT_FOR_WRITES: u32 = 2;

/// How many long reads run at once: `report_concurrency`, but never more than the
/// pool minus [`KEPT_FOR_WRITES`] (at least one).
pub fn long_read_budget(config: &Config) -> usize {
    let pool_share = config.pool_size.saturating_sub(KEPT_FOR_WRITES).max(1);
    config.report_concurrency.min(pool_share as usize)
}

/// The files of this instance that hold personal data or secrets, checked at start.
fn warn_if_shared(backend: &Backend, jwt_secret: &JwtSecretSource) {
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    if let Backend::Sqlite(path) = backend {
        let db = std::path::Path::new(path);
        files.extend(db.parent().map(|d| d.to_path_buf()));
        files.extend(["", "-wal", "-shm"].map(|suffix| format!("{path}{suffix}").into()));
    }
    if let JwtSecretSource::File(key) = jwt_secret {
        files.push(key.into());
    }
    crate::private_files::warn_if_shared(files.iter().map(|f| f.as_path()));
}

impl AppState {
    /// Connects, migrates and loads keys. Fails with a message an operator can act on.
    pub fn new(config: Config) -> Result<AppState, String> {
        let backend = Backend::from_url(&config.database_url);
        let pool = db::init_pool(&backend, config.pool_size, config.pool_timeout)
            .map_err(|e| e.to_string())?;
        {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            db::write_tx(&mut conn, |conn| {
                db::calendar::seed_defaults(conn, chrono::Utc::now().naive_utc())
            })
            .map_err(|e| format!("loading the holiday calendar: {e}"))?;
            db::refresh_statistics(&mut conn).map_err(|e| e.to_string())?;
            if db::stats::needs_rebuild(&mut conn).map_err(|e| e.to_string())? {
                tracing::warn!("building the dashboards' counters from the dossiers (first start after an upgrade)");
                db::stats::recount(&mut conn, true)
                    .map_err(|e| format!("building the dashboards' counters: {e}"))?;
            }
        }
        let jwt = JwtKeys::load(&config.jwt_secret)?;
        warn_if_shared(&backend, &config.jwt_secret);
        let hashing_threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let vote_writer = VoteWriter::start(
            pool.clone(),
            chrono::Duration::seconds(config.vote_repeat_guard_seconds),
            // SQLite has one writer; PostgreSQL overlaps a few groups' commits.
            match backend {
                Backend::Sqlite(_) => 1,
                Backend::Postgres(_) => 4,
            },
        );
        let stats_folder = StatsFolder::start(pool.clone());
        Ok(AppState {
            backend,
            pool,
            jwt,
            hasher: PasswordHasher::new(hashing_threads),
            login_per_ip: RateLimiter::new(config.login_limit_per_ip, config.login_window),
            login_throttle: LoginThrottle::new(config.login_limit_per_account, config.login_window),
            public_lookups: RateLimiter::new(
                config.public_lookups_per_minute,
                std::time::Duration::from_secs(60),
            ),
            metrics: Metrics::default(),
            vote_writer,
            calendar: Default::default(),
            user_names: Default::default(),
            long_reads: tokio::sync::Semaphore::new(long_read_budget(&config)),
            _stats_folder: stats_folder,
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

    /// Like [`AppState::db`] for a read that may take long (a report, a worklist, a
    /// search): waits, first come first served, while [`long_read_budget`] of them are
    /// running, so that a burst of dashboards or searches cannot take the connections
    /// that desk and kiosk writes need, nor crowd each other out.
    pub async fn long_read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> ApiResult<T> + Send + 'static,
    {
        let _turn = self
            .long_reads
            .acquire()
            .await
            .map_err(|_| ApiError::Internal("long-read gate closed".to_owned()))?;
        self.db(f).await
    }

    /// The settings the dossier workflows follow.
    pub fn dossier_rules(&self) -> crate::service::dossiers::Rules<'_> {
        crate::service::dossiers::Rules {
            calendar: &self.calendar,
            office_hours: self.config.office_hours,
            back_dating: chrono::Duration::days(self.config.back_dating_days),
            transfers_within_province: self.config.transfers_within_province,
        }
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
