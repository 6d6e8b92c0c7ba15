//! The search index of migration 000018: every trigram of the folded applicant name
//! and of the code, so that `q` finds any substring of three characters or more
//! without reading the table ([`super::dossier_list`] uses it).
//!
//! - SQLite: an FTS5 trigram index. Its matches come newest-stored first (its rowid is
//!   the dossier's); a page joins them to the dossiers one by one and stops once it is
//!   full. Each entry also holds tokens of the dossier's receiving and deciding
//!   offices (migration 000023), so that a narrow scope is matched in the index too.
//!   A term [`common`] among the newest dossiers is instead checked along a narrow
//!   scope's newest dossiers, from indexes that carry the name and the code: walking
//!   a phrase of common trigrams through the index costs more than that. "Newest" is
//!   the order rows were stored, which is the order of their ids (the seeder stores
//!   each batch in id order; two desks' receipts in one millisecond may swap).
//! - PostgreSQL: `LIKE '%q%'` on the same two texts, served by trigram GIN indexes;
//!   the planner picks them for a rare term and an office's newest dossiers (with
//!   their name and code, migration 000023), filtered, for a common one.
//!
//! Trigrams cannot find fewer than three characters: the API asks for three.

#[cfg(feature = "sqlite")]
pub use sqlite::{common, dossier_search, matches, rowid_of, same_dossier};

/// Rebuilds SQLite's index from the dossiers (after a bulk load without its triggers),
/// as migration 000023 built it, in as few segments as it can: a term is looked up
/// once per segment, and a phrase of eight trigrams over the 14 segments a bulk insert
/// used to leave cost a millisecond before it read a match. As dossiers come, FTS5
/// merges the segments they add level by level (its `automerge`), so a live index
/// holds a few per level.
///
/// The load holds up to 2 GiB of terms in memory before it writes a segment: 1 M
/// dossiers made one (150 MB), and so did 10 M (a larger load would make two or
/// more). With FTS5's defaults (a segment per MiB, merged four at a time as they
/// come) 10 M took more than an hour, most of it deleting merged segments; and
/// merging a few segments of that size into one (`optimize`) read them over and over,
/// at 2 GB/s for more than five minutes without writing a page, so it is not done.
/// The defaults are set back after it.
#[cfg(feature = "sqlite")]
pub const REBUILD: [&str; 8] = [
    "INSERT INTO dossier_search (dossier_search) VALUES ('delete-all')",
    "INSERT INTO dossier_search (dossier_search, rank) VALUES ('automerge', 0)",
    "INSERT INTO dossier_search (dossier_search, rank) VALUES ('crisismerge', 1999)",
    "INSERT INTO dossier_search (dossier_search, rank) VALUES ('hashsize', 2147483647)",
    "INSERT INTO dossier_search (rowid, applicant_name_folded, code, offices) \
     SELECT rowid, applicant_name_folded, code, \
     substr(office_id, -3) || ' ' || substr(processing_office_id, -3) FROM dossiers",
    "INSERT INTO dossier_search (dossier_search, rank) VALUES ('automerge', 4)",
    "INSERT INTO dossier_search (dossier_search, rank) VALUES ('crisismerge', 16)",
    "INSERT INTO dossier_search (dossier_search, rank) VALUES ('hashsize', 1048576)",
];

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
    use crate::domain::ids::OfficeId;

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

    /// Index entries whose folded name or code holds the folded `q` (one FTS5 phrase,
    /// its trigrams in a row, i.e. the substring) and, given `offices`, that were
    /// received or are decided at one of them. An office's token is the last three
    /// characters of its id, as the triggers of migration 000023 store it: two
    /// offices may share one, so the scope is still checked on the dossier.
    pub fn matches(
        q: &str,
        offices: Option<&[OfficeId]>,
    ) -> UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>> {
        let mut expression = phrase(q);
        if let Some(offices) = offices {
            let tokens: Vec<String> = offices
                .iter()
                .map(|office| {
                    let id = office.as_str();
                    let last_three = id.char_indices().rev().nth(2).map_or(0, |(at, _)| at);
                    quoted(&id[last_three..])
                })
                .collect();
            expression += &format!(" AND offices : ({})", tokens.join(" OR "));
        }
        sql::<Bool>("dossier_search MATCH ").bind::<Text, _>(expression)
    }

    /// Whether `q` is common: it matches at least [`COMMON`] of the newest
    /// [`NEWEST`] dossiers (a page's worth along any office's newest then). A bounded
    /// probe: the index reads the newest rowids only.
    pub fn common(conn: &mut AnyConnection, q: &str) -> QueryResult<bool> {
        const NEWEST: i64 = 10_000;
        const COMMON: i64 = 10;
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT count(*) AS n FROM (SELECT rowid FROM dossier_search \
             WHERE dossier_search MATCH ? AND rowid > (SELECT max(rowid) FROM dossiers) - ? \
             LIMIT ?)",
        )
        .bind::<Text, _>(phrase(q))
        .bind::<BigInt, _>(NEWEST)
        .bind::<BigInt, _>(COMMON)
        .get_result::<Count>(sqlite(conn))
        .map(|count| count.n >= COMMON)
    }

    /// `q` as an FTS5 phrase of the name and the code.
    fn phrase(q: &str) -> String {
        format!("{{applicant_name_folded code}} : {}", quoted(q))
    }

    fn quoted(text: &str) -> String {
        format!("\"{}\"", text.replace('"', "\"\""))
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
