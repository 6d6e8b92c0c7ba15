//! What the dashboards' two kinds of counters share ([`super::stats`] for dossiers,
//! [`super::vote_stats`] for votes): the one lock their writers take, the snapshot a
//! recount runs in, the markers of their rows read with pending deltas ([`super::union_all`]).

use diesel::prelude::*;

use super::{transaction, AnyConnection, TxKind};

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

/// Takes the oldest `limit` deltas out of a deltas table in one `DELETE … RETURNING`,
/// so that exactly the rows folded are removed: on PostgreSQL a delta committed
/// meanwhile below the last id is taken, and returned, too.
macro_rules! take_deltas {
    ($conn:expr, $table:ident, $limit:expr, $returning:expr) => {{
        use diesel::prelude::*;
        use $crate::db::schema::$table::{id, table};
        let last: Option<i64> = table
            .select(id)
            .order(id)
            .offset($limit - 1)
            .first($conn)
            .optional()?;
        let last = match last {
            Some(last) => last,
            None => table
                .select(diesel::dsl::max(id))
                .first::<Option<i64>>($conn)?
                .unwrap_or(0),
        };
        diesel::delete(table.filter(id.le(last)))
            .returning($returning)
            .get_results($conn)
    }};
}
pub(crate) use take_deltas;

/// Adds each row's counters (the listed columns) to the stored row of its key in a
/// rollups table, creating it when missing: one upsert per row on SQLite (diesel has
/// no batch upsert there), per 500 rows on PostgreSQL. Only under [`lock_rollups`].
macro_rules! add_to_rollups {
    ($conn:expr, $table:ident, $rows:expr, [$($col:ident),+ $(,)?]) => {{
        use diesel::prelude::*;
        use diesel::upsert::excluded;
        use $crate::db::schema::$table::dsl as t;
        let key = (t::scope_id, t::dim, t::grain, t::bucket, t::dim_id);
        match $conn {
            #[cfg(feature = "postgres")]
            $crate::db::AnyConnection::Postgres(c) => {
                for chunk in $rows.chunks(500) {
                    diesel::insert_into(t::$table)
                        .values(chunk)
                        .on_conflict(key)
                        .do_update()
                        .set(($(t::$col.eq(t::$col + excluded(t::$col)),)+))
                        .execute(c)?;
                }
            }
            #[cfg(feature = "sqlite")]
            $crate::db::AnyConnection::Sqlite(c) => {
                for row in $rows {
                    diesel::insert_into(t::$table)
                        .values(row)
                        .on_conflict(key)
                        .do_update()
                        .set(($(t::$col.eq(t::$col + excluded(t::$col)),)+))
                        .execute(c)?;
                }
            }
        }
        QueryResult::Ok(())
    }};
}
pub(crate) use add_to_rollups;

/// Marks a pending delta in a report's union, in place of a grain.
pub const PENDING: &str = "-";
pub const PENDING_SQL: &str = "'-'";
/// Marks rows of rollups summed before a cut, in the same reads.
pub const SUMMED: &str = "+";
pub const SUMMED_SQL: &str = "'+'";

/// Differences between the stored rollups and a recount from the dossiers or votes.
#[derive(Debug, Default)]
pub struct RecountReport {
    pub dossiers: usize,
    pub votes: usize,
    pub rows_expected: usize,
    pub rows_differing: usize,
    pub examples: Vec<String>,
}
