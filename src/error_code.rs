//! The vocabulary of problems, shared by every layer that can refuse something: one
//! [`ErrorCode`] per kind of problem, and the offending fields of a request.

use serde::Serialize;

/// The stable, machine-readable code of every problem the service answers. The word
/// (`office_not_found`) is derived from the variant, once, for serde and for strum.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    // The request itself.
    ValidationFailed,
    MalformedJson,
    MalformedBody,
    PayloadTooLarge,
    UnsupportedMediaType,
    RequestTimeout,
    MethodNotAllowed,
    RouteNotFound,
    RateLimited,
    // Who is calling.
    MissingToken,
    InvalidToken,
    WrongTokenKind,
    TokenExpired,
    TokenRevoked,
    AccountDisabled,
    InvalidCredentials,
    MetricsTokenRequired,
    Forbidden,
    // What it names.
    NotFound,
    OfficeNotFound,
    UserNotFound,
    ProcedureNotFound,
    KioskNotFound,
    DossierNotFound,
    ExceptionNotFound,
    // The state of things.
    VersionConflict,
    InvalidTransition,
    AlreadyRescheduled,
    TooLateToReschedule,
    UsernameTaken,
    OfficeCodeTaken,
    ProcedureCodeTaken,
    InvalidPlacement,
    IdempotencyConflict,
    IdempotencyKeyInUse,
    DossierAlreadyRated,
    DossierNotAtThisOffice,
    ClerkNotAtThisOffice,
    TooSoon,
    // The service.
    Unavailable,
    InternalError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One offending field of a request.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// JSON path of the field, e.g. `deadline.value`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn codes_are_distinct_snake_case_words_and_serde_agrees() {
        let words: Vec<&str> = ErrorCode::iter().map(ErrorCode::as_str).collect();
        let mut distinct = words.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), words.len());
        for code in ErrorCode::iter() {
            let word = code.as_str();
            assert!(
                word.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{word}"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), word);
        }
        assert_eq!(ErrorCode::OfficeNotFound.as_str(), "office_not_found");
        assert_eq!(ErrorCode::InternalError.to_string(), "internal_error");
    }
}
