//! Consistent copies of a SQLite database while the service runs on it.
//!
//! `VACUUM INTO` reads the database in one read transaction, so the server's writers
//! go on meanwhile (WAL) and the copy is the database as it was when the copy began.
//! SQLite's online-backup API, by contrast, starts over whenever another connection
//! writes: under a steady vote load it never finishes.

use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{AnyConnection, DbError};

/// The tables whose rows a backup reports, the ones that hold the desks' work.
pub const COUNTED: [&str; 5] = ["offices", "users", "dossiers", "dossier_events", "votes"];

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Check {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Writes a copy of the database to `target`, which must not exist or be empty.
pub fn vacuum_into(conn: &mut AnyConnection, target: &Path) -> Result<(), DbError> {
    match conn {
        AnyConnection::Sqlite(conn) => {
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(target.to_string_lossy())
                .execute(conn)?;
            Ok(())
        }
        #[allow(unreachable_patterns)]
        _ => Err(DbError::Connection(
            "on PostgreSQL, back up with pg_dump or a base backup (README: PostgreSQL)".into(),
        )),
    }
}

/// Opens a copy read-only and checks it: SQLite's `integrity_check` must answer `ok`.
/// Returns the rows of each [`COUNTED`] table.
pub fn verify(copy: &Path) -> Result<Vec<(&'static str, i64)>, DbError> {
    let uri = format!(
        "file:{}?mode=ro",
        copy.to_string_lossy()
            .replace('%', "%25")
            .replace('?', "%3f")
            .replace('#', "%23")
    );
    let mut conn = diesel::SqliteConnection::establish(&uri)
        .map_err(|e| DbError::Connection(format!("opening the copy: {e}")))?;
    let checks = diesel::sql_query("PRAGMA integrity_check").load::<Check>(&mut conn)?;
    let verdict: Vec<String> = checks.into_iter().map(|c| c.integrity_check).collect();
    if verdict != ["ok"] {
        return Err(DbError::Connection(format!(
            "the copy failed SQLite's integrity check: {}",
            verdict.join("; ")
        )));
    }
    COUNTED
        .iter()
        .map(|table| {
            let count = diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
                .get_result::<Count>(&mut conn)?;
            Ok((*table, count.n))
        })
        .collect()
}
