//! Pure rules: no I/O, no database, no HTTP. Everything here is plain functions over
//! plain types, tested without a database.

pub mod account;
pub mod office;
pub mod procedure;
