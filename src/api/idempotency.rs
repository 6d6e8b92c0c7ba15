//! `Idempotency-Key` on the requests that create (draft-ietf-httpapi-idempotency-key-
//! header): a desk's browser that retries after a lost answer gets the first answer
//! again, not a second dossier or a second step.
//!
//! The answer is stored in the transaction that did the work, so the two commit or
//! vanish together: a crash between the commit and the answer leaves the answer
//! ready for the retry; a request that failed stored nothing and may be sent again
//! (corrected) with the same key. Keys belong to the account that sent them and are
//! kept 48 hours ([`db::idempotency::KEPT`]). The same key with another request is 409
//! `idempotency_conflict`, as for a vote's id; a key whose first request has not
//! finished yet is 409 `idempotency_key_in_use` (retry).

use actix_web::http::StatusCode;
use actix_web::{dev::Payload, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use crate::auth::Actor;
use crate::db::{self, idempotency::StoredAnswer, AnyConnection};
use crate::domain::ids::UserId;
use crate::error::{ApiError, ApiResult, ErrorCode};

const HEADER: &str = "Idempotency-Key";
/// Set on an answer given again from the store.
const REPLAYED: &str = "Idempotent-Replayed";

/// The header, as the OpenAPI document shows it.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // read by `FromRequest`, described here
pub struct IdempotencyHeader {
    /// A key the client makes for one request (a UUID), sent again with every retry
    /// of that request: the retry gets the first answer. 1–255 visible ASCII
    /// characters, bare or as a quoted string; answers are kept 48 hours.
    #[param(
        rename = "Idempotency-Key",
        pattern = r#"^([!#-\[\]-~]{1,255}|"[!#-\[\]-~]{1,255}")$"#
    )]
    idempotency_key: Option<String>,
}

/// The key of a request, with what it was sent to.
pub struct Idempotency {
    key: Option<String>,
    /// Method and path: one key, one operation.
    target: String,
}

impl FromRequest for Idempotency {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Idempotency, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let key = req.headers().get(HEADER).map(|value| {
            let text = value.to_str().unwrap_or("");
            let bare = text
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .unwrap_or(text);
            let visible = |c: char| c.is_ascii_graphic() && c != '"' && c != '\\';
            if (1..=255).contains(&bare.len()) && bare.chars().all(visible) {
                Ok(bare.to_owned())
            } else {
                Err(ApiError::field(
                    HEADER,
                    "1 to 255 visible ASCII characters (a UUID), bare or quoted",
                ))
            }
        });
        std::future::ready(key.transpose().map(|key| Idempotency {
            key,
            target: format!("{} {}", req.method(), req.path()),
        }))
    }
}

/// A request's answer: fresh, or the stored first answer to its key.
pub struct Answer {
    status: StatusCode,
    body: String,
    replayed: bool,
}

impl Answer {
    pub fn json(status: StatusCode, view: &impl Serialize) -> ApiResult<Answer> {
        Ok(Answer {
            status,
            body: serde_json::to_string(view).map_err(|e| ApiError::Internal(e.to_string()))?,
            replayed: false,
        })
    }

    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.content_type("application/json");
        if self.replayed {
            response.insert_header((REPLAYED, "true"));
        }
        response.body(self.body)
    }
}

/// One request's key, ready to run its work at most once.
pub struct Once {
    key: Option<(UserId, String)>,
    fingerprint: String,
}

impl Idempotency {
    /// Binds the key to the caller and the request's body.
    pub fn of(self, actor: &Actor, body: &impl Serialize) -> Once {
        let mut digest = Sha256::new();
        digest.update(self.target.as_bytes());
        digest.update([0]);
        // A body parsed from JSON always serializes back; an empty digest input
        // would make every failing body look alike.
        digest.update(serde_json::to_vec(body).expect("a parsed request body serializes"));
        Once {
            key: self.key.map(|key| (actor.user_id.clone(), key)),
            fingerprint: format!("{:x}", digest.finalize()),
        }
    }
}

impl Once {
    /// Runs `work` in the caller's transaction and stores its answer under the key,
    /// or gives the stored answer when the key was answered before.
    pub fn run(
        self,
        conn: &mut AnyConnection,
        work: impl FnOnce(&mut AnyConnection) -> ApiResult<Answer>,
    ) -> ApiResult<Answer> {
        let Some((user_id, key)) = self.key else {
            return work(conn);
        };
        if let Some(first) = db::idempotency::find(conn, &user_id, &key)? {
            if first.fingerprint != self.fingerprint {
                return Err(ApiError::Conflict(
                    ErrorCode::IdempotencyConflict,
                    "this Idempotency-Key was sent with another request; make a new key".to_owned(),
                ));
            }
            return Ok(Answer {
                status: StatusCode::from_u16(first.status as u16)
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
                body: first.body,
                replayed: true,
            });
        }
        let answer = work(conn)?;
        let stored = StoredAnswer {
            user_id,
            idempotency_key: key,
            fingerprint: self.fingerprint,
            status: i32::from(answer.status.as_u16()),
            body: answer.body.clone(),
            created_at: chrono::Utc::now().naive_utc(),
        };
        match db::idempotency::insert(conn, &stored) {
            Err(e) if db::is_unique_violation(&e) => Err(ApiError::Conflict(
                ErrorCode::IdempotencyKeyInUse,
                "a request with this Idempotency-Key is still being handled; retry".to_owned(),
            )),
            other => {
                other?;
                Ok(answer)
            }
        }
    }
}
