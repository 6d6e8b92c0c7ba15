//! Every morning's lists: dossiers past their due date, and those due within a few
//! working days, for a manager's subtree or a clerk's office.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::resource;
use super::stats::{csv_response, wants_csv, Format};
use crate::auth::{Actor, Scope};
use crate::db;
use crate::domain::calendar::local_date;
use crate::domain::ids::OfficeId;
use crate::domain::lifecycle::Status;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";
/// A screen's page; a spreadsheet gets up to [`MAX_ROWS`] unless it asks for fewer.
const DEFAULT_ROWS: i64 = 50;
const MAX_ROWS: i64 = 1000;
const MAX_WITHIN_DAYS: i64 = 30;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// The office whose subtree is listed; default the caller's own (an admin's: all).
    pub office_id: Option<uuid::Uuid>,
    /// `due-soon` only: due within this many working days (default 2).
    #[param(minimum = 0, maximum = 30)]
    pub within_days: Option<i64>,
    /// At most this many rows, earliest due first (default 50, CSV 1000; at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// The next page: the previous page's `next_cursor` (the last row's due date and id).
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9a-fA-F-]{36}$")]
    pub after: Option<String>,
    /// `csv` for a spreadsheet (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<Format>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItem {
    pub id: uuid::Uuid,
    pub code: String,
    pub status: Status,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub office_id: uuid::Uuid,
    pub processing_office_id: uuid::Uuid,
    pub due_date: NaiveDate,
    /// The new appointment after an apology letter, if any.
    pub appointment_date: Option<NaiveDate>,
    /// Working days from today to the due date: negative when overdue.
    pub working_days_left: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Worklist {
    /// The office listed with its subtree; `null` for an admin's whole country.
    pub office_id: Option<uuid::Uuid>,
    pub today: NaiveDate,
    pub items: Vec<WorkItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A page ends at a (due date, dossier id): the list's order.
fn cursor_of(item: &WorkItem) -> String {
    format!("{}_{}", item.due_date, item.id)
}

fn parse_cursor(cursor: &str) -> Option<(NaiveDate, String)> {
    let (due, id) = cursor.split_once('_')?;
    let due = crate::domain::dates::check_date(due.parse().ok()?).ok()?;
    let id = uuid::Uuid::parse_str(id).ok()?;
    Some((due, id.to_string()))
}

enum Kind {
    Overdue,
    DueSoon,
}

async fn worklist(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    query: WorklistQuery,
    kind: Kind,
) -> ApiResult<HttpResponse> {
    let csv = wants_csv(&req, query.format);
    let limit = query
        .limit
        .unwrap_or(if csv { MAX_ROWS } else { DEFAULT_ROWS });
    if !(1..=MAX_ROWS).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("between 1 and {MAX_ROWS}"),
        ));
    }
    let within = query.within_days.unwrap_or(2);
    if !(0..=MAX_WITHIN_DAYS).contains(&within) {
        return Err(ApiError::field(
            "within_days",
            format!("between 0 and {MAX_WITHIN_DAYS}"),
        ));
    }
    let after = match &query.after {
        Some(cursor) => Some(parse_cursor(cursor).ok_or_else(|| {
            ApiError::field("after", "a `next_cursor` from a previous page".to_owned())
        })?),
        None => None,
    };
    let office_id = query.office_id.map(OfficeId::from);
    let today = local_date(Utc::now());
    let app = state.clone();
    let (office, calendar, rows) = state
        .report(move |conn| {
            // No office named: the caller's own (an admin without one: every office).
            let office = match office_id.or_else(|| actor.office_id.clone()) {
                Some(id) => {
                    let not_found = || {
                        ApiError::NotFound(
                            ErrorCode::OfficeNotFound,
                            "the office does not exist".to_owned(),
                        )
                    };
                    let office = db::offices::find(conn, &id)?.ok_or_else(not_found)?;
                    if !actor.covers(&office.id, &office.path) {
                        return Err(not_found());
                    }
                    Some(office)
                }
                None => None,
            };
            let offices = match (actor.scope(), &office) {
                (Scope::Office(own), _) => Some(vec![own]),
                (_, Some(office)) => Some(db::dossiers::subtree_office_ids(conn, &office.path)?),
                (_, None) => None,
            };
            let calendar = app.calendar.load(conn, app.config.office_hours)?;
            let (from, before) = match kind {
                Kind::Overdue => (None, today),
                Kind::DueSoon => {
                    let mut last = today;
                    for _ in 0..within {
                        last = calendar.next_working_day(last);
                    }
                    (Some(today), last + Days::new(1))
                }
            };
            // One row more than the page tells whether another page follows.
            let rows = db::dossiers::due_between(conn, offices, from, before, after, limit + 1)?;
            Ok((office, calendar, rows))
        })
        .await?;
    let mut items: Vec<WorkItem> = rows
        .into_iter()
        .filter_map(|row| {
            let due_date = row.due_date?;
            Some(WorkItem {
                id: row.id.uuid(),
                status: row.status,
                procedure_code: row.procedure_code,
                procedure_name: row.procedure_name,
                office_id: row.office_id.uuid(),
                processing_office_id: row.processing_office_id.uuid(),
                due_date,
                appointment_date: row.appointment_date,
                working_days_left: calendar.working_days_between(today, due_date),
                applicant_name: row.applicant_name,
                code: row.code,
            })
        })
        .collect();
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = items.last().filter(|_| more).map(cursor_of);
    if csv {
        let rows = items
            .iter()
            .map(|i| {
                vec![
                    i.code.clone(),
                    i.status.as_str().to_owned(),
                    i.procedure_code.clone(),
                    i.procedure_name.clone(),
                    i.applicant_name.clone(),
                    i.due_date.to_string(),
                    i.appointment_date
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    i.working_days_left.to_string(),
                ]
            })
            .collect();
        return Ok(csv_response(
            "worklist.csv",
            &[
                "code",
                "status",
                "procedure_code",
                "procedure_name",
                "applicant_name",
                "due_date",
                "appointment_date",
                "working_days_left",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(Worklist {
        office_id: office.map(|o| o.id.uuid()),
        today,
        items,
        next_cursor,
    }))
}

/// Open dossiers past their due date (not those waiting for the citizen), most overdue first.
#[utoipa::path(get, path = "/api/v1/worklists/overdue", tag = "worklists", params(WorklistQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The list, or CSV", content((Worklist = "application/json"), (String = "text/csv"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn overdue(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    query: web::Query<WorklistQuery>,
) -> ApiResult<HttpResponse> {
    worklist(state, actor, req, query.into_inner(), Kind::Overdue).await
}

/// Open dossiers due today or within `within_days` working days, earliest first.
#[utoipa::path(get, path = "/api/v1/worklists/due-soon", tag = "worklists", params(WorklistQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The list, or CSV", content((Worklist = "application/json"), (String = "text/csv"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn due_soon(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    query: web::Query<WorklistQuery>,
) -> ApiResult<HttpResponse> {
    worklist(state, actor, req, query.into_inner(), Kind::DueSoon).await
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/worklists/overdue", "GET").route(web::get().to(overdue)))
        .service(resource("/worklists/due-soon", "GET").route(web::get().to(due_soon)));
}
