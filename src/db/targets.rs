//! Queries on `targets`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::targets;
use super::AnyConnection;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = targets)]
pub struct TargetRow {
    pub office_id: crate::domain::ids::OfficeId,
    pub year: i32,
    pub metric: crate::domain::target::Metric,
    pub field: String,
    pub value_bp: i32,
    pub updated_by: Option<crate::domain::ids::UserId>,
    pub updated_at: NaiveDateTime,
}

/// Replaces the target with the same key (portable: delete then insert).
pub fn put(conn: &mut AnyConnection, row: &TargetRow) -> QueryResult<()> {
    diesel::delete(targets::table.find((&row.office_id, row.year, &row.metric, &row.field)))
        .execute(conn)?;
    diesel::insert_into(targets::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Targets set on any of these offices for a year and metric.
pub fn for_offices(
    conn: &mut AnyConnection,
    offices: &[crate::domain::ids::OfficeId],
    year: i32,
    metric: &str,
) -> QueryResult<Vec<TargetRow>> {
    targets::table
        .filter(targets::office_id.eq_any(offices))
        .filter(targets::year.eq(year))
        .filter(targets::metric.eq(metric))
        .select(TargetRow::as_select())
        .load(conn)
}

pub fn list(
    conn: &mut AnyConnection,
    offices: Option<Vec<crate::domain::ids::OfficeId>>,
    year: Option<i32>,
) -> QueryResult<Vec<TargetRow>> {
    let mut query = targets::table.select(TargetRow::as_select()).into_boxed();
    if let Some(offices) = offices {
        query = query.filter(targets::office_id.eq_any(offices));
    }
    if let Some(year) = year {
        query = query.filter(targets::year.eq(year));
    }
    query
        .order((
            targets::office_id,
            targets::year,
            targets::metric,
            targets::field,
        ))
        .limit(5000)
        .load(conn)
}
