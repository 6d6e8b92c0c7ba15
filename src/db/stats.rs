//! The dashboards' counters (see [`crate::domain::rollup`]).
//!
//! Every dossier change appends what it adds to `stats_deltas`, in its own
//! transaction: a few rows, no shared row to lock, so busy desks never queue behind
//! each other. The folder (`service::stats_folder`) moves the deltas into
//! `stats_rollups` (each office's subtree, by dimension and by year, month and day);
//! reports read both in one snapshot, so they are never stale. `motcua recount`
//! recomputes the rollups from the dossiers, reports differences and repairs them.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::const_sql::const_sql;
use super::dossiers::DossierRow;
use super::rollups::{
    exclusive_snapshot, lock_rollups, take_deltas, RecountReport, PENDING, PENDING_SQL, SUMMED,
    SUMMED_SQL,
};
use super::schema::{dossiers, offices, stats_deltas, stats_rollups};
use super::union_all::{UnionAll, UnionAllOf};
use super::AnyConnection;
use crate::domain::kpi::{contributions, DayCounters};
use crate::domain::rollup::{read_plan, summed_before, Dim, Grain};
use crate::domain::target::ancestors_nearest_first;

/// Hands the dashboard's counter columns, in [`DayCounters`]'s order, to `$then!` after
/// the other arguments: the one list behind the structs, selections, sums and upserts
/// below.
macro_rules! with_counters {
    ($then:ident; $($args:tt)*) => {
        $then! { $($args)* [
            received_in_person,
            received_online,
            received_postal,
            ended_early,
            ended_on_time,
            ended_late,
            refused,
            withdrawn,
            stopped,
            rescheduled,
            resolved_same_day,
            due,
            due_met,
            overdue_entered,
            overdue_left
        ] }
    };
}

/// Declares the counter columns of a table as a struct, and its conversions.
macro_rules! counter_columns {
    ($name:ident, $table:ident, [$($column:ident),+]) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            Default,
            PartialEq,
            Eq,
            Queryable,
            Selectable,
            Insertable,
            AsChangeset,
        )]
        #[diesel(table_name = $table)]
        pub struct $name {
            $($column: i32,)+
        }

        impl From<$name> for DayCounters {
            fn from(c: $name) -> DayCounters {
                DayCounters {
                    $($column: c.$column.into(),)+
                }
            }
        }

        impl From<&DayCounters> for $name {
            fn from(c: &DayCounters) -> $name {
                $name {
                    $($column: c.$column as i32,)+
                }
            }
        }
    };
}

with_counters!(counter_columns; RollupCounters, stats_rollups,);
with_counters!(counter_columns; DeltaCounters, stats_deltas,);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = stats_rollups)]
struct RollupRow {
    scope_id: String,
    dim: Dim,
    dim_id: String,
    grain: Grain,
    bucket: NaiveDate,
    #[diesel(embed)]
    counters: RollupCounters,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = stats_deltas)]
struct NewDelta {
    office_id: String,
    procedure_id: String,
    clerk_id: String,
    day: NaiveDate,
    #[diesel(embed)]
    counters: DeltaCounters,
}

/// The key of a row of `stats_rollups` under one scope: dimension, its id, grain, bucket.
type ScopedKey = (Dim, String, Grain, NaiveDate);

/// (procedure, clerk or "", day): the finest key a dossier contributes under.
pub type FineKey = (String, String, NaiveDate);
/// The finest counters of one receiving office.
pub type FineCounts = HashMap<FineKey, DayCounters>;

fn fine_contributions(row: &DossierRow) -> impl Iterator<Item = (FineKey, DayCounters)> + '_ {
    contributions(&row.state())
        .into_iter()
        .map(move |(day, c)| {
            (
                (
                    row.procedure_id.to_string(),
                    row.created_by
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                    day,
                ),
                c,
            )
        })
}

/// Adds the counters of one (procedure, clerk, day) to a scope's rows: each of the
/// three dimensions at each of the three grains.
fn spread(into: &mut HashMap<ScopedKey, DayCounters>, key: &FineKey, c: &DayCounters, sign: i64) {
    for dim in Dim::ALL {
        for grain in Grain::ALL {
            into.entry((
                dim,
                dim.id_of(&key.0, &key.1).to_owned(),
                grain,
                grain.bucket(key.2),
            ))
            .or_default()
            .combine(c, sign);
        }
    }
}

/// Records what a dossier change adds to the counters, inside the change's transaction.
pub fn apply(
    conn: &mut AnyConnection,
    before: Option<&DossierRow>,
    after: &DossierRow,
) -> QueryResult<()> {
    let mut delta: HashMap<FineKey, DayCounters> = HashMap::new();
    for (key, c) in fine_contributions(after) {
        delta.entry(key).or_default().merge(&c);
    }
    for (key, c) in before.into_iter().flat_map(fine_contributions) {
        delta.entry(key).or_default().combine(&c, -1);
    }
    let rows: Vec<NewDelta> = delta
        .into_iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((procedure_id, clerk_id, day), c)| NewDelta {
            office_id: after.office_id.to_string(),
            procedure_id,
            clerk_id,
            day,
            counters: (&c).into(),
        })
        .collect();
    // One by one: diesel's batch insert on SQLite opens a transaction of its own.
    for row in &rows {
        diesel::insert_into(stats_deltas::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

/// Whether any delta waits to be folded (a cheap read, outside any write lock).
pub fn has_deltas(conn: &mut AnyConnection) -> QueryResult<bool> {
    stats_deltas::table
        .select(stats_deltas::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.is_some())
}

/// Adds each row's counts to the stored row of its key (see [`super::rollups::add_to_rollups`]).
fn add_to_rollups(conn: &mut AnyConnection, rows: &[RollupRow]) -> QueryResult<()> {
    use super::rollups::add_to_rollups;
    with_counters!(add_to_rollups; conn, stats_rollups, rows,)
}

/// The rows that add `delta`'s non-zero counters under `scope`.
fn rows_of(scope: &str, delta: &HashMap<ScopedKey, DayCounters>) -> Vec<RollupRow> {
    delta
        .iter()
        .filter(|(_, c)| !c.is_zero())
        .map(|((dim, dim_id, grain, bucket), c)| RollupRow {
            scope_id: scope.to_owned(),
            dim: *dim,
            dim_id: dim_id.clone(),
            grain: *grain,
            bucket: *bucket,
            counters: c.into(),
        })
        .collect()
}

/// Folds up to `limit` deltas into the rollups of their office and every office
/// above it, inside the caller's write transaction. Returns how many were folded.
/// The deltas are summed per office and key before they are spread.
pub fn fold(conn: &mut AnyConnection, limit: i64) -> QueryResult<usize> {
    lock_rollups(conn)?;
    use stats_deltas::dsl as d;
    let deltas: Vec<(String, String, String, NaiveDate, DeltaCounters)> = take_deltas!(
        conn,
        stats_deltas,
        limit,
        (
            d::office_id,
            d::procedure_id,
            d::clerk_id,
            d::day,
            (
                d::received_in_person,
                d::received_online,
                d::received_postal,
                d::ended_early,
                d::ended_on_time,
                d::ended_late,
                d::refused,
                d::withdrawn,
                d::stopped,
                d::rescheduled,
                d::resolved_same_day,
                d::due,
                d::due_met,
                d::overdue_entered,
                d::overdue_left,
            ),
        )
    )?;
    let mut by_office: HashMap<String, FineCounts> = HashMap::new();
    for (office_id, procedure_id, clerk_id, day, c) in &deltas {
        by_office
            .entry(office_id.clone())
            .or_default()
            .entry((procedure_id.clone(), clerk_id.clone(), *day))
            .or_default()
            .merge(&DayCounters::from(*c));
    }
    let paths: Vec<(String, String)> = offices::table
        .filter(offices::id.eq_any(by_office.keys()))
        .select((offices::id, offices::path))
        .load(conn)?;
    let mut by_scope: HashMap<String, HashMap<ScopedKey, DayCounters>> = HashMap::new();
    for (office_id, path) in &paths {
        for (key, c) in &by_office[office_id] {
            for scope in ancestors_nearest_first(path) {
                spread(by_scope.entry(scope.to_string()).or_default(), key, c, 1);
            }
        }
    }
    let mut rows = Vec::new();
    for (scope, delta) in &by_scope {
        rows.extend(rows_of(scope, delta));
    }
    add_to_rollups(conn, &rows)?;
    Ok(deltas.len())
}

fn fold_everything(conn: &mut AnyConnection) -> QueryResult<()> {
    while fold(conn, 10_000)? > 0 {}
    Ok(())
}

/// An office moves from `old_path` to `new_path` (inside the move's transaction, before
/// the paths are rewritten): its subtree's counters leave its old ancestors' rollups
/// and join the new ones'. The office's own rows are exactly what it adds above.
pub fn move_scope(
    conn: &mut AnyConnection,
    office_id: &str,
    old_path: &str,
    new_path: &str,
) -> QueryResult<()> {
    lock_rollups(conn)?;
    fold_everything(conn)?;
    let rows: Vec<RollupRow> = stats_rollups::table
        .filter(stats_rollups::scope_id.eq(office_id))
        .select(RollupRow::as_select())
        .load(conn)?;
    let above = |path: &str| -> Vec<String> {
        ancestors_nearest_first(path)
            .into_iter()
            .map(|id| id.to_string())
            .filter(|id| id != office_id)
            .collect()
    };
    for (ancestors, sign) in [(above(old_path), -1), (above(new_path), 1)] {
        let delta: HashMap<ScopedKey, DayCounters> = rows
            .iter()
            .map(|row| {
                let mut c = DayCounters::default();
                c.combine(&row.counters.into(), sign);
                ((row.dim, row.dim_id.clone(), row.grain, row.bucket), c)
            })
            .collect();
        for ancestor in &ancestors {
            add_to_rollups(conn, &rows_of(ancestor, &delta))?;
        }
    }
    Ok(())
}

/// The counter columns of `$table`, in [`RollupCounters`]'s order.
macro_rules! columns_of {
    ($table:ident, [$($column:ident),+]) => {
        ($($table::$column,)+)
    };
}

/// The counter columns of `stats_rollups` summed (as integers on both databases), in
/// [`RollupCounters`]'s order.
macro_rules! rollup_sums {
    ([$($column:ident),+]) => {
        ($(const_sql::<diesel::sql_types::Integer>(concat!(
            "CAST(SUM(stats_rollups.", stringify!($column), ") AS INTEGER)"
        )),)*)
    };
}

/// Counters summed over every day before each of `cuts`, per (scope, dimension id),
/// for scopes within the subtree at `root_path`. The rollups of the read plan (its
/// days summed per cut by the database) and the deltas not yet folded come in one
/// statement (`UNION ALL`), so they are read from one snapshot without a
/// transaction, in one round trip.
pub fn sums_before(
    conn: &mut AnyConnection,
    root_path: &str,
    scopes: &[String],
    dim: Dim,
    cuts: &[NaiveDate],
) -> QueryResult<HashMap<(String, String), Vec<DayCounters>>> {
    use diesel::sql_types::Text;
    use stats_rollups::dsl as t;
    let mut out: HashMap<(String, String), Vec<DayCounters>> = HashMap::new();
    let mut add =
        |scope: String, dim_id: String, c: DayCounters, summed: &dyn Fn(NaiveDate) -> bool| {
            let sums = out
                .entry((scope, dim_id))
                .or_insert_with(|| vec![DayCounters::default(); cuts.len()]);
            for (sum, cut) in sums.iter_mut().zip(cuts) {
                if summed(*cut) {
                    sum.merge(&c);
                }
            }
        };
    // Pending deltas: (office path, dimension id, PENDING, day, counters).
    let pending = stats_deltas::table
        .inner_join(offices::table.on(offices::id.eq(stats_deltas::office_id)))
        .filter(offices::path.ge(root_path))
        .filter(offices::path.lt(super::subtree_upper_bound(root_path)));
    let dim_id = const_sql::<Text>(match dim {
        Dim::Total => "''",
        Dim::Procedure => "stats_deltas.procedure_id",
        Dim::Clerk => "stats_deltas.clerk_id",
    });
    let pending = pending
        .select((
            offices::path,
            dim_id,
            const_sql::<Text>(PENDING_SQL),
            stats_deltas::day,
            with_counters!(columns_of; stats_deltas,),
        ))
        .into_boxed();
    // The plan's years, quarters and months, a few rows per group: a select per range,
    // each a whole key prefix, so that both databases walk the key per range
    // (PostgreSQL from its covering key alone; an OR of the ranges read them through a
    // bitmap of the table's pages). An empty plan still reads the rest.
    let coarse_rows = || {
        t::stats_rollups
            .select((
                t::scope_id,
                t::dim_id,
                t::grain,
                t::bucket,
                with_counters!(columns_of; t,),
            ))
            .filter(t::scope_id.eq_any(scopes))
            .filter(t::dim.eq(dim.as_str()))
            .into_boxed()
    };
    let mut coarse: Vec<_> = read_plan(cuts)
        .ranges
        .into_iter()
        .filter(|(grain, _)| *grain != Grain::Day)
        .map(|(grain, range)| {
            coarse_rows()
                .filter(t::grain.eq(grain.as_str()))
                .filter(t::bucket.ge(range.start))
                .filter(t::bucket.lt(range.end))
        })
        .collect();
    if coarse.is_empty() {
        coarse.push(coarse_rows().filter(const_sql::<diesel::sql_types::Bool>("1 = 0")));
    }
    // Days are up to 30 rows per group and cut: the database sums them, a row per group
    // and cut (the cut stands in the day column).
    let days: Vec<_> = cuts
        .iter()
        .filter_map(|cut| {
            let (_, days) = read_plan(&[*cut])
                .ranges
                .into_iter()
                .find(|(grain, _)| *grain == Grain::Day)?;
            let summed = t::stats_rollups
                .group_by((t::scope_id, t::dim_id))
                .select((
                    t::scope_id,
                    t::dim_id,
                    const_sql::<Text>(SUMMED_SQL),
                    cut.into_sql::<diesel::sql_types::Date>(),
                    with_counters!(rollup_sums;),
                ))
                .filter(t::scope_id.eq_any(scopes))
                .filter(t::dim.eq(dim.as_str()))
                .filter(t::grain.eq(Grain::Day.as_str()))
                .filter(t::bucket.ge(days.start))
                .filter(t::bucket.lt(days.end))
                .into_boxed();
            Some(summed)
        })
        .collect();
    // Key prefixes and small tables: one plan serves every report.
    let rows: Vec<(String, String, String, NaiveDate, RollupCounters)> =
        super::planned_generically(conn, true, |conn| {
            if days.is_empty() {
                UnionAll(UnionAllOf(coarse), pending).load(conn)
            } else {
                UnionAll(UnionAllOf(coarse), UnionAll(UnionAllOf(days), pending)).load(conn)
            }
        })?;
    for (key, dim_id, kind, day, c) in rows {
        if kind == PENDING {
            // `key` is the office's path: the delta counts in every scope above it.
            for scope in scopes {
                if key.contains(&format!("/{scope}/")) {
                    add(scope.clone(), dim_id.clone(), c.into(), &|cut| day < cut);
                }
            }
        } else if kind == SUMMED {
            // `day` is the cut these days are summed before.
            add(key, dim_id, c.into(), &|cut| cut == day);
        } else if let Some(grain) = Grain::parse(&kind) {
            add(key, dim_id, c.into(), &|cut| summed_before(cut, grain, day));
        }
    }
    Ok(out)
}

/// Recomputes every rollup from the dossiers and compares; with `repair`, rewrites the
/// rows that differ. Opens its own [`TxKind::SnapshotWrite`] transaction, so the
/// dossiers, deltas and rollups it reads agree while desks keep working.
pub fn recount(conn: &mut AnyConnection, repair: bool) -> QueryResult<RecountReport> {
    exclusive_snapshot(conn, |conn| {
        fold_everything(conn)?;
        walk(conn, repair, &mut |conn, office_id, report| {
            recount_office(conn, office_id, report)
        })
    })
}

/// Writes the rollups of a bulk load (the demo seeder) from the finest counters the
/// loader computed itself, instead of reading every dossier back.
pub fn rebuild_from(
    conn: &mut AnyConnection,
    fine_of: &mut dyn FnMut(&str) -> FineCounts,
) -> QueryResult<RecountReport> {
    exclusive_snapshot(conn, |conn| {
        fold_everything(conn)?;
        walk(conn, true, &mut |_, office_id, _| Ok(fine_of(office_id)))
    })
}

/// Walks the offices in path order (depth first), so a scope's expected rows are
/// complete, compared and dropped as soon as its subtree is done: memory holds the
/// scopes of one branch, not the whole country.
fn walk(
    conn: &mut AnyConnection,
    repair: bool,
    fine_of: &mut dyn FnMut(
        &mut AnyConnection,
        &str,
        &mut RecountReport,
    ) -> QueryResult<FineCounts>,
) -> QueryResult<RecountReport> {
    let mut report = RecountReport::default();
    let mut tree: Vec<(String, String)> = offices::table
        .select((offices::id, offices::path))
        .load(conn)?;
    tree.sort_by(|a, b| a.1.cmp(&b.1));
    // The open branch: (office, path, expected rows of its subtree so far).
    let mut branch: Vec<(String, String, HashMap<ScopedKey, DayCounters>)> = Vec::new();
    for (office_id, path) in tree {
        while branch
            .last()
            .is_some_and(|(_, top, _)| !path.starts_with(top.as_str()))
        {
            if let Some((scope, _, expected)) = branch.pop() {
                compare_scope(conn, &scope, expected, repair, &mut report)?;
            }
        }
        let fine = fine_of(conn, &office_id, &mut report)?;
        branch.push((office_id, path, HashMap::new()));
        for (_, _, expected) in branch.iter_mut() {
            for (key, c) in &fine {
                spread(expected, key, c, 1);
            }
        }
    }
    while let Some((scope, _, expected)) = branch.pop() {
        compare_scope(conn, &scope, expected, repair, &mut report)?;
    }
    Ok(report)
}

/// The finest counters of the dossiers received at one office.
fn recount_office(
    conn: &mut AnyConnection,
    office_id: &str,
    report: &mut RecountReport,
) -> QueryResult<FineCounts> {
    let mut fine = FineCounts::new();
    let mut after: Option<String> = None;
    loop {
        let mut page = dossiers::table
            .filter(dossiers::office_id.eq(office_id))
            .select(DossierRow::as_select())
            .order(dossiers::id)
            .limit(5_000)
            .into_boxed();
        if let Some(last) = &after {
            page = page.filter(dossiers::id.gt(last.clone()));
        }
        let rows = page.load(conn)?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id.to_string());
        report.dossiers += rows.len();
        for row in &rows {
            for (key, c) in fine_contributions(row) {
                fine.entry(key).or_default().merge(&c);
            }
        }
    }
    Ok(fine)
}

/// Compares one scope's stored rows with the recount; with `repair`, fixes them.
fn compare_scope(
    conn: &mut AnyConnection,
    scope: &str,
    mut expected: HashMap<ScopedKey, DayCounters>,
    repair: bool,
    report: &mut RecountReport,
) -> QueryResult<()> {
    expected.retain(|_, c| !c.is_zero());
    report.rows_expected += expected.len();
    let stored: Vec<RollupRow> = stats_rollups::table
        .filter(stats_rollups::scope_id.eq(scope))
        .select(RollupRow::as_select())
        .load(conn)?;
    let mut differ = |what: String| {
        report.rows_differing += 1;
        if report.examples.len() < 10 {
            report.examples.push(what);
        }
    };
    let mut missing: Vec<RollupRow> = Vec::new();
    for row in stored {
        let stored = DayCounters::from(row.counters);
        let key = (row.dim, row.dim_id.clone(), row.grain, row.bucket);
        let want = expected.remove(&key).unwrap_or_default();
        if want != stored {
            differ(format!(
                "{scope} {} {} {} {}: stored {stored:?}, recounted {want:?}",
                row.dim.as_str(),
                row.dim_id,
                row.grain.as_str(),
                row.bucket
            ));
            if repair {
                let pk = (
                    row.scope_id.as_str(),
                    row.dim.as_str(),
                    row.grain.as_str(),
                    row.bucket,
                    row.dim_id.as_str(),
                );
                diesel::update(stats_rollups::table.find(pk))
                    .set(RollupCounters::from(&want))
                    .execute(conn)?;
            }
        }
    }
    for ((dim, dim_id, grain, bucket), want) in expected {
        differ(format!(
            "{scope} {} {dim_id} {} {bucket}: missing, recounted {want:?}",
            dim.as_str(),
            grain.as_str()
        ));
        missing.push(RollupRow {
            scope_id: scope.to_owned(),
            dim,
            dim_id,
            grain,
            bucket,
            counters: (&want).into(),
        });
    }
    if repair {
        insert_rollups(conn, &missing)?;
    }
    Ok(())
}

fn insert_rollups(conn: &mut AnyConnection, rows: &[RollupRow]) -> QueryResult<()> {
    super::insert_all!(conn, stats_rollups::table, rows)
}

/// Whether the rollups must be built from scratch: dossiers were received but nothing
/// was ever counted (a database from before the rollups existed).
pub fn needs_rebuild(conn: &mut AnyConnection) -> QueryResult<bool> {
    let counted = stats_rollups::table
        .select(stats_rollups::scope_id)
        .first::<String>(conn)
        .optional()?
        .is_some()
        || has_deltas(conn)?;
    if counted {
        return Ok(false);
    }
    dossiers::table
        .filter(dossiers::received_at.is_not_null())
        .select(dossiers::id)
        .first::<String>(conn)
        .optional()
        .map(|d| d.is_some())
}
