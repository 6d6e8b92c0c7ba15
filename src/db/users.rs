//! Queries on `users`.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{offices, revoked_tokens, users, users_version};
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

/// Inserts a user and raises `users_version` (in the caller's transaction, if any),
/// so that every [`NameCache`] reads names again.
pub fn insert(conn: &mut AnyConnection, row: &UserRow) -> QueryResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    bump_version(conn)
}

/// Updates a user and raises `users_version`, as [`insert`] does.
pub fn update(conn: &mut AnyConnection, row: &UserRow) -> QueryResult<()> {
    diesel::update(users::table.find(&row.id))
        .set(row)
        .execute(conn)?;
    bump_version(conn)
}

fn bump_version(conn: &mut AnyConnection) -> QueryResult<()> {
    diesel::update(users_version::table)
        .set(users_version::version.eq(users_version::version + 1))
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
) -> QueryResult<HashMap<String, String>> {
    let mut names = HashMap::new();
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

/// Users' full names as last read, with the `users_version` they were read at: a
/// report by clerk labels a province's few hundred clerks after one tiny statement
/// instead of a lookup of them all (a tenth of that report's CPU on PostgreSQL).
/// Every change to `users` raises the version in the transaction that makes it, so names are
/// read again, on every server, as soon as one changed. Holds the names asked for
/// since (a few bytes per user).
#[derive(Debug, Default)]
pub struct NameCache(Mutex<(i64, HashMap<String, String>)>);

impl NameCache {
    /// [`full_names`], from the cache when `users` has not changed since.
    pub fn full_names(
        &self,
        conn: &mut AnyConnection,
        ids: &[String],
    ) -> QueryResult<HashMap<String, String>> {
        // The version first: names read after it are at least as new as it says.
        let version: i64 = users_version::table
            .select(users_version::version)
            .first(conn)?;
        let mut names = HashMap::new();
        let mut missing = Vec::new();
        {
            let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if cache.0 != version {
                *cache = (version, HashMap::new());
            }
            for id in ids {
                match cache.1.get(id) {
                    Some(name) => {
                        names.insert(id.clone(), name.clone());
                    }
                    None => missing.push(id.clone()),
                }
            }
        }
        if !missing.is_empty() {
            let read = full_names(conn, &missing)?;
            let mut cache = self.0.lock().unwrap_or_else(|e| e.into_inner());
            if cache.0 == version {
                cache
                    .1
                    .extend(read.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            names.extend(read);
        }
        Ok(names)
    }
}
