//! The search index of migration 000018: every trigram of the folded applicant name
//! and of the code, so that `q` finds any substring of three characters or more
//! without reading the table ([`super::dossiers::list`] uses it).
//!
//! - SQLite: an FTS5 trigram index. Its matches come newest-stored first (its rowid is
//!   the dossier's), so a page reads candidates in growing chunks and stops once the
//!   page is full: about a page of index entries when the term is common, every match
//!   when it is rare (they are few then). "Newest" is the order rows were stored, which
//!   is the order of their ids (the seeder stores each batch in id order; two desks'
//!   receipts in one millisecond may swap).
//! - PostgreSQL: `LIKE '%q%'` on the same two texts, served by trigram GIN indexes;
//!   the planner picks them for a rare term and the newest-first id index, filtered,
//!   for a common one.
//!
//! Trigrams cannot find fewer than three characters: the API asks for three.

#[cfg(feature = "sqlite")]
pub use sqlite::{first_chunk, newest_rowids, next_chunk, rowid_of};

/// Rebuilds SQLite's index from the dossiers (after a bulk load without its triggers).
#[cfg(feature = "sqlite")]
pub const REBUILD: &str = "INSERT INTO dossier_search (dossier_search) VALUES ('rebuild')";

/// The shortest `q` the index can find.
pub const SHORTEST_TERM: usize = 3;

#[cfg(feature = "sqlite")]
mod sqlite {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    use super::super::AnyConnection;

    #[derive(QueryableByName)]
    struct Rowid {
        #[diesel(sql_type = BigInt)]
        rowid: i64,
    }

    /// How many candidates a page reads first: four pages' worth.
    pub fn first_chunk(limit: i64) -> i64 {
        (limit * 4).max(64)
    }

    /// Each next chunk is four times larger, up to 16,384 rowids.
    pub fn next_chunk(chunk: i64) -> i64 {
        (chunk * 4).min(16_384)
    }

    /// The rowids of the next `chunk` dossiers below `below` whose folded name or code
    /// holds the folded `q`, newest first.
    pub fn newest_rowids(
        conn: &mut AnyConnection,
        q: &str,
        below: i64,
        chunk: i64,
    ) -> QueryResult<Vec<i64>> {
        // One FTS5 phrase: its trigrams in a row, i.e. the substring.
        let phrase = format!("\"{}\"", q.replace('"', "\"\""));
        let rows: Vec<Rowid> = diesel::sql_query(
            "SELECT rowid FROM dossier_search WHERE dossier_search MATCH ? AND rowid < ? \
             ORDER BY rowid DESC LIMIT ?",
        )
        .bind::<Text, _>(phrase)
        .bind::<BigInt, _>(below)
        .bind::<BigInt, _>(chunk)
        .load(sqlite(conn))?;
        Ok(rows.into_iter().map(|r| r.rowid).collect())
    }

    /// The rowid of a dossier, by id.
    pub fn rowid_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<i64>> {
        diesel::sql_query("SELECT rowid FROM dossiers WHERE id = ?")
            .bind::<Text, _>(id)
            .get_result::<Rowid>(sqlite(conn))
            .optional()
            .map(|r| r.map(|r| r.rowid))
    }

    fn sqlite(conn: &mut AnyConnection) -> &mut diesel::SqliteConnection {
        match conn {
            AnyConnection::Sqlite(c) => c,
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(_) => unreachable!("the FTS5 index is SQLite's"),
        }
    }
}
