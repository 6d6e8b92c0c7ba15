//! Queries on `offices`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::offices;
use super::{escape_like, lower, subtree_upper_bound, AnyConnection};
use crate::domain::ids::OfficeId;
use crate::domain::office::OfficeLevel;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = offices, treat_none_as_null = true)]
pub struct OfficeRow {
    pub id: OfficeId,
    pub code: String,
    pub name: String,
    pub level: OfficeLevel,
    pub parent_id: Option<OfficeId>,
    pub path: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The first day it received dossiers, when recorded.
    pub opened_on: Option<NaiveDate>,
}

#[derive(Debug, Default)]
pub struct OfficeFilter {
    pub parent_id: Option<OfficeId>,
    pub level: Option<OfficeLevel>,
    /// Case-insensitive substring of the code or name.
    pub q: Option<String>,
    /// Only this subtree (materialized path prefix).
    pub within_path: Option<String>,
    /// Keyset pagination: codes strictly after this one.
    pub after_code: Option<String>,
}

pub fn find(conn: &mut AnyConnection, id: &OfficeId) -> QueryResult<Option<OfficeRow>> {
    offices::table
        .find(id)
        .select(OfficeRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, row: &OfficeRow) -> QueryResult<()> {
    diesel::insert_into(offices::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The most senior level among the office's direct children, if it has any.
pub fn child_levels(conn: &mut AnyConnection, id: &OfficeId) -> QueryResult<Vec<OfficeLevel>> {
    offices::table
        .filter(offices::parent_id.eq(id))
        .select(offices::level)
        .distinct()
        .load(conn)
}

/// Saves `row`; when its path changed, rewrites the paths of its whole subtree (its
/// dashboard counters are the caller's: `stats::move_scope`).
pub fn update(conn: &mut AnyConnection, row: &OfficeRow, old_path: &str) -> QueryResult<()> {
    diesel::update(offices::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    if row.path != old_path {
        let upper = subtree_upper_bound(old_path);
        let old_len = old_path.chars().count() as i32;
        diesel::update(
            offices::table
                .filter(offices::path.gt(old_path))
                .filter(offices::path.lt(upper)),
        )
        .set(
            offices::path.eq(diesel::dsl::sql::<diesel::sql_types::Text>("")
                .bind::<diesel::sql_types::Text, _>(row.path.clone())
                .sql(" || substr(path, ")
                .bind::<diesel::sql_types::Integer, _>(old_len + 1)
                .sql(")")),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// The offices directly under this one.
pub fn children(conn: &mut AnyConnection, id: &OfficeId) -> QueryResult<Vec<OfficeRow>> {
    offices::table
        .filter(offices::parent_id.eq(id))
        .select(OfficeRow::as_select())
        .order(offices::code)
        .load(conn)
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &OfficeFilter,
    limit: i64,
) -> QueryResult<Vec<OfficeRow>> {
    let mut query = offices::table.select(OfficeRow::as_select()).into_boxed();
    if let Some(parent_id) = &filter.parent_id {
        query = query.filter(offices::parent_id.eq(parent_id.clone()));
    }
    if let Some(level) = &filter.level {
        query = query.filter(offices::level.eq(*level));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(q));
        query = query.filter(
            lower(offices::name)
                .like(pattern.to_lowercase())
                .escape('\\')
                .or(lower(offices::code)
                    .like(pattern.to_lowercase())
                    .escape('\\')),
        );
    }
    if let Some(path) = &filter.within_path {
        query = query
            .filter(offices::path.ge(path.clone()))
            .filter(offices::path.lt(subtree_upper_bound(path)));
    }
    if let Some(after) = &filter.after_code {
        query = query.filter(offices::code.gt(after.clone()));
    }
    query.order(offices::code.asc()).limit(limit).load(conn)
}

pub fn find_by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<OfficeRow>> {
    offices::table
        .filter(offices::code.eq(code))
        .select(OfficeRow::as_select())
        .first(conn)
        .optional()
}
