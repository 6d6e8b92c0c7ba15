//! argon2id hashing (m=19456 KiB, t=2, p=1, the OWASP baseline), with a bound on
//! concurrent hashes: each takes ~19 MiB, so a login storm queues instead of
//! exhausting memory.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::{ApiError, ApiResult};

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes synchronously (CLI and bootstrap). Handlers use [`PasswordHasher`].
pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

pub fn verify_password_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Verified against when the account does not exist, so timing does not tell.
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> PasswordHasher {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(max_concurrent.max(1))),
            dummy_hash: Arc::new(hash_password_blocking("motcua-dummy-password")),
        }
    }

    pub async fn hash(&self, password: String) -> ApiResult<String> {
        let _permit = self.acquire().await?;
        Ok(actix_web::web::block(move || hash_password_blocking(&password)).await?)
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is none.
    pub async fn verify(&self, password: String, hash: Option<String>) -> ApiResult<bool> {
        let _permit = self.acquire().await?;
        let found = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        let ok = actix_web::web::block(move || verify_password_blocking(&password, &hash)).await?;
        Ok(ok && found)
    }

    async fn acquire(&self) -> ApiResult<tokio::sync::SemaphorePermit<'_>> {
        self.permits
            .acquire()
            .await
            .map_err(|_| ApiError::Unavailable("shutting down".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_round_trip_uses_argon2id_with_the_agreed_parameters() {
        let hash = hash_password_blocking("Tra-cuu ho so 7");
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password_blocking("Tra-cuu ho so 7", &hash));
        assert!(!verify_password_blocking("tra-cuu ho so 7", &hash));
        assert!(!verify_password_blocking("x", "not a hash"));
    }
}
