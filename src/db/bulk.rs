//! Bulk loading (the demo seeder): secondary indexes (and, on PostgreSQL, foreign
//! keys) are dropped before a load and restored after it, which sorts and checks once
//! instead of row by row.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::AnyConnection;

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Drops the indexes (and, on SQLite, the triggers) of `tables` that back no constraint (primary keys and unique
/// constraints stay) and, on PostgreSQL, their foreign keys; returns the statements
/// that restore them.
pub fn relax_for_load(conn: &mut AnyConnection, tables: &[&str]) -> QueryResult<Vec<String>> {
    let list = tables
        .iter()
        .map(|t| format!("'{}'", t.replace('\'', "")))
        .collect::<Vec<_>>()
        .join(", ");
    let indexes: Vec<IndexDefinition> = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(c) => diesel::sql_query(format!(
            "SELECT 'INDEX ' || indexname AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename IN ({list}) \
             AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        ))
        .load(c)?,
        #[cfg(feature = "sqlite")]
        // Triggers too: the search index's would flush an FTS5 segment per row (each
        // triggering statement opens a savepoint); it is rebuilt once instead.
        AnyConnection::Sqlite(c) => diesel::sql_query(format!(
            "SELECT type || ' ' || name AS name, sql AS definition FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name IN ({list})"
        ))
        .load(c)?,
    };
    for index in &indexes {
        diesel::sql_query(format!("DROP {}", index.name)).execute(conn)?;
    }
    let mut restore: Vec<String> = indexes.into_iter().map(|i| i.definition).collect();
    #[cfg(feature = "sqlite")]
    if matches!(conn, AnyConnection::Sqlite(_)) && tables.contains(&"dossiers") {
        restore.extend(super::search::REBUILD.map(str::to_owned));
    }
    #[cfg(feature = "postgres")]
    if let AnyConnection::Postgres(c) = conn {
        // Checked per row by triggers; re-adding one checks the whole table in one join.
        let keys: Vec<IndexDefinition> = diesel::sql_query(format!(
            "SELECT conrelid::regclass::text || ' ' || conname AS name,              pg_get_constraintdef(oid) AS definition FROM pg_constraint              WHERE contype = 'f' AND conrelid::regclass::text IN ({list})"
        ))
        .load(c)?;
        for key in keys {
            let (table, name) = key.name.split_once(' ').unwrap_or_default();
            diesel::sql_query(format!("ALTER TABLE {table} DROP CONSTRAINT {name}")).execute(c)?;
            restore.push(format!(
                "ALTER TABLE {table} ADD CONSTRAINT {name} {}",
                key.definition
            ));
        }
    }
    Ok(restore)
}

/// Runs the statements [`relax_for_load`] returned, logging how long each took (they
/// are most of a large seed's time). SQLite's WAL is emptied after each: an index over
/// 10 M rows is a gigabyte written in one transaction, and every page the next step
/// reads would be looked up among its frames first (at 10 M, the WAL's lookups were
/// most of a step's time).
pub fn restore_after_load(conn: &mut AnyConnection, definitions: &[String]) -> QueryResult<()> {
    for definition in definitions {
        let started = std::time::Instant::now();
        diesel::sql_query(definition.as_str()).execute(conn)?;
        super::restart_wal(
            conn,
            super::WalRestart::Truncate,
            std::time::Duration::from_secs(60),
        )?;
        let statement: String = definition.chars().take(90).collect();
        tracing::info!(
            seconds = started.elapsed().as_secs_f64(),
            statement,
            "restored"
        );
    }
    Ok(())
}
