//! Queries on `kiosks` and `office_kiosk_ratings`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{kiosk_syncs, kiosks, office_kiosk_ratings};
use super::AnyConnection;
use crate::domain::ids::{KioskId, OfficeId, UserId};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = kiosks)]
pub struct KioskRow {
    pub id: KioskId,
    pub office_id: OfficeId,
    pub name: String,
    pub token_hash: String,
    pub created_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut AnyConnection, row: &KioskRow) -> QueryResult<()> {
    diesel::insert_into(kiosks::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut AnyConnection, id: &KioskId) -> QueryResult<Option<KioskRow>> {
    kiosks::table
        .find(id)
        .select(KioskRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_token_hash(conn: &mut AnyConnection, hash: &str) -> QueryResult<Option<KioskRow>> {
    kiosks::table
        .filter(kiosks::token_hash.eq(hash))
        .select(KioskRow::as_select())
        .first(conn)
        .optional()
}

/// The kiosks of a vote group, one statement for all their tokens.
pub fn find_by_token_hashes(
    conn: &mut AnyConnection,
    hashes: &[&str],
) -> QueryResult<Vec<KioskRow>> {
    kiosks::table
        .filter(kiosks::token_hash.eq_any(hashes))
        .select(KioskRow::as_select())
        .load(conn)
}

pub fn revoke(conn: &mut AnyConnection, id: &KioskId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(kiosks::table.find(id).filter(kiosks::revoked_at.is_null()))
        .set(kiosks::revoked_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

pub fn touch(conn: &mut AnyConnection, id: &KioskId, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(kiosks::table.find(id))
        .set(kiosks::last_used_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// Kiosks of these offices (`None`: all), newest first.
pub fn list(
    conn: &mut AnyConnection,
    offices: Option<Vec<OfficeId>>,
    office_id: Option<OfficeId>,
) -> QueryResult<Vec<KioskRow>> {
    let mut query = kiosks::table.select(KioskRow::as_select()).into_boxed();
    if let Some(offices) = offices {
        query = query.filter(kiosks::office_id.eq_any(offices));
    }
    if let Some(office_id) = office_id {
        query = query.filter(kiosks::office_id.eq(office_id));
    }
    query.order(kiosks::id.desc()).limit(1000).load(conn)
}

/// What a kiosk last said of its queue.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = kiosk_syncs)]
pub struct KioskSyncRow {
    pub kiosk_id: KioskId,
    pub synced_at: NaiveDateTime,
    pub queue_depth: i32,
    pub oldest_pending_at: Option<NaiveDateTime>,
    pub rejected: i32,
    pub app_version: String,
}

/// Keeps a kiosk's latest report, replacing the one before.
pub fn record_sync(conn: &mut AnyConnection, sync: &KioskSyncRow) -> QueryResult<()> {
    // Upserts exist per backend only (diesel's multi-backend has none).
    let upsert = diesel::insert_into(kiosk_syncs::table)
        .values(sync)
        .on_conflict(kiosk_syncs::kiosk_id)
        .do_update()
        .set(sync);
    match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => upsert.execute(c)?,
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(c) => upsert.execute(c)?,
    };
    Ok(())
}

/// The latest reports of these kiosks (those that ever sent one).
pub fn syncs_of(conn: &mut AnyConnection, ids: &[KioskId]) -> QueryResult<Vec<KioskSyncRow>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        found.extend(
            kiosk_syncs::table
                .filter(kiosk_syncs::kiosk_id.eq_any(chunk))
                .select(KioskSyncRow::as_select())
                .load(conn)?,
        );
    }
    Ok(found)
}

/// The faces set on exactly this office, as stored (a JSON list).
pub fn ratings_of(conn: &mut AnyConnection, office_id: &OfficeId) -> QueryResult<Option<String>> {
    office_kiosk_ratings::table
        .find(office_id)
        .select(office_kiosk_ratings::ratings)
        .first(conn)
        .optional()
}

pub fn set_ratings(
    conn: &mut AnyConnection,
    office_id: &OfficeId,
    ratings: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(office_kiosk_ratings::table.find(office_id)).execute(conn)?;
    diesel::insert_into(office_kiosk_ratings::table)
        .values((
            office_kiosk_ratings::office_id.eq(office_id),
            office_kiosk_ratings::ratings.eq(ratings),
            office_kiosk_ratings::updated_at.eq(now),
        ))
        .execute(conn)
        .map(|_| ())
}
