//! The office tree. Every staff member may read the directory (clerks pick transfer
//! targets from it); only admins change it.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    clean_text, decode_cursor, fail_if_any, into_page, page_size, parse_id, resource, search_term,
    utc, Page,
};
use crate::auth::Actor;
use crate::db::{self, offices::OfficeRow};
use crate::domain::account::Role;
use crate::domain::ids::OfficeId;
use crate::domain::office::{validate_agency_code, OfficeLevel};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::service::{self, offices::NewOffice, offices::OfficeChange};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct OfficeView {
    pub id: uuid::Uuid,
    /// Electronic agency ID (mã định danh), e.g. `000.00.00.H56`.
    pub code: String,
    pub name: String,
    pub level: OfficeLevel,
    pub parent_id: Option<uuid::Uuid>,
    /// The first day it received dossiers: receipts are never back-dated before it.
    pub opened_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OfficeRow> for OfficeView {
    fn from(row: OfficeRow) -> OfficeView {
        OfficeView {
            id: row.id.uuid(),
            level: row.level,
            parent_id: row.parent_id.as_ref().map(|id| id.uuid()),
            code: row.code,
            name: row.name,
            opened_on: row.opened_on,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOffice {
    #[schema(
        example = "000.00.00.H56",
        pattern = r"^[A-Z0-9]{1,5}(\.[A-Z0-9]{1,5}){1,5}$"
    )]
    pub code: String,
    #[schema(
        example = "UBND tỉnh Khánh Hòa",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: String,
    pub level: OfficeLevel,
    /// Required for districts and communes; absent for provinces.
    pub parent_id: Option<uuid::Uuid>,
    /// The first day it received dossiers (e.g. 2025-07-01 for a commune formed under
    /// Decree 118/2025), if known: receipts are never back-dated before it.
    pub opened_on: Option<NaiveDate>,
}

/// Fields to change; absent fields stay. `parent_id: null` makes a root (provinces).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOffice {
    #[schema(pattern = r"^[A-Z0-9]{1,5}(\.[A-Z0-9]{1,5}){1,5}$")]
    pub code: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: Option<String>,
    pub level: Option<OfficeLevel>,
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub parent_id: Option<Option<uuid::Uuid>>,
    /// `null` when not known.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub opened_on: Option<Option<NaiveDate>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OfficeQuery {
    pub parent_id: Option<uuid::Uuid>,
    pub level: Option<OfficeLevel>,
    /// Part of the code or name.
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub q: Option<String>,
    /// Only this office and its subtree.
    pub within: Option<uuid::Uuid>,
    /// Page size, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub cursor: Option<String>,
}

const PROBLEM: &str = "application/problem+json";

/// Lists offices by code.
#[utoipa::path(get, path = "/api/v1/offices", tag = "offices", params(OfficeQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of offices", body = Page<OfficeView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "`within` office not found", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_offices(
    state: web::Data<AppState>,
    _actor: Actor,
    query: web::Query<OfficeQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let limit = page_size(query.limit)?;
    let mut filter = db::offices::OfficeFilter {
        parent_id: query.parent_id.map(OfficeId::from),
        level: query.level,
        q: search_term(query.q.as_deref())?,
        within_path: None,
        after_code: decode_cursor(query.cursor.as_deref())?,
    };
    let within = query.within.map(OfficeId::from);
    let rows = state
        .db(move |conn| {
            if let Some(id) = within {
                let office =
                    db::offices::find(conn, &id)?.ok_or_else(|| ApiError::not_found("office"))?;
                filter.within_path = Some(office.path);
            }
            Ok(db::offices::list(conn, &filter, limit + 1)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(into_page(rows, limit, |r| r.code.clone(), OfficeView::from)))
}

/// One office.
#[utoipa::path(get, path = "/api/v1/offices/{id}", tag = "offices", security(("bearer" = [])),
    params(("id" = String, Path, description = "Office id")),
    responses(
        (status = 200, description = "The office", body = OfficeView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_office(
    state: web::Data<AppState>,
    _actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id: OfficeId = parse_id(&id, "office")?;
    let row = state
        .db(move |conn| db::offices::find(conn, &id)?.ok_or_else(|| ApiError::not_found("office")))
        .await?;
    Ok(HttpResponse::Ok().json(OfficeView::from(row)))
}

/// Creates an office (admin).
#[utoipa::path(post, path = "/api/v1/offices", tag = "offices", request_body = CreateOffice, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = OfficeView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "Referenced office not found", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Code taken", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn create_office(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<CreateOffice>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin])?;
    let body = body.into_inner();
    let mut errors: Vec<FieldError> = Vec::new();
    let name = clean_text(&mut errors, "name", &body.name, 200);
    let code = body.code.trim().to_owned();
    if let Err(message) = validate_agency_code(&code) {
        errors.push(FieldError {
            field: "code".into(),
            message,
        });
    }
    let opened_on = body
        .opened_on
        .map(|d| super::date_in_range("opened_on", d))
        .transpose()?;
    fail_if_any(errors)?;
    let new = NewOffice {
        code,
        name,
        level: body.level,
        parent_id: body.parent_id.map(OfficeId::from),
        opened_on,
    };
    let row = state
        .write(move |conn| Ok(service::offices::create(conn, new)?))
        .await?;
    Ok(HttpResponse::Created().json(OfficeView::from(row)))
}

/// Changes an office (admin). Moving it moves its whole subtree.
#[utoipa::path(patch, path = "/api/v1/offices/{id}", tag = "offices", request_body = UpdateOffice, security(("bearer" = [])),
    params(("id" = String, Path, description = "Office id")),
    responses(
        (status = 200, description = "Updated", body = OfficeView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Code taken", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn update_office(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<UpdateOffice>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin])?;
    let id: OfficeId = parse_id(&id, "office")?;
    let body = body.into_inner();
    let mut errors: Vec<FieldError> = Vec::new();
    let name = body
        .name
        .as_deref()
        .map(|n| clean_text(&mut errors, "name", n, 200));
    let code = body.code.as_deref().map(|c| c.trim().to_owned());
    if let Some(Err(message)) = code.as_deref().map(validate_agency_code) {
        errors.push(FieldError {
            field: "code".into(),
            message,
        });
    }
    let parent_id = body.parent_id.map(|p| p.map(OfficeId::from));
    let opened_on = match body.opened_on {
        Some(Some(date)) => Some(Some(super::date_in_range("opened_on", date)?)),
        other => other,
    };
    fail_if_any(errors)?;
    let change = OfficeChange {
        code,
        name,
        level: body.level,
        parent_id,
        opened_on,
    };
    let row = state
        .write(move |conn| Ok(service::offices::update(conn, &id, change)?))
        .await?;
    Ok(HttpResponse::Ok().json(OfficeView::from(row)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/offices", "GET, POST")
            .route(web::get().to(list_offices))
            .route(web::post().to(create_office)),
    )
    .service(
        resource("/offices/{id}", "GET, PATCH")
            .route(web::get().to(get_office))
            .route(web::patch().to(update_office)),
    );
}
