//! Every morning's lists: dossiers past their due date, and those due within a few
//! working days, for a manager's subtree or a clerk's office.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::csv::{report_answer, wants_spreadsheet, Format, Headings};
use super::extract::Bearer;
use super::resource;
use crate::domain::calendar::local_date;
use crate::domain::ids::OfficeId;
use crate::error::{ApiError, ApiResult};
use crate::service::reports::worklists::{self, Kind, Request};
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
    /// At most this many rows, earliest due first (default 50, spreadsheets 1000; at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// The next page: the previous page's `next_cursor` (the last row's due date and id).
    #[param(pattern = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}_[0-9a-fA-F-]{36}$")]
    pub after: Option<String>,
    /// `csv` or `xlsx` for a spreadsheet (same as `Accept: text/csv` or the Excel type).
    #[param(inline)]
    pub format: Option<Format>,
    /// CSV headings: `vi` (default) as in report forms, or `keys`, the JSON names.
    #[param(inline)]
    pub headers: Option<Headings>,
}

/// The previous page's `next_cursor`: its last row's due date and dossier id.
fn parse_cursor(cursor: &str) -> Option<(NaiveDate, String)> {
    let (due, id) = cursor.split_once('_')?;
    let due = crate::domain::dates::check_date(due.parse().ok()?).ok()?;
    let id = uuid::Uuid::parse_str(id).ok()?;
    Some((due, id.to_string()))
}

/// The page a query asks for, every value checked (a spreadsheet gets more rows).
fn request(query: WorklistQuery, spreadsheet: bool, overdue: bool) -> ApiResult<Request> {
    let limit = query
        .limit
        .unwrap_or(if spreadsheet { MAX_ROWS } else { DEFAULT_ROWS });
    if !(1..=MAX_ROWS).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("between 1 and {MAX_ROWS}"),
        ));
    }
    let within_days = query.within_days.unwrap_or(2);
    if !(0..=MAX_WITHIN_DAYS).contains(&within_days) {
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
    Ok(Request {
        office_id: query.office_id.map(OfficeId::from),
        kind: if overdue {
            Kind::Overdue
        } else {
            Kind::DueSoon { within_days }
        },
        after,
        limit,
    })
}

async fn worklist(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    query: WorklistQuery,
    overdue: bool,
) -> ApiResult<HttpResponse> {
    let (format, headings) = (query.format, query.headers);
    let request = request(query, wants_spreadsheet(&req, format), overdue)?;
    let app = state.clone();
    let list = state
        .long_read(move |conn| {
            let actor = bearer.admit(conn)?;
            let (calendar, hours) = (&app.calendar, app.config.office_hours);
            let today = local_date(Utc::now());
            Ok(worklists::worklist(
                conn, calendar, hours, &actor, request, today,
            )?)
        })
        .await?;
    report_answer(&req, format, headings, "worklist", list)
}

/// Open dossiers past their due date (not those waiting for the citizen), most overdue first.
#[utoipa::path(get, path = "/api/v1/worklists/overdue", tag = "worklists", params(WorklistQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The list, or a spreadsheet (CSV or Excel)", content((worklists::Worklist = "application/json"), (String = "text/csv"), (crate::api::xlsx::XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn overdue(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    query: web::Query<WorklistQuery>,
) -> ApiResult<HttpResponse> {
    worklist(state, bearer, req, query.into_inner(), true).await
}

/// Open dossiers due today or within `within_days` working days, earliest first.
#[utoipa::path(get, path = "/api/v1/worklists/due-soon", tag = "worklists", params(WorklistQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The list, or a spreadsheet (CSV or Excel)", content((worklists::Worklist = "application/json"), (String = "text/csv"), (crate::api::xlsx::XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn due_soon(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    query: web::Query<WorklistQuery>,
) -> ApiResult<HttpResponse> {
    worklist(state, bearer, req, query.into_inner(), false).await
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/worklists/overdue", "GET").route(web::get().to(overdue)))
        .service(resource("/worklists/due-soon", "GET").route(web::get().to(due_soon)));
}
