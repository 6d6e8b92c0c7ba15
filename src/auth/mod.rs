//! Who is calling and what they may do: passwords, access tokens, the request
//! extractor, office-scope policy and login rate limits.

pub mod actor;
pub mod jwt;
pub mod kiosk;
pub mod login_throttle;
pub mod password;
pub mod policy;
pub mod rate_limit;

pub use actor::Actor;
pub use policy::Scope;

use crate::error_code::ErrorCode;

/// Why a caller is not let in (an HTTP 401): what to tell it, with the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: ErrorCode,
    pub detail: &'static str,
}

impl Refused {
    pub const fn new(code: ErrorCode, detail: &'static str) -> Refused {
        Refused { code, detail }
    }
}

/// Why the caller's role or office does not allow an action (an HTTP 403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied(pub String);

impl Default for Denied {
    fn default() -> Denied {
        Denied("your role or office does not allow this".to_owned())
    }
}
