//! Errors as RFC 9457 `application/problem+json`, each with a stable `code`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::password::HasherUnavailable;
use crate::auth::{Denied, Refused};
use crate::db::DbError;
pub use crate::error_code::{ErrorCode, FieldError};
use crate::service::ServiceError;

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type (`urn:motcua:problem:{code}`).
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code.
    #[schema(value_type = String)]
    pub code: ErrorCode,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// What a 503 tells clients to wait: a restarted database accepts connections again
/// within seconds, and the pool replaces its dead connections on the next checkout.
pub const RETRY_UNAVAILABLE_AFTER_SECS: u64 = 2;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{1}")]
    Unauthorized(ErrorCode, String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{1}")]
    NotFound(ErrorCode, String),
    #[error("{1}")]
    Conflict(ErrorCode, String),
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("{0}")]
    PayloadTooLarge(String),
    /// The body did not arrive within the deadline; the connection is closed.
    #[error("request timeout")]
    RequestTimeout,
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("service unavailable")]
    Unavailable(String),
    /// Details go to the log only, never to the client.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    pub fn not_found(what: &'static str) -> ApiError {
        let code = match what {
            "office" => ErrorCode::OfficeNotFound,
            "user" => ErrorCode::UserNotFound,
            "procedure" => ErrorCode::ProcedureNotFound,
            "kiosk" => ErrorCode::KioskNotFound,
            _ => ErrorCode::NotFound,
        };
        ApiError::NotFound(code, format!("{what} not found"))
    }

    pub fn forbidden() -> ApiError {
        ApiError::Forbidden("your role or office does not allow this".to_owned())
    }

    fn parts(&self) -> (StatusCode, ErrorCode, &'static str, String) {
        use ApiError::*;
        match self {
            BadRequest { code, detail } => (
                StatusCode::BAD_REQUEST,
                *code,
                "Bad request",
                detail.clone(),
            ),
            Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationFailed,
                "Validation failed",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            Unauthorized(code, detail) => (
                StatusCode::UNAUTHORIZED,
                *code,
                "Unauthorized",
                detail.clone(),
            ),
            Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                "Forbidden",
                detail.clone(),
            ),
            NotFound(code, detail) => (StatusCode::NOT_FOUND, *code, "Not found", detail.clone()),
            Conflict(code, detail) => (StatusCode::CONFLICT, *code, "Conflict", detail.clone()),
            TooManyRequests { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many requests",
                format!("too many attempts; retry in {retry_after_secs} s"),
            ),
            PayloadTooLarge(detail) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "Payload too large",
                detail.clone(),
            ),
            RequestTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                ErrorCode::RequestTimeout,
                "Request timeout",
                "the request body took too long to arrive".to_owned(),
            ),
            UnsupportedMediaType(detail) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
                detail.clone(),
            ),
            Unavailable(detail) => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "Service unavailable",
                detail.clone(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError,
                "Internal server error",
                "an unexpected error occurred; it has been logged".to_owned(),
            ),
        }
    }
}

/// Builds a problem response; also used for errors raised outside handlers.
pub fn problem_response(
    status: StatusCode,
    code: ErrorCode,
    title: &str,
    detail: String,
    errors: Vec<FieldError>,
) -> HttpResponse {
    let body = Problem {
        problem_type: format!("urn:motcua:problem:{code}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        code,
        errors,
    };
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .json(body)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.parts().0
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(detail) = self {
            tracing::error!(error = %detail, "internal error");
        }
        let (status, code, title, detail) = self.parts();
        let errors = match self {
            ApiError::Validation(errors) => errors.clone(),
            _ => Vec::new(),
        };
        let mut response = problem_response(status, code, title, detail, errors);
        if let ApiError::RequestTimeout = self {
            response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
        }
        let retry_after = match self {
            ApiError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            ApiError::Unavailable(_) => Some(RETRY_UNAVAILABLE_AFTER_SECS),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        response
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> ApiError {
        match err {
            ServiceError::NotFound(code, detail) => ApiError::NotFound(code, detail),
            ServiceError::Conflict(code, detail) => ApiError::Conflict(code, detail),
            ServiceError::Forbidden(detail) => ApiError::Forbidden(detail),
            ServiceError::Unauthorized(code, detail) => ApiError::Unauthorized(code, detail),
            ServiceError::Invalid(errors) => ApiError::Validation(errors),
            ServiceError::Unavailable(detail) => ApiError::Unavailable(detail),
            ServiceError::Db(err) => err.into(),
            ServiceError::Internal(detail) => ApiError::Internal(detail),
        }
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> ApiError {
        ApiError::Unauthorized(refused.code, refused.detail.to_owned())
    }
}

impl From<Denied> for ApiError {
    fn from(Denied(detail): Denied) -> ApiError {
        ApiError::Forbidden(detail)
    }
}

impl From<HasherUnavailable> for ApiError {
    fn from(HasherUnavailable(detail): HasherUnavailable) -> ApiError {
        ApiError::Unavailable(detail.to_owned())
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> ApiError {
        match err.outage() {
            Some(why) => {
                tracing::error!(error = %err, "database unavailable");
                ApiError::Unavailable(format!("{why}; retry shortly"))
            }
            None => ApiError::Internal(err.to_string()),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> ApiError {
        ApiError::from(DbError::from(err))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> ApiError {
        ApiError::Internal(err.to_string())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
