//! Who is calling: the staff member or the kiosk behind a request, as handler
//! arguments. The rules are `auth`'s; this reads the header and the database.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::auth::actor::{Actor, KIOSK_TOKEN_PREFIX};
use crate::auth::kiosk::{KioskDevice, KioskToken};
use crate::auth::Refused;
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

fn app_state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".to_owned()))
}

fn authorization(req: &HttpRequest) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// The staff token of `Authorization: Bearer <access token>`.
fn bearer_token(req: &HttpRequest) -> Result<String, Refused> {
    let token = authorization(req)
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Refused::new(
            ErrorCode::MissingToken,
            "send `Authorization: Bearer <access token>`",
        ))?;
    if token.starts_with(KIOSK_TOKEN_PREFIX) {
        return Err(Refused::new(
            ErrorCode::WrongTokenKind,
            "a kiosk token is not accepted here; log in as a staff member",
        ));
    }
    Ok(token.to_owned())
}

async fn authenticate(state: web::Data<AppState>, token: String) -> Result<Actor, ApiError> {
    let claims = state.jwt.verify(&token)?;
    let user_id = Actor::claimed_user(&claims)?;
    let jti = claims.jti.clone();
    let holder = state
        .db(move |conn| Ok(db::users::find_for_token(conn, &user_id, &jti)?))
        .await?;
    Ok(Actor::admit(claims, holder)?)
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Actor, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = app_state(req);
        let token = bearer_token(req);
        Box::pin(async move { authenticate(state?, token?).await })
    }
}

impl FromRequest for KioskToken {
    type Error = ApiError;
    type Future = std::future::Ready<Result<KioskToken, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(KioskToken::from_header(authorization(req)).map_err(ApiError::from))
    }
}

/// The kiosk a token names, looked up on its own (votes look theirs up in their group
/// commit instead).
pub async fn kiosk_device(state: &AppState, token: &KioskToken) -> Result<KioskDevice, ApiError> {
    let digest = token.digest.clone();
    let row = state
        .db(move |conn| Ok(db::kiosks::find_by_token_hash(conn, &digest)?))
        .await?;
    Ok(KioskDevice::admit(row)?)
}

impl FromRequest for KioskDevice {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<KioskDevice, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = app_state(req);
        let token = KioskToken::from_header(authorization(req)).map_err(ApiError::from);
        Box::pin(async move {
            let (state, token) = (state?, token?);
            kiosk_device(&state, &token).await
        })
    }
}
