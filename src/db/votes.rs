//! Queries on `votes`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::votes;
use super::AnyConnection;
use crate::domain::ids::{DossierId, KioskId, OfficeId, ProcedureId, UserId, VoteId};
use crate::domain::satisfaction::Rating;
use crate::service::ErrorCode;

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

pub fn insert(conn: &mut AnyConnection, row: &VoteRow) -> QueryResult<()> {
    diesel::insert_into(votes::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Many rows (a vote group, fixtures), inside the caller's transaction.
pub fn insert_many(conn: &mut AnyConnection, rows: &[VoteRow]) -> QueryResult<()> {
    super::insert_all!(conn, votes::table, rows)
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

/// A grouping key for satisfaction statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteGroup {
    Office,
    Date,
    Hour,
    Clerk,
    Procedure,
}

/// Vote counts per (group key, rating) over the offices and local dates given.
pub fn counts(
    conn: &mut AnyConnection,
    offices: &[OfficeId],
    from: NaiveDate,
    to: NaiveDate,
    group: VoteGroup,
) -> QueryResult<Vec<(Option<String>, Rating, i64)>> {
    let base = votes::table
        .filter(votes::office_id.eq_any(offices))
        .filter(votes::cast_date.ge(from))
        .filter(votes::cast_date.le(to));
    let count = diesel::dsl::count_star();
    match group {
        VoteGroup::Office => base
            .group_by((votes::office_id, votes::rating))
            .select((votes::office_id.nullable(), votes::rating, count))
            .load(conn),
        VoteGroup::Date => base
            .group_by((votes::cast_date, votes::rating))
            .select((votes::cast_date, votes::rating, count))
            .load::<(NaiveDate, Rating, i64)>(conn)
            .map(|rows| {
                rows.into_iter()
                    .map(|(d, r, n)| (Some(d.to_string()), r, n))
                    .collect()
            }),
        VoteGroup::Hour => base
            .group_by((votes::cast_hour, votes::rating))
            .select((votes::cast_hour, votes::rating, count))
            .load::<(i32, Rating, i64)>(conn)
            .map(|rows| {
                rows.into_iter()
                    .map(|(h, r, n)| (Some(h.to_string()), r, n))
                    .collect()
            }),
        VoteGroup::Clerk => base
            .group_by((votes::clerk_id, votes::rating))
            .select((votes::clerk_id, votes::rating, count))
            .load(conn),
        VoteGroup::Procedure => base
            .group_by((votes::procedure_id, votes::rating))
            .select((votes::procedure_id, votes::rating, count))
            .load(conn),
    }
}

/// What a kiosk sent for one vote, already checked for shape and time window.
#[derive(Debug, Clone)]
pub struct VoteInput {
    pub id: VoteId,
    pub rating: Rating,
    pub cast_at: chrono::DateTime<chrono::Utc>,
    pub dossier_code: Option<String>,
    pub clerk_id: Option<UserId>,
    pub reason: Option<String>,
}

impl VoteInput {
    /// Digest of the content, to tell an exact replay from a different vote.
    pub fn content_hash(&self, kiosk_id: &KioskId) -> String {
        use sha2::{Digest, Sha256};
        let canonical = serde_json::json!([
            kiosk_id,
            self.rating.as_str(),
            self.cast_at.timestamp_micros(),
            self.dossier_code,
            self.clerk_id,
            self.reason,
        ]);
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// How one vote was taken.
#[derive(Debug, Clone)]
pub enum VoteOutcome {
    /// Stored now (201).
    Created(VoteRow),
    /// The same vote was stored before (200, same body).
    Replayed(VoteRow),
    /// Not counted, with the HTTP status and problem code it answers.
    Refused {
        status: u16,
        code: ErrorCode,
        detail: String,
    },
}

fn refused(status: u16, code: ErrorCode, detail: impl Into<String>) -> VoteOutcome {
    VoteOutcome::Refused {
        status,
        code,
        detail: detail.into(),
    }
}

/// Same id: a replay when the content matches, a conflict otherwise.
fn compare_existing(existing: VoteRow, hash: &str) -> VoteOutcome {
    if existing.content_hash == hash {
        VoteOutcome::Replayed(existing)
    } else {
        refused(
            409,
            ErrorCode::IdempotencyConflict,
            "a different vote was already sent with this id",
        )
    }
}

/// The votes of one request, from one kiosk.
pub struct KioskVotes<'a> {
    pub kiosk_id: &'a KioskId,
    pub office_id: &'a OfficeId,
    /// When the kiosk was last marked as used, as its token lookup read it.
    pub last_used_at: Option<NaiveDateTime>,
    pub votes: &'a [VoteInput],
}

/// How stale a kiosk's "last used" may get before a vote refreshes it: the
/// administrators' list shows minutes, and a write per vote would cost a statement.
const LAST_USED_PRECISION_SECONDS: i64 = 60;

/// Records the votes of several requests inside the caller's transaction (group
/// commit). Optimistic: existing ids are read in one query, new votes inserted
/// together, no savepoint per vote. When an insert collides with a concurrent writer
/// (another instance took the same id, or rated the same dossier), the group is
/// redone vote by vote under savepoints, which gives each vote its exact answer.
pub fn record_group(
    conn: &mut AnyConnection,
    requests: &[KioskVotes<'_>],
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<Vec<Vec<VoteOutcome>>> {
    let together = conn.transaction(|conn| record_together(conn, requests, now, repeat_guard));
    let outcomes = match together {
        Ok(outcomes) => outcomes,
        Err(e) if super::is_unique_violation(&e) => requests
            .iter()
            .map(|r| {
                r.votes
                    .iter()
                    .map(|vote| record(conn, r.kiosk_id, r.office_id, vote, now, repeat_guard))
                    .collect::<QueryResult<Vec<_>>>()
            })
            .collect::<QueryResult<Vec<_>>>()?,
        Err(e) => return Err(e),
    };
    let stale = now.naive_utc() - chrono::Duration::seconds(LAST_USED_PRECISION_SECONDS);
    let mut kiosks: Vec<&KioskId> = requests
        .iter()
        .filter(|r| r.last_used_at.is_none_or(|at| at < stale))
        .map(|r| r.kiosk_id)
        .collect();
    kiosks.sort_unstable();
    kiosks.dedup();
    for kiosk in kiosks {
        super::kiosks::touch(conn, kiosk, now.naive_utc())?;
    }
    Ok(outcomes)
}

fn record_together(
    conn: &mut AnyConnection,
    requests: &[KioskVotes<'_>],
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<Vec<Vec<VoteOutcome>>> {
    let ids: Vec<&VoteId> = requests
        .iter()
        .flat_map(|r| r.votes.iter().map(|v| &v.id))
        .collect();
    let mut known: std::collections::HashMap<VoteId, VoteRow> = Default::default();
    for chunk in ids.chunks(500) {
        let rows: Vec<VoteRow> = votes::table
            .filter(votes::id.eq_any(chunk))
            .select(VoteRow::as_select())
            .load(conn)?;
        known.extend(rows.into_iter().map(|r| (r.id.clone(), r)));
    }
    let mut fresh: Vec<VoteRow> = Vec::new();
    let mut outcomes = Vec::with_capacity(requests.len());
    for request in requests {
        let mut answers = Vec::with_capacity(request.votes.len());
        for vote in request.votes {
            let hash = vote.content_hash(request.kiosk_id);
            // A replay, of a stored vote or of one earlier in this group.
            if let Some(existing) = known.get(&vote.id) {
                answers.push(compare_existing(existing.clone(), &hash));
                continue;
            }
            let answer = match new_vote(
                conn,
                request.kiosk_id,
                request.office_id,
                vote,
                now,
                repeat_guard,
                &fresh,
            )? {
                Ok(row) => {
                    known.insert(row.id.clone(), row.clone());
                    fresh.push(row.clone());
                    VoteOutcome::Created(row)
                }
                Err(refusal) => refusal,
            };
            answers.push(answer);
        }
        outcomes.push(answers);
    }
    insert_many(conn, &fresh)?;
    Ok(outcomes)
}

/// Records one vote inside the caller's transaction, under a savepoint so that a
/// vote that collides with a concurrent writer never spoils the others of the batch
/// (a refused vote writes nothing).
fn record(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    office_id: &OfficeId,
    input: &VoteInput,
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<VoteOutcome> {
    let result = conn
        .transaction(|conn| record_unguarded(conn, kiosk_id, office_id, input, now, repeat_guard));
    match result {
        Err(e) if super::is_unique_violation(&e) => {
            // Another instance stored the same id (or a vote for the same dossier) first.
            Ok(match find(conn, &input.id)? {
                Some(existing) => compare_existing(existing, &input.content_hash(kiosk_id)),
                None => refused(
                    409,
                    ErrorCode::DossierAlreadyRated,
                    "this dossier has already been rated",
                ),
            })
        }
        other => other,
    }
}

fn record_unguarded(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    office_id: &OfficeId,
    input: &VoteInput,
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
) -> QueryResult<VoteOutcome> {
    if let Some(existing) = find(conn, &input.id)? {
        return Ok(compare_existing(existing, &input.content_hash(kiosk_id)));
    }
    match new_vote(conn, kiosk_id, office_id, input, now, repeat_guard, &[])? {
        Ok(row) => {
            insert(conn, &row)?;
            Ok(VoteOutcome::Created(row))
        }
        Err(refusal) => Ok(refusal),
    }
}

/// Checks a vote not stored yet against the dossier, the clerk and the repeat-press
/// guard (counting `pending`, the votes accepted earlier in the same group), and
/// returns the row to store, or the refusal.
fn new_vote(
    conn: &mut AnyConnection,
    kiosk_id: &KioskId,
    office_id: &OfficeId,
    input: &VoteInput,
    now: chrono::DateTime<chrono::Utc>,
    repeat_guard: chrono::Duration,
    pending: &[VoteRow],
) -> QueryResult<Result<VoteRow, VoteOutcome>> {
    use crate::domain::calendar::local_date;
    use chrono::Timelike;
    let mut dossier_id = None;
    let mut procedure_id = None;
    if let Some(code) = &input.dossier_code {
        let dossier = match super::dossiers::find_by_code(conn, code)? {
            Some(d) if d.office_id == *office_id || d.processing_office_id == *office_id => d,
            // Another office's dossier is reported like an unknown one: no existence leak.
            _ => {
                return Ok(Err(refused(
                    422,
                    ErrorCode::DossierNotAtThisOffice,
                    "no dossier with this code was handled at this office",
                )))
            }
        };
        let rated_now = pending
            .iter()
            .any(|p| p.dossier_id.as_ref() == Some(&dossier.id));
        if rated_now || dossier_rated(conn, &dossier.id)? {
            return Ok(Err(refused(
                409,
                ErrorCode::DossierAlreadyRated,
                "this dossier has already been rated",
            )));
        }
        dossier_id = Some(dossier.id);
        procedure_id = Some(dossier.procedure_id);
    }
    if let Some(clerk_id) = &input.clerk_id {
        let works_here = super::users::find(conn, clerk_id)?
            .is_some_and(|u| u.office_id.as_ref() == Some(office_id));
        if !works_here {
            return Ok(Err(refused(
                422,
                ErrorCode::ClerkNotAtThisOffice,
                "no clerk with this id works at this office",
            )));
        }
    }
    if dossier_id.is_none() && repeat_guard > chrono::Duration::zero() {
        let cast_at = input.cast_at.naive_utc();
        let stored = previous_cast_at(conn, kiosk_id, &input.id, cast_at)?;
        let in_group = pending
            .iter()
            .filter(|p| p.kiosk_id == *kiosk_id && p.cast_at <= cast_at)
            .map(|p| p.cast_at)
            .max();
        let previous = stored.max(in_group);
        if crate::domain::satisfaction::is_repeat_press(
            previous.map(|p| p.and_utc()),
            input.cast_at,
            repeat_guard,
        ) {
            return Ok(Err(refused(
                409,
                ErrorCode::TooSoon,
                "a second tap right after the previous vote is not counted",
            )));
        }
    }
    // PostgreSQL keeps microseconds: answer with what a replay will read back.
    use chrono::SubsecRound;
    let (cast_at, now) = (input.cast_at.trunc_subsecs(6), now.trunc_subsecs(6));
    let local = cast_at.with_timezone(&crate::domain::calendar::vn_offset());
    Ok(Ok(VoteRow {
        id: input.id.clone(),
        kiosk_id: kiosk_id.to_owned(),
        office_id: office_id.to_owned(),
        rating: input.rating,
        cast_at: cast_at.naive_utc(),
        cast_date: local_date(cast_at),
        cast_hour: local.hour() as i32,
        received_at: now.naive_utc(),
        dossier_id,
        procedure_id,
        clerk_id: input.clerk_id.clone(),
        reason: input.reason.clone(),
        content_hash: input.content_hash(kiosk_id),
    }))
}
