//! Login, logout and the current account.

use std::time::Instant;

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::offices::OfficeView;
use super::resource;
use super::users::UserView;
use crate::auth::Actor;
use crate::db;
use crate::domain::account::{normalize_username, MAX_PASSWORD_CHARS};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub user: UserView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub user: UserView,
    /// The account's office (admins may have none).
    pub office: Option<OfficeView>,
}

/// The client address used for rate limits: the TCP peer (put a trusted proxy's
/// address handling in front if one terminates connections).
fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Exchanges a username and password for an access token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 400, description = "Malformed body", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong username or password, or account disabled", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { username, password } = body.into_inner();
    let username = normalize_username(&username);
    if username.is_empty()
        || username.len() > 64
        || password.is_empty()
        || password.chars().count() > MAX_PASSWORD_CHARS
    {
        return Err(bad_credentials());
    }
    let user = verified_account(&state, &client_ip(&req), username, password).await?;
    if user.disabled {
        return Err(ApiError::Unauthorized(
            ErrorCode::AccountDisabled,
            "this account is disabled".to_owned(),
        ));
    }
    let ttl = state.config.token_ttl.as_secs() as i64;
    let (token, _) = state.jwt.issue(&user.id, user.token_generation, ttl);
    tracing::info!(user_id = %user.id, "login");
    Ok(HttpResponse::Ok().json(LoginResponse {
        access_token: token,
        token_type: "Bearer".to_owned(),
        expires_in: ttl,
        user: UserView::from(user),
    }))
}

/// The account whose password this is, within the login limits (see
/// [`crate::auth::login_throttle`]); unknown usernames and wrong passwords read the same.
async fn verified_account(
    state: &AppState,
    address: &str,
    username: String,
    password: String,
) -> ApiResult<db::users::UserRow> {
    let now = Instant::now();
    state
        .login_per_ip
        .hit(address, now)
        .and_then(|_| state.login_throttle.check(address, &username, now))
        .map_err(|retry_after_secs| ApiError::TooManyRequests { retry_after_secs })?;
    let lookup = username.clone();
    let user = state
        .db(move |conn| Ok(db::users::find_by_username(conn, &lookup)?))
        .await?;
    // Hashed even for an unknown username (against a dummy hash): the answer takes as
    // long either way.
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let verified = state.hasher.verify(password, hash).await?;
    match user {
        Some(user) if verified => {
            state.login_throttle.succeeded(address, &username);
            Ok(user)
        }
        _ => {
            tracing::info!("login refused");
            state
                .login_throttle
                .failed(address, &username, Instant::now());
            Err(bad_credentials())
        }
    }
}

fn bad_credentials() -> ApiError {
    ApiError::Unauthorized(
        ErrorCode::InvalidCredentials,
        "wrong username or password".to_owned(),
    )
}

/// Revokes the access token used for this call.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Token revoked"),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let expires_at = DateTime::from_timestamp(actor.token_expires_at, 0)
        .unwrap_or_else(Utc::now)
        .naive_utc();
    let jti = actor.jti.clone();
    state
        .write(move |conn| {
            Ok(db::tokens::revoke(
                conn,
                &jti,
                expires_at,
                Utc::now().naive_utc(),
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in account and its office.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The current account", body = MeView),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(state: web::Data<AppState>, actor: Actor) -> ApiResult<HttpResponse> {
    let (user, office) = state
        .db(move |conn| {
            let user = db::users::find(conn, &actor.user_id)?
                .ok_or_else(|| ApiError::not_found("user"))?;
            let office = match &user.office_id {
                Some(id) => db::offices::find(conn, id)?,
                None => None,
            };
            Ok((user, office))
        })
        .await?;
    Ok(HttpResponse::Ok().json(MeView {
        user: UserView::from(user),
        office: office.map(OfficeView::from),
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/auth/login", "POST").route(web::post().to(login)))
        .service(resource("/auth/logout", "POST").route(web::post().to(logout)))
        .service(resource("/me", "GET").route(web::get().to(me)));
}
