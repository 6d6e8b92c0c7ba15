//! The authenticated staff member behind a request, checked against the database on
//! every call so that disabling an account or logging out takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::db;
use crate::domain::account::Role;
use crate::domain::ids::{OfficeId, UserId};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Prefix of kiosk device tokens, which are never accepted in place of a user token.
pub const KIOSK_TOKEN_PREFIX: &str = "mck_";

#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub role: Role,
    pub office_id: Option<OfficeId>,
    /// Materialized path of the actor's office (see `db::offices`).
    pub office_path: Option<String>,
    pub jti: String,
    pub token_expires_at: i64,
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let missing = || {
        ApiError::Unauthorized(
            ErrorCode::MissingToken,
            "send `Authorization: Bearer <access token>`".to_owned(),
        )
    };
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| missing())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(missing)?
        .trim();
    if token.is_empty() {
        return Err(missing());
    }
    Ok(token.to_owned())
}

async fn authenticate(state: web::Data<AppState>, token: String) -> Result<Actor, ApiError> {
    if token.starts_with(KIOSK_TOKEN_PREFIX) {
        return Err(ApiError::Unauthorized(
            ErrorCode::WrongTokenKind,
            "a kiosk token is not accepted here; log in as a staff member".to_owned(),
        ));
    }
    let claims = state.jwt.verify(&token)?;
    let jti = claims.jti.clone();
    let user_id = UserId::parse(&claims.sub).map_err(|_| {
        ApiError::Unauthorized(
            ErrorCode::InvalidToken,
            "the access token is not valid".to_owned(),
        )
    })?;
    let (user, office_path, revoked) = state
        .db(move |conn| Ok(db::users::find_for_token(conn, &user_id, &jti)?))
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                ErrorCode::InvalidToken,
                "the account no longer exists".to_owned(),
            )
        })?;
    let revoked_msg = || {
        ApiError::Unauthorized(
            ErrorCode::TokenRevoked,
            "this token has been revoked; log in again".to_owned(),
        )
    };
    if revoked {
        return Err(revoked_msg());
    }
    if user.disabled {
        return Err(ApiError::Unauthorized(
            ErrorCode::AccountDisabled,
            "this account is disabled".to_owned(),
        ));
    }
    // A password change or a disabling since the token was issued.
    if claims.generation != user.token_generation {
        return Err(revoked_msg());
    }
    let role = user.role;
    Ok(Actor {
        user_id: user.id,
        username: user.username,
        role,
        office_id: user.office_id,
        office_path,
        jti: claims.jti,
        token_expires_at: claims.exp,
    })
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Actor, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".to_owned()))?;
            authenticate(state, token?).await
        })
    }
}
