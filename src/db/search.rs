//! The search index of migration 000018: every trigram of the folded applicant name
//! and of the code, so that `q` finds any substring of three characters or more
//! without reading the table ([`super::dossiers::list`] uses it).
//!
//! - SQLite: an FTS5 trigram index. Its matches come newest-stored first (its rowid is
//!   the dossier's); a page joins them to the dossiers one by one and stops once it is
//!   full: about a page of index entries when the term is common and the scope wide,
//!   a page's worth of the scope's share when narrow, every match when the term is
//!   rare (they are few then). "Newest" is the order rows were stored, which is the
//!   order of their ids (the seeder stores each batch in id order; two desks'
//!   receipts in one millisecond may swap).
//! - PostgreSQL: `LIKE '%q%'` on the same two texts, served by trigram GIN indexes;
//!   the planner picks them for a rare term and the newest-first id index, filtered,
//!   for a common one.
//!
//! Trigrams cannot find fewer than three characters: the API asks for three.

#[cfg(feature = "sqlite")]
pub use sqlite::{dossier_search, matches, rowid_of, same_dossier};

/// Rebuilds SQLite's index from the dossiers (after a bulk load without its triggers).
#[cfg(feature = "sqlite")]
pub const REBUILD: &str = "INSERT INTO dossier_search (dossier_search) VALUES ('rebuild')";

/// The shortest `q` the index can find.
pub const SHORTEST_TERM: usize = 3;

#[cfg(feature = "sqlite")]
mod sqlite {
    use diesel::dsl::{sql, AsExprOf};
    use diesel::expression::{SqlLiteral, UncheckedBind};
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Bool, Text};

    use super::super::const_sql::{const_sql, ConstSql};
    use super::super::AnyConnection;

    #[derive(QueryableByName)]
    struct Rowid {
        #[diesel(sql_type = BigInt)]
        rowid: i64,
    }

    diesel::table! {
        /// The FTS5 table, for joins: only its rowid (the dossier's) is read.
        dossier_search (rowid) {
            rowid -> BigInt,
        }
    }

    use super::super::schema::{dossiers, procedures};
    diesel::allow_tables_to_appear_in_same_query!(dossier_search, dossiers);
    diesel::allow_tables_to_appear_in_same_query!(dossier_search, procedures);

    /// The join condition: the index entry of the dossier.
    pub fn same_dossier() -> ConstSql<Bool> {
        const_sql("dossier_search.rowid = dossiers.rowid")
    }

    /// Index entries whose folded name or code holds the folded `q`: one FTS5 phrase,
    /// its trigrams in a row, i.e. the substring.
    pub fn matches(q: &str) -> UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>> {
        let phrase = format!("\"{}\"", q.replace('"', "\"\""));
        sql::<Bool>("dossier_search MATCH ").bind::<Text, _>(phrase)
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
