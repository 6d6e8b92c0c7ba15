//! Queries on `dossiers`, `dossier_events` and `dossier_sequences`, and the mapping
//! between a stored dossier and the domain's [`DossierState`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::schema::{dossier_events, dossier_sequences, dossiers, procedures};
use super::union_all::{FirstInOrder, UnionAllOf};
use super::{is_unique_violation, AnyConnection};
use crate::domain::deadline::{Channel, Pause, Verdict};
use crate::domain::dossier::{DossierState, Outcome};
use crate::domain::ids::{DossierId, EventId, OfficeId, ProcedureId, UserId};
use crate::domain::lifecycle::Status;
use crate::domain::procedure::DeadlineUnit;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = dossiers, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct DossierRow {
    pub id: DossierId,
    pub code: String,
    pub office_id: OfficeId,
    pub processing_office_id: OfficeId,
    pub procedure_id: ProcedureId,
    pub channel: Channel,
    pub status: Status,
    pub applicant_name: String,
    pub applicant_name_folded: String,
    pub applicant_id_number: Option<String>,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub deadline_value: i32,
    pub deadline_unit: DeadlineUnit,
    pub submitted_at: NaiveDateTime,
    pub received_at: Option<NaiveDateTime>,
    pub due_at: Option<NaiveDateTime>,
    pub due_date: Option<NaiveDate>,
    pub pauses: String,
    pub paused_since: Option<NaiveDateTime>,
    pub supplement_requests: i32,
    pub appointment_date: Option<NaiveDate>,
    pub ended_at: Option<NaiveDateTime>,
    pub verdict: Option<Verdict>,
    pub outcome: Option<Outcome>,
    pub created_by: Option<UserId>,
    pub version: i32,
    pub last_event_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub rescheduled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: EventId,
    pub dossier_id: DossierId,
    pub version: i32,
    pub event_type: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor_id: Option<UserId>,
    pub at: NaiveDateTime,
    pub recorded_at: NaiveDateTime,
    pub back_dated: bool,
    pub note: Option<String>,
    pub data: String,
}

#[derive(Serialize, Deserialize)]
struct StoredPause {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

impl DossierRow {
    pub fn state(&self) -> DossierState {
        let pauses: Vec<StoredPause> = serde_json::from_str(&self.pauses).unwrap_or_default();
        DossierState {
            status: self.status,
            channel: self.channel,
            deadline_value: self.deadline_value,
            deadline_unit: self.deadline_unit,
            received_at: self.received_at.map(utc),
            processing_office_id: self.processing_office_id.clone(),
            pauses: pauses
                .into_iter()
                .map(|p| Pause {
                    from: p.from,
                    to: p.to,
                })
                .collect(),
            paused_since: self.paused_since.map(utc),
            supplement_requests: self.supplement_requests,
            appointment_date: self.appointment_date,
            rescheduled_at: self.rescheduled_at.map(utc),
            due_at: self.due_at.map(utc),
            due_date: self.due_date,
            ended_at: self.ended_at.map(utc),
            verdict: self.verdict,
            outcome: self.outcome,
        }
    }

    /// Copies the rule-owned fields back from the domain state.
    pub fn set_state(&mut self, state: &DossierState) {
        let pauses: Vec<StoredPause> = state
            .pauses
            .iter()
            .map(|p| StoredPause {
                from: p.from,
                to: p.to,
            })
            .collect();
        self.status = state.status;
        self.received_at = state.received_at.map(|t| t.naive_utc());
        self.processing_office_id = state.processing_office_id.clone();
        self.pauses = serde_json::to_string(&pauses).unwrap_or_else(|_| "[]".to_owned());
        self.paused_since = state.paused_since.map(|t| t.naive_utc());
        self.supplement_requests = state.supplement_requests;
        self.appointment_date = state.appointment_date;
        self.rescheduled_at = state.rescheduled_at.map(|t| t.naive_utc());
        self.due_at = state.due_at.map(|t| t.naive_utc());
        self.due_date = state.due_date;
        self.ended_at = state.ended_at.map(|t| t.naive_utc());
        self.verdict = state.verdict;
        self.outcome = state.outcome;
    }
}

/// The citizen, as the desk records them.
pub struct Applicant {
    pub name: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// What the desk records when a dossier is filed; the rest comes from the rules.
pub struct Filing<'a> {
    pub id: DossierId,
    pub office_id: &'a OfficeId,
    pub procedure: &'a super::procedures::ProcedureRow,
    pub channel: Channel,
    pub applicant: Applicant,
    pub clerk_id: &'a UserId,
    pub at: DateTime<Utc>,
    pub recorded_at: NaiveDateTime,
}

impl DossierRow {
    /// A dossier just filed, in `state` (from [`DossierState::filed`]), at version 1; its
    /// code comes with [`insert_with_next_code`].
    pub fn filed(filing: Filing<'_>, state: &DossierState) -> DossierRow {
        let a = filing.applicant;
        let mut row = DossierRow {
            id: filing.id,
            code: String::new(),
            office_id: filing.office_id.clone(),
            processing_office_id: filing.office_id.clone(),
            procedure_id: filing.procedure.id.clone(),
            channel: filing.channel,
            status: state.status,
            applicant_name_folded: crate::domain::text::fold(&a.name),
            applicant_name: a.name,
            applicant_id_number: a.id_number,
            applicant_phone: a.phone,
            applicant_email: a.email,
            applicant_address: a.address,
            deadline_value: filing.procedure.deadline_value,
            deadline_unit: filing.procedure.deadline_unit,
            submitted_at: filing.at.naive_utc(),
            received_at: None,
            due_at: None,
            due_date: None,
            pauses: "[]".to_owned(),
            paused_since: None,
            supplement_requests: 0,
            appointment_date: None,
            ended_at: None,
            verdict: None,
            outcome: None,
            created_by: Some(filing.clerk_id.clone()),
            version: 1,
            last_event_at: filing.at.naive_utc(),
            created_at: filing.recorded_at,
            updated_at: filing.recorded_at,
            rescheduled_at: None,
        };
        row.set_state(state);
        row
    }

    /// The timeline's first entry, for a row fresh from [`DossierRow::filed`]: the
    /// dossier received (or submitted online).
    pub fn filing_event(
        &self,
        event_id: EventId,
        procedure_code: &str,
        back_dated: bool,
    ) -> EventRow {
        EventRow {
            id: event_id,
            dossier_id: self.id.clone(),
            version: 1,
            event_type: self.status.as_str().to_owned(),
            from_status: None,
            to_status: self.status,
            actor_id: self.created_by.clone(),
            at: self.submitted_at,
            recorded_at: self.created_at,
            back_dated,
            note: None,
            data: serde_json::json!({
                "procedure_code": procedure_code,
                "channel": self.channel,
                "due_date": self.due_date,
            })
            .to_string(),
        }
    }
}

/// Takes the next number of the office's sequence for `day`, inside the caller's
/// transaction: gap-free (a rolled-back dossier gives its number back) and unique
/// across instances (the row lock serializes concurrent receipts on PostgreSQL; SQLite
/// writes are serialized by `BEGIN IMMEDIATE`).
pub fn next_sequence(
    conn: &mut AnyConnection,
    office_id: &OfficeId,
    day: NaiveDate,
) -> QueryResult<i32> {
    let bump = |conn: &mut AnyConnection| {
        diesel::update(dossier_sequences::table.find((office_id, day)))
            .set(dossier_sequences::last_value.eq(dossier_sequences::last_value + 1))
            .execute(conn)
    };
    if bump(conn)? == 0 {
        // First dossier of the day here. A concurrent first insert makes ours fail: the
        // savepoint keeps the transaction usable on PostgreSQL, then we bump theirs.
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(dossier_sequences::table)
                .values((
                    dossier_sequences::office_id.eq(office_id),
                    dossier_sequences::day.eq(day),
                    dossier_sequences::last_value.eq(1),
                ))
                .execute(conn)
        });
        match inserted {
            Ok(_) => return Ok(1),
            Err(e) if is_unique_violation(&e) => {
                bump(conn)?;
            }
            Err(e) => return Err(e),
        }
    }
    dossier_sequences::table
        .find((office_id, day))
        .select(dossier_sequences::last_value)
        .first(conn)
}

/// Stores a new dossier under the next free code of its office's sequence for `day`
/// (`code_of(sequence)`), in the caller's transaction. Numbering and storing are one step: a code that is taken already
/// (another office once had this agency code, or an import brought it) moves the
/// sequence on, so a collision never reaches the desk as an error.
pub fn insert_with_next_code(
    conn: &mut AnyConnection,
    row: &mut DossierRow,
    day: NaiveDate,
    code_of: impl Fn(i32) -> String,
) -> QueryResult<()> {
    loop {
        row.code = code_of(next_sequence(conn, &row.office_id, day)?);
        if insert_unless_code_taken(conn, row)? {
            return Ok(());
        }
    }
}

/// `INSERT … ON CONFLICT (code) DO NOTHING`: whether the row went in.
fn insert_unless_code_taken(conn: &mut AnyConnection, row: &DossierRow) -> QueryResult<bool> {
    let insert = diesel::insert_into(dossiers::table)
        .values(row)
        .on_conflict(dossiers::code)
        .do_nothing();
    let inserted = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => insert.execute(c)?,
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => insert.execute(c)?,
    };
    Ok(inserted == 1)
}

/// Saves a changed dossier if it is still at `before`'s version (optimistic
/// concurrency; `false` when someone else saved first).
pub fn update_if_version(
    conn: &mut AnyConnection,
    before: &DossierRow,
    row: &DossierRow,
) -> QueryResult<bool> {
    let updated = diesel::update(
        dossiers::table
            .filter(dossiers::id.eq(&row.id))
            .filter(dossiers::version.eq(before.version)),
    )
    .set(row)
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn find(conn: &mut AnyConnection, id: &DossierId) -> QueryResult<Option<DossierRow>> {
    let row = dossiers::table
        .find(id)
        .select(DossierRow::as_select())
        .first(conn)
        .optional();
    super::naming_row(row, "dossier", id.as_str())
}

pub fn find_by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<DossierRow>> {
    let row = dossiers::table
        .filter(dossiers::code.eq(code))
        .select(DossierRow::as_select())
        .first(conn)
        .optional();
    super::naming_row(row, "dossier", code)
}

pub fn insert_event(conn: &mut AnyConnection, row: &EventRow) -> QueryResult<()> {
    diesel::insert_into(dossier_events::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn events(conn: &mut AnyConnection, dossier_id: &DossierId) -> QueryResult<Vec<EventRow>> {
    dossier_events::table
        .filter(dossier_events::dossier_id.eq(dossier_id))
        .select(EventRow::as_select())
        .order(dossier_events::version.asc())
        .load(conn)
}

/// Dossiers whose due date follows the calendar: received and not ended.
pub fn open_received(conn: &mut AnyConnection) -> QueryResult<Vec<DossierRow>> {
    dossiers::table
        .filter(dossiers::received_at.is_not_null())
        .filter(dossiers::ended_at.is_null())
        .select(DossierRow::as_select())
        .load(conn)
}

/// Dossiers whose clock runs: received, processing or waiting for the fee (not for the
/// citizen, not ended). A literal, not bound values: the planner must see that it
/// matches the partial index `dossiers_running_due` (migrations 000008, 000010, 000011).
pub(super) fn clock_running() -> super::const_sql::ConstSql<diesel::sql_types::Bool> {
    super::const_sql::const_sql("dossiers.status IN ('received', 'processing', 'fee_requested')")
}

/// [`clock_running`] as SQLite's `dossiers_running_by_due` is declared (migration
/// 000028): with a unary plus, so that no index that leads with the status serves it.
pub(super) fn clock_running_by_due() -> super::const_sql::ConstSql<diesel::sql_types::Bool> {
    super::const_sql::const_sql("+dossiers.status IN ('received', 'processing', 'fee_requested')")
}

/// Ids of the offices in a subtree (a province has a few hundred at most).
pub fn subtree_office_ids(conn: &mut AnyConnection, path: &str) -> QueryResult<Vec<OfficeId>> {
    use super::schema::offices;
    offices::table
        .filter(offices::path.ge(path))
        .filter(offices::path.lt(super::subtree_upper_bound(path)))
        .select(offices::id)
        .load(conn)
}

/// What a worklist shows of a dossier: only these columns are read, since a list of a
/// busy subtree holds many rows.
#[derive(Debug, Queryable)]
pub struct WorkRow {
    pub id: DossierId,
    pub code: String,
    pub status: Status,
    pub applicant_name: String,
    pub office_id: OfficeId,
    pub processing_office_id: OfficeId,
    pub due_date: Option<NaiveDate>,
    pub appointment_date: Option<NaiveDate>,
    pub procedure_code: String,
    pub procedure_name: String,
}

/// Open dossiers whose clock runs (not waiting for the citizen) that these offices must
/// act on, due in `[due_from, due_before)`, earliest first (by due date, then id), and
/// after the `(due date, id)` of the previous page's last row if given. On SQLite a
/// district's offices are read one by one, each a page from the top of
/// `dossiers_running_due`, and merged: the page does not grow with how many are overdue.
pub fn due_between(
    conn: &mut AnyConnection,
    processing_offices: Option<Vec<OfficeId>>,
    due_from: Option<NaiveDate>,
    due_before: NaiveDate,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> QueryResult<Vec<WorkRow>> {
    // The list's rows of these offices (all when `None`), without order or limit.
    let rows_of = |offices: Option<Vec<OfficeId>>| {
        // `dossiers_running_due` holds every column read here (migration 000011): the
        // page is read from the index alone.
        let mut query = dossiers::table
            .inner_join(procedures::table)
            .filter(clock_running())
            .filter(dossiers::due_date.lt(due_before))
            .select((
                dossiers::id,
                dossiers::code,
                dossiers::status,
                dossiers::applicant_name,
                dossiers::office_id,
                dossiers::processing_office_id,
                dossiers::due_date,
                dossiers::appointment_date,
                procedures::code,
                procedures::name,
            ))
            .into_boxed();
        if let Some(offices) = offices {
            query = query.filter(dossiers::processing_office_id.eq_any(offices));
        }
        if let Some(from) = due_from {
            query = query.filter(dossiers::due_date.ge(from));
        }
        if let Some((due, id)) = after.clone() {
            query = query.filter(
                dossiers::due_date
                    .gt(due)
                    .or(dossiers::due_date.eq(due).and(dossiers::id.gt(id))),
            );
        }
        query
    };
    // PostgreSQL reads the index for all the offices at once; SQLite would read every
    // office's rows and sort them, so it merges the offices' rows, each in the list's
    // order from the index, as it reads them.
    let office_by_office = match conn {
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => true,
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => false,
    };
    match processing_offices {
        Some(offices) if office_by_office && offices.len() <= OFFICE_BY_OFFICE => {
            // An equality, not `IN`: diesel keeps the statement prepared.
            let arms = offices
                .into_iter()
                .map(|office| rows_of(None).filter(dossiers::processing_office_id.eq(office)))
                .collect();
            FirstInOrder {
                arms: UnionAllOf(arms),
                // Due date, then id: the 7th and 1st columns selected above.
                order_by: "7, 1",
                limit,
            }
            .load(conn)
        }
        offices => rows_of(offices)
            .order((dossiers::due_date.asc(), dossiers::id.asc()))
            .limit(limit)
            .load(conn),
    }
}

/// Scopes of at most this many offices (a district and its communes) are read office
/// by office ([`super::dossier_list`] does the same).
pub(super) const OFFICE_BY_OFFICE: usize = 40;
