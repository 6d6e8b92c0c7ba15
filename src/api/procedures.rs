//! The procedure catalogue. Every staff member reads it; admins maintain it.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    clean_text, decode_cursor, fail_if_any, into_page, page_size, parse_id, resource, search_term,
    utc, Page,
};
use crate::auth::Actor;
use crate::db::{self, is_unique_violation, procedures::ProcedureRow};
use crate::domain::account::Role;
use crate::domain::procedure::{
    validate_deadline, validate_procedure_code, DeadlineUnit, OnlineLevel, MAX_FEE,
};
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError};
use crate::state::AppState;

/// The legal processing time.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    #[schema(example = 3, minimum = 1, maximum = 365)]
    #[serde(deserialize_with = "super::lenient::int")]
    pub value: i32,
    pub unit: DeadlineUnit,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProcedureView {
    pub id: uuid::Uuid,
    #[schema(example = "1.000948")]
    pub code: String,
    pub name: String,
    /// Lĩnh vực, e.g. `Hộ tịch`.
    pub field: String,
    pub deadline: Deadline,
    pub online_level: OnlineLevel,
    /// Fee in đồng, when there is one.
    pub fee: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ProcedureRow> for ProcedureView {
    fn from(row: ProcedureRow) -> ProcedureView {
        ProcedureView {
            id: row.id.uuid(),
            deadline: Deadline {
                value: row.deadline_value,
                unit: row.deadline_unit,
            },
            online_level: row.online_level,
            code: row.code,
            name: row.name,
            field: row.field,
            fee: row.fee,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProcedure {
    #[schema(
        example = "1.000948",
        pattern = r"^[0-9]\.[0-9]{6}(\.[A-Z0-9]{1,10})?$"
    )]
    pub code: String,
    #[schema(
        example = "Đăng ký khai sinh",
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: String,
    #[schema(
        example = "Hộ tịch",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub field: String,
    pub deadline: Deadline,
    pub online_level: OnlineLevel,
    /// In đồng.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    #[serde(default, deserialize_with = "super::lenient::opt_int")]
    pub fee: Option<i64>,
}

/// Fields to change; absent fields stay; `fee: null` removes the fee.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProcedure {
    #[schema(pattern = r"^[0-9]\.[0-9]{6}(\.[A-Z0-9]{1,10})?$")]
    pub code: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub name: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub field: Option<String>,
    pub deadline: Option<Deadline>,
    pub online_level: Option<OnlineLevel>,
    #[serde(default, deserialize_with = "super::lenient::double_opt_int")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub fee: Option<Option<i64>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProcedureQuery {
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub field: Option<String>,
    pub online_level: Option<OnlineLevel>,
    /// Part of the code or name.
    #[param(max_length = 100, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub q: Option<String>,
    /// Page size, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(max_length = 200, pattern = r"^[^\u0000-\u001F\u007F-\u009F]*$")]
    pub cursor: Option<String>,
}

const PROBLEM: &str = "application/problem+json";

fn check_fee(errors: &mut Vec<FieldError>, fee: Option<i64>) {
    if fee.is_some_and(|f| !(0..=MAX_FEE).contains(&f)) {
        errors.push(FieldError {
            field: "fee".into(),
            message: format!("must be between 0 and {MAX_FEE} đồng"),
        });
    }
}

fn check_deadline(errors: &mut Vec<FieldError>, deadline: Deadline) {
    if let Err(message) = validate_deadline(deadline.value, deadline.unit) {
        errors.push(FieldError {
            field: "deadline.value".into(),
            message,
        });
    }
}

fn check_code(errors: &mut Vec<FieldError>, code: &str) {
    if let Err(message) = validate_procedure_code(code) {
        errors.push(FieldError {
            field: "code".into(),
            message,
        });
    }
}

fn code_taken(err: diesel::result::Error) -> ApiError {
    if is_unique_violation(&err) {
        ApiError::Conflict(
            ErrorCode::ProcedureCodeTaken,
            "another procedure has this code".to_owned(),
        )
    } else {
        err.into()
    }
}

/// Lists procedures by code.
#[utoipa::path(get, path = "/api/v1/procedures", tag = "procedures", params(ProcedureQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of procedures", body = Page<ProcedureView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_procedures(
    state: web::Data<AppState>,
    _actor: Actor,
    query: web::Query<ProcedureQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let limit = page_size(query.limit)?;
    let field = match query.field.as_deref() {
        Some(f) => search_term(Some(f)).map_err(|_| {
            ApiError::field("field", "at most 100 characters, no control characters")
        })?,
        None => None,
    };
    let filter = db::procedures::ProcedureFilter {
        field,
        online_level: query.online_level,
        q: search_term(query.q.as_deref())?,
        after_code: decode_cursor(query.cursor.as_deref())?,
    };
    let rows = state
        .db(move |conn| Ok(db::procedures::list(conn, &filter, limit + 1)?))
        .await?;
    Ok(HttpResponse::Ok().json(into_page(
        rows,
        limit,
        |r| r.code.clone(),
        ProcedureView::from,
    )))
}

/// One procedure.
#[utoipa::path(get, path = "/api/v1/procedures/{id}", tag = "procedures", security(("bearer" = [])),
    params(("id" = String, Path, description = "Procedure id")),
    responses(
        (status = 200, description = "The procedure", body = ProcedureView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such procedure", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_procedure(
    state: web::Data<AppState>,
    _actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&id, "procedure")?;
    let row = state
        .db(move |conn| {
            db::procedures::find(conn, &id)?.ok_or_else(|| ApiError::not_found("procedure"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProcedureView::from(row)))
}

/// Adds a procedure to the catalogue (admin).
#[utoipa::path(post, path = "/api/v1/procedures", tag = "procedures", request_body = CreateProcedure, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ProcedureView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Code taken", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn create_procedure(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<CreateProcedure>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin])?;
    let body = body.into_inner();
    let mut errors = Vec::new();
    let code = body.code.trim().to_owned();
    check_code(&mut errors, &code);
    let name = clean_text(&mut errors, "name", &body.name, 500);
    let field = clean_text(&mut errors, "field", &body.field, 100);
    check_deadline(&mut errors, body.deadline);
    check_fee(&mut errors, body.fee);
    fail_if_any(errors)?;
    let now = Utc::now().naive_utc();
    let row = ProcedureRow {
        id: crate::domain::ids::ProcedureId::new(),
        code,
        name,
        field,
        deadline_value: body.deadline.value,
        deadline_unit: body.deadline.unit,
        online_level: body.online_level,
        fee: body.fee,
        created_at: now,
        updated_at: now,
    };
    let row = state
        .write(move |conn| {
            db::procedures::insert(conn, &row).map_err(code_taken)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(ProcedureView::from(row)))
}

/// What a PATCH changes of a procedure, every field checked; absent fields stay.
struct ProcedureChange {
    code: Option<String>,
    name: Option<String>,
    field: Option<String>,
    body: UpdateProcedure,
}

impl ProcedureChange {
    fn from_request(body: UpdateProcedure) -> ApiResult<ProcedureChange> {
        let mut errors = Vec::new();
        let code = body.code.as_deref().map(|c| c.trim().to_owned());
        if let Some(code) = &code {
            check_code(&mut errors, code);
        }
        let name = body
            .name
            .as_deref()
            .map(|n| clean_text(&mut errors, "name", n, 500));
        let field = body
            .field
            .as_deref()
            .map(|f| clean_text(&mut errors, "field", f, 100));
        if let Some(deadline) = body.deadline {
            check_deadline(&mut errors, deadline);
        }
        if let Some(fee) = body.fee {
            check_fee(&mut errors, fee);
        }
        fail_if_any(errors)?;
        Ok(ProcedureChange {
            code,
            name,
            field,
            body,
        })
    }

    fn apply(self, row: &mut ProcedureRow) {
        let ProcedureChange {
            code,
            name,
            field,
            body,
        } = self;
        row.code = code.unwrap_or(std::mem::take(&mut row.code));
        row.name = name.unwrap_or(std::mem::take(&mut row.name));
        row.field = field.unwrap_or(std::mem::take(&mut row.field));
        if let Some(deadline) = body.deadline {
            row.deadline_value = deadline.value;
            row.deadline_unit = deadline.unit;
        }
        row.online_level = body.online_level.unwrap_or(row.online_level);
        row.fee = body.fee.unwrap_or(row.fee);
        row.updated_at = Utc::now().naive_utc();
    }
}

/// Changes a procedure (admin).
#[utoipa::path(patch, path = "/api/v1/procedures/{id}", tag = "procedures", request_body = UpdateProcedure, security(("bearer" = [])),
    params(("id" = String, Path, description = "Procedure id")),
    responses(
        (status = 200, description = "Updated", body = ProcedureView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not an admin", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such procedure", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Code taken", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn update_procedure(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<UpdateProcedure>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin])?;
    let id = parse_id(&id, "procedure")?;
    let change = ProcedureChange::from_request(body.into_inner())?;
    let row = state
        .write(move |conn| {
            let mut row =
                db::procedures::find(conn, &id)?.ok_or_else(|| ApiError::not_found("procedure"))?;
            change.apply(&mut row);
            db::procedures::update(conn, &row).map_err(code_taken)?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProcedureView::from(row)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/procedures", "GET, POST")
            .route(web::get().to(list_procedures))
            .route(web::post().to(create_procedure)),
    )
    .service(
        resource("/procedures/{id}", "GET, PATCH")
            .route(web::get().to(get_procedure))
            .route(web::patch().to(update_procedure)),
    );
}
