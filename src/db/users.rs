//! Queries on `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{offices, revoked_tokens, users};
use super::{escape_like, lower};
use super::{subtree_upper_bound, AnyConnection};
use crate::domain::ids::{OfficeId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub password_hash: String,
    pub full_name: String,
    pub role: crate::domain::account::Role,
    pub office_id: Option<OfficeId>,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Carried by each access token; bumped to revoke them all (password change,
    /// disabling).
    pub token_generation: i32,
}

#[derive(Debug, Default)]
pub struct UserFilter {
    pub office_id: Option<String>,
    pub role: Option<crate::domain::account::Role>,
    pub q: Option<String>,
    /// Only users whose office lies in this subtree.
    pub within_path: Option<String>,
    pub after_username: Option<String>,
}

pub fn find(conn: &mut AnyConnection, id: &UserId) -> QueryResult<Option<UserRow>> {
    let row = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional();
    super::naming_row(row, "user", id.as_str())
}

pub fn find_by_username(conn: &mut AnyConnection, username: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// What authenticating a staff token needs, in one statement: the account, its
/// office's path, and whether the token (`jti`) was revoked.
pub fn find_for_token(
    conn: &mut AnyConnection,
    id: &UserId,
    jti: &str,
) -> QueryResult<Option<(UserRow, Option<String>, bool)>> {
    let row = users::table
        .left_join(offices::table)
        .filter(users::id.eq(id))
        .select((
            UserRow::as_select(),
            offices::path.nullable(),
            diesel::dsl::exists(revoked_tokens::table.find(jti)),
        ))
        .first(conn)
        .optional();
    super::naming_row(row, "user", id.as_str())
}

pub fn count(conn: &mut AnyConnection) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

pub fn insert(conn: &mut AnyConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn update(conn: &mut AnyConnection, row: &UserRow) -> QueryResult<()> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)
        .map(|_| ())
}

pub fn list(
    conn: &mut AnyConnection,
    filter: &UserFilter,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .left_join(offices::table)
        .select(UserRow::as_select())
        .into_boxed();
    if let Some(office_id) = &filter.office_id {
        query = query.filter(users::office_id.eq(office_id.clone()));
    }
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(*role));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(
            lower(users::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::full_name).like(pattern).escape('\\')),
        );
    }
    if let Some(path) = &filter.within_path {
        query = query
            .filter(offices::path.ge(path.clone()))
            .filter(offices::path.lt(subtree_upper_bound(path)));
    }
    if let Some(after) = &filter.after_username {
        query = query.filter(users::username.gt(after.clone()));
    }
    query.order(users::username.asc()).limit(limit).load(conn)
}

/// Full names of these users, by id (labels for reports).
pub fn full_names(
    conn: &mut AnyConnection,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, String>> {
    let mut names = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        names.extend(
            super::PlannedWithValues(
                users::table
                    .filter(users::id.eq_any(chunk))
                    .select((users::id, users::full_name)),
            )
            .load::<(String, String)>(conn)?,
        );
    }
    Ok(names)
}
