//! `src/db/schema.rs` is written by hand for both databases: it must say what the
//! migrations build, table by table and column by column, on the database under test.

mod common;

use std::collections::BTreeMap;

use common::TestDb;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

/// A column as the code or the database sees it: its name, kind and nullability.
type Column = (String, &'static str, bool);

/// The tables and columns `schema.rs` declares, in order.
fn declared() -> BTreeMap<String, Vec<Column>> {
    let text = include_str!("../src/db/schema.rs");
    let mut tables = BTreeMap::new();
    for block in text.split("diesel::table! {").skip(1) {
        let body = block.split("\n}").next().unwrap();
        let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty());
        let name = lines
            .next()
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        let columns = lines
            .filter_map(|l| l.split_once(" -> "))
            .map(|(column, ty)| {
                let ty = ty.trim_end_matches(',');
                let (nullable, ty) = match ty.strip_prefix("Nullable<") {
                    Some(inner) => (true, inner.trim_end_matches('>')),
                    None => (false, ty),
                };
                (column.to_owned(), kind(ty), nullable)
            })
            .collect();
        tables.insert(name, columns);
    }
    tables
}

/// The kind of a diesel SQL type or of a database's column type.
fn kind(ty: &str) -> &'static str {
    match ty.to_lowercase().as_str() {
        "text" | "character varying" => "text",
        "integer" | "int4" => "integer",
        "bigint" | "int8" => "bigint",
        "bool" | "boolean" => "bool",
        "timestamp" | "timestamp without time zone" => "timestamp",
        "date" => "date",
        other => panic!("a column type this test does not know: {other}"),
    }
}

#[derive(QueryableByName)]
struct ColumnRow {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

/// The tables and columns the migrations built, in column order.
fn built(db: &TestDb) -> BTreeMap<String, Vec<Column>> {
    let backend = motcua::db::Backend::from_url(&db.url);
    let mut conn = motcua::db::connect(&backend).unwrap();
    motcua::db::run_migrations(&mut conn).unwrap();
    let query = if db.is_postgres() {
        "SELECT table_name::text AS table_name, column_name::text AS column_name, \
         data_type::text AS data_type, (is_nullable = 'YES') AS nullable \
         FROM information_schema.columns WHERE table_schema = current_schema() \
         AND table_name <> '__diesel_schema_migrations' ORDER BY table_name, ordinal_position"
    } else {
        "SELECT m.name AS table_name, c.name AS column_name, c.type AS data_type, \
         (c.\"notnull\" = 0 AND c.pk = 0) AS nullable \
         FROM sqlite_master m JOIN pragma_table_list l ON l.name = m.name \
         JOIN pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND l.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
         AND m.name <> '__diesel_schema_migrations' ORDER BY m.name, c.cid"
    };
    let rows: Vec<ColumnRow> = diesel::sql_query(query).load(&mut conn).unwrap();
    let mut tables: BTreeMap<String, Vec<Column>> = BTreeMap::new();
    for row in rows {
        tables.entry(row.table_name).or_default().push((
            row.column_name,
            kind(&row.data_type),
            row.nullable,
        ));
    }
    tables
}

#[test]
fn schema_rs_says_what_the_migrations_build() {
    let db = TestDb::new();
    let built = built(&db);
    let mut declared = declared();
    let mut built = built;
    if !db.is_postgres() {
        // SQLite has one integer type, of up to 8 bytes (a rowid key must say INTEGER).
        for column in declared.values_mut().chain(built.values_mut()).flatten() {
            if column.1 == "bigint" {
                column.1 = "integer";
            }
        }
    }
    assert_eq!(
        built.keys().collect::<Vec<_>>(),
        declared.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (table, columns) in &declared {
        // Order aside (ALTER TABLE appends): the same names, kinds and nullability.
        let mut want = columns.clone();
        let mut have = built[table].clone();
        want.sort();
        have.sort();
        assert_eq!(
            have, want,
            "table {table}: built (left) and declared (right)"
        );
    }
}
