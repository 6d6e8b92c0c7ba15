//! Dossiers: receipt, every step until the result is handed back, the timeline, the
//! deadline explanation, search, and the citizens' public lookup.

use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{clean_name, clean_text, fail_if_any, into_page, page_size, resource, utc, Page};
use crate::auth::{Actor, Scope};
use crate::db::{self, dossiers::DossierRow, dossiers::EventRow, AnyConnection};
use crate::domain::account::Role;
use crate::domain::calendar::{local_date, local_instant, Calendar};
use crate::domain::codes::dossier_code;
use crate::domain::deadline::{Channel, Explanation, Verdict};
use crate::domain::dossier::{
    apply, check_back_dating, check_event_time, DossierState, Event, EventError, Outcome,
};
use crate::domain::ids::{DossierId, EventId, OfficeId, ProcedureId};
use crate::domain::lifecycle::{EventType, Status};
use crate::domain::office::root_of;
use crate::domain::text::{fold, mask};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    #[schema(
        example = "Nguyễn Văn An",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: String,
    /// Citizen ID (CCCD): 12 digits.
    #[schema(example = "079201001234", pattern = r"^[0-9]{12}$")]
    pub id_number: Option<String>,
    /// Vietnamese phone number: 0 or +84 followed by 9-10 digits.
    #[schema(example = "0912345678", pattern = r"^(0|\+84)[0-9]{9,10}$")]
    pub phone: Option<String>,
    #[schema(
        example = "an.nguyen@example.vn",
        max_length = 254,
        pattern = r"^[^@\s\u0000-\u001F]+@[^@\s\u0000-\u001F]+\.[^@\s\u0000-\u001F]+$"
    )]
    pub email: Option<String>,
    #[schema(
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub address: Option<String>,
}

/// How a dossier enters the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InitialStatus {
    /// Accepted at the desk: receipt issued, the clock starts.
    Received,
    /// Filed online, waiting for the desk to accept it (online channel only).
    Submitted,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDossier {
    /// The procedure, by id or by code (one of the two).
    pub procedure_id: Option<uuid::Uuid>,
    #[schema(example = "1.000948")]
    pub procedure_code: Option<String>,
    /// The receiving office; defaults to the caller's own.
    pub office_id: Option<uuid::Uuid>,
    pub channel: Channel,
    pub applicant: ApplicantInput,
    /// Back-entry and imports (managers and admins): when the dossier was really
    /// received. Never in the future.
    pub received_at: Option<DateTime<Utc>>,
    /// Default `received`.
    pub status: Option<InitialStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicantView {
    pub name: String,
    /// Masked (`********1234`) except in the single-dossier view for the office's own staff.
    pub id_number: Option<String>,
    /// Masked like `id_number`.
    pub phone: Option<String>,
    /// Only in the single-dossier view.
    pub email: Option<String>,
    /// Only in the single-dossier view.
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DossierView {
    pub id: uuid::Uuid,
    /// `{agency code}-{YYMMDD}-{NNNN}`.
    #[schema(example = "000.00.00.H56-260213-0001")]
    pub code: String,
    pub status: Status,
    /// The national portal's status code (1-10).
    pub status_code: i32,
    /// The receiving office.
    pub office_id: uuid::Uuid,
    /// The office deciding now (another one after a transfer).
    pub processing_office_id: uuid::Uuid,
    pub procedure_id: uuid::Uuid,
    pub channel: Channel,
    pub applicant: ApplicantView,
    pub submitted_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    /// The legal deadline (moves later while the clock is paused for a supplement).
    pub due_at: Option<DateTime<Utc>>,
    /// Local date of `due_at`: the date the verdict is judged against.
    pub due_date: Option<NaiveDate>,
    /// What the citizen was told: the new appointment after an apology letter, else the due date.
    pub appointment_date: Option<NaiveDate>,
    pub rescheduled: bool,
    /// Waiting for the citizen's supplement since then (the clock is paused).
    pub paused_since: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub ended_at: Option<DateTime<Utc>>,
    /// Frozen when processing ends.
    pub verdict: Option<Verdict>,
    pub outcome: Option<Outcome>,
    /// Increases with every event; send it back as `expected_version`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRequest {
    #[serde(rename = "type")]
    pub event_type: EventType,
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Refused with 409 when the dossier has moved on since this version.
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    pub expected_version: Option<i32>,
    /// Back-entry and imports (managers and admins): when it really happened; not in
    /// the future, not before the previous event.
    pub at: Option<DateTime<Utc>>,
    /// `transfer`: the office that will decide.
    pub to_office_id: Option<uuid::Uuid>,
    /// `resolve`.
    pub outcome: Option<Outcome>,
    /// `refuse`, `withdraw`, `stop`, `reschedule`.
    #[schema(
        max_length = 2000,
        pattern = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub reason: Option<String>,
    /// `reschedule`: the new appointment, a working day after the due date.
    pub new_appointment_date: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: uuid::Uuid,
    /// The dossier's version after this event.
    pub version: i32,
    /// An event type, or `received` / `submitted` (filing) and `deadline_recomputed` (calendar change).
    #[serde(rename = "type")]
    pub event_type: String,
    pub from_status: Option<Status>,
    pub to_status: Status,
    pub actor_id: Option<uuid::Uuid>,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// When it was recorded; differs from `at` for back-entry and imports.
    pub recorded_at: DateTime<Utc>,
    pub back_dated: bool,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineView {
    pub dossier_id: uuid::Uuid,
    pub status: Status,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub appointment_date: Option<NaiveDate>,
    pub paused_since: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub verdict: Option<Verdict>,
    /// Counted days, skipped days and why, pauses. Absent before receipt.
    pub explanation: Option<Explanation>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDossierView {
    pub code: String,
    pub status: Status,
    pub status_code: i32,
    pub procedure_name: String,
    pub received_date: Option<NaiveDate>,
    /// When the result is expected.
    pub appointment_date: Option<NaiveDate>,
    /// The result is waiting at the desk.
    pub ready: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DossierQuery {
    /// Received at, or being processed by, this office.
    pub office_id: Option<uuid::Uuid>,
    pub status: Option<Status>,
    pub procedure_id: Option<uuid::Uuid>,
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub field: Option<String>,
    pub verdict: Option<Verdict>,
    /// Only open dossiers past their due date (not those waiting for a supplement).
    pub overdue: Option<bool>,
    /// Received on or after this local date.
    pub received_from: Option<NaiveDate>,
    /// Received on or before this local date.
    pub received_to: Option<NaiveDate>,
    /// Code or applicant name, accents and case ignored.
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub cursor: Option<String>,
}

/// Whether the actor works at the dossier's receiving or processing office itself
/// (and may see the applicant's identifiers in full).
fn is_own_staff(actor: &Actor, row: &DossierRow) -> bool {
    actor
        .office_id
        .as_ref()
        .is_some_and(|own| *own == row.office_id || *own == row.processing_office_id)
}

fn view(row: DossierRow, full_identity: bool) -> DossierView {
    let state = row.state();
    let shown = |value: Option<String>| {
        if full_identity {
            value
        } else {
            value.as_deref().map(mask)
        }
    };
    DossierView {
        id: row.id.uuid(),
        status: state.status,
        status_code: state.status.portal_code(),
        office_id: row.office_id.uuid(),
        processing_office_id: row.processing_office_id.uuid(),
        procedure_id: row.procedure_id.uuid(),
        channel: state.channel,
        applicant: ApplicantView {
            name: row.applicant_name,
            id_number: shown(row.applicant_id_number),
            phone: shown(row.applicant_phone),
            email: row.applicant_email.filter(|_| full_identity),
            address: row.applicant_address.filter(|_| full_identity),
        },
        submitted_at: utc(row.submitted_at),
        received_at: state.received_at,
        due_at: state.due_at,
        due_date: state.due_date,
        appointment_date: state.appointment(),
        rescheduled: state.appointment_date.is_some(),
        paused_since: state.paused_since,
        supplement_requests: state.supplement_requests,
        ended_at: state.ended_at,
        verdict: state.verdict,
        outcome: state.outcome,
        version: row.version,
        code: row.code,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    }
}

/// The offices whose dossiers the actor sees, `None` for all.
fn scope_offices(conn: &mut AnyConnection, actor: &Actor) -> ApiResult<Option<Vec<OfficeId>>> {
    Ok(match actor.scope() {
        Scope::All => None,
        Scope::Subtree(path) => Some(db::dossiers::subtree_office_ids(conn, &path)?),
        Scope::Office(id) => Some(vec![id]),
    })
}

/// Loads a dossier by id or code if the actor may see it; otherwise "not found".
fn visible_dossier(
    conn: &mut AnyConnection,
    actor: &Actor,
    id_or_code: &str,
) -> ApiResult<DossierRow> {
    let row = match DossierId::parse(id_or_code) {
        Ok(id) => db::dossiers::find(conn, &id)?,
        Err(_) => db::dossiers::find_by_code(conn, id_or_code)?,
    };
    let not_found =
        || ApiError::NotFound(ErrorCode::DossierNotFound, "dossier not found".to_owned());
    let row = row.ok_or_else(not_found)?;
    let visible = match actor.scope() {
        Scope::All => true,
        Scope::Office(own) => own == row.office_id || own == row.processing_office_id,
        Scope::Subtree(_) => {
            [&row.office_id, &row.processing_office_id]
                .into_iter()
                .any(|office_id| {
                    db::offices::find(conn, office_id)
                        .ok()
                        .flatten()
                        .is_some_and(|o| actor.covers(&o.id, &o.path))
                })
        }
    };
    if visible {
        Ok(row)
    } else {
        Err(not_found())
    }
}

fn validate_applicant(errors: &mut Vec<FieldError>, a: &ApplicantInput) -> ApplicantInput {
    let mut field_error = |field: &str, message: &str| {
        errors.push(FieldError {
            field: format!("applicant.{field}"),
            message: message.to_owned(),
        })
    };
    let optional = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let id_number = optional(&a.id_number);
    if id_number
        .as_deref()
        .is_some_and(|v| v.len() != 12 || !v.bytes().all(|b| b.is_ascii_digit()))
    {
        field_error("id_number", "a citizen ID has 12 digits");
    }
    let phone = optional(&a.phone);
    let phone_ok = |p: &str| {
        let rest = p.strip_prefix("+84").or_else(|| p.strip_prefix('0'));
        rest.is_some_and(|r| (9..=10).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_digit()))
    };
    if phone.as_deref().is_some_and(|p| !phone_ok(p)) {
        field_error("phone", "expected 0 or +84 followed by 9-10 digits");
    }
    let email = optional(&a.email);
    let email_ok = |e: &str| {
        e.len() <= 254
            && !e.chars().any(|c| c.is_whitespace() || c.is_control())
            && e.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty()
                    && !domain.contains('@')
                    && domain.split('.').count() >= 2
                    && domain.split('.').all(|p| !p.is_empty())
            })
    };
    if email.as_deref().is_some_and(|e| !email_ok(e)) {
        field_error("email", "not an e-mail address");
    }
    let address = optional(&a.address).map(|v| clean_text(errors, "applicant.address", &v, 500));
    let name = clean_name(errors, "applicant.name", &a.name);
    ApplicantInput {
        name,
        id_number,
        phone,
        email,
        address,
    }
}

/// Back-dating is for managers and admins (paper dossiers recorded late, imports).
fn may_back_date(actor: &Actor, at: Option<DateTime<Utc>>) -> ApiResult<()> {
    if at.is_some() && actor.role == Role::Clerk {
        return Err(ApiError::Forbidden(
            "clerks record events as they happen; only managers and admins may back-date"
                .to_owned(),
        ));
    }
    Ok(())
}

fn event_error(err: EventError) -> ApiError {
    let detail = err.to_string();
    match err {
        EventError::InvalidTransition { .. } => {
            ApiError::Conflict(ErrorCode::InvalidTransition, detail)
        }
        EventError::AlreadyRescheduled => ApiError::Conflict(ErrorCode::AlreadyRescheduled, detail),
        EventError::TooLateToReschedule { .. } => {
            ApiError::Conflict(ErrorCode::TooLateToReschedule, detail)
        }
        EventError::AppointmentNotAfterDueDate { .. }
        | EventError::AppointmentNotWorkingDay
        | EventError::AppointmentTooFar { .. } => ApiError::field("new_appointment_date", detail),
        EventError::TimeOutOfOrder { .. }
        | EventError::TimeInFuture
        | EventError::TooFarBack { .. }
        | EventError::BeforeOfficeOpened { .. } => ApiError::field("at", detail),
    }
}

fn back_dating_window(state: &AppState) -> chrono::Duration {
    chrono::Duration::days(state.config.back_dating_days)
}

fn load_calendar(conn: &mut AnyConnection, state: &AppState) -> ApiResult<Arc<Calendar>> {
    Ok(state.calendar.load(conn, state.config.office_hours)?)
}

/// Receives a dossier (clerk of the receiving office; managers and admins within their
/// scope, who may also back-date it). Returns it with its code and deadline.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = CreateDossier, security(("bearer" = [])),
    responses(
        (status = 201, description = "Received (or submitted)", body = DossierView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not a desk of this office, or back-dating as a clerk", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "Procedure or office not found", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn create_dossier(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<CreateDossier>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    let applicant = validate_applicant(&mut errors, &body.applicant);
    let initial = body.status.unwrap_or(InitialStatus::Received);
    if initial == InitialStatus::Submitted && body.channel != Channel::Online {
        errors.push(FieldError {
            field: "status".into(),
            message: "only online dossiers start as submitted".into(),
        });
    }
    if body.procedure_id.is_none()
        && body
            .procedure_code
            .as_deref()
            .is_none_or(|c| c.trim().is_empty())
    {
        errors.push(FieldError {
            field: "procedure_id".into(),
            message: "give procedure_id or procedure_code".into(),
        });
    }
    fail_if_any(errors)?;
    may_back_date(&actor, body.received_at)?;
    // Microseconds, as PostgreSQL stores them, so answers match later reads.
    let now = Utc::now().trunc_subsecs(6);
    let at = match body.received_at {
        Some(at) => super::instant_in_range("received_at", at)?.trunc_subsecs(6),
        None => now,
    };
    check_event_time(at, None, now).map_err(|e| ApiError::field("received_at", e.to_string()))?;
    let office_id = match (body.office_id, &actor.office_id) {
        (Some(id), _) => OfficeId::from(id),
        (None, Some(own)) => own.clone(),
        (None, None) => {
            return Err(ApiError::field(
                "office_id",
                "say which office receives the dossier",
            ))
        }
    };
    let app = state.clone();
    let row = state
        .write(move |conn| {
            let office = db::offices::find(conn, &office_id)?.ok_or_else(|| {
                ApiError::NotFound(
                    ErrorCode::OfficeNotFound,
                    "the office does not exist".to_owned(),
                )
            })?;
            if !actor.covers(&office.id, &office.path) {
                return Err(ApiError::forbidden());
            }
            if body.received_at.is_some() {
                check_back_dating(at, now, back_dating_window(&app), office.opened_on)
                    .map_err(|e| ApiError::field("received_at", e.to_string()))?;
            }
            let procedure = match (body.procedure_id, body.procedure_code.as_deref()) {
                (Some(id), _) => db::procedures::find(conn, &ProcedureId::from(id))?,
                (None, Some(code)) => db::procedures::find_by_code(conn, code.trim())?,
                (None, None) => None,
            }
            .ok_or_else(|| ApiError::not_found("procedure"))?;
            let calendar = load_calendar(conn, &app)?;
            let status = match initial {
                InitialStatus::Received => Status::Received,
                InitialStatus::Submitted => Status::Submitted,
            };
            let unit = procedure.deadline_unit;
            let domain_state = DossierState::filed(
                status,
                body.channel,
                procedure.deadline_value,
                unit,
                &office.id,
                at,
                &calendar,
            );
            let day = local_date(at);
            let mut row = DossierRow::filed(
                db::dossiers::Filing {
                    id: DossierId::new(),
                    office_id: &office.id,
                    procedure: &procedure,
                    channel: body.channel,
                    applicant: db::dossiers::Applicant {
                        name: applicant.name,
                        id_number: applicant.id_number,
                        phone: applicant.phone,
                        email: applicant.email,
                        address: applicant.address,
                    },
                    clerk_id: &actor.user_id,
                    at,
                    recorded_at: now.naive_utc(),
                },
                &domain_state,
            );
            db::dossiers::insert_with_next_code(conn, &mut row, day, |sequence| {
                dossier_code(&office.code, day, sequence)
            })?;
            let event =
                row.filing_event(EventId::new(), &procedure.code, body.received_at.is_some());
            db::dossiers::insert_event(conn, &event)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(view(row, true)))
}

/// Records a step: accept, refuse, transfer, request_supplement, supplement_received,
/// request_fee, fee_paid, resolve, return_result, withdraw, stop, reschedule.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/events", tag = "dossiers", request_body = EventRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses(
        (status = 200, description = "The dossier after the event", body = DossierView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not allowed to act on this dossier this way", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such dossier (or target office)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Not allowed in the current status (`invalid_transition`), stale `expected_version` (`version_conflict`), second reschedule", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn post_event(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<EventRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.into_inner();
    let mut errors = Vec::new();
    let note = body
        .note
        .as_deref()
        .map(|n| clean_text(&mut errors, "note", n, 2000));
    let reason = body
        .reason
        .as_deref()
        .map(|r| clean_text(&mut errors, "reason", r, 2000));
    let need = |errors: &mut Vec<FieldError>, present: bool, field: &str| {
        if !present {
            errors.push(FieldError {
                field: field.to_owned(),
                message: format!("required for a {} event", body.event_type.as_str()),
            });
        }
    };
    use EventType as E;
    match body.event_type {
        E::Transfer => need(&mut errors, body.to_office_id.is_some(), "to_office_id"),
        E::Resolve => need(&mut errors, body.outcome.is_some(), "outcome"),
        E::Refuse | E::Withdraw | E::Stop => need(&mut errors, reason.is_some(), "reason"),
        E::Reschedule => {
            need(&mut errors, reason.is_some(), "reason");
            need(
                &mut errors,
                body.new_appointment_date.is_some(),
                "new_appointment_date",
            );
        }
        _ => {}
    }
    if let Some(at) = body.at {
        super::instant_in_range("at", at)?;
    }
    if let Some(date) = body.new_appointment_date {
        super::date_in_range("new_appointment_date", date)?;
    }
    fail_if_any(errors)?;
    may_back_date(&actor, body.at)?;
    let now = Utc::now().trunc_subsecs(6);
    let at = body.at.unwrap_or(now).trunc_subsecs(6);
    if body.at.is_some() {
        check_back_dating(at, now, back_dating_window(&state), None).map_err(event_error)?;
    }
    let app = state.clone();
    let id = id.into_inner();
    let row = state
        .write(move |conn| {
            let mut row = visible_dossier(conn, &actor, &id)?;
            if let Some(expected) = body.expected_version {
                if expected != row.version {
                    return Err(ApiError::Conflict(
                        ErrorCode::VersionConflict,
                        format!(
                            "the dossier is at version {}, not {expected}; reload it",
                            row.version
                        ),
                    ));
                }
            }
            let processing =
                db::offices::find(conn, &row.processing_office_id)?.ok_or_else(|| {
                    ApiError::Internal(format!("dossier {} has no processing office", row.id))
                })?;
            actor.ensure_may_record(body.event_type, &processing)?;
            check_event_time(at, Some(utc(row.last_event_at)), now).map_err(event_error)?;
            let event = match body.event_type {
                E::Accept => Event::Accept,
                E::Refuse => Event::Refuse,
                E::Transfer => {
                    let target = body.to_office_id.map(OfficeId::from).unwrap_or_default();
                    let office = db::offices::find(conn, &target)?.ok_or_else(|| {
                        ApiError::NotFound(
                            ErrorCode::OfficeNotFound,
                            "the target office does not exist".to_owned(),
                        )
                    })?;
                    if app.config.transfers_within_province
                        && root_of(&office.path) != root_of(&processing.path)
                    {
                        return Err(ApiError::field(
                            "to_office_id",
                            "a dossier is transferred only within its own province",
                        ));
                    }
                    Event::Transfer {
                        to_office_id: target,
                    }
                }
                E::RequestSupplement => Event::RequestSupplement,
                E::SupplementReceived => Event::SupplementReceived,
                E::RequestFee => Event::RequestFee,
                E::FeePaid => Event::FeePaid,
                E::Resolve => Event::Resolve {
                    outcome: body.outcome.unwrap_or(Outcome::Approved),
                },
                E::ReturnResult => Event::ReturnResult,
                E::Withdraw => Event::Withdraw,
                E::Stop => Event::Stop,
                E::Reschedule => Event::Reschedule {
                    new_appointment_date: body.new_appointment_date.unwrap_or_default(),
                },
            };
            let calendar = load_calendar(conn, &app)?;
            let stored = row.clone();
            let before = row.state();
            let after = apply(&before, &event, at, &calendar).map_err(event_error)?;
            row.set_state(&after);
            row.version += 1;
            row.last_event_at = at.naive_utc();
            row.updated_at = now.naive_utc();
            if !db::dossiers::update_if_version(conn, &stored, &row)? {
                return Err(ApiError::Conflict(
                    ErrorCode::VersionConflict,
                    "the dossier changed meanwhile; reload it".to_owned(),
                ));
            }
            let data = serde_json::json!({
                "to_office_id": body.to_office_id,
                "outcome": body.outcome,
                "reason": reason,
                "new_appointment_date": body.new_appointment_date,
                "due_date": after.due_date,
                "verdict": after.verdict,
            });
            let data: serde_json::Map<String, serde_json::Value> = data
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            db::dossiers::insert_event(
                conn,
                &EventRow {
                    id: EventId::new(),
                    dossier_id: row.id.clone(),
                    version: row.version,
                    event_type: body.event_type.as_str().to_owned(),
                    from_status: Some(before.status),
                    to_status: after.status,
                    actor_id: Some(actor.user_id.clone()),
                    at: at.naive_utc(),
                    recorded_at: now.naive_utc(),
                    back_dated: body.at.is_some(),
                    note,
                    data: serde_json::Value::Object(data).to_string(),
                },
            )?;
            let full = is_own_staff(&actor, &row);
            Ok((row, full))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(row.0, row.1)))
}

/// Finds dossiers in the caller's scope, newest first.
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(DossierQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of dossiers (identifiers masked)", body = Page<DossierView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_dossiers(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<DossierQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let limit = page_size(query.limit)?;
    let q = super::search_term(query.q.as_deref())?.map(|q| fold(&q));
    let field = super::search_term(query.field.as_deref())
        .map_err(|_| ApiError::field("field", "at most 100 characters"))?;
    let before_id = super::decode_cursor(query.cursor.as_deref())?;
    let received_from = query
        .received_from
        .map(|d| super::date_in_range("received_from", d))
        .transpose()?;
    let received_to = query
        .received_to
        .map(|d| super::date_in_range("received_to", d))
        .transpose()?;
    let day_start = |d: NaiveDate| local_instant(d, chrono::NaiveTime::MIN).naive_utc();
    let mut filter = db::dossiers::DossierFilter {
        offices: None,
        office_id: query.office_id.map(OfficeId::from),
        status: query.status,
        procedure_id: query.procedure_id.map(ProcedureId::from),
        field,
        verdict: query.verdict,
        overdue_before: query.overdue.filter(|o| *o).map(|_| local_date(Utc::now())),
        received_from: received_from.map(day_start),
        received_to: received_to.and_then(|d| d.succ_opt()).map(day_start),
        q,
        before_id,
    };
    let rows = state
        .db(move |conn| {
            filter.offices = scope_offices(conn, &actor)?;
            Ok(db::dossiers::list(conn, &filter, limit + 1)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(into_page(
        rows,
        limit,
        |r| r.id.to_string(),
        |r| view(r, false),
    )))
}

/// One dossier, by id or code. The office's own staff see the applicant's identifiers in full.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}", tag = "dossiers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses(
        (status = 200, description = "The dossier", body = DossierView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such dossier within reach", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_dossier(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let (row, full) = state
        .db(move |conn| {
            let row = visible_dossier(conn, &actor, &id)?;
            let full = is_own_staff(&actor, &row);
            Ok((row, full))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view(row, full)))
}

/// The timeline: every event, oldest first. Events are never edited or deleted.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/events", tag = "dossiers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses(
        (status = 200, description = "The events", body = Vec<EventView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such dossier within reach", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_events(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let rows = state
        .db(move |conn| {
            let row = visible_dossier(conn, &actor, &id)?;
            Ok(db::dossiers::events(conn, &row.id)?)
        })
        .await?;
    let events: Vec<EventView> = rows
        .into_iter()
        .map(|e| EventView {
            id: e.id.uuid(),
            version: e.version,
            from_status: e.from_status,
            to_status: e.to_status,
            actor_id: e.actor_id.as_ref().map(|id| id.uuid()),
            at: utc(e.at),
            recorded_at: utc(e.recorded_at),
            back_dated: e.back_dated,
            note: e.note,
            data: serde_json::from_str(&e.data).unwrap_or(serde_json::Value::Null),
            event_type: e.event_type,
        })
        .collect();
    Ok(HttpResponse::Ok().json(events))
}

/// How the due date was reached: counted days, skipped days and why, pauses.
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/deadline", tag = "dossiers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses(
        (status = 200, description = "The explanation", body = DeadlineView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such dossier within reach", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_deadline(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let app = state.clone();
    let (row, calendar) = state
        .db(move |conn| {
            let row = visible_dossier(conn, &actor, &id)?;
            let calendar = load_calendar(conn, &app)?;
            Ok((row, calendar))
        })
        .await?;
    let dossier = row.state();
    Ok(HttpResponse::Ok().json(DeadlineView {
        dossier_id: row.id.uuid(),
        status: dossier.status,
        due_at: dossier.due_at,
        due_date: dossier.due_date,
        appointment_date: dossier.appointment(),
        paused_since: dossier.paused_since,
        supplement_requests: dossier.supplement_requests,
        verdict: dossier.verdict,
        explanation: dossier.deadline(&calendar).map(|d| d.explanation),
    }))
}

/// For citizens, without login: status and appointment of a dossier by its code. No
/// personal data. Rate-limited per client address.
#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}", tag = "public",
    params(("code" = String, Path, description = "Dossier code from the receipt")),
    responses(
        (status = 200, description = "Status", body = PublicDossierView),
        (status = 404, description = "No such dossier", body = crate::error::Problem, content_type = PROBLEM),
        (status = 429, description = "Too many lookups", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn public_lookup(
    state: web::Data<AppState>,
    req: HttpRequest,
    code: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    state
        .public_lookups
        .hit(&ip, std::time::Instant::now())
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let code = code.into_inner();
    let not_found = || {
        ApiError::NotFound(
            ErrorCode::DossierNotFound,
            "no dossier has this code".to_owned(),
        )
    };
    if code.len() > 64 || code.chars().any(char::is_control) {
        return Err(not_found());
    }
    let (row, procedure) = state
        .db(move |conn| {
            let row = db::dossiers::find_by_code(conn, code.trim())?.ok_or_else(not_found)?;
            let procedure = db::procedures::find(conn, &row.procedure_id)?.ok_or_else(not_found)?;
            Ok((row, procedure))
        })
        .await?;
    let dossier = row.state();
    Ok(HttpResponse::Ok().json(PublicDossierView {
        code: row.code,
        status: dossier.status,
        status_code: dossier.status.portal_code(),
        procedure_name: procedure.name,
        received_date: dossier.received_at.map(local_date),
        appointment_date: dossier.appointment(),
        ready: dossier.status == Status::Resolved,
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/dossiers", "GET, POST")
            .route(web::get().to(list_dossiers))
            .route(web::post().to(create_dossier)),
    )
    .service(resource("/dossiers/{id}", "GET").route(web::get().to(get_dossier)))
    .service(
        resource("/dossiers/{id}/events", "GET, POST")
            .route(web::get().to(list_events))
            .route(web::post().to(post_event)),
    )
    .service(resource("/dossiers/{id}/deadline", "GET").route(web::get().to(get_deadline)))
    .service(resource("/public/dossiers/{code}", "GET").route(web::get().to(public_lookup)));
}
