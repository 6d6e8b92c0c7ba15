//! Stored first answers to requests sent with an `Idempotency-Key`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::AnyConnection;
use crate::domain::ids::UserId;

/// How long an answer is kept (the draft asks for at least 24 hours); the stats
/// folder forgets older ones hourly.
pub const KEPT: chrono::Duration = chrono::Duration::hours(48);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct StoredAnswer {
    pub user_id: UserId,
    pub idempotency_key: String,
    /// Digest of the request the key was first sent with.
    pub fingerprint: String,
    pub status: i32,
    pub body: String,
    pub created_at: NaiveDateTime,
}

pub fn find(
    conn: &mut AnyConnection,
    user: &UserId,
    key: &str,
) -> QueryResult<Option<StoredAnswer>> {
    idempotency_keys::table
        .find((user, key))
        .select(StoredAnswer::as_select())
        .first(conn)
        .optional()
}

/// Stores an answer; a unique violation means another request with the key got there
/// first.
pub fn insert(conn: &mut AnyConnection, answer: &StoredAnswer) -> QueryResult<()> {
    diesel::insert_into(idempotency_keys::table)
        .values(answer)
        .execute(conn)
        .map(|_| ())
}

/// Forgets the answers stored before `cutoff`; returns how many.
pub fn forget_before(conn: &mut AnyConnection, cutoff: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(cutoff)))
        .execute(conn)
}
