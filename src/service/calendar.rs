//! The working-day calendar as admins change it: a holiday or a swapped working day
//! set or removed, and every open dossier's due date following at once.

use chrono::{NaiveDate, Utc};

use super::{dossiers, ServiceError, ServiceResult};
use crate::db::calendar::ExceptionRow;
use crate::db::{self, AnyConnection};
use crate::domain::calendar::{CalendarException, OfficeHours};
use crate::domain::ids::UserId;
use crate::error_code::ErrorCode;

/// Stores an exception (confirmed: not provisional) and recomputes the open dossiers;
/// returns how many moved.
pub fn put_exception(
    conn: &mut AnyConnection,
    hours: OfficeHours,
    actor_id: &UserId,
    exception: &CalendarException,
) -> ServiceResult<usize> {
    db::calendar::put(
        conn,
        &ExceptionRow::from_domain(exception, Utc::now().naive_utc()),
    )?;
    let why = format!(
        "calendar changed: {} is now {} ({})",
        exception.date,
        exception.kind.as_str(),
        exception.name
    );
    let calendar = db::calendar::load(conn, hours)?;
    dossiers::recompute_open(conn, &calendar, actor_id, &why)
}

/// Removes the exception of `day` (the day follows the weekly pattern again) and
/// recomputes the open dossiers; returns how many moved.
pub fn delete_exception(
    conn: &mut AnyConnection,
    hours: OfficeHours,
    actor_id: &UserId,
    day: NaiveDate,
) -> ServiceResult<usize> {
    let old = db::calendar::find(conn, day)?.ok_or_else(|| {
        ServiceError::NotFound(
            ErrorCode::ExceptionNotFound,
            format!("no holiday or working day on {day}"),
        )
    })?;
    db::calendar::delete(conn, day)?;
    let why = format!(
        "calendar changed: {day} is no longer {} ({})",
        old.kind.as_str(),
        old.name
    );
    let calendar = db::calendar::load(conn, hours)?;
    dossiers::recompute_open(conn, &calendar, actor_id, &why)
}
