//! The background folder: moves the deltas of dossier changes and of votes into the rollups every
//! moment, in small transactions, so the deltas a report must add stay few. Reports
//! are right whether or not it has run (they read both); it only keeps them fast.
//! After every round it checkpoints SQLite's WAL ([`db::checkpoint`]), which the
//! server's connections leave to it; it makes a long WAL start over and empties an
//! idle one ([`db::restart_wal`]). Hourly, it also refreshes SQLite's planner
//! statistics ([`db::refresh_statistics`]) and forgets the idempotency keys' answers
//! older than [`db::idempotency::KEPT`].

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use diesel::QueryResult;

use crate::db::{self, stats, vote_stats, write_tx, AnyConnection, DbError, DbPool, WalRestart};

/// How long the folder rests when nothing waits.
const IDLE: Duration = Duration::from_millis(500);
/// How often the folder also refreshes SQLite's planner statistics.
const STATISTICS_EVERY: Duration = Duration::from_secs(3600);
/// Most deltas folded per transaction, so a fold never holds the write lock long
/// (SQLite's one writer: a clerk's step waits for at most one batch).
const BATCH: i64 = 500;
/// Most vote deltas folded per transaction. Thousands of votes a second fall on the
/// same few rollup rows (today, this hour, these offices): a larger batch writes each
/// of them once for many votes, which is what keeps the kiosks' throughput.
const VOTE_BATCH: i64 = 5_000;

/// How long a WAL restart waits for readers before it gives up until the next round.
const RESTART_PATIENCE: Duration = Duration::from_millis(100);

/// Runs the folder until dropped.
pub struct StatsFolder {
    _stop: Sender<()>,
}

impl StatsFolder {
    pub fn start(pool: DbPool) -> StatsFolder {
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("stats-folder".to_owned())
            .spawn(move || run(&pool, &stopped))
            .expect("spawn the stats folder");
        StatsFolder { _stop: stop }
    }
}

/// Folds (and hourly refreshes statistics) until the [`StatsFolder`] is dropped.
fn run(pool: &DbPool, stopped: &Receiver<()>) {
    let mut statistics_refreshed = Instant::now();
    let mut last_wal = db::WalState::default();
    loop {
        if statistics_refreshed.elapsed() >= STATISTICS_EVERY {
            statistics_refreshed = Instant::now();
            if let Err(e) = pooled(pool, db::refresh_statistics) {
                tracing::warn!(error = %e, "refreshing the planner's statistics failed");
            }
            if let Err(e) = pooled(pool, forget_old_answers) {
                tracing::warn!(error = %e, "forgetting old idempotency keys failed");
            }
        }
        let folded = fold_once(pool);
        match pooled(pool, db::checkpoint) {
            // A long WAL starts over; an idle one (nothing written since the last
            // round, all of it copied) is emptied.
            Ok(wal) => {
                // Writers wait while readers finish: briefly, unless the WAL is
                // at its limit.
                let restart = if wal.pages >= db::WAL_LIMIT_PAGES {
                    Some((WalRestart::Restart, Duration::from_secs(1)))
                } else if wal.pages >= db::WAL_RESTART_PAGES {
                    Some((WalRestart::Restart, RESTART_PATIENCE))
                } else if wal.all_copied() && wal == last_wal {
                    Some((WalRestart::Truncate, RESTART_PATIENCE))
                } else {
                    None
                };
                if let Some((how, patience)) = restart {
                    if let Err(e) = pooled(pool, |conn| db::restart_wal(conn, how, patience)) {
                        tracing::warn!(error = %e, "restarting the WAL failed; retrying");
                    }
                }
                last_wal = wal;
            }
            Err(e) => tracing::warn!(error = %e, "checkpointing the WAL failed; retrying"),
        }
        let wait = match folded {
            Ok(true) => Duration::ZERO,
            Ok(false) => IDLE,
            Err(e) => {
                tracing::warn!(error = %e, "folding the dashboard counters failed; retrying");
                IDLE * 4
            }
        };
        match stopped.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => break,
        }
    }
}

/// Folds one batch of the dossiers' deltas and one of the votes'; the write lock is
/// taken only when something waits. `true` when a batch was full: more may wait.
pub fn fold_once(pool: &DbPool) -> Result<bool, DbError> {
    let mut conn = pool.get()?;
    let mut full = false;
    if stats::has_deltas(&mut conn)? {
        full |= write_tx(&mut conn, |conn| stats::fold(conn, BATCH))? as i64 >= BATCH;
    }
    if vote_stats::has_deltas(&mut conn)? {
        full |=
            write_tx(&mut conn, |conn| vote_stats::fold(conn, VOTE_BATCH))? as i64 >= VOTE_BATCH;
    }
    Ok(full)
}

fn forget_old_answers(conn: &mut AnyConnection) -> QueryResult<()> {
    let cutoff = chrono::Utc::now().naive_utc() - db::idempotency::KEPT;
    db::idempotency::forget_before(conn, cutoff).map(|_| ())
}

/// Runs one maintenance statement on a pooled connection.
fn pooled<T>(
    pool: &DbPool,
    task: impl FnOnce(&mut AnyConnection) -> QueryResult<T>,
) -> Result<T, DbError> {
    let mut conn = pool.get()?;
    Ok(task(&mut conn)?)
}
