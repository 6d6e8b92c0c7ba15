//! Who is calling: the staff member or the kiosk behind a request, as handler
//! arguments. The rules are `auth`'s; this reads the header and the database.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};

use crate::auth::actor::{Actor, KIOSK_TOKEN_PREFIX};
use crate::auth::jwt::Claims;
use crate::auth::kiosk::{KioskDevice, KioskToken};
use crate::auth::Refused;
use crate::db::{self, AnyConnection};
use crate::domain::ids::UserId;
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

/// A staff token whose signature and expiry are checked but not yet its holder (the
/// account, logout): [`Bearer::admit`] looks the holder up on the connection the
/// request's own database work runs on. A read then takes one pooled connection (and
/// one checkout ping) instead of two; [`Actor`] is the same check on a connection of
/// its own.
pub struct Bearer {
    claims: Claims,
    user_id: UserId,
}

impl Bearer {
    /// The application state and the request's token, its signature and expiry checked.
    fn read(req: &HttpRequest) -> Result<(web::Data<AppState>, Bearer), ApiError> {
        let state = app_state(req)?;
        let claims = state.jwt.verify(&bearer_token(req)?)?;
        let user_id = Actor::claimed_user(&claims)?;
        Ok((state, Bearer { claims, user_id }))
    }

    /// The actor behind the token, if its account still lets the token in.
    pub fn admit(self, conn: &mut AnyConnection) -> Result<Actor, ApiError> {
        let holder = db::users::find_for_token(conn, &self.user_id, &self.claims.jti)?;
        Ok(Actor::admit(self.claims, holder)?)
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Bearer, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Bearer::read(req).map(|(_, bearer)| bearer))
    }
}

impl FromRequest for Actor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Actor, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let read = Bearer::read(req);
        Box::pin(async move {
            let (state, bearer) = read?;
            state.db(move |conn| bearer.admit(conn)).await
        })
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
