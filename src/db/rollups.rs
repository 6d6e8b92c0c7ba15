//! What the dashboards' two kinds of counters share ([`super::stats`] for dossiers,
//! [`super::vote_stats`] for votes): the one lock their writers take, the snapshot a
//! recount runs in, the statement that reads rollups and pending deltas together.

use diesel::prelude::*;

use super::{transaction, AnyBackend, AnyConnection, TxKind};

/// The PostgreSQL advisory lock held by whoever writes `stats_rollups` or `vote_rollups`.
#[cfg(feature = "postgres")]
const ROLLUP_LOCK: i64 = 7_063_657;

/// Makes the caller's transaction the only writer of the rollups until it ends
/// (on SQLite, `BEGIN IMMEDIATE` already is). Under read committed, the statements
/// after it see whatever the previous holder committed.
pub fn lock_rollups(conn: &mut AnyConnection) -> QueryResult<()> {
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => {
            use diesel::connection::SimpleConnection;
            c.batch_execute(&format!("SELECT pg_advisory_xact_lock({ROLLUP_LOCK})"))
        }
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => Ok(()),
    }
}

/// Runs `f` as the only writer of the rollups, in one snapshot.
pub fn exclusive_snapshot<T>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    let in_tx = |conn: &mut AnyConnection| {
        transaction(conn, TxKind::SnapshotWrite, |conn| {
            lock_rollups(conn)?;
            f(conn)
        })
    };
    match conn {
        // The lock before the snapshot: taken inside, the snapshot could predate a
        // fold that committed while we waited for it.
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => {
            use diesel::connection::SimpleConnection;
            conn.batch_execute(&format!("SELECT pg_advisory_lock({ROLLUP_LOCK})"))?;
            let result = in_tx(conn);
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({ROLLUP_LOCK})"))?;
            result
        }
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => in_tx(conn),
    }
}

/// `left UNION ALL right`, for the connection over both databases (diesel's own
/// `union_all` is not implemented for it). Neither side may have ORDER BY or LIMIT.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct UnionAll<L, R>(pub L, pub R);

impl<L: diesel::query_builder::Query, R> diesel::query_builder::Query for UnionAll<L, R> {
    type SqlType = L::SqlType;
}

impl<L, R> diesel::query_builder::QueryFragment<AnyBackend> for UnionAll<L, R>
where
    L: diesel::query_builder::QueryFragment<AnyBackend>,
    R: diesel::query_builder::QueryFragment<AnyBackend>,
{
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, AnyBackend>,
    ) -> QueryResult<()> {
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(" UNION ALL ");
        self.1.walk_ast(out.reborrow())
    }
}

impl<L, R> RunQueryDsl<AnyConnection> for UnionAll<L, R> {}

/// Marks a pending delta in a report's union, in place of a grain.
pub const PENDING: &str = "-";
pub const PENDING_SQL: &str = "'-'";

/// Differences between the stored rollups and a recount from the dossiers or votes.
#[derive(Debug, Default)]
pub struct RecountReport {
    pub dossiers: usize,
    pub votes: usize,
    pub rows_expected: usize,
    pub rows_differing: usize,
    pub examples: Vec<String>,
}
