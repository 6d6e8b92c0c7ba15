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

#[test]
fn migrations_go_up_down_and_up_again() {
    use diesel::prelude::*;
    let db = TestDb::new();
    let backend = motcua::db::Backend::from_url(&db.url);
    let mut conn = motcua::db::connect(&backend).unwrap();
    motcua::db::run_migrations(&mut conn).unwrap();
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
}
