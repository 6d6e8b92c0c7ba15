//! The satisfaction report's counters, rolled up like the on-time ones ([`super::stats`],
//! [`crate::domain::rollup`]): votes per rating cast in each office's subtree, for the
//! whole, per procedure, clerk, local hour and weekday, by year, quarter, month and day.
//! A report reads a bounded number of rows however many votes there are.
//!
//! A vote is stored once and never changes: each stored group appends what it adds to
//! `vote_deltas` in its own transaction (no shared row to lock), the folder moves the
//! deltas into `vote_rollups` with the dossiers' ones, and reports read both in one
//! statement, so they are never stale. `motcua recount` recounts them from the votes.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::const_sql::const_sql;
use super::rollups::{
    exclusive_snapshot, lock_rollups, take_deltas, RecountReport, PENDING, PENDING_SQL,
};
use super::schema::{offices, vote_deltas, vote_rollups, votes};
use super::union_all::UnionAll;
use super::AnyConnection;
use crate::domain::rollup::{read_plan, summed_before, Grain, VoteDim};
use crate::domain::satisfaction::{Rating, RatingCounts};
use crate::domain::target::ancestors_nearest_first;

/// Declares the four rating columns of a table as a struct, and its conversions.
macro_rules! rating_columns {
    ($name:ident, $table:ident) => {
        #[derive(Debug, Clone, Copy, Default, Queryable, Selectable, Insertable, AsChangeset)]
        #[diesel(table_name = $table)]
        pub struct $name {
            very_satisfied: i32,
            satisfied: i32,
            neutral: i32,
            unsatisfied: i32,
        }

        impl From<$name> for RatingCounts {
            fn from(c: $name) -> RatingCounts {
                RatingCounts {
                    very_satisfied: c.very_satisfied.into(),
                    satisfied: c.satisfied.into(),
                    neutral: c.neutral.into(),
                    unsatisfied: c.unsatisfied.into(),
                }
            }
        }

        impl From<&RatingCounts> for $name {
            fn from(c: &RatingCounts) -> $name {
                $name {
                    very_satisfied: c.very_satisfied as i32,
                    satisfied: c.satisfied as i32,
                    neutral: c.neutral as i32,
                    unsatisfied: c.unsatisfied as i32,
                }
            }
        }
    };
}

rating_columns!(RollupCounts, vote_rollups);
rating_columns!(DeltaCounts, vote_deltas);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = vote_rollups)]
struct RollupRow {
    scope_id: String,
    dim: VoteDim,
    dim_id: String,
    grain: Grain,
    bucket: NaiveDate,
    #[diesel(embed)]
    counts: RollupCounts,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = vote_deltas)]
struct NewDelta {
    office_id: String,
    procedure_id: String,
    clerk_id: String,
    day: NaiveDate,
    hour: i32,
    weekday: i32,
    #[diesel(embed)]
    counts: DeltaCounts,
}

/// (procedure or "", clerk or "", local day, local hour): the finest key a vote counts under.
type FineKey = (String, String, NaiveDate, i32);
/// (dimension, its id, grain, bucket): a row of `vote_rollups` under one scope.
type ScopedKey = (VoteDim, String, Grain, NaiveDate);

fn dim_id(dim: VoteDim, (procedure, clerk, day, hour): &FineKey) -> String {
    match dim {
        VoteDim::Total => String::new(),
        VoteDim::Procedure => procedure.clone(),
        VoteDim::Clerk => clerk.clone(),
        VoteDim::Hour => hour.to_string(),
        VoteDim::Weekday => day.weekday().num_days_from_monday().to_string(),
    }
}

/// Adds one fine key's counts to a scope's rows: every dimension at every grain.
fn spread(into: &mut HashMap<ScopedKey, RatingCounts>, key: &FineKey, counts: &RatingCounts) {
    for dim in VoteDim::ALL {
        for grain in Grain::ALL {
            into.entry((dim, dim_id(dim, key), grain, grain.bucket(key.2)))
                .or_default()
                .merge(counts);
        }
    }
}

/// One stored vote, as the counters see it.
pub struct Cast<'a> {
    pub office_id: &'a str,
    pub procedure_id: Option<&'a str>,
    pub clerk_id: Option<&'a str>,
    pub day: NaiveDate,
    pub hour: i32,
    pub rating: Rating,
}

/// Records what newly stored votes add to the counters, inside their transaction.
pub fn record<'a>(
    conn: &mut AnyConnection,
    stored: impl IntoIterator<Item = Cast<'a>>,
) -> QueryResult<()> {
    let mut fine: HashMap<(&str, FineKey), RatingCounts> = HashMap::new();
    for vote in stored {
        let key = (
            vote.procedure_id.unwrap_or_default().to_owned(),
            vote.clerk_id.unwrap_or_default().to_owned(),
            vote.day,
            vote.hour,
        );
        fine.entry((vote.office_id, key))
            .or_default()
            .add(vote.rating, 1);
    }
    let rows: Vec<NewDelta> = fine
        .into_iter()
        .map(
            |((office_id, (procedure_id, clerk_id, day, hour)), counts)| NewDelta {
                office_id: office_id.to_owned(),
                procedure_id,
                clerk_id,
                weekday: day.weekday().num_days_from_monday() as i32,
                day,
                hour,
                counts: (&counts).into(),
            },
        )
        .collect();
    // One statement per 500 on PostgreSQL: a vote group stays one round trip or two.
    super::insert_all!(conn, vote_deltas::table, &rows)
}

/// Whether any delta waits to be folded (a cheap read, outside any write lock).
pub fn has_deltas(conn: &mut AnyConnection) -> QueryResult<bool> {
    vote_deltas::table
        .select(vote_deltas::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.is_some())
}

/// Adds each row's counts to the stored row of its key (see [`super::rollups::add_to_rollups`]).
fn add_to_rollups(conn: &mut AnyConnection, rows: &[RollupRow]) -> QueryResult<()> {
    super::rollups::add_to_rollups!(
        conn,
        vote_rollups,
        rows,
        [very_satisfied, satisfied, neutral, unsatisfied]
    )
}

/// The rows that add `delta`'s counts under each of `scopes`.
fn rows_of<'a>(
    scopes: impl IntoIterator<Item = &'a str>,
    delta: &'a HashMap<ScopedKey, RatingCounts>,
) -> Vec<RollupRow> {
    scopes
        .into_iter()
        .flat_map(|scope| {
            delta
                .iter()
                .map(move |((dim, dim_id, grain, bucket), counts)| RollupRow {
                    scope_id: scope.to_owned(),
                    dim: *dim,
                    dim_id: dim_id.clone(),
                    grain: *grain,
                    bucket: *bucket,
                    counts: counts.into(),
                })
        })
        .collect()
}

/// Folds up to `limit` deltas into the rollups of their office and every office above
/// it, inside the caller's write transaction. Returns how many were folded.
///
/// The deltas are summed per office and key before they are spread: thousands of
/// single-vote deltas fall on a few keys.
pub fn fold(conn: &mut AnyConnection, limit: i64) -> QueryResult<usize> {
    lock_rollups(conn)?;
    type Delta = (String, String, String, NaiveDate, i32, DeltaCounts);
    use vote_deltas::dsl as d;
    let deltas: Vec<Delta> = take_deltas!(
        conn,
        vote_deltas,
        limit,
        (
            d::office_id,
            d::procedure_id,
            d::clerk_id,
            d::day,
            d::hour,
            (d::very_satisfied, d::satisfied, d::neutral, d::unsatisfied),
        )
    )?;
    let mut by_office: HashMap<String, HashMap<FineKey, RatingCounts>> = HashMap::new();
    for (office_id, procedure_id, clerk_id, day, hour, counts) in &deltas {
        by_office
            .entry(office_id.clone())
            .or_default()
            .entry((procedure_id.clone(), clerk_id.clone(), *day, *hour))
            .or_default()
            .merge(&RatingCounts::from(*counts));
    }
    let paths: Vec<(String, String)> = offices::table
        .filter(offices::id.eq_any(by_office.keys()))
        .select((offices::id, offices::path))
        .load(conn)?;
    let mut by_scope: HashMap<String, HashMap<ScopedKey, RatingCounts>> = HashMap::new();
    for (office_id, path) in &paths {
        for (key, counts) in &by_office[office_id] {
            for scope in ancestors_nearest_first(path) {
                spread(by_scope.entry(scope.to_string()).or_default(), key, counts);
            }
        }
    }
    let mut rows = Vec::new();
    for (scope, delta) in &by_scope {
        rows.extend(rows_of([scope.as_str()], delta));
    }
    add_to_rollups(conn, &rows)?;
    Ok(deltas.len())
}

fn fold_everything(conn: &mut AnyConnection) -> QueryResult<()> {
    while fold(conn, 10_000)? > 0 {}
    Ok(())
}

/// An office moves (inside the move's transaction, before the paths are rewritten): its
/// subtree's votes leave its old ancestors' rollups and join the new ones'. The
/// office's own rows are exactly what it adds above.
pub fn move_scope(
    conn: &mut AnyConnection,
    office_id: &str,
    old_path: &str,
    new_path: &str,
) -> QueryResult<()> {
    lock_rollups(conn)?;
    fold_everything(conn)?;
    let rows: Vec<RollupRow> = vote_rollups::table
        .filter(vote_rollups::scope_id.eq(office_id))
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
        let delta: HashMap<ScopedKey, RatingCounts> = rows
            .iter()
            .map(|row| {
                let key = (row.dim, row.dim_id.clone(), row.grain, row.bucket);
                (key, RatingCounts::from(row.counts).times(sign))
            })
            .collect();
        add_to_rollups(conn, &rows_of(ancestors.iter().map(String::as_str), &delta))?;
    }
    Ok(())
}

/// Vote counts summed over every day before each of `cuts`, per (scope, dimension id),
/// for scopes within the subtree at `root_path`: the rollups of the read plan and the
/// deltas not yet folded, in one statement (one snapshot, one round trip).
pub fn sums_before(
    conn: &mut AnyConnection,
    root_path: &str,
    scopes: &[String],
    dim: VoteDim,
    cuts: &[NaiveDate],
) -> QueryResult<HashMap<(String, String), Vec<RatingCounts>>> {
    use diesel::sql_types::Text;
    use vote_rollups::dsl as t;
    let mut out: HashMap<(String, String), Vec<RatingCounts>> = HashMap::new();
    let mut add =
        |scope: &str, dim_id: &str, c: RatingCounts, summed: &dyn Fn(NaiveDate) -> bool| {
            let sums = out
                .entry((scope.to_owned(), dim_id.to_owned()))
                .or_insert_with(|| vec![RatingCounts::default(); cuts.len()]);
            for (sum, cut) in sums.iter_mut().zip(cuts) {
                if summed(*cut) {
                    sum.merge(&c);
                }
            }
        };
    let pending = vote_deltas::table
        .inner_join(offices::table.on(offices::id.eq(vote_deltas::office_id)))
        .filter(offices::path.ge(root_path))
        .filter(offices::path.lt(super::subtree_upper_bound(root_path)));
    let dim_id = const_sql::<Text>(match dim {
        VoteDim::Total => "''",
        VoteDim::Procedure => "vote_deltas.procedure_id",
        VoteDim::Clerk => "vote_deltas.clerk_id",
        VoteDim::Hour => "CAST(vote_deltas.hour AS TEXT)",
        VoteDim::Weekday => "CAST(vote_deltas.weekday AS TEXT)",
    });
    let pending = pending
        .select((
            offices::path,
            dim_id,
            const_sql::<Text>(PENDING_SQL),
            vote_deltas::day,
            DeltaCounts::as_select(),
        ))
        .into_boxed();
    let mut rollups = t::vote_rollups
        .select((
            t::scope_id,
            t::dim_id,
            t::grain,
            t::bucket,
            RollupCounts::as_select(),
        ))
        .into_boxed();
    let ranges = read_plan(cuts).ranges;
    if ranges.is_empty() {
        rollups = rollups.filter(const_sql::<diesel::sql_types::Bool>("1 = 0"));
    }
    for (grain, range) in &ranges {
        rollups = rollups.or_filter(
            t::scope_id
                .eq_any(scopes)
                .and(t::dim.eq(dim.as_str()))
                .and(t::grain.eq(grain.as_str()))
                .and(t::bucket.ge(range.start))
                .and(t::bucket.lt(range.end)),
        );
    }
    let rows: Vec<(String, String, String, NaiveDate, RollupCounts)> =
        UnionAll(rollups, pending).load(conn)?;
    for (key, dim_id, grain, day, c) in rows {
        if grain == PENDING {
            // `key` is the office's path: the delta counts in every scope above it.
            for scope in scopes {
                if key.contains(&format!("/{scope}/")) {
                    add(scope, &dim_id, c.into(), &|cut| day < cut);
                }
            }
        } else if let Some(grain) = Grain::parse(&grain) {
            add(&key, &dim_id, c.into(), &|cut| {
                summed_before(cut, grain, day)
            });
        }
    }
    Ok(out)
}

/// Recounts every vote rollup from the votes and compares; with `repair`, rewrites the
/// rows that differ. One snapshot, as the only writer of the rollups.
pub fn recount(conn: &mut AnyConnection, repair: bool) -> QueryResult<RecountReport> {
    exclusive_snapshot(conn, |conn| {
        fold_everything(conn)?;
        let mut report = RecountReport::default();
        let mut tree: Vec<(String, String)> = offices::table
            .select((offices::id, offices::path))
            .load(conn)?;
        tree.sort_by(|a, b| a.1.cmp(&b.1));
        // Depth first: a scope is compared as soon as its subtree is done, so memory
        // holds the scopes of one branch.
        let mut branch: Vec<(String, String, HashMap<ScopedKey, RatingCounts>)> = Vec::new();
        for (office_id, path) in tree {
            while branch
                .last()
                .is_some_and(|(_, top, _)| !path.starts_with(top.as_str()))
            {
                if let Some((scope, _, expected)) = branch.pop() {
                    compare_scope(conn, &scope, expected, repair, &mut report)?;
                }
            }
            let fine = counted_at(conn, &office_id, &mut report)?;
            branch.push((office_id, path, HashMap::new()));
            for (_, _, expected) in branch.iter_mut() {
                for (key, counts) in &fine {
                    spread(expected, key, counts);
                }
            }
        }
        while let Some((scope, _, expected)) = branch.pop() {
            compare_scope(conn, &scope, expected, repair, &mut report)?;
        }
        Ok(report)
    })
}

/// The votes cast at one office, by fine key, counted by the database.
fn counted_at(
    conn: &mut AnyConnection,
    office_id: &str,
    report: &mut RecountReport,
) -> QueryResult<HashMap<FineKey, RatingCounts>> {
    type Counted = (Option<String>, Option<String>, NaiveDate, i32, Rating, i64);
    let rows: Vec<Counted> = votes::table
        .filter(votes::office_id.eq(office_id))
        .group_by((
            votes::procedure_id,
            votes::clerk_id,
            votes::cast_date,
            votes::cast_hour,
            votes::rating,
        ))
        .select((
            votes::procedure_id,
            votes::clerk_id,
            votes::cast_date,
            votes::cast_hour,
            votes::rating,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let mut fine: HashMap<FineKey, RatingCounts> = HashMap::new();
    for (procedure, clerk, day, hour, rating, n) in rows {
        report.votes += n as usize;
        fine.entry((
            procedure.unwrap_or_default(),
            clerk.unwrap_or_default(),
            day,
            hour,
        ))
        .or_default()
        .add(rating, n);
    }
    Ok(fine)
}

/// Compares one scope's stored rows with the recount; with `repair`, fixes them.
fn compare_scope(
    conn: &mut AnyConnection,
    scope: &str,
    mut expected: HashMap<ScopedKey, RatingCounts>,
    repair: bool,
    report: &mut RecountReport,
) -> QueryResult<()> {
    expected.retain(|_, c| c.total() != 0);
    report.rows_expected += expected.len();
    let stored: Vec<RollupRow> = vote_rollups::table
        .filter(vote_rollups::scope_id.eq(scope))
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
        let stored = RatingCounts::from(row.counts);
        let key = (row.dim, row.dim_id.clone(), row.grain, row.bucket);
        let want = expected.remove(&key).unwrap_or_default();
        if want != stored {
            differ(format!(
                "votes {scope} {} {} {} {}: stored {stored:?}, recounted {want:?}",
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
                diesel::update(vote_rollups::table.find(pk))
                    .set(RollupCounts::from(&want))
                    .execute(conn)?;
            }
        }
    }
    for ((dim, dim_id, grain, bucket), want) in expected {
        differ(format!(
            "votes {scope} {} {dim_id} {} {bucket}: missing, recounted {want:?}",
            dim.as_str(),
            grain.as_str()
        ));
        missing.push(RollupRow {
            scope_id: scope.to_owned(),
            dim,
            dim_id,
            grain,
            bucket,
            counts: (&want).into(),
        });
    }
    if repair {
        super::insert_all!(conn, vote_rollups::table, &missing)?;
    }
    Ok(())
}
