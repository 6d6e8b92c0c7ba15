//! What a workflow answers when it cannot do what was asked, in the domain's words;
//! only `api` turns it into HTTP.

use crate::db::DbError;
use crate::error_code::{ErrorCode, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Something named does not exist, or is outside the caller's reach.
    #[error("{1}")]
    NotFound(ErrorCode, String),
    /// The request contradicts the state of things (a dossier moved on, a code taken).
    #[error("{1}")]
    Conflict(ErrorCode, String),
    /// The caller's role or office does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// The caller is not who it must be (an unknown or revoked kiosk).
    #[error("{1}")]
    Unauthorized(ErrorCode, String),
    /// Fields that are wrong, each with why.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// A dependency cannot serve now (a queue full, shutting down); retry.
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Db(#[from] DbError),
    /// A bug or corrupt data: logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl From<crate::auth::Denied> for ServiceError {
    fn from(crate::auth::Denied(detail): crate::auth::Denied) -> ServiceError {
        ServiceError::Forbidden(detail)
    }
}

impl From<crate::auth::Refused> for ServiceError {
    fn from(refused: crate::auth::Refused) -> ServiceError {
        ServiceError::Unauthorized(refused.code, refused.detail.to_owned())
    }
}

impl ServiceError {
    pub fn field(field: &str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<diesel::result::Error> for ServiceError {
    fn from(err: diesel::result::Error) -> ServiceError {
        ServiceError::Db(DbError::from(err))
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
