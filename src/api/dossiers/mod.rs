//! Dossiers: receipt, every step until the result is handed back, the timeline, the
//! deadline explanation, search, and the citizens' public lookup. The workflows are
//! [`crate::service::dossiers`]; these handlers read the request and show the answer.

mod input;
pub mod types;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

use super::extract::Bearer;
use super::idempotency::{Answer, Idempotency, IdempotencyHeader};
use super::{clean_text, fail_if_any, into_page, page_size, resource, Page};
use crate::auth::Actor;
use crate::db::dossier_list::DossierFilter;
use crate::db::search::SHORTEST_TERM;
use crate::domain::calendar::{local_date, local_instant};
use crate::domain::deadline::Channel;
use crate::domain::dossier::Event;
use crate::domain::ids::{OfficeId, ProcedureId};
use crate::domain::lifecycle::{EventType, Status};
use crate::domain::text::fold;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::service::dossiers::{self as service, NewDossier, ProcedureRef, Step};
use crate::state::AppState;
use types::*;

const PROBLEM: &str = "application/problem+json";

/// Microseconds, as PostgreSQL stores them, so answers match later reads.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A back-dated instant from a request: within the accepted range, at microseconds.
fn back_dated(field: &str, at: Option<DateTime<Utc>>) -> ApiResult<Option<DateTime<Utc>>> {
    at.map(|at| Ok(super::instant_in_range(field, at)?.trunc_subsecs(6)))
        .transpose()
}

/// Receives a dossier (clerk of the receiving office; managers and admins within their
/// scope, who may also back-date it). Returns it with its code and deadline.
#[utoipa::path(post, path = "/api/v1/dossiers", tag = "dossiers", request_body = CreateDossier, security(("bearer" = [])),
    params(IdempotencyHeader),
    responses(
        (status = 201, description = "Received (or submitted); also the first answer again for a retry with its `Idempotency-Key` (`Idempotent-Replayed: true`)", body = DossierView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not a desk of this office, or back-dating as a clerk", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "Procedure or office not found", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "The `Idempotency-Key` came with another request (`idempotency_conflict`) or its first request is still being handled (`idempotency_key_in_use`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn create_dossier(
    state: web::Data<AppState>,
    actor: Actor,
    key: Idempotency,
    body: web::Json<CreateDossier>,
) -> ApiResult<HttpResponse> {
    let once = key.of(&actor, &*body);
    let new = new_dossier(&actor, body.into_inner())?;
    let app = state.clone();
    let answer = state
        .write(move |conn| {
            once.run(conn, |conn| {
                let opened = service::file(conn, &app.dossier_rules(), &actor, new, now())?;
                Answer::json(StatusCode::CREATED, &opened_view(opened))
            })
        })
        .await?;
    Ok(answer.into_response())
}

/// The filing a request describes, every field checked.
fn new_dossier(actor: &Actor, body: CreateDossier) -> ApiResult<NewDossier> {
    let mut errors = Vec::new();
    let applicant = input::applicant(&mut errors, &body.applicant);
    let status = match body.status.unwrap_or(InitialStatus::Received) {
        InitialStatus::Received => Status::Received,
        InitialStatus::Submitted if body.channel == Channel::Online => Status::Submitted,
        InitialStatus::Submitted => {
            errors.push(FieldError::new(
                "status",
                "only online dossiers start as submitted",
            ));
            Status::Submitted
        }
    };
    let code = body
        .procedure_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let procedure = match (body.procedure_id, code) {
        (Some(id), _) => Some(ProcedureRef::Id(ProcedureId::from(id))),
        (None, Some(code)) => Some(ProcedureRef::Code(code.to_owned())),
        (None, None) => {
            errors.push(FieldError::new(
                "procedure_id",
                "give procedure_id or procedure_code",
            ));
            None
        }
    };
    fail_if_any(errors)?;
    actor.ensure_may_back_date(body.received_at.is_some())?;
    let received_at = back_dated("received_at", body.received_at)?;
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
    Ok(NewDossier {
        office_id,
        procedure: procedure.expect("checked above"),
        channel: body.channel,
        status,
        applicant,
        received_at,
    })
}

/// Records a step: accept, refuse, transfer, request_supplement, supplement_received,
/// request_fee, fee_paid, resolve, return_result, withdraw, stop, reschedule.
#[utoipa::path(post, path = "/api/v1/dossiers/{id}/events", tag = "dossiers", request_body = EventRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Dossier id or code"), IdempotencyHeader),
    responses(
        (status = 200, description = "The dossier after the event; also the first answer again for a retry with its `Idempotency-Key` (`Idempotent-Replayed: true`)", body = DossierView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not allowed to act on this dossier this way", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such dossier (or target office)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Not allowed in the current status (`invalid_transition`), stale `expected_version` (`version_conflict`), second reschedule, an `Idempotency-Key` sent with another request (`idempotency_conflict`) or still in use (`idempotency_key_in_use`)", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn post_event(
    state: web::Data<AppState>,
    actor: Actor,
    key: Idempotency,
    id: web::Path<String>,
    body: web::Json<EventRequest>,
) -> ApiResult<HttpResponse> {
    let once = key.of(&actor, &*body);
    let step = step(&actor, body.into_inner())?;
    let app = state.clone();
    let answer = state
        .write(move |conn| {
            once.run(conn, |conn| {
                let rules = app.dossier_rules();
                let opened = service::record(conn, &rules, &actor, &id, step, now())?;
                Answer::json(StatusCode::OK, &opened_view(opened))
            })
        })
        .await?;
    Ok(answer.into_response())
}

/// The step a request describes, with the fields its type needs.
fn step(actor: &Actor, body: EventRequest) -> ApiResult<Step> {
    let mut errors = Vec::new();
    let note = body
        .note
        .as_deref()
        .map(|n| clean_text(&mut errors, "note", n, 2000));
    let reason = body
        .reason
        .as_deref()
        .map(|r| clean_text(&mut errors, "reason", r, 2000));
    let kind = body.event_type;
    let mut need = |present: bool, field: &str| {
        if !present {
            errors.push(FieldError::new(
                field,
                format!("required for a {} event", kind.as_str()),
            ));
        }
    };
    use EventType as E;
    match kind {
        E::Transfer => need(body.to_office_id.is_some(), "to_office_id"),
        E::Resolve => need(body.outcome.is_some(), "outcome"),
        E::Refuse | E::Withdraw | E::Stop => need(reason.is_some(), "reason"),
        E::Reschedule => {
            need(reason.is_some(), "reason");
            need(body.new_appointment_date.is_some(), "new_appointment_date");
        }
        _ => {}
    }
    if let Some(date) = body.new_appointment_date {
        super::date_in_range("new_appointment_date", date)?;
    }
    let at = back_dated("at", body.at)?;
    fail_if_any(errors)?;
    actor.ensure_may_back_date(at.is_some())?;
    let event = match kind {
        E::Accept => Event::Accept,
        E::Refuse => Event::Refuse,
        E::Transfer => Event::Transfer {
            to_office_id: body.to_office_id.map(OfficeId::from).unwrap_or_default(),
        },
        E::RequestSupplement => Event::RequestSupplement,
        E::SupplementReceived => Event::SupplementReceived,
        E::RequestFee => Event::RequestFee,
        E::FeePaid => Event::FeePaid,
        E::Resolve => Event::Resolve {
            outcome: body.outcome.expect("checked above"),
        },
        E::ReturnResult => Event::ReturnResult,
        E::Withdraw => Event::Withdraw,
        E::Stop => Event::Stop,
        E::Reschedule => Event::Reschedule {
            new_appointment_date: body.new_appointment_date.expect("checked above"),
        },
    };
    Ok(Step {
        event,
        note,
        reason,
        at,
        expected_version: body.expected_version,
    })
}

/// Finds dossiers in the caller's scope, newest first (with a received range, the latest
/// received first).
#[utoipa::path(get, path = "/api/v1/dossiers", tag = "dossiers", params(DossierQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of dossiers (identifiers masked)", body = Page<DossierView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "`within` names no office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_dossiers(
    state: web::Data<AppState>,
    bearer: Bearer,
    query: web::Query<DossierQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let limit = page_size(query.limit)?;
    let within = query.within.map(OfficeId::from);
    let filter = filter(query)?;
    let rows = state
        .long_read(move |conn| {
            let actor = bearer.admit(conn)?;
            Ok(service::list(conn, &actor, filter, within, limit + 1)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(into_page(
        rows,
        limit,
        |r| r.id.to_string(),
        |r| view(r, false),
    )))
}

/// The list's filter a query describes, every value checked.
fn filter(query: DossierQuery) -> ApiResult<DossierFilter> {
    let in_range =
        |field, date: Option<NaiveDate>| date.map(|d| super::date_in_range(field, d)).transpose();
    let received_from = in_range("received_from", query.received_from)?;
    let received_to = in_range("received_to", query.received_to)?;
    let day_start = |d: NaiveDate| local_instant(d, chrono::NaiveTime::MIN).naive_utc();
    Ok(DossierFilter {
        offices: None,
        office_id: query.office_id.map(OfficeId::from),
        status: query.status,
        procedure_id: query.procedure_id.map(ProcedureId::from),
        field: super::search_term(query.field.as_deref())
            .map_err(|_| ApiError::field("field", "at most 100 characters"))?,
        verdict: query.verdict,
        overdue_before: query.overdue.filter(|o| *o).map(|_| local_date(Utc::now())),
        received_from: received_from.map(day_start),
        received_to: received_to.and_then(|d| d.succ_opt()).map(day_start),
        q: search_q(query.q.as_deref())?,
        before_id: super::decode_cursor(query.cursor.as_deref())?,
    })
}

/// `q` folded, with enough characters for the search index to find.
fn search_q(q: Option<&str>) -> ApiResult<Option<String>> {
    let q = super::search_term(q)?.map(|q| fold(&q));
    if q.as_ref()
        .is_some_and(|q| q.chars().count() < SHORTEST_TERM)
    {
        return Err(ApiError::field(
            "q",
            "at least 3 characters of the name or the code",
        ));
    }
    Ok(q)
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
    bearer: Bearer,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let opened = state
        .db(move |conn| {
            let actor = bearer.admit(conn)?;
            Ok(service::open(conn, &actor, &id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(opened_view(opened)))
}

/// The receipt to print and hand to the citizen (Mẫu 01): office, code, applicant,
/// procedure, received and appointment times, and a QR code of the public lookup page
/// (`MOTCUA_PUBLIC_URL`, else this request's own address, then `/app/lookup#<code>`).
#[utoipa::path(get, path = "/api/v1/dossiers/{id}/receipt", tag = "dossiers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Dossier id or code")),
    responses(
        (status = 200, description = "The receipt", body = ReceiptView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such dossier within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Filed online and not accepted yet (`invalid_transition`)", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_receipt(
    state: web::Data<AppState>,
    req: HttpRequest,
    bearer: Bearer,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let base = match &state.config.public_url {
        Some(url) => url.clone(),
        None => {
            let info = req.connection_info();
            format!("{}://{}", info.scheme(), info.host())
        }
    };
    let receipt = state
        .db(move |conn| {
            let actor = bearer.admit(conn)?;
            Ok(service::receipt(conn, &actor, &id)?)
        })
        .await?;
    let lookup_url = format!("{base}/app/lookup#{}", receipt.seen.row.code);
    let qr = super::qr_svg(&lookup_url)?;
    Ok(HttpResponse::Ok().json(ReceiptView::new(receipt, lookup_url, qr)))
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
    bearer: Bearer,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let rows = state
        .db(move |conn| {
            let actor = bearer.admit(conn)?;
            Ok(service::timeline(conn, &actor, &id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(EventView::from).collect::<Vec<_>>()))
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
    bearer: Bearer,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let app = state.clone();
    let (row, explanation) = state
        .db(move |conn| {
            let actor = bearer.admit(conn)?;
            Ok(service::deadline(conn, &app.dossier_rules(), &actor, &id)?)
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
        explanation,
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
        .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
    state
        .public_lookups
        .hit(&ip, std::time::Instant::now())
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let code = code.into_inner();
    if code.len() > 64 || code.chars().any(char::is_control) {
        return Err(ApiError::NotFound(
            ErrorCode::DossierNotFound,
            "no dossier has this code".to_owned(),
        ));
    }
    let (row, procedure) = state
        .db(move |conn| Ok(service::public_status(conn, code.trim())?))
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
    .service(resource("/dossiers/{id}/receipt", "GET").route(web::get().to(get_receipt)))
    .service(resource("/public/dossiers/{code}", "GET").route(web::get().to(public_lookup)));
}
