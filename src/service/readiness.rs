//! Whether this instance can take traffic: the database takes a write now, and a
//! SQLite database has room to grow.

use crate::db::{self, AnyConnection, Backend};

use super::{ServiceError, ServiceResult};

/// `Ok` when ready; otherwise [`ServiceError::Unavailable`] or an outage, saying why.
pub fn check(
    conn: &mut AnyConnection,
    backend: &Backend,
    min_free_bytes: u64,
) -> ServiceResult<()> {
    if let Some(free) = db::readiness::free_disk_bytes(backend) {
        let free = free.map_err(|e| {
            ServiceError::Unavailable(format!("the database's free disk space is unknown: {e}"))
        })?;
        if free < min_free_bytes {
            return Err(ServiceError::Unavailable(format!(
                "the database's disk has {} MB free, under the {} MB of MOTCUA_READY_MIN_FREE_MB",
                free >> 20,
                min_free_bytes >> 20
            )));
        }
    }
    let now = chrono::Utc::now().naive_utc();
    Ok(db::write_tx(conn, |conn| {
        db::readiness::probe_write(conn, now)
    })?)
}
