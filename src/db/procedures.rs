//! Queries on `procedures`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::procedures;
use super::AnyConnection;
use super::{escape_like, lower};
use crate::domain::procedure::OnlineLevel;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = procedures, treat_none_as_null = true)]
pub struct ProcedureRow {
    pub id: crate::domain::ids::ProcedureId,
    pub code: String,
    pub name: String,
    pub field: String,
    pub deadline_value: i32,
    pub deadline_unit: crate::domain::procedure::DeadlineUnit,
    pub online_level: crate::domain::procedure::OnlineLevel,
    pub fee: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default)]
pub struct ProcedureFilter {
    pub field: Option<String>,
    pub online_level: Option<crate::domain::procedure::OnlineLevel>,
    pub q: Option<String>,
    pub after_code: Option<String>,
}

pub fn find(
    conn: &mut AnyConnection,
    id: &crate::domain::ids::ProcedureId,
) -> QueryResult<Option<ProcedureRow>> {
    procedures::table
        .find(id)
        .select(ProcedureRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut AnyConnection, row: &ProcedureRow) -> QueryResult<()> {
    diesel::insert_into(procedures::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update(conn: &mut AnyConnection, row: &ProcedureRow) -> QueryResult<()> {
    diesel::update(procedures::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(|_| ())
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &ProcedureFilter,
    limit: i64,
) -> QueryResult<Vec<ProcedureRow>> {
    let mut query = procedures::table
        .select(ProcedureRow::as_select())
        .into_boxed();
    if let Some(field) = &filter.field {
        query = query.filter(procedures::field.eq(field.clone()));
    }
    if let Some(level) = &filter.online_level {
        query = query.filter(procedures::online_level.eq(*level));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(
            lower(procedures::name)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(procedures::code).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = &filter.after_code {
        query = query.filter(procedures::code.gt(after.clone()));
    }
    query.order(procedures::code.asc()).limit(limit).load(conn)
}

/// How many procedures the catalogue holds at each online level.
pub fn count_by_online_level(conn: &mut AnyConnection) -> QueryResult<Vec<(OnlineLevel, i64)>> {
    procedures::table
        .group_by(procedures::online_level)
        .select((procedures::online_level, diesel::dsl::count_star()))
        .load(conn)
}

pub fn find_by_code(conn: &mut AnyConnection, code: &str) -> QueryResult<Option<ProcedureRow>> {
    procedures::table
        .filter(procedures::code.eq(code))
        .select(ProcedureRow::as_select())
        .first(conn)
        .optional()
}
