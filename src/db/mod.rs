//! Persistence: one connection type over SQLite and PostgreSQL, the pool, migrations,
//! and the queries, one module per table.

/// A statement type wrapping queries of SQL type `Q::SqlType`, loaded as they are:
/// built at run time (no static query id), run on [`AnyConnection`].
macro_rules! statement_wrapping {
    ($name:ident) => {
        impl<Q> diesel::query_builder::QueryId for $name<Q> {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for $name<Q> {
            type SqlType = Q::SqlType;
        }

        impl<Q> diesel::RunQueryDsl<$crate::db::AnyConnection> for $name<Q> {}
    };
}

#[cfg(feature = "sqlite")]
pub mod backup;
pub mod bulk;
pub mod calendar;
mod const_sql;
pub mod dossier_list;
pub mod dossiers;
pub mod idempotency;
pub mod kiosks;
pub mod offices;
pub mod procedures;
pub mod readiness;
pub mod rollups;
pub mod schema;
pub mod search;
mod sql_types;
pub mod stats;
pub mod targets;
pub mod tokens;
pub mod union_all;
pub mod users;
pub mod vote_stats;
pub mod votes;
#[cfg(feature = "sqlite")]
mod writer_queue;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, QueryResult};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

#[cfg(not(any(feature = "sqlite", feature = "postgres")))]
compile_error!("enable at least one of the features `sqlite` and `postgres`");

/// The connection every query runs on. Variants are built explicitly from the URL
/// (see [`Backend::from_url`]), never by trial and error.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    #[cfg(feature = "postgres")]
    Postgres(diesel::PgConnection),
    #[cfg(feature = "sqlite")]
    Sqlite(diesel::SqliteConnection),
}

#[cfg(feature = "sqlite")]
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
#[cfg(feature = "postgres")]
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Which database a `DATABASE_URL` designates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Postgres(String),
    /// A file path (the `sqlite://` prefix removed).
    Sqlite(String),
}

impl Backend {
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres(url.to_owned())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            Backend::Sqlite(path.to_owned())
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Backend::Postgres(_) => "postgres",
            Backend::Sqlite(_) => "sqlite",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Query(#[from] DieselError),
    #[error("connection: {0}")]
    Connection(String),
    #[error("pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("migrations: {0}")]
    Migration(String),
}

impl DbError {
    /// Why the database cannot serve now, when that is what went wrong (see [`outage`]).
    pub fn outage(&self) -> Option<&'static str> {
        match self {
            DbError::Pool(_) => Some("no database connection was free in time"),
            DbError::Connection(_) => Some("the database cannot be reached"),
            DbError::Query(err) => outage(err),
            DbError::Migration(_) => None,
        }
    }
}

/// Why the database cannot serve now, when an error says so: the connection was lost,
/// the server is stopping, starting or read-only (a standby after a failover), the disk
/// is full, or a lock outlasted its timeout. These pass by themselves or with an
/// operator's help, so the caller answers 503 and the client retries; any other error
/// is a bug or bad data.
pub fn outage(err: &DieselError) -> Option<&'static str> {
    /// Words of SQLite's and PostgreSQL's messages; diesel gives them no kind.
    const MESSAGES: &[(&str, &str)] = &[
        ("database or disk is full", "the database's disk is full"),
        ("No space left on device", "the database's disk is full"),
        (
            "database is locked",
            "the database stayed locked past its timeout",
        ),
        (
            "disk I/O error",
            "the database's disk failed to read or write",
        ),
        (
            "unable to open database file",
            "the database file cannot be opened",
        ),
        (
            "attempt to write a readonly database",
            "the database file is read-only",
        ),
        (
            "the database system is",
            "the database server is starting up or shutting down",
        ),
        (
            "terminating connection",
            "the database server closed the connection",
        ),
        (
            "server closed the connection",
            "the connection to the database was lost",
        ),
        (
            "too many clients already",
            "the database server has no connection free",
        ),
    ];
    match err {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => Some("the connection to the database was lost"),
        DieselError::DatabaseError(DatabaseErrorKind::ReadOnlyTransaction, _) => {
            Some("the database is read-only (a standby?)")
        }
        DieselError::DatabaseError(_, info) => MESSAGES
            .iter()
            .find(|(words, _)| info.message().contains(words))
            .map(|(_, why)| *why),
        _ => None,
    }
}

/// How long a SQLite statement waits for a lock another process holds (this process's
/// writers queue instead, see `SQLITE_WRITER`).
#[cfg(feature = "sqlite")]
const BUSY_TIMEOUT: &str = "PRAGMA busy_timeout = 10000";

/// Opens one connection and applies the per-connection settings.
pub fn connect(backend: &Backend) -> Result<AnyConnection, DbError> {
    match backend {
        #[cfg(feature = "postgres")]
        Backend::Postgres(url) => {
            let mut conn = diesel::PgConnection::establish(url)
                .map_err(|e| DbError::Connection(e.to_string()))?;
            // Durability is the server default; insist on it anyway. No parallel
            // workers: a page or a report is a few milliseconds of one core, and with
            // 20 users on two cores the planner's parallel scans of the newest
            // dossiers (chosen at 10 M) took seconds instead.
            conn.batch_execute(
                "SET synchronous_commit = on; SET TIME ZONE 'UTC'; \
                 SET max_parallel_workers_per_gather = 0;",
            )?;
            Ok(AnyConnection::Postgres(conn))
        }
        #[cfg(feature = "sqlite")]
        Backend::Sqlite(path) => {
            let file = std::path::Path::new(path);
            if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                crate::private_files::create_dir(dir)
                    .map_err(|e| DbError::Connection(format!("creating {}: {e}", dir.display())))?;
            }
            if path != ":memory:" && !path.starts_with("file:") {
                crate::private_files::create_file(file)
                    .map_err(|e| DbError::Connection(format!("creating {path}: {e}")))?;
            }
            configure_sqlite();
            let mut conn = diesel::SqliteConnection::establish(path)
                .map_err(|e| DbError::Connection(e.to_string()))?;
            // busy_timeout first: switching to WAL needs the lock another connection may hold.
            // Savepoints' page copies (each vote group has one) stay in memory.
            conn.batch_execute(&format!(
                "{BUSY_TIMEOUT}; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA analysis_limit = 1000; \
                 PRAGMA temp_store = MEMORY;"
            ))?;
            Ok(AnyConnection::Sqlite(conn))
        }
        #[allow(unreachable_patterns)]
        other => Err(DbError::Connection(format!(
            "this build has no support for {}; rebuild with `--features {}`",
            other.name(),
            other.name()
        ))),
    }
}

/// Migrations that add a dashboard counter: the rollups are recounted from the dossiers
/// right after one of them runs, so the new counter is true for the past as well.
const RECOUNT_AFTER: &[&str] = &["20261202000017"];
/// Migrations after which the satisfaction counters are recounted from the votes.
const RECOUNT_VOTES_AFTER: &[&str] = &["20261203000019"];

/// Runs pending migrations for the connection's backend, then the recount one of them
/// asks for.
pub fn run_migrations(conn: &mut AnyConnection) -> Result<(), DbError> {
    let applied: Vec<String> = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect()),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect()),
    }
    .map_err(|e| DbError::Migration(e.to_string()))?;
    if applied.iter().any(|v| RECOUNT_AFTER.contains(&v.as_str())) {
        let started = std::time::Instant::now();
        let report = stats::recount(conn, true)?;
        tracing::info!(
            dossiers = report.dossiers,
            seconds = started.elapsed().as_secs(),
            "a migration added a dashboard counter: rollups recounted from the dossiers"
        );
    }
    if applied
        .iter()
        .any(|v| RECOUNT_VOTES_AFTER.contains(&v.as_str()))
    {
        let started = std::time::Instant::now();
        let report = vote_stats::recount(conn, true)?;
        tracing::info!(
            votes = report.votes,
            seconds = started.elapsed().as_secs(),
            "a migration added the satisfaction counters: counted from the votes"
        );
    }
    Ok(())
}

/// Reverts the applied migrations newer than `version` (`20261202000016`), newest
/// first: used by the tests of a migration's follow-up.
pub fn revert_migrations_after(conn: &mut AnyConnection, version: &str) -> Result<(), DbError> {
    fn newest<C: MigrationHarness<B>, B: diesel::backend::Backend>(
        c: &mut C,
        migrations: fn() -> EmbeddedMigrations,
        version: &str,
    ) -> diesel::migration::Result<()> {
        while c
            .applied_migrations()?
            .iter()
            .any(|applied| applied.to_string().as_str() > version)
        {
            c.revert_last_migration(migrations())?;
        }
        Ok(())
    }
    let result = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => newest(c, || POSTGRES_MIGRATIONS, version),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => newest(c, || SQLITE_MIGRATIONS, version),
    };
    result.map_err(|e| DbError::Migration(e.to_string()))
}

/// Reverts every applied migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut AnyConnection) -> Result<(), DbError> {
    let result = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbError::Migration(e.to_string()))
}

/// r2d2 manager that builds the right variant and applies its settings.
#[derive(Debug)]
pub struct ConnectionManager {
    backend: Backend,
}

impl ManageConnection for ConnectionManager {
    type Connection = AnyConnection;
    type Error = DbError;

    /// The server's connections never checkpoint SQLite's WAL on commit: the committing
    /// writer (a vote group, a clerk's step) would pay for copying ~1,000 pages back into
    /// the database while everyone behind it waits. The stats folder checkpoints instead
    /// ([`checkpoint`]).
    fn connect(&self) -> Result<AnyConnection, DbError> {
        let mut conn = connect(&self.backend)?;
        match &mut conn {
            #[cfg(feature = "sqlite")]
            // After a checkpoint that lets the WAL start over, cut the file back to
            // 64 MiB: a burst does not leave a large WAL behind.
            AnyConnection::Sqlite(c) => c.batch_execute(
                "PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864",
            )?,
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(_) => {}
        }
        Ok(conn)
    }

    /// Run on every checkout (`test_on_check_out`): after PostgreSQL restarts, every
    /// idle connection is dead, and this is where it is found and replaced instead of
    /// failing a request. One round trip; nothing next to a request's own queries.
    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), DbError> {
        diesel::r2d2::R2D2Connection::ping(conn).map_err(DbError::from)
    }

    /// A connection left inside a transaction or with its transaction state lost (a
    /// commit whose answer never came) is closed rather than put back.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

/// The backend of [`AnyConnection`], where a query must name it (boxed subqueries).
pub type AnyBackend = <AnyConnection as diesel::Connection>::Backend;
pub type DbPool = Pool<ConnectionManager>;
pub type DbConn = PooledConnection<ConnectionManager>;

/// Builds the pool and brings the schema up to date. A checkout waits at most
/// `timeout` for a connection (then [`DbError::Pool`]).
pub fn init_pool(backend: &Backend, max_size: u32, timeout: Duration) -> Result<DbPool, DbError> {
    let mut conn = connect(backend)?;
    run_migrations(&mut conn)?;
    // SQLite's WAL emptied into the database file now, with no time limit: after a
    // migration that built indexes over millions of rows it holds gigabytes, and the
    // pool's first connection would otherwise go through it, longer than a checkout
    // may wait (the server gave up so once, in the benchmark).
    restart_wal(&mut conn, WalRestart::Truncate, Duration::from_secs(3600))?;
    drop(conn);
    let pool = Pool::builder()
        .max_size(max_size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        .test_on_check_out(true)
        .build(ConnectionManager {
            backend: backend.clone(),
        })?;
    Ok(pool)
}

/// Refreshes the planner's statistics after a bulk load.
pub fn analyze(conn: &mut AnyConnection) -> QueryResult<()> {
    conn.batch_execute("ANALYZE")
}

/// Marks a bulk load's pages all-visible on PostgreSQL (`VACUUM`), as autovacuum
/// leaves the pages of dossiers long ended, so that lists read their covering indexes
/// without visiting the table. Autovacuum's own passes during a 10 M seed could not
/// mark the pages that the load's open transactions still hid: the clerk's search then
/// checked 7,335 rows in the table (4.8 ms of database CPU instead of 2.0). Not after an
/// empty load: vacuumed empty tables are recorded as empty, and the benchmark's votes
/// fell from 8,642 to 4,013/s as those tables grew (bisected, commit 84a0283).
/// SQLite has no visibility map: nothing to do.
pub fn mark_all_visible(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => c.batch_execute("VACUUM"),
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => Ok(()),
    }
}

/// What a checkpoint found in SQLite's WAL, in pages (frames).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, diesel::QueryableByName)]
pub struct WalState {
    /// Pages in the WAL.
    #[diesel(sql_type = diesel::sql_types::Integer, column_name = log)]
    pub pages: i32,
    /// Of those, copied into the database file.
    #[diesel(sql_type = diesel::sql_types::Integer, column_name = checkpointed)]
    pub copied: i32,
}

impl WalState {
    /// Every page is in the database file: the WAL may start over, or be emptied.
    pub fn all_copied(&self) -> bool {
        self.pages > 0 && self.copied == self.pages
    }
}

/// Copies committed pages from SQLite's WAL back into the database file, without
/// waiting for readers or blocking writers (PASSIVE). PostgreSQL: nothing to do.
pub fn checkpoint(conn: &mut AnyConnection) -> QueryResult<WalState> {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => {
            use diesel::RunQueryDsl;
            diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result::<WalState>(c)
        }
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => Ok(WalState::default()),
    }
}

/// Pages in SQLite's WAL past which the stats folder makes the WAL start over
/// ([`restart_wal`]): 16 MiB of 4 KiB pages.
pub const WAL_RESTART_PAGES: i32 = 4096;
/// Pages past which it insists (a longer wait for readers): 64 MiB, the
/// `journal_size_limit`.
pub const WAL_LIMIT_PAGES: i32 = 16384;

/// How [`restart_wal`] leaves the WAL file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WalRestart {
    /// Under load: the next commit writes from the start of the file again, which
    /// `journal_size_limit` then cuts back to 64 MiB.
    Restart,
    /// When idle: the file is emptied.
    Truncate,
}

/// Makes SQLite's WAL start over. A PASSIVE checkpoint copies pages but, under a
/// steady load, some reader always still uses the WAL when a writer begins, so the WAL
/// never starts over and grows without bound (600 MiB in a minute of votes). This
/// checkpoint takes the writers' turn, copies what is left and waits for the readers
/// of the WAL to finish, for at most `patience`; then it gives up until the next
/// round. Writers of this process wait in their queue meanwhile, not in SQLite.
pub fn restart_wal(
    conn: &mut AnyConnection,
    how: WalRestart,
    patience: Duration,
) -> QueryResult<()> {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => {
            let _turn = SQLITE_WRITER.wait_turn();
            c.batch_execute(&format!("PRAGMA busy_timeout = {}", patience.as_millis()))?;
            let done = c.batch_execute(match how {
                WalRestart::Restart => "PRAGMA wal_checkpoint(RESTART)",
                WalRestart::Truncate => "PRAGMA wal_checkpoint(TRUNCATE)",
            });
            c.batch_execute(BUSY_TIMEOUT)?;
            done
        }
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => {
            let _ = (how, patience);
            Ok(())
        }
    }
}

/// Refreshes SQLite's planner statistics where they are stale, so indexed reads (open
/// dossiers, worklists) keep picking the right index as tables grow (PostgreSQL's
/// autovacuum does this itself). It writes, so the server runs it at start and then
/// hourly from one thread, never while opening a connection: a connection opened
/// during a long write (a bulk load) would wait for the lock, and take it from the
/// load. `analysis_limit` (set on connect) keeps each analysis short.
pub fn refresh_statistics(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => c.batch_execute("PRAGMA optimize = 0x10002"),
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => Ok(()),
    }
}

/// Sets up SQLite for the process, before its first connection:
/// - no mutex per connection (`SQLITE_CONFIG_MULTITHREAD`): a connection is only ever
///   used by one thread at a time (the pool hands it out; it is not `Sync`), and
///   locking it on every call (each column of each row read) took 9 % of an on-time
///   report's CPU;
/// - every connection plans its statements without looking at bound values
///   (`SQLITE_DBCONFIG_ENABLE_QPSG`). Otherwise SQLite prepares a statement again each
///   time such a value is bound: diesel's `LIMIT ?` behind every `.first()`, and any
///   column with per-value statistics. Under load that re-parsing took a fifth of the
///   server's CPU; our queries are planned from their indexes.
#[cfg(feature = "sqlite")]
fn configure_sqlite() {
    use std::os::raw::{c_char, c_int};
    unsafe extern "C" fn enable_qpsg(
        db: *mut libsqlite3_sys::sqlite3,
        _error: *mut *mut c_char,
        _api: *const libsqlite3_sys::sqlite3_api_routines,
    ) -> c_int {
        // SAFETY: `db` is the connection SQLite is opening; this option takes an int
        // (1: on) and an optional pointer for the previous value (none).
        unsafe {
            libsqlite3_sys::sqlite3_db_config(
                db,
                libsqlite3_sys::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as c_int,
                std::ptr::null_mut::<c_int>(),
            );
        }
        libsqlite3_sys::SQLITE_OK
    }
    static REGISTER: std::sync::Once = std::sync::Once::new();
    REGISTER.call_once(|| {
        // SAFETY: `sqlite3_config` comes before anything initializes SQLite (it then
        // refuses, harmlessly: mutexes stay). The entry point has the signature SQLite
        // expects and lives as long as the process; SQLite calls it for each
        // connection opened from now on.
        unsafe {
            libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MULTITHREAD);
            libsqlite3_sys::sqlite3_auto_extension(Some(enable_qpsg));
        }
    });
}

/// How a transaction begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    /// Writes: `BEGIN IMMEDIATE` on SQLite (take the write lock up front so a
    /// read-then-write never fails half-way with SQLITE_BUSY), `BEGIN` on PostgreSQL.
    Write,
    /// Writes that must read one consistent snapshot across statements (PostgreSQL
    /// `REPEATABLE READ`; SQLite's write lock already gives one).
    SnapshotWrite,
}

/// Runs `f` in a write transaction (see [`TxKind::Write`]). Commits when `f` returns
/// `Ok`, rolls back otherwise or on panic. `f` must not open a transaction of its own.
pub fn write_tx<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    transaction(conn, TxKind::Write, f)
}

/// SQLite has one writer at a time, and a writer that finds the lock taken polls with
/// growing sleeps (`busy_timeout`): under load the unlucky ones wait hundreds of
/// milliseconds. Writers of this process queue here instead, and are served in order
/// of arrival. One queue for the process: a server opens one database (tests open
/// several and simply take turns). Other processes (`motcua recount`) still meet the
/// busy timeout.
#[cfg(feature = "sqlite")]
static SQLITE_WRITER: writer_queue::WriterQueue = writer_queue::WriterQueue::new();

/// Runs `f` in a transaction of the given kind: commits when `f` returns `Ok`, rolls
/// back otherwise or on panic. Through diesel's transaction manager, so that
/// `conn.transaction(..)` inside `f` is a savepoint.
pub fn transaction<T, E>(
    conn: &mut AnyConnection,
    kind: TxKind,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Manager = <AnyConnection as Connection>::TransactionManager;

    /// Rolls back a transaction that `f` left by panicking.
    struct RollbackGuard<'a> {
        conn: &'a mut AnyConnection,
        done: bool,
        // Dropped after the rollback: the next writer starts on a clean slate.
        #[cfg(feature = "sqlite")]
        _writer: Option<writer_queue::WriterTurn<'static>>,
    }
    impl Drop for RollbackGuard<'_> {
        fn drop(&mut self) {
            if !self.done {
                let _ = Manager::rollback_transaction(self.conn);
            }
        }
    }

    #[cfg(feature = "sqlite")]
    // Every SQLite transaction here writes: it waits for its turn.
    let writer = matches!(&*conn, AnyConnection::Sqlite(_)).then(|| SQLITE_WRITER.wait_turn());
    match (&mut *conn, kind) {
        // Take the write lock up front, so a read-then-write never fails half-way.
        #[cfg(feature = "sqlite")]
        (AnyConnection::Sqlite(c), _) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        #[cfg(feature = "postgres")]
        (AnyConnection::Postgres(c), TxKind::Write) => {
            AnsiTransactionManager::begin_transaction(c)?
        }
        #[cfg(feature = "postgres")]
        (AnyConnection::Postgres(c), TxKind::SnapshotWrite) => {
            AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN ISOLATION LEVEL REPEATABLE READ",
            )?
        }
    }
    let mut guard = RollbackGuard {
        conn,
        done: false,
        #[cfg(feature = "sqlite")]
        _writer: writer,
    };
    let result = f(guard.conn);
    guard.done = true;
    match result {
        Ok(value) => {
            Manager::commit_transaction(guard.conn)?;
            Ok(value)
        }
        Err(e) => {
            // SQLite has already rolled back after some errors (a full disk, an I/O
            // error); the error to report is the one that ended the transaction.
            if let Err(rollback) = Manager::rollback_transaction(guard.conn) {
                tracing::debug!(error = %rollback, "rollback after an error");
            }
            Err(e)
        }
    }
}

/// Runs `f`, whose statements PostgreSQL plans once per connection when `generic`
/// (`plan_cache_mode`, for one transaction): for the prepared statements whose
/// conditions are equalities on an index's leading columns, where one plan serves
/// every value and planning with the values cost more than reading. PostgreSQL keeps
/// choosing such custom plans unless told. SQLite plans without values anyway.
pub fn planned_generically<T>(
    conn: &mut AnyConnection,
    #[cfg_attr(not(feature = "postgres"), allow(unused_variables))] generic: bool,
    f: impl FnOnce(&mut AnyConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    #[cfg(feature = "postgres")]
    if let (AnyConnection::Postgres(c), true) = (&mut *conn, generic) {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        type Manager = <AnyConnection as Connection>::TransactionManager;
        const SET: &str = "SET LOCAL plan_cache_mode = force_generic_plan";
        // Both in one round trip; inside a transaction, in a savepoint.
        return match AnsiTransactionManager::begin_transaction_sql(c, &format!("BEGIN; {SET}")) {
            Err(DieselError::AlreadyInTransaction) => conn.transaction(|conn| {
                conn.batch_execute(SET)?;
                f(conn)
            }),
            Err(e) => Err(e),
            Ok(()) => match f(conn) {
                Ok(value) => Manager::commit_transaction(conn).map(|()| value),
                Err(e) => {
                    let _ = Manager::rollback_transaction(conn);
                    Err(e)
                }
            },
        };
    }
    f(conn)
}

/// A statement sent unprepared, so that PostgreSQL plans it with its values each time
/// (a search's streams, whose best plan depends on the term: [`dossier_list`]).
/// An `= ANY($1)` over a long list is hashed only then: the generic plan PostgreSQL
/// settled on after five runs compared every row with every value (0.8 ms for the
/// names of a province's 324 clerks; 0.2 ms planned with them, planning included).
/// SQLite plans without the values anyway: only the names go unprepared there, as
/// diesel never keeps an `IN` list's statement (its length varies).
#[derive(Debug, Clone)]
pub struct PlannedWithValues<Q>(pub Q);

statement_wrapping!(PlannedWithValues);

impl<Q: diesel::query_builder::QueryFragment<AnyBackend>>
    diesel::query_builder::QueryFragment<AnyBackend> for PlannedWithValues<Q>
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, AnyBackend>,
    ) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        self.0.walk_ast(out)
    }
}

/// Inserts many rows (`&[Row]`) into a table, inside the caller's transaction: 500 per
/// statement on PostgreSQL; on SQLite one prepared insert reused row after row
/// (diesel's multi-row insert there opens a transaction of its own, and single
/// inserts inside one transaction are as fast).
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {{
        use diesel::RunQueryDsl as _;
        let rows = $rows;
        match $conn {
            #[cfg(feature = "postgres")]
            $crate::db::AnyConnection::Postgres(c) => {
                for chunk in rows.chunks(500) {
                    diesel::insert_into($table).values(chunk).execute(c)?;
                }
            }
            #[cfg(feature = "sqlite")]
            $crate::db::AnyConnection::Sqlite(c) => {
                for row in rows {
                    diesel::insert_into($table).values(row).execute(c)?;
                }
            }
        }
        diesel::QueryResult::Ok(())
    }};
}
pub(crate) use insert_all;

/// Names the row a stored value could not be read from: a corrupt row is a logged
/// error that says which one, not a guess.
pub fn naming_row<T>(result: QueryResult<T>, table: &str, key: &str) -> QueryResult<T> {
    result.map_err(|e| match e {
        DieselError::DeserializationError(cause) => {
            let mut message = format!("{table} {key}: {cause}");
            let mut source = cause.source();
            while let Some(inner) = source {
                message.push_str(&format!(": {inner}"));
                source = inner.source();
            }
            DieselError::DeserializationError(message.into())
        }
        other => other,
    })
}

/// True when the error is a unique-constraint violation (the portable "upsert").
pub fn is_unique_violation(err: &DieselError) -> bool {
    matches!(
        err,
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)
    )
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Escapes `%`, `_` and `\` so user text is matched literally inside LIKE.
pub fn escape_like(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            _ => vec![c],
        })
        .collect()
}

/// Upper bound of the materialized-path range of a subtree: `/a/b/` → `/a/b0`
/// (`'0'` is the character after `'/'`), so `path >= p AND path < upper` is the subtree.
pub fn subtree_upper_bound(path: &str) -> String {
    let mut upper = path.trim_end_matches('/').to_owned();
    upper.push('0');
    upper
}
