//! The working-day calendar: which days are worked and why; admins add or remove
//! holidays and swapped working days, and open dossiers' due dates follow.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{clean_text, fail_if_any, resource};
use crate::auth::Actor;
use crate::domain::account::Role;
use crate::domain::calendar::{CalendarException, DayInfo, ExceptionKind};
use crate::error::{ApiError, ApiResult};
use crate::service;
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";
/// Longest range one `days` call answers.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// First day (inclusive), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day (inclusive), at most 366 days after `from`.
    pub to: NaiveDate,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutException {
    pub kind: ExceptionKind,
    #[schema(
        example = "Tết Nguyên đán",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionChange {
    /// The exception as stored (absent after a removal).
    pub exception: Option<CalendarException>,
    /// Open dossiers whose due date moved.
    pub recomputed_dossiers: usize,
}

/// Each day of a range: worked or not, and why (weekend, holiday name, swapped day).
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", params(DaysQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The days", body = Vec<DayInfo>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid range", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn days(
    state: web::Data<AppState>,
    _actor: Actor,
    query: web::Query<DaysQuery>,
) -> ApiResult<HttpResponse> {
    let DaysQuery { from, to } = query.into_inner();
    let from = super::date_in_range("from", from)?;
    let to = super::date_in_range("to", to)?;
    let span = (to - from).num_days();
    if !(0..MAX_DAYS).contains(&span) {
        return Err(ApiError::field(
            "to",
            format!("must be on or after `from` and within {MAX_DAYS} days"),
        ));
    }
    let app = state.clone();
    let calendar = state
        .db(move |conn| Ok(app.calendar.load(conn, app.config.office_hours)?))
        .await?;
    let days: Vec<DayInfo> = from
        .iter_days()
        .take(span as usize + 1)
        .map(|d| calendar.day(d))
        .collect();
    Ok(HttpResponse::Ok().json(days))
}

fn parse_day(raw: &str) -> ApiResult<NaiveDate> {
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| ApiError::field("date", "expected YYYY-MM-DD"))?;
    super::date_in_range("date", date)
}

/// Adds or replaces a holiday or a swapped working day (admin). Confirms it: an
/// exception an admin has set is no longer provisional.
#[utoipa::path(put, path = "/api/v1/calendar/exceptions/{date}", tag = "calendar", request_body = PutException,
    security(("bearer" = [])),
    params(("date" = chrono::NaiveDate, Path, description = "The day, YYYY-MM-DD")),
    responses(
        (status = 200, description = "Stored; open dossiers recomputed", body = ExceptionChange),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid date or fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn put_exception(
    state: web::Data<AppState>,
    actor: Actor,
    date: web::Path<String>,
    body: web::Json<PutException>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin])?;
    let day = parse_day(&date)?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    let name = clean_text(&mut errors, "name", &body.name, 200);
    fail_if_any(errors)?;
    let exception = CalendarException {
        date: day,
        kind: body.kind,
        name,
        provisional: false,
    };
    let (hours, stored) = (state.config.office_hours, exception.clone());
    let moved = state
        .write(move |conn| {
            Ok(service::calendar::put_exception(
                conn,
                hours,
                &actor.user_id,
                &stored,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExceptionChange {
        exception: Some(exception),
        recomputed_dossiers: moved,
    }))
}

/// Removes a holiday or swapped working day (admin): the day follows the weekly pattern again.
#[utoipa::path(delete, path = "/api/v1/calendar/exceptions/{date}", tag = "calendar", security(("bearer" = [])),
    params(("date" = chrono::NaiveDate, Path, description = "The day, YYYY-MM-DD")),
    responses(
        (status = 200, description = "Removed; open dossiers recomputed", body = ExceptionChange),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No exception on that day", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid date", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn delete_exception(
    state: web::Data<AppState>,
    actor: Actor,
    date: web::Path<String>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin])?;
    let day = parse_day(&date)?;
    let hours = state.config.office_hours;
    let moved = state
        .write(move |conn| {
            Ok(service::calendar::delete_exception(
                conn,
                hours,
                &actor.user_id,
                day,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ExceptionChange {
        exception: None,
        recomputed_dossiers: moved,
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/calendar/days", "GET").route(web::get().to(days)))
        .service(
            resource("/calendar/exceptions/{date}", "PUT, DELETE")
                .route(web::put().to(put_exception))
                .route(web::delete().to(delete_exception)),
        );
}
