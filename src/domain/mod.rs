//! Pure rules: no I/O, no database, no HTTP. Everything here is plain functions over
//! plain types, tested without a database.

pub mod account;
pub mod calendar;
pub mod codes;
pub mod dates;
pub mod deadline;
pub mod dossier;
pub mod ids;
pub mod kiosk_sync;
pub mod kpi;
pub mod lifecycle;
pub mod lunar;
pub mod office;
pub mod procedure;
pub mod rollup;
pub mod satisfaction;
pub mod target;
pub mod text;
