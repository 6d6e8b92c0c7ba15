//! argon2id hashing (m=19456 KiB, t=2, p=1, the OWASP baseline), with a bound on
//! concurrent hashes: each takes ~19 MiB.

use std::cell::RefCell;
use std::sync::{mpsc, Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{
    Decimal, Ident, Output, ParamsString, PasswordHash, PasswordHasher as _, PasswordVerifier,
    Salt, SaltString,
};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// The hashing threads could not do the job (shutting down, or a job panicked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HasherUnavailable(pub &'static str);

fn params() -> Params {
    Params::new(19_456, 2, 1, None).expect("valid argon2 parameters")
}

thread_local! {
    /// The thread's argon2 working memory (19 MiB), allocated once and reused: freed
    /// and allocated again per hash, glibc kept a copy of it in each thread's malloc
    /// arena (283 MiB resident after 16 concurrent logins, measured).
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// argon2, computed in the calling thread's reused [`MEMORY`]; verification (constant
/// time) comes with the trait.
struct Argon2InThreadMemory;

impl argon2::PasswordHasher for Argon2InThreadMemory {
    type Params = Params;

    fn hash_password_customized<'a>(
        &self,
        password: &[u8],
        algorithm: Option<Ident<'a>>,
        version: Option<Decimal>,
        params: Params,
        salt: impl Into<Salt<'a>>,
    ) -> argon2::password_hash::Result<PasswordHash<'a>> {
        let algorithm = algorithm
            .map(Algorithm::try_from)
            .transpose()?
            .unwrap_or(Algorithm::Argon2id);
        let version = version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or(Version::V0x13);
        let salt = salt.into();
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        let argon2 = Argon2::new(algorithm, version, params.clone());
        let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let hash = Output::init_with(length, |out| {
            MEMORY.with_borrow_mut(|blocks| {
                blocks.resize(params.block_count(), Block::default());
                Ok(argon2.hash_password_into_with_memory(
                    password,
                    salt_bytes,
                    out,
                    &mut blocks[..],
                )?)
            })
        })?;
        Ok(PasswordHash {
            algorithm: algorithm.ident(),
            version: Some(version.into()),
            params: ParamsString::try_from(&params)?,
            salt: Some(salt),
            hash: Some(hash),
        })
    }
}

/// Hashes synchronously (CLI and bootstrap). Handlers use [`PasswordHasher`].
pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2InThreadMemory
        .hash_password_customized(password.as_bytes(), None, None, params(), &salt)
        .expect("argon2 hashing cannot fail with valid parameters")
        .to_string()
}

pub fn verify_password_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2InThreadMemory
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes and verifies on its own threads, one per hash allowed at a time, so a login
/// storm queues instead of exhausting memory: each thread keeps its 19 MiB of argon2
/// memory, and a few threads keep it bounded (the blocking pool has many).
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
}

/// Verified against when the account does not exist, so timing does not tell: a hash
/// with the agreed parameters, computed once (of "motcua-dummy-password").
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$FNGJXV1p+eTfphqW/1owwg$YNXG3WfMzgv47eLFrgOAtOKFluiYnnPICv8pzQVclNg";

type Job = Box<dyn FnOnce() + Send>;

impl PasswordHasher {
    /// Starts `threads` hashing threads; they stop when the last clone is dropped.
    pub fn new(threads: usize) -> PasswordHasher {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for _ in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name("password-hash".to_owned())
                .spawn(move || loop {
                    let job = queue
                        .lock()
                        .map_err(|_| ())
                        .and_then(|q| q.recv().map_err(|_| ()));
                    match job {
                        // A panicking job loses its answer (the caller gets 503), not the thread.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                        Err(()) => break,
                    }
                })
                .expect("spawn a password hashing thread");
        }
        PasswordHasher { jobs }
    }

    pub async fn hash(&self, password: String) -> Result<String, HasherUnavailable> {
        self.run(move || hash_password_blocking(&password)).await
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is none.
    pub async fn verify(
        &self,
        password: String,
        hash: Option<String>,
    ) -> Result<bool, HasherUnavailable> {
        let found = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let ok = self
            .run(move || verify_password_blocking(&password, &hash))
            .await?;
        Ok(ok && found)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HasherUnavailable> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = reply.send(work());
        });
        self.jobs
            .send(job)
            .map_err(|_| HasherUnavailable("shutting down"))?;
        answer
            .await
            .map_err(|_| HasherUnavailable("the password check failed; try again"))
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
        assert!(verify_password_blocking(
            "motcua-dummy-password",
            DUMMY_HASH
        ));
        assert!(
            DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "the dummy costs what a real hash costs"
        );
    }
}
