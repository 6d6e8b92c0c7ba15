//! Queries on `calendar_exceptions` (holidays and swapped working days).

use std::sync::{Arc, Mutex};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;

use super::schema::{calendar_exceptions, calendar_years};
use super::AnyConnection;
use crate::domain::calendar::{
    default_exceptions, Calendar, CalendarException, ExceptionKind, OfficeHours,
};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = calendar_exceptions)]
pub struct ExceptionRow {
    pub day: NaiveDate,
    pub kind: ExceptionKind,
    pub name: String,
    pub provisional: bool,
    pub updated_at: NaiveDateTime,
}

impl ExceptionRow {
    pub fn from_domain(exception: &CalendarException, now: NaiveDateTime) -> ExceptionRow {
        ExceptionRow {
            day: exception.date,
            kind: exception.kind,
            name: exception.name.clone(),
            provisional: exception.provisional,
            updated_at: now,
        }
    }

    pub fn to_domain(&self) -> CalendarException {
        CalendarException {
            date: self.day,
            kind: self.kind,
            name: self.name.clone(),
            provisional: self.provisional,
        }
    }
}

/// Loads the shipped holidays of every year not loaded before. An admin's later
/// changes (including deletions) are never overwritten.
pub fn seed_defaults(conn: &mut AnyConnection, now: NaiveDateTime) -> QueryResult<usize> {
    let seeded: Vec<i32> = calendar_years::table
        .select(calendar_years::year)
        .load(conn)?;
    let existing: Vec<NaiveDate> = calendar_exceptions::table
        .select(calendar_exceptions::day)
        .load(conn)?;
    let defaults = default_exceptions();
    let mut years: Vec<i32> = defaults.iter().map(|e| e.date.year()).collect();
    years.sort_unstable();
    years.dedup();
    let mut inserted = 0;
    for year in years.into_iter().filter(|y| !seeded.contains(y)) {
        let rows: Vec<ExceptionRow> = defaults
            .iter()
            .filter(|e| e.date.year() == year && !existing.contains(&e.date))
            .map(|e| ExceptionRow::from_domain(e, now))
            .collect();
        for row in &rows {
            diesel::insert_into(calendar_exceptions::table)
                .values(row)
                .execute(conn)?;
        }
        inserted += rows.len();
        diesel::insert_into(calendar_years::table)
            .values((
                calendar_years::year.eq(year),
                calendar_years::seeded_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(inserted)
}

pub fn all(conn: &mut AnyConnection) -> QueryResult<Vec<ExceptionRow>> {
    calendar_exceptions::table
        .select(ExceptionRow::as_select())
        .order(calendar_exceptions::day.asc())
        .load(conn)
}

pub fn load(conn: &mut AnyConnection, hours: OfficeHours) -> QueryResult<Calendar> {
    Ok(Calendar::new(
        all(conn)?.iter().map(ExceptionRow::to_domain),
        hours,
    ))
}

/// The calendar as last loaded, reused while its table is unchanged: every dossier
/// change and every worklist needs it, and it changes a few times a year. Checking costs
/// one aggregate row (how many exceptions, the latest change), which also sees changes
/// made through another server on the same database: a put stamps the day with the
/// current time, a delete lowers the count. (Servers sharing a database must keep their
/// clocks in sync anyway: a put stamped earlier than the latest change and replacing a
/// day would go unseen until the next change.)
#[derive(Default)]
pub struct CalendarCache(Mutex<Option<(CalendarStamp, Arc<Calendar>)>>);

type CalendarStamp = (i64, Option<NaiveDateTime>);

impl CalendarCache {
    pub fn load(&self, conn: &mut AnyConnection, hours: OfficeHours) -> QueryResult<Arc<Calendar>> {
        let stamp: CalendarStamp = calendar_exceptions::table
            .select((count_star(), max(calendar_exceptions::updated_at)))
            .first(conn)?;
        let cached = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some((cached_stamp, calendar)) = cached {
            if cached_stamp == stamp && *calendar.hours() == hours {
                return Ok(calendar);
            }
        }
        let calendar = Arc::new(load(conn, hours)?);
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((stamp, calendar.clone()));
        Ok(calendar)
    }
}

pub fn find(conn: &mut AnyConnection, day: NaiveDate) -> QueryResult<Option<ExceptionRow>> {
    calendar_exceptions::table
        .find(day)
        .select(ExceptionRow::as_select())
        .first(conn)
        .optional()
}

/// Replaces the exception of that day (portable: delete then insert).
pub fn put(conn: &mut AnyConnection, row: &ExceptionRow) -> QueryResult<()> {
    diesel::delete(calendar_exceptions::table.find(row.day)).execute(conn)?;
    diesel::insert_into(calendar_exceptions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut AnyConnection, day: NaiveDate) -> QueryResult<bool> {
    Ok(diesel::delete(calendar_exceptions::table.find(day)).execute(conn)? > 0)
}
