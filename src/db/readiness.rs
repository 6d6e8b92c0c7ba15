//! What `/ready` checks: that the database takes a write now, not only that it answers
//! (a PostgreSQL standby answers reads, and so does SQLite on a full disk).

use std::io;
use std::path::Path;

use diesel::prelude::*;

use super::schema::readiness_probe;
use super::{AnyConnection, Backend};

/// Rewrites the probe's one row; run it inside a write transaction.
pub fn probe_write(conn: &mut AnyConnection, now: chrono::NaiveDateTime) -> QueryResult<()> {
    diesel::update(readiness_probe::table)
        .set(readiness_probe::written_at.eq(now))
        .execute(conn)
        .map(|_| ())
}

/// Bytes free for this process on the file system that holds a SQLite database;
/// `None` on PostgreSQL, whose disk is the server's to watch.
pub fn free_disk_bytes(backend: &Backend) -> Option<io::Result<u64>> {
    let Backend::Sqlite(path) = backend else {
        return None;
    };
    let dir = match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    Some(free_bytes(dir))
}

fn free_bytes(dir: &Path) -> io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes())?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is NUL-terminated and `stat` is room for one `statvfs`, which
    // the call fills when it returns 0.
    let stat = unsafe {
        if libc::statvfs(path.as_ptr(), stat.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        stat.assume_init()
    };
    #[allow(clippy::unnecessary_cast)] // the field types differ between platforms
    Ok(stat.f_bavail as u64 * stat.f_frsize as u64)
}
