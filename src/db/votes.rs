//! Queries on `votes`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::votes;
use super::AnyConnection;
use crate::domain::ids::{DossierId, KioskId, OfficeId, ProcedureId, UserId, VoteId};
use crate::domain::satisfaction::Rating;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = votes, treat_none_as_default_value = false)]
pub struct VoteRow {
    pub id: VoteId,
    pub kiosk_id: KioskId,
    pub office_id: OfficeId,
    pub rating: Rating,
    pub cast_at: NaiveDateTime,
    pub cast_date: NaiveDate,
    pub cast_hour: i32,
    pub received_at: NaiveDateTime,
    pub dossier_id: Option<DossierId>,
    pub procedure_id: Option<ProcedureId>,
    pub clerk_id: Option<UserId>,
    pub reason: Option<String>,
    pub content_hash: String,
}

pub fn find(conn: &mut AnyConnection, id: &VoteId) -> QueryResult<Option<VoteRow>> {
    votes::table
        .find(id)
        .select(VoteRow::as_select())
        .first(conn)
        .optional()
}

/// Stores a vote and what it adds to the satisfaction counters, in the caller's
/// transaction.
pub fn insert(conn: &mut AnyConnection, row: &VoteRow) -> QueryResult<()> {
    diesel::insert_into(votes::table)
        .values(row)
        .execute(conn)?;
    super::vote_stats::record(conn, [row.cast()])
}

/// Many rows (a vote group, fixtures), counted as [`insert`] does.
pub fn insert_many(conn: &mut AnyConnection, rows: &[VoteRow]) -> QueryResult<()> {
    super::insert_all!(conn, votes::table, rows)?;
    super::vote_stats::record(conn, rows.iter().map(VoteRow::cast))
}

impl VoteRow {
    fn cast(&self) -> super::vote_stats::Cast<'_> {
        super::vote_stats::Cast {
            office_id: self.office_id.as_str(),
            procedure_id: self.procedure_id.as_ref().map(|id| id.as_str()),
            clerk_id: self.clerk_id.as_ref().map(|id| id.as_str()),
            day: self.cast_date,
            hour: self.cast_hour,
            rating: self.rating,
        }
    }
}

pub fn dossier_rated(conn: &mut AnyConnection, dossier_id: &DossierId) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        votes::table.filter(votes::dossier_id.eq(dossier_id)),
    ))
    .get_result(conn)
}

/// The kiosk's latest vote cast at or before `cast_at`, for the repeat-press guard.
/// The vote `vote_id` itself does not count: a concurrent writer may have stored it
/// since its id was looked up, and it is then a replay, not a second tap.
pub fn previous_cast_at(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    vote_id: &VoteId,
    cast_at: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    votes::table
        .filter(votes::kiosk_id.eq(kiosk_id))
        .filter(votes::id.ne(vote_id))
        .filter(votes::cast_at.le(cast_at))
        .select(diesel::dsl::max(votes::cast_at))
        .first(conn)
}

/// The stored votes among `ids`.
pub fn find_many(conn: &mut AnyConnection, ids: &[&VoteId]) -> QueryResult<Vec<VoteRow>> {
    let mut rows = Vec::new();
    for chunk in ids.chunks(500) {
        rows.extend(
            votes::table
                .filter(votes::id.eq_any(chunk))
                .select(VoteRow::as_select())
                .load(conn)?,
        );
    }
    Ok(rows)
}
