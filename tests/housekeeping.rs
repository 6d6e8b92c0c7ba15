//! SQLite housekeeping: the WAL stays bounded and is emptied when idle, and `motcua
//! backup FILE` makes a consistent, checked, private copy while the service writes.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use diesel::prelude::*;

fn wal_bytes(db: &TestDb) -> u64 {
    std::fs::metadata(format!("{}-wal", db.url)).map_or(0, |m| m.len())
}

#[derive(QueryableByName)]
struct Limit {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    journal_size_limit: i64,
}

#[test]
fn an_idle_wal_is_emptied_and_a_busy_one_is_cut_back_after_each_restart() {
    let env = TestEnv::new();
    if env.db.is_postgres() {
        eprintln!("SQLite only: PostgreSQL manages its own WAL");
        return;
    }
    let limit: Limit = diesel::sql_query("PRAGMA journal_size_limit")
        .get_result(&mut *env.conn())
        .unwrap();
    assert_eq!(limit.journal_size_limit, 64 << 20);
    let parent = env.office("H56", "province", None);
    for i in 0..50 {
        env.office(&format!("H56.{i:02}"), "district", Some(&parent));
    }
    assert!(wal_bytes(&env.db) > 0, "the writes are in the WAL");
    // The stats folder checkpoints every half second, and empties an idle WAL.
    let mut waited = 0;
    while wal_bytes(&env.db) > 0 {
        waited += 1;
        assert!(waited < 200, "the idle WAL was never emptied");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Nothing was lost on the way.
    let offices: i64 = motcua::db::schema::offices::table
        .count()
        .get_result(&mut *env.conn())
        .unwrap();
    assert_eq!(offices, 51);
}

fn backup(db: &TestDb, target: &std::path::Path) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
        .arg("backup")
        .arg(target)
        .env("DATABASE_URL", &db.url)
        .env("MOTCUA_JWT_SECRET", "test-secret-test-secret-test-secret!")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run motcua backup");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_backup_taken_while_the_service_writes_is_whole_checked_and_private() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("copies").join("motcua-backup.db");
    if env.db.is_postgres() {
        let (code, _, err) = backup(&env.db, &target);
        assert_eq!(code, Some(1));
        assert!(err.contains("pg_dump"), "{err}");
        return;
    }
    let parent = env.office("H56", "province", None);
    // A writer that does not stop while the copy is made.
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (stop, written, pool) = (stop.clone(), written.clone(), env.state.pool.clone());
        let parent = parent.clone();
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let id = motcua::domain::ids::OfficeId::new();
                let now = chrono::Utc::now().naive_utc();
                let row = motcua::db::offices::OfficeRow {
                    path: motcua::domain::office::child_path(Some(&parent.path), &id),
                    code: format!("X{}", written.load(Ordering::Relaxed)),
                    id,
                    name: "Xã thử".to_owned(),
                    level: motcua::domain::office::OfficeLevel::Commune,
                    parent_id: Some(parent.id.clone()),
                    created_at: now,
                    updated_at: now,
                    opened_on: None,
                };
                let mut conn = pool.get().unwrap();
                motcua::db::write_tx(&mut conn, |c| motcua::db::offices::insert(c, &row)).unwrap();
                written.fetch_add(1, Ordering::Relaxed);
            }
        })
    };
    while written.load(Ordering::Relaxed) < 200 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let before = written.load(Ordering::Relaxed) as i64 + 1;
    let (code, out, err) = backup(&env.db, &target);
    let after = written.load(Ordering::Relaxed) as i64 + 1;
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("integrity ok"), "{out}");
    assert!(after > before, "the service wrote while the copy was made");

    // The copy is the database at one moment: between what was written before and
    // after, and it says so.
    let mut copy = SqliteConnection::establish(&target.to_string_lossy()).unwrap();
    let copied: i64 = motcua::db::schema::offices::table
        .count()
        .get_result(&mut copy)
        .unwrap();
    assert!(
        before <= copied && copied <= after,
        "{before} ≤ {copied} ≤ {after}"
    );
    assert!(out.contains(&format!("offices {copied}")), "{out}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a copy of personal data is private");

    // An existing backup is never overwritten.
    let (code, _, err) = backup(&env.db, &target);
    assert_eq!(code, Some(1));
    assert!(err.contains("exists"), "{err}");
}
