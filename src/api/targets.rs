//! Yearly targets per office (on-time rate, satisfaction), optionally per field.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{resource, utc};
use crate::auth::Actor;
use crate::db::{self, targets::TargetRow};
use crate::domain::account::Role;
use crate::domain::ids::OfficeId;
use crate::domain::target::Metric;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutTarget {
    pub office_id: uuid::Uuid,
    #[schema(minimum = 2000, maximum = 2100)]
    #[serde(deserialize_with = "super::lenient::int")]
    pub year: i32,
    pub metric: Metric,
    /// A field (lĩnh vực) of its own; absent = every field.
    #[schema(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub field: Option<String>,
    /// A fraction: 0.99 = 99 %.
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.99)]
    pub value: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetView {
    pub office_id: uuid::Uuid,
    pub year: i32,
    pub metric: Metric,
    pub field: Option<String>,
    pub value: f64,
    pub updated_at: DateTime<Utc>,
}

impl From<TargetRow> for TargetView {
    fn from(row: TargetRow) -> TargetView {
        TargetView {
            office_id: row.office_id.uuid(),
            year: row.year,
            metric: row.metric,
            field: Some(row.field).filter(|f| !f.is_empty()),
            value: row.value_bp as f64 / 10_000.0,
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    pub year: Option<i32>,
}

/// Targets set in the caller's scope (offices without one inherit their ancestor's;
/// the defaults are 0.99 on time and 0.95 satisfaction).
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", params(TargetQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The targets set", body = Vec<TargetView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Clerks do not see targets", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_targets(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<TargetQuery>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let year = query.year;
    let rows = state
        .db(move |conn| {
            let offices =
                actor.visible_offices(|path| db::dossiers::subtree_office_ids(conn, path))?;
            Ok(db::targets::list(conn, offices, year)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(TargetView::from).collect::<Vec<_>>()))
}

/// Sets a target (admin, or manager of the office's subtree).
#[utoipa::path(put, path = "/api/v1/targets", tag = "targets", request_body = PutTarget, security(("bearer" = [])),
    responses(
        (status = 200, description = "Stored", body = TargetView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not a manager of this office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn put_target(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<PutTarget>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let body = body.into_inner();
    if !(0.0..=1.0).contains(&body.value) {
        return Err(ApiError::field("value", "a fraction between 0 and 1"));
    }
    if !(2000..=2100).contains(&body.year) {
        return Err(ApiError::field("year", "between 2000 and 2100"));
    }
    let field = super::search_term(body.field.as_deref())
        .map_err(|_| ApiError::field("field", "at most 100 characters"))?;
    let row = TargetRow {
        office_id: OfficeId::from(body.office_id),
        year: body.year,
        metric: body.metric,
        field: field.unwrap_or_default(),
        value_bp: (body.value * 10_000.0).round() as i32,
        updated_by: Some(actor.user_id.clone()),
        updated_at: Utc::now().naive_utc(),
    };
    let stored = row.clone();
    state
        .write(move |conn| {
            let office = db::offices::find(conn, &stored.office_id)?.ok_or_else(|| {
                ApiError::NotFound(
                    ErrorCode::OfficeNotFound,
                    "the office does not exist".to_owned(),
                )
            })?;
            if !actor.covers(&office.id, &office.path) {
                return Err(ApiError::forbidden());
            }
            Ok(db::targets::put(conn, &stored)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TargetView::from(row)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/targets", "GET, PUT")
            .route(web::get().to(list_targets))
            .route(web::put().to(put_target)),
    );
}
