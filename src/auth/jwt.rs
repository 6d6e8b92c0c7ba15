//! Access tokens: HS256 JWTs with the algorithm pinned and every registered claim
//! required and checked; `jti` lets logout revoke one token.

use std::io::Write;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::config::JwtSecretSource;
use crate::domain::ids::UserId;
use crate::error_code::ErrorCode;

use super::Refused;

pub const ISSUER: &str = "motcua";
pub const AUDIENCE: &str = "motcua-api";
/// The `typ` claim of staff access tokens (kiosks use opaque tokens instead).
pub const ACCESS_TYPE: &str = "access";
const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub jti: String,
    pub typ: String,
    /// The account's token generation at issue (absent in tokens of older versions).
    #[serde(rename = "gen", default)]
    pub generation: i32,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl JwtKeys {
    pub fn from_secret(secret: &[u8]) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
        }
    }

    /// Loads the key from the configured source, generating and persisting a random
    /// one (mode 0600) when the file does not exist yet.
    pub fn load(source: &JwtSecretSource) -> Result<JwtKeys, String> {
        let secret = match source {
            JwtSecretSource::Value(value) => value.as_bytes().to_vec(),
            JwtSecretSource::File(path) => read_or_create_secret(path)?,
        };
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the JWT secret must be at least {MIN_SECRET_BYTES} bytes"
            ));
        }
        Ok(JwtKeys::from_secret(&secret))
    }

    pub fn issue(&self, user_id: &UserId, generation: i32, ttl_secs: i64) -> (String, Claims) {
        let now = Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: user_id.to_string(),
            exp: now + ttl_secs,
            iat: now,
            jti: uuid::Uuid::new_v4().to_string(),
            typ: ACCESS_TYPE.to_owned(),
            generation,
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail");
        (token, claims)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, Refused> {
        let invalid = |detail| Refused::new(ErrorCode::InvalidToken, detail);
        let data =
            decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
                match e.kind() {
                    jsonwebtoken::errors::ErrorKind::ExpiredSignature => Refused::new(
                        ErrorCode::TokenExpired,
                        "the access token has expired; log in again",
                    ),
                    _ => invalid("the access token is not valid"),
                }
            })?;
        if data.claims.typ != ACCESS_TYPE {
            return Err(invalid("the token is not an access token"));
        }
        if data.claims.iat > Utc::now().timestamp() + 30 {
            return Err(invalid("the token is issued in the future"));
        }
        Ok(data.claims)
    }
}

fn read_or_create_secret(path: &str) -> Result<Vec<u8>, String> {
    match std::fs::read_to_string(path) {
        Ok(contents) => return Ok(contents.trim().as_bytes().to_vec()),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("reading the JWT secret {path}: {e}"))
        }
        Err(_) => {}
    }
    if let Some(dir) = std::path::Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        crate::private_files::create_dir(dir)
            .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| format!("writing the JWT secret {path}: {e}"))?;
            tracing::info!(path, "generated a new JWT signing key");
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path)
            .map(|s| s.trim().as_bytes().to_vec())
            .map_err(|e| format!("reading the JWT secret {path}: {e}")),
        Err(e) => Err(format!("creating the JWT secret {path}: {e}")),
    }
}
