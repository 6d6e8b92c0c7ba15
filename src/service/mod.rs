//! Workflows that span tables: a service takes a connection (or runs its own
//! transaction) and plain inputs, and returns domain or row types or a
//! [`ServiceError`]; it knows nothing of HTTP.

pub mod accounts;
pub mod calendar;
pub mod dossiers;
pub mod error;
pub mod offices;
pub mod readiness;
pub mod reports;
pub mod stats_folder;
pub mod votes;

pub use error::{ServiceError, ServiceResult};
