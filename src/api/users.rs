//! Staff accounts. Admins manage everyone; a manager manages the clerks of its office
//! subtree (the rule lives in `auth::policy`).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{
    clean_name, decode_cursor, fail_if_any, into_page, page_size, parse_id, resource, search_term,
    utc, Page,
};
use crate::auth::Actor;
use crate::db::{self, users::UserRow};
use crate::domain::account::{check_password, check_username, normalize_username, Role};
use crate::domain::ids::{OfficeId, UserId};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::service::accounts::{self, AccountChange, NewAccount};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: uuid::Uuid,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub office_id: Option<uuid::Uuid>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> UserView {
        UserView {
            id: row.id.uuid(),
            role: row.role,
            office_id: row.office_id.as_ref().map(|id| id.uuid()),
            username: row.username,
            full_name: row.full_name,
            disabled: row.disabled,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Stored trimmed and in lower case.
    #[schema(
        example = "clerk.hoa",
        pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{2,63}\s*$"
    )]
    pub username: String,
    /// Not a common password, not containing the username.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    #[schema(
        example = "Nguyễn Thị Hoa",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub full_name: String,
    pub role: Role,
    /// Required for managers and clerks.
    pub office_id: Option<uuid::Uuid>,
}

/// Fields to change; absent fields stay. Changing the password or disabling the
/// account revokes its existing tokens.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*[^\s\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB][^\u0000-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]*$"
    )]
    pub full_name: Option<String>,
    #[schema(min_length = 8, max_length = 128)]
    pub password: Option<String>,
    pub role: Option<Role>,
    pub office_id: Option<uuid::Uuid>,
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub office_id: Option<uuid::Uuid>,
    pub role: Option<Role>,
    /// Part of the username or full name.
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

/// Lists the accounts the caller may manage or see (admin: all; manager: its subtree).
#[utoipa::path(get, path = "/api/v1/users", tag = "users", params(UserQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of accounts", body = Page<UserView>),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Clerks cannot list accounts", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn list_users(
    state: web::Data<AppState>,
    actor: Actor,
    query: web::Query<UserQuery>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let query = query.into_inner();
    let limit = page_size(query.limit)?;
    let filter = db::users::UserFilter {
        office_id: query.office_id.map(|id| id.to_string()),
        role: query.role,
        q: search_term(query.q.as_deref())?,
        within_path: actor.subtree_filter(),
        after_username: decode_cursor(query.cursor.as_deref())?,
    };
    let rows = state
        .db(move |conn| Ok(db::users::list(conn, &filter, limit + 1)?))
        .await?;
    Ok(HttpResponse::Ok().json(into_page(
        rows,
        limit,
        |r| r.username.clone(),
        UserView::from,
    )))
}

/// One account.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "The account", body = UserView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such account within reach", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn get_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id: UserId = parse_id(&id, "user")?;
    let (user, _) = state
        .db(move |conn| Ok(accounts::visible(conn, &actor, &id)?))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// The username (normalised) and full name of a new account, checked with its password.
fn names(body: &CreateUser) -> ApiResult<(String, String)> {
    let mut errors: Vec<FieldError> = Vec::new();
    let username = normalize_username(&body.username);
    if let Err(message) = check_username(&username) {
        errors.push(FieldError::new("username", message));
    }
    if let Err(message) = check_password(&body.password, &username) {
        errors.push(FieldError::new("password", message));
    }
    let full_name = clean_name(&mut errors, "full_name", &body.full_name);
    fail_if_any(errors)?;
    Ok((username, full_name))
}

/// Creates an account (admin: any; manager: a clerk in its subtree).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = CreateUser, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not allowed to create this account", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "Referenced office not found", body = crate::error::Problem, content_type = PROBLEM),
        (status = 409, description = "Username taken", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn create_user(
    state: web::Data<AppState>,
    actor: Actor,
    body: web::Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let body = body.into_inner();
    let (username, full_name) = names(&body)?;
    let (role, office_id) = (body.role, body.office_id.map(OfficeId::from));
    // Authorize before the expensive hash.
    let (check_actor, check_office) = (actor.clone(), office_id.clone());
    state
        .db(move |conn| {
            Ok(accounts::may_create(
                conn,
                &check_actor,
                role,
                check_office.as_ref(),
            )?)
        })
        .await?;
    let new = NewAccount {
        username,
        password_hash: state.hasher.hash(body.password).await?,
        full_name,
        role,
        office_id,
    };
    let row = state
        .write(move |conn| Ok(accounts::create(conn, &actor, new)?))
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(row)))
}

/// Changes an account. Disabling it or changing its password revokes its tokens.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UpdateUser, security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "Updated", body = UserView),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = PROBLEM),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Not allowed to change this account", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such account within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = PROBLEM),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn update_user(
    state: web::Data<AppState>,
    actor: Actor,
    id: web::Path<String>,
    body: web::Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let id: UserId = parse_id(&id, "user")?;
    let body = body.into_inner();
    let mut errors: Vec<FieldError> = Vec::new();
    let full_name = body
        .full_name
        .as_deref()
        .map(|n| clean_name(&mut errors, "full_name", n));
    fail_if_any(errors)?;
    actor.ensure_may_change_self(&id, body.disabled, body.role)?;
    let (check_actor, check_id) = (actor.clone(), id.clone());
    let username = state
        .db(move |conn| Ok(accounts::visible(conn, &check_actor, &check_id)?.0.username))
        .await?;
    let password_hash = match &body.password {
        Some(password) => {
            check_password(password, &username).map_err(|m| ApiError::field("password", m))?;
            Some(state.hasher.hash(password.clone()).await?)
        }
        None => None,
    };
    let change = AccountChange {
        full_name,
        password_hash,
        role: body.role,
        office_id: body.office_id.map(OfficeId::from),
        disabled: body.disabled,
    };
    let row = state
        .write(move |conn| Ok(accounts::update(conn, &actor, &id, change)?))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(row)))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/users", "GET, POST")
            .route(web::get().to(list_users))
            .route(web::post().to(create_user)),
    )
    .service(
        resource("/users/{id}", "GET, PATCH")
            .route(web::get().to(get_user))
            .route(web::patch().to(update_user)),
    );
}
