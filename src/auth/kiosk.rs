//! Kiosk devices: opaque `mck_` tokens with 256 random bits, stored only as a SHA-256
//! digest (the entropy makes a slow hash unnecessary), scoped to one office.

use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::actor::KIOSK_TOKEN_PREFIX;
use crate::db;
use crate::domain::ids::{KioskId, OfficeId};
use crate::error_code::ErrorCode;

use super::Refused;

/// A new token and the digest to store.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "{KIOSK_TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The kiosk behind a request.
#[derive(Debug, Clone)]
pub struct KioskDevice {
    pub id: KioskId,
    pub office_id: OfficeId,
    pub last_used_at: Option<chrono::NaiveDateTime>,
}

impl KioskDevice {
    /// The kiosk a token names, if it is known and not revoked.
    pub fn admit(row: Option<db::kiosks::KioskRow>) -> Result<KioskDevice, Refused> {
        let kiosk = row.ok_or(Refused::new(ErrorCode::InvalidToken, "unknown kiosk token"))?;
        if kiosk.revoked_at.is_some() {
            return Err(Refused::new(
                ErrorCode::TokenRevoked,
                "this kiosk has been revoked",
            ));
        }
        Ok(KioskDevice {
            id: kiosk.id,
            office_id: kiosk.office_id,
            last_used_at: kiosk.last_used_at,
        })
    }
}

/// A request's kiosk token, checked for shape only. Votes look their kiosks up in the
/// vote group's own transaction, one statement for the whole group, instead of one
/// round trip per vote before it; other kiosk requests extract a [`KioskDevice`].
#[derive(Debug, Clone)]
pub struct KioskToken {
    pub digest: String,
}

impl KioskToken {
    /// The token of an `Authorization: Bearer mck_...` header value.
    pub fn from_header(value: Option<&str>) -> Result<KioskToken, Refused> {
        let token = value
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(Refused::new(
                ErrorCode::MissingToken,
                "send `Authorization: Bearer <kiosk token>`",
            ))?;
        if !token.starts_with(KIOSK_TOKEN_PREFIX) {
            return Err(Refused::new(
                ErrorCode::WrongTokenKind,
                "this endpoint takes a kiosk token, not a staff token",
            ));
        }
        Ok(KioskToken {
            digest: token_digest(token),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_prefixed_and_hashed() {
        let (token, digest) = new_token();
        assert!(token.starts_with("mck_"));
        assert!(token.len() >= 4 + 43, "256 bits in base64url");
        assert_eq!(digest, token_digest(&token));
        assert_eq!(digest.len(), 64);
        assert_ne!(new_token().0, token);
    }
}
