//! Dossiers: filing one, recording each step of its life, reading it back within the
//! caller's reach, and following a calendar change. Every change counts itself in the
//! dashboards' counters ([`db::stats::apply`]) in its own transaction.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{ServiceError, ServiceResult};
use crate::auth::Actor;
use crate::db::calendar::CalendarCache;
use crate::db::dossier_list::DossierFilter;
use crate::db::dossiers::{Applicant, DossierRow, EventRow, Filing};
use crate::db::offices::OfficeRow;
use crate::db::procedures::ProcedureRow;
use crate::db::{self, AnyConnection};
use crate::domain::calendar::{local_date, Calendar, OfficeHours};
use crate::domain::codes::dossier_code;
use crate::domain::deadline::{Channel, Explanation};
use crate::domain::dossier::{
    apply, check_back_dating, check_event_time, DossierState, Event, EventError,
};
use crate::domain::ids::{DossierId, EventId, OfficeId, ProcedureId, UserId};
use crate::domain::lifecycle::{allowed_events, EventType, Status};
use crate::domain::office::root_of;
use crate::error_code::ErrorCode;

/// The settings the dossier workflows follow.
pub struct Rules<'a> {
    pub calendar: &'a CalendarCache,
    pub office_hours: OfficeHours,
    /// How far back managers may date a receipt or a step.
    pub back_dating: chrono::Duration,
    /// Transfers only to offices of the dossier's own province tree.
    pub transfers_within_province: bool,
}

impl Rules<'_> {
    fn calendar(&self, conn: &mut AnyConnection) -> ServiceResult<Arc<Calendar>> {
        Ok(self.calendar.load(conn, self.office_hours)?)
    }
}

/// The procedure a filing names.
pub enum ProcedureRef {
    Id(ProcedureId),
    Code(String),
}

/// A dossier as the desk files it (fields already checked for shape).
pub struct NewDossier {
    pub office_id: OfficeId,
    pub procedure: ProcedureRef,
    pub channel: Channel,
    /// `received` at the desk, or `submitted` online.
    pub status: Status,
    pub applicant: Applicant,
    /// Back-entry of a paper record: when it was really received.
    pub received_at: Option<DateTime<Utc>>,
}

/// A step to record on a dossier (fields already checked for shape).
pub struct Step {
    pub event: Event,
    pub note: Option<String>,
    pub reason: Option<String>,
    /// Back-entry: when it really happened.
    pub at: Option<DateTime<Utc>>,
    /// Refused with a conflict when the dossier has moved on since this version.
    pub expected_version: Option<i32>,
}

/// A dossier as its reader may see it.
pub struct Seen {
    pub row: DossierRow,
    /// The reader works at one of its two offices: identifiers shown in full.
    pub full_identity: bool,
}

fn seen(actor: &Actor, row: DossierRow) -> Seen {
    let full_identity = actor.is_staff_of(&row.office_id, &row.processing_office_id);
    Seen { row, full_identity }
}

/// A dossier opened on its own: with the steps its reader may record now, so a page
/// offers only those.
pub struct Opened {
    pub seen: Seen,
    pub actions: Vec<EventType>,
}

/// The steps `actor` may record on `row` now: those its status allows, less the
/// decisions that belong to another office after a transfer.
fn opened(actor: &Actor, seen: Seen, processing: &OfficeRow) -> Opened {
    let actions = allowed_events(seen.row.status)
        .into_iter()
        .filter(|event| actor.ensure_may_record(*event, processing).is_ok())
        .collect();
    Opened { seen, actions }
}

/// The office deciding a dossier now.
fn processing_office(conn: &mut AnyConnection, row: &DossierRow) -> ServiceResult<OfficeRow> {
    db::offices::find(conn, &row.processing_office_id)?.ok_or_else(|| {
        ServiceError::Internal(format!("dossier {} has no processing office", row.id))
    })
}

/// A visible dossier with the steps the actor may record on it now.
pub fn open(conn: &mut AnyConnection, actor: &Actor, id_or_code: &str) -> ServiceResult<Opened> {
    let seen = visible(conn, actor, id_or_code)?;
    let processing = processing_office(conn, &seen.row)?;
    Ok(opened(actor, seen, &processing))
}

fn office_not_found(what: &str) -> ServiceError {
    ServiceError::NotFound(ErrorCode::OfficeNotFound, format!("{what} does not exist"))
}

/// Files a dossier: numbered, its deadline computed, its first timeline entry written
/// and counted, in the caller's write transaction.
pub fn file(
    conn: &mut AnyConnection,
    rules: &Rules<'_>,
    actor: &Actor,
    new: NewDossier,
    now: DateTime<Utc>,
) -> ServiceResult<Opened> {
    let at = new.received_at.unwrap_or(now);
    check_event_time(at, None, now)
        .map_err(|e| ServiceError::field("received_at", e.to_string()))?;
    let office =
        db::offices::find(conn, &new.office_id)?.ok_or_else(|| office_not_found("the office"))?;
    if !actor.covers(&office.id, &office.path) {
        return Err(crate::auth::Denied::default().into());
    }
    if new.received_at.is_some() {
        check_back_dating(at, now, rules.back_dating, office.opened_on)
            .map_err(|e| ServiceError::field("received_at", e.to_string()))?;
    }
    let procedure = find_procedure(conn, &new.procedure)?;
    let calendar = rules.calendar(conn)?;
    let state = DossierState::filed(
        new.status,
        new.channel,
        procedure.deadline_value,
        procedure.deadline_unit,
        &office.id,
        at,
        &calendar,
    );
    let day = local_date(at);
    let mut row = DossierRow::filed(
        Filing {
            id: DossierId::new(),
            office_id: &office.id,
            procedure: &procedure,
            channel: new.channel,
            applicant: new.applicant,
            clerk_id: &actor.user_id,
            at,
            recorded_at: now.naive_utc(),
        },
        &state,
    );
    db::dossiers::insert_with_next_code(conn, &mut row, day, |sequence| {
        dossier_code(&office.code, day, sequence)
    })?;
    db::stats::apply(conn, None, &row)?;
    let event = row.filing_event(EventId::new(), &procedure.code, new.received_at.is_some());
    db::dossiers::insert_event(conn, &event)?;
    Ok(opened(actor, seen(actor, row), &office))
}

fn find_procedure(
    conn: &mut AnyConnection,
    procedure: &ProcedureRef,
) -> ServiceResult<ProcedureRow> {
    match procedure {
        ProcedureRef::Id(id) => db::procedures::find(conn, id)?,
        ProcedureRef::Code(code) => db::procedures::find_by_code(conn, code)?,
    }
    .ok_or_else(|| {
        ServiceError::NotFound(
            ErrorCode::ProcedureNotFound,
            "procedure not found".to_owned(),
        )
    })
}

/// Records one step on a dossier the actor may act on, by the lifecycle's rules, with
/// its timeline entry and its counters, in the caller's write transaction.
pub fn record(
    conn: &mut AnyConnection,
    rules: &Rules<'_>,
    actor: &Actor,
    id_or_code: &str,
    step: Step,
    now: DateTime<Utc>,
) -> ServiceResult<Opened> {
    let mut row = visible(conn, actor, id_or_code)?.row;
    if let Some(expected) = step.expected_version.filter(|v| *v != row.version) {
        return Err(ServiceError::Conflict(
            ErrorCode::VersionConflict,
            format!(
                "the dossier is at version {}, not {expected}; reload it",
                row.version
            ),
        ));
    }
    let mut processing = processing_office(conn, &row)?;
    actor.ensure_may_record(step.event.event_type(), &processing)?;
    let at = step.at.unwrap_or(now);
    if step.at.is_some() {
        check_back_dating(at, now, rules.back_dating, None).map_err(event_error)?;
    }
    check_event_time(at, Some(row.last_event_at.and_utc()), now).map_err(event_error)?;
    if let Event::Transfer { to_office_id } = &step.event {
        let target = db::offices::find(conn, to_office_id)?
            .ok_or_else(|| office_not_found("the target office"))?;
        if rules.transfers_within_province && root_of(&target.path) != root_of(&processing.path) {
            return Err(ServiceError::field(
                "to_office_id",
                "a dossier is transferred only within its own province",
            ));
        }
        processing = target;
    }
    let calendar = rules.calendar(conn)?;
    let stored = row.clone();
    let before = row.state();
    let after = apply(&before, &step.event, at, &calendar).map_err(event_error)?;
    row.set_state(&after);
    row.version += 1;
    row.last_event_at = at.naive_utc();
    row.updated_at = now.naive_utc();
    save(
        conn,
        &stored,
        &row,
        "the dossier changed meanwhile; reload it",
    )?;
    db::dossiers::insert_event(
        conn,
        &EventRow {
            id: EventId::new(),
            dossier_id: row.id.clone(),
            version: row.version,
            event_type: step.event.event_type().as_str().to_owned(),
            from_status: Some(before.status),
            to_status: after.status,
            actor_id: Some(actor.user_id.clone()),
            at: at.naive_utc(),
            recorded_at: now.naive_utc(),
            back_dated: step.at.is_some(),
            note: step.note,
            data: event_data(&step.event, step.reason, &after),
        },
    )?;
    Ok(opened(actor, seen(actor, row), &processing))
}

/// Saves a changed dossier if nobody saved it since `stored`, and moves its counts.
fn save(
    conn: &mut AnyConnection,
    stored: &DossierRow,
    row: &DossierRow,
    conflict: &str,
) -> ServiceResult<()> {
    if !db::dossiers::update_if_version(conn, stored, row)? {
        return Err(ServiceError::Conflict(
            ErrorCode::VersionConflict,
            conflict.to_owned(),
        ));
    }
    Ok(db::stats::apply(conn, Some(stored), row)?)
}

/// What a timeline entry keeps of a step besides its statuses, as JSON.
fn event_data(event: &Event, reason: Option<String>, after: &DossierState) -> String {
    let mut data = serde_json::Map::new();
    let mut put = |key: &str, value: serde_json::Value| {
        if !value.is_null() {
            data.insert(key.to_owned(), value);
        }
    };
    match event {
        Event::Transfer { to_office_id } => put("to_office_id", to_office_id.as_str().into()),
        Event::Resolve { outcome } => put("outcome", outcome.as_str().into()),
        Event::Reschedule {
            new_appointment_date,
        } => put(
            "new_appointment_date",
            new_appointment_date.to_string().into(),
        ),
        _ => {}
    }
    put("reason", reason.into());
    put("due_date", after.due_date.map(|d| d.to_string()).into());
    put("verdict", after.verdict.map(|v| v.as_str()).into());
    serde_json::Value::Object(data).to_string()
}

fn event_error(err: EventError) -> ServiceError {
    let detail = err.to_string();
    match err {
        EventError::InvalidTransition { .. } => {
            ServiceError::Conflict(ErrorCode::InvalidTransition, detail)
        }
        EventError::AlreadyRescheduled => {
            ServiceError::Conflict(ErrorCode::AlreadyRescheduled, detail)
        }
        EventError::TooLateToReschedule { .. } => {
            ServiceError::Conflict(ErrorCode::TooLateToReschedule, detail)
        }
        EventError::AppointmentNotAfterDueDate { .. }
        | EventError::AppointmentNotWorkingDay
        | EventError::AppointmentTooFar { .. } => {
            ServiceError::field("new_appointment_date", detail)
        }
        EventError::TimeOutOfOrder { .. }
        | EventError::TimeInFuture
        | EventError::TooFarBack { .. }
        | EventError::BeforeOfficeOpened { .. } => ServiceError::field("at", detail),
    }
}

/// A dossier by id or code, if the actor may see it; otherwise "not found", so that its
/// existence does not leak.
pub fn visible(conn: &mut AnyConnection, actor: &Actor, id_or_code: &str) -> ServiceResult<Seen> {
    let row = match DossierId::parse(id_or_code) {
        Ok(id) => db::dossiers::find(conn, &id)?,
        Err(_) => db::dossiers::find_by_code(conn, id_or_code)?,
    };
    let not_found =
        || ServiceError::NotFound(ErrorCode::DossierNotFound, "dossier not found".to_owned());
    let row = row.ok_or_else(not_found)?;
    let path_of = |id: &OfficeId| db::offices::find(conn, id).map(|o| o.map(|o| o.path));
    if actor.sees_dossier(&row.office_id, &row.processing_office_id, path_of)? {
        Ok(seen(actor, row))
    } else {
        Err(not_found())
    }
}

/// A visible dossier's timeline, oldest first, with the full name of whoever recorded
/// each step (absent for the system's own entries).
pub fn timeline(
    conn: &mut AnyConnection,
    actor: &Actor,
    id_or_code: &str,
) -> ServiceResult<Vec<(EventRow, Option<String>)>> {
    let row = visible(conn, actor, id_or_code)?.row;
    let events = db::dossiers::events(conn, &row.id)?;
    let mut actors: Vec<String> = events
        .iter()
        .filter_map(|e| e.actor_id.as_ref().map(ToString::to_string))
        .collect();
    actors.sort_unstable();
    actors.dedup();
    let names = db::users::full_names(conn, &actors)?;
    Ok(events
        .into_iter()
        .map(|event| {
            let name = event
                .actor_id
                .as_ref()
                .and_then(|id| names.get(&id.to_string()).cloned());
            (event, name)
        })
        .collect())
}

/// What the receipt (Mẫu 01, "giấy tiếp nhận hồ sơ và hẹn trả kết quả") prints.
pub struct Receipt {
    pub seen: Seen,
    pub office: OfficeRow,
    /// The office above the receiving one, named in the receipt's header.
    pub parent: Option<OfficeRow>,
    pub procedure: ProcedureRow,
    /// Who received it, when the account still exists.
    pub clerk: Option<String>,
}

/// A visible, received dossier's receipt; a dossier filed online and not yet accepted
/// has none.
pub fn receipt(
    conn: &mut AnyConnection,
    actor: &Actor,
    id_or_code: &str,
) -> ServiceResult<Receipt> {
    let seen = visible(conn, actor, id_or_code)?;
    let row = &seen.row;
    if row.received_at.is_none() {
        return Err(ServiceError::Conflict(
            ErrorCode::InvalidTransition,
            "the dossier is not received yet: accept it first".to_owned(),
        ));
    }
    let missing = |what: &str| ServiceError::Internal(format!("dossier {} has no {what}", row.id));
    let office = db::offices::find(conn, &row.office_id)?.ok_or_else(|| missing("office"))?;
    let parent = match &office.parent_id {
        Some(id) => db::offices::find(conn, id)?,
        None => None,
    };
    let procedure =
        db::procedures::find(conn, &row.procedure_id)?.ok_or_else(|| missing("procedure"))?;
    let clerk = match &row.created_by {
        Some(id) => db::users::find(conn, id)?.map(|user| user.full_name),
        None => None,
    };
    Ok(Receipt {
        seen,
        office,
        parent,
        procedure,
        clerk,
    })
}

/// A visible dossier with the explanation of its due date (absent before receipt).
pub fn deadline(
    conn: &mut AnyConnection,
    rules: &Rules<'_>,
    actor: &Actor,
    id_or_code: &str,
) -> ServiceResult<(DossierRow, Option<Explanation>)> {
    let row = visible(conn, actor, id_or_code)?.row;
    let calendar = rules.calendar(conn)?;
    let explanation = row.state().deadline(&calendar).map(|d| d.explanation);
    Ok((row, explanation))
}

/// A page of the dossiers within the actor's scope that match `filter` (its `offices`
/// is set here), newest first; with `within`, only those of that office's subtree,
/// which must be within the actor's scope.
pub fn list(
    conn: &mut AnyConnection,
    actor: &Actor,
    mut filter: DossierFilter,
    within: Option<OfficeId>,
    limit: i64,
) -> ServiceResult<Vec<DossierRow>> {
    let visible = actor.visible_offices(|path| db::dossiers::subtree_office_ids(conn, path))?;
    filter.offices = match within {
        None => visible,
        Some(id) => {
            let office = db::offices::find(conn, &id)?
                .filter(|office| actor.covers(&office.id, &office.path))
                .ok_or_else(|| office_not_found("the office"))?;
            let mut subtree = db::dossiers::subtree_office_ids(conn, &office.path)?;
            if let Some(visible) = visible {
                subtree.retain(|id| visible.contains(id));
            }
            Some(subtree)
        }
    };
    Ok(db::dossier_list::list(conn, &filter, limit)?)
}

/// What a citizen may see of a dossier by its code: the dossier and its procedure.
pub fn public_status(
    conn: &mut AnyConnection,
    code: &str,
) -> ServiceResult<(DossierRow, ProcedureRow)> {
    let not_found = || {
        ServiceError::NotFound(
            ErrorCode::DossierNotFound,
            "no dossier has this code".to_owned(),
        )
    };
    let row = db::dossiers::find_by_code(conn, code)?.ok_or_else(not_found)?;
    let procedure = db::procedures::find(conn, &row.procedure_id)?.ok_or_else(not_found)?;
    Ok((row, procedure))
}

/// Follows a calendar change: every open dossier's due date is computed again, with a
/// timeline entry on each that moved. Ended dossiers keep their due date and verdict.
pub fn recompute_open(
    conn: &mut AnyConnection,
    calendar: &Calendar,
    actor_id: &UserId,
    why: &str,
) -> ServiceResult<usize> {
    let now = Utc::now();
    let mut moved = 0;
    for mut row in db::dossiers::open_received(conn)? {
        let before = row.state();
        let mut after = before.clone();
        after.recompute_deadline(calendar);
        if after.due_at == before.due_at {
            continue;
        }
        let stored = row.clone();
        row.set_state(&after);
        row.version += 1;
        row.updated_at = now.naive_utc();
        save(conn, &stored, &row, "a dossier changed meanwhile; retry")?;
        let data = serde_json::json!({
            "previous_due_date": before.due_date,
            "due_date": after.due_date,
            "due_at": after.due_at,
        });
        db::dossiers::insert_event(
            conn,
            &EventRow {
                id: EventId::new(),
                dossier_id: row.id.clone(),
                version: row.version,
                event_type: "deadline_recomputed".to_owned(),
                from_status: Some(row.status),
                to_status: row.status,
                actor_id: Some(actor_id.clone()),
                at: now.naive_utc(),
                recorded_at: now.naive_utc(),
                back_dated: false,
                note: Some(why.to_owned()),
                data: data.to_string(),
            },
        )?;
        moved += 1;
    }
    Ok(moved)
}
