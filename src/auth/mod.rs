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
