//! Revoked access tokens, kept until they would have expired anyway.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::revoked_tokens;
use super::{is_unique_violation, AnyConnection};

pub fn revoke(
    conn: &mut AnyConnection,
    jti: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now)))
        .execute(conn)?;
    match diesel::insert_into(revoked_tokens::table)
        .values((
            revoked_tokens::jti.eq(jti),
            revoked_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)
    {
        Err(e) if is_unique_violation(&e) => Ok(()),
        other => other.map(|_| ()),
    }
}
