//! The authenticated staff member behind a request. Its token is checked against the
//! account on every call (see [`Actor::admit`]), so that disabling an account or
//! logging out takes effect at once.

use crate::db::users::UserRow;
use crate::domain::account::Role;
use crate::domain::ids::{OfficeId, UserId};
use crate::error_code::ErrorCode;

use super::jwt::Claims;
use super::Refused;

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

/// What a staff token needs from the database: the account (if it still exists), its
/// office's path, and whether the token was revoked (logout).
pub type TokenHolder = Option<(UserRow, Option<String>, bool)>;

impl Actor {
    /// The user id a verified token names.
    pub fn claimed_user(claims: &Claims) -> Result<UserId, Refused> {
        UserId::parse(&claims.sub)
            .map_err(|_| Refused::new(ErrorCode::InvalidToken, "the access token is not valid"))
    }

    /// The actor behind verified `claims`, if its account still lets the token in.
    pub fn admit(claims: Claims, holder: TokenHolder) -> Result<Actor, Refused> {
        let (user, office_path, revoked) = holder.ok_or(Refused::new(
            ErrorCode::InvalidToken,
            "the account no longer exists",
        ))?;
        let revoked_token = Refused::new(
            ErrorCode::TokenRevoked,
            "this token has been revoked; log in again",
        );
        if revoked {
            return Err(revoked_token);
        }
        if user.disabled {
            return Err(Refused::new(
                ErrorCode::AccountDisabled,
                "this account is disabled",
            ));
        }
        // A password change or a disabling since the token was issued.
        if claims.generation != user.token_generation {
            return Err(revoked_token);
        }
        Ok(Actor {
            user_id: user.id,
            username: user.username,
            role: user.role,
            office_id: user.office_id,
            office_path,
            jti: claims.jti,
            token_expires_at: claims.exp,
        })
    }
}
