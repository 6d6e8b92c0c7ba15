//! Files that hold personal data or secrets (the SQLite database and its WAL, the JWT
//! signing key): created readable by the service's user only, and reported at start
//! when an existing one is readable by others.

use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents, mode 0700.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path` empty with mode 0600 unless it exists (SQLite then opens it, and
/// gives its WAL and shared-memory files the same mode).
pub fn create_file(path: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Logs a warning for each of `paths` that exists and that others may read.
pub fn warn_if_shared<'a>(paths: impl IntoIterator<Item = &'a Path>) {
    #[cfg(unix)]
    for path in paths {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(
                    path = %path.display(),
                    mode = format!("{mode:o}"),
                    "readable by other users of this machine; it holds personal data or secrets: chmod go-rwx"
                );
            }
        }
    }
}
