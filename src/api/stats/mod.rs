//! Managers' statistics, as JSON or as CSV. The reports are
//! [`crate::service::reports`]; these handlers read the query and choose the format.

pub mod types;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, Utc};

use super::csv::report_answer;
use super::extract::Bearer;
use super::resource;
use crate::domain::calendar::local_date;
use crate::domain::dates::{DateError, Period};
use crate::domain::ids::OfficeId;
use crate::error::{ApiError, ApiResult};
use crate::service::reports::{self, on_time::OnTimeReport, satisfaction::SatisfactionReport};
use crate::state::AppState;
use types::{OnTimeQuery, SatisfactionQuery};

const PROBLEM: &str = "application/problem+json";

/// The report period from the query: each date in range, `from ≤ to`, bounded length;
/// by default from 1 January of `to`'s year up to today.
pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<Period> {
    let from = from.map(|d| super::date_in_range("from", d)).transpose()?;
    let to = to.map(|d| super::date_in_range("to", d)).transpose()?;
    Period::with_defaults(from, to, local_date(Utc::now())).map_err(|e| match e {
        DateError::FromAfterTo => ApiError::field("from", e.to_string()),
        _ => ApiError::field("to", e.to_string()),
    })
}

/// Satisfaction: counts per rating, the rate with its integers, the target and whether
/// it is met, in total and per group. Individual votes are never shown.
#[utoipa::path(get, path = "/api/v1/stats/satisfaction", tag = "stats", params(SatisfactionQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The report, or a spreadsheet: `format=csv` / `Accept: text/csv`, `format=xlsx` / the Excel media type",
            content((SatisfactionReport = "application/json"), (String = "text/csv"), (crate::api::xlsx::XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Managers and admins only", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn satisfaction(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    query: web::Query<SatisfactionQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let period = period(query.from, query.to)?;
    let office_id = query.office_id.map(OfficeId::from);
    let app = state.clone();
    let report = state
        .long_read(move |conn| {
            let actor = bearer.admit(conn)?;
            let office = reports::report_office(conn, &actor, office_id)?;
            Ok(reports::satisfaction::report(
                conn,
                &app.user_names,
                &office,
                period,
                query.group_by,
            )?)
        })
        .await?;
    report_answer(&req, query.format, query.headers, "satisfaction", report)
}

/// On-time report: flows and stocks (carried over, pending) from the rolled-up
/// counters, so its cost does not grow with the number of dossiers.
#[utoipa::path(get, path = "/api/v1/stats/on-time", tag = "stats", params(OnTimeQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The report, or a spreadsheet: `format=csv` / `Accept: text/csv`, `format=xlsx` / the Excel media type",
            content((OnTimeReport = "application/json"), (String = "text/csv"), (crate::api::xlsx::XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Managers and admins only", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn on_time(
    state: web::Data<AppState>,
    bearer: Bearer,
    req: HttpRequest,
    query: web::Query<OnTimeQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let period = period(query.from, query.to)?;
    let office_id = query.office_id.map(OfficeId::from);
    let app = state.clone();
    let report = state
        .long_read(move |conn| {
            let actor = bearer.admit(conn)?;
            let office = reports::report_office(conn, &actor, office_id)?;
            Ok(reports::on_time::report(
                conn,
                &app.user_names,
                &office,
                period,
                query.group_by,
            )?)
        })
        .await?;
    report_answer(&req, query.format, query.headers, "on-time", report)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/stats/satisfaction", "GET").route(web::get().to(satisfaction)))
        .service(resource("/stats/on-time", "GET").route(web::get().to(on_time)));
}
