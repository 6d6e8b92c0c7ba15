//! Migrations: both trees have the same names, and up → down → up works.

mod common;

use common::TestDb;

fn names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
    names.sort();
    names
}

#[test]
fn sqlite_and_postgres_trees_have_the_same_migrations() {
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!(
                    "{}/migrations/{backend}/{name}/{file}",
                    env!("CARGO_MANIFEST_DIR")
                );
                let sql = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(!sql.trim().is_empty(), "{path} is missing or empty");
            }
        }
    }
}

#[derive(diesel::QueryableByName)]
struct DumpLine {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

/// The whole schema as text, one line per table, column, index and constraint, in a
/// fixed order (the migrations' own bookkeeping left out).
fn schema_dump(conn: &mut motcua::db::AnyConnection, postgres: bool) -> Vec<String> {
    use diesel::RunQueryDsl;
    let query = if postgres {
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' ||          is_nullable || ' ' || coalesce(column_default, '') AS line          FROM information_schema.columns WHERE table_schema = current_schema()          AND table_name <> '__diesel_schema_migrations'          UNION ALL SELECT 'index ' || indexdef FROM pg_indexes          WHERE schemaname = current_schema() AND tablename <> '__diesel_schema_migrations'          UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' ||          pg_get_constraintdef(oid) FROM pg_constraint          WHERE connamespace = current_schema()::regnamespace          AND conrelid::regclass::text <> '__diesel_schema_migrations' ORDER BY line"
    } else {
        // The stored CREATE statements, and each table's columns as they are now
        // (ALTER TABLE rewrites them in place).
        "SELECT type || ' ' || name || ' ' || coalesce(sql, '') AS line FROM sqlite_master          WHERE name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'          UNION ALL SELECT 'column ' || m.name || '.' || c.name || ' ' || c.type || ' ' ||          c.\"notnull\" || ' ' || coalesce(c.dflt_value, '') || ' ' || c.pk          FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table'          AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'          ORDER BY line"
    };
    diesel::sql_query(query)
        .load::<DumpLine>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

#[test]
fn migrations_go_up_down_and_up_again() {
    use diesel::prelude::*;
    let db = TestDb::new();
    let backend = motcua::db::Backend::from_url(&db.url);
    let mut conn = motcua::db::connect(&backend).unwrap();
    motcua::db::run_migrations(&mut conn).unwrap();
    let first = schema_dump(&mut conn, db.is_postgres());
    assert!(first.len() > 100, "a schema of {} lines", first.len());
    let count = |conn: &mut motcua::db::AnyConnection| -> i64 {
        motcua::db::schema::offices::table
            .count()
            .get_result(conn)
            .unwrap()
    };
    assert_eq!(count(&mut conn), 0);
    motcua::db::revert_all_migrations(&mut conn).unwrap();
    assert!(
        motcua::db::schema::offices::table
            .count()
            .get_result::<i64>(&mut conn)
            .is_err(),
        "tables are gone after reverting"
    );
    motcua::db::run_migrations(&mut conn).unwrap();
    assert_eq!(count(&mut conn), 0);
    let again = schema_dump(&mut conn, db.is_postgres());
    let differ: Vec<_> = first
        .iter()
        .zip(&again)
        .filter(|(a, b)| a != b)
        .take(5)
        .collect();
    assert_eq!(first.len(), again.len(), "first: {differ:?}");
    assert!(
        differ.is_empty(),
        "up, down and up again differ: {differ:#?}"
    );
}

/// The server's connections never checkpoint SQLite's WAL on commit (the stats folder
/// does, off the writers' path), and a checkpoint puts committed rows in the file.
#[test]
fn committed_rows_reach_the_database_file_at_the_checkpoint() {
    use diesel::prelude::*;
    use motcua::db::{self, schema::offices};
    let test_db = TestDb::new();
    let backend = db::Backend::from_url(&test_db.url);
    let pool = db::init_pool(&backend, 2, std::time::Duration::from_secs(10)).expect("pool");
    let mut conn = pool.get().expect("connection");
    let now = chrono::Utc::now().naive_utc();
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(offices::table)
        .values((
            offices::id.eq(&id),
            offices::code.eq("H56.09"),
            offices::name.eq("Xã Tân Phú"),
            offices::level.eq("commune"),
            offices::path.eq(format!("/{id}/")),
            offices::created_at.eq(now),
            offices::updated_at.eq(now),
        ))
        .execute(&mut conn)
        .expect("insert");
    if test_db.is_postgres() {
        db::checkpoint(&mut conn).expect("nothing to do on PostgreSQL");
        return;
    }
    #[derive(QueryableByName)]
    struct Setting {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        wal_autocheckpoint: i64,
    }
    let setting: Setting = diesel::sql_query("PRAGMA wal_autocheckpoint")
        .get_result(&mut *conn)
        .expect("pragma");
    assert_eq!(setting.wal_autocheckpoint, 0);
    // An immutable reader sees the database file alone, not the WAL.
    let in_file = || -> i64 {
        let url = format!("file:{}?immutable=1", test_db.url);
        let mut reader = diesel::SqliteConnection::establish(&url).expect("reader");
        offices::table
            .filter(offices::id.eq(&id))
            .count()
            .get_result(&mut reader)
            .expect("count")
    };
    assert_eq!(in_file(), 0, "still only in the WAL");
    // A PASSIVE checkpoint leaves the pages a reader still needs (the pool opening
    // its next connection reads the schema): it is done once it says all are copied.
    let mut rounds = 0;
    while !db::checkpoint(&mut conn).expect("checkpoint").all_copied() {
        rounds += 1;
        assert!(rounds < 100, "the checkpoint never copied everything");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(in_file(), 1, "copied into the database file");
}
