//! The daily dossier counters (`dossier_day_stats`): kept in step with every dossier
//! change, summed by the dashboards, rebuilt by `motcua recount`.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::dossiers::DossierRow;
use super::schema::{dossier_day_stats, dossiers};
use super::{is_unique_violation, AnyConnection};
use crate::domain::kpi::{contributions, DayCounters};

/// (office, procedure, clerk, day): one row of counters.
pub type StatsKey = (String, String, String, NaiveDate);
/// (receiving office, procedure, receiving clerk or ""): what reports group by.
pub type GroupKey = (String, String, String);

/// A dossier unfinished at some instant.
pub struct Unfinished {
    pub key: GroupKey,
    pub due_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = dossier_day_stats)]
struct StatsRow {
    office_id: String,
    procedure_id: String,
    clerk_id: String,
    day: NaiveDate,
    received_in_person: i32,
    received_online: i32,
    received_postal: i32,
    ended_early: i32,
    ended_on_time: i32,
    ended_late: i32,
    refused: i32,
    withdrawn: i32,
    stopped: i32,
    rescheduled: i32,
    due: i32,
    due_met: i32,
}

impl StatsRow {
    fn new(key: &StatsKey, c: &DayCounters) -> StatsRow {
        StatsRow {
            office_id: key.0.clone(),
            procedure_id: key.1.clone(),
            clerk_id: key.2.clone(),
            day: key.3,
            received_in_person: c.received_in_person as i32,
            received_online: c.received_online as i32,
            received_postal: c.received_postal as i32,
            ended_early: c.ended_early as i32,
            ended_on_time: c.ended_on_time as i32,
            ended_late: c.ended_late as i32,
            refused: c.refused as i32,
            withdrawn: c.withdrawn as i32,
            stopped: c.stopped as i32,
            rescheduled: c.rescheduled as i32,
            due: c.due as i32,
            due_met: c.due_met as i32,
        }
    }

    fn counters(&self) -> DayCounters {
        DayCounters {
            received_in_person: self.received_in_person.into(),
            received_online: self.received_online.into(),
            received_postal: self.received_postal.into(),
            ended_early: self.ended_early.into(),
            ended_on_time: self.ended_on_time.into(),
            ended_late: self.ended_late.into(),
            refused: self.refused.into(),
            withdrawn: self.withdrawn.into(),
            stopped: self.stopped.into(),
            rescheduled: self.rescheduled.into(),
            due: self.due.into(),
            due_met: self.due_met.into(),
        }
    }
}

fn key_of(row: &DossierRow, day: NaiveDate) -> StatsKey {
    (
        row.office_id.clone(),
        row.procedure_id.clone(),
        row.created_by.clone().unwrap_or_default(),
        day,
    )
}

/// The counters one dossier adds, by key.
fn dossier_counters(row: &DossierRow) -> Vec<(StatsKey, DayCounters)> {
    contributions(&row.state())
        .into_iter()
        .map(|(day, c)| (key_of(row, day), c))
        .collect()
}

/// Adds `delta` to a row, creating it when it does not exist yet (portable upsert: a
/// concurrent creator makes our insert fail under a savepoint, then we update theirs).
fn add(conn: &mut AnyConnection, key: &StatsKey, d: &DayCounters) -> QueryResult<()> {
    use dossier_day_stats::dsl as t;
    let update = |conn: &mut AnyConnection| {
        diesel::update(t::dossier_day_stats.find((&key.0, &key.1, &key.2, key.3)))
            .set((
                t::received_in_person.eq(t::received_in_person + d.received_in_person as i32),
                t::received_online.eq(t::received_online + d.received_online as i32),
                t::received_postal.eq(t::received_postal + d.received_postal as i32),
                t::ended_early.eq(t::ended_early + d.ended_early as i32),
                t::ended_on_time.eq(t::ended_on_time + d.ended_on_time as i32),
                t::ended_late.eq(t::ended_late + d.ended_late as i32),
                t::refused.eq(t::refused + d.refused as i32),
                t::withdrawn.eq(t::withdrawn + d.withdrawn as i32),
                t::stopped.eq(t::stopped + d.stopped as i32),
                t::rescheduled.eq(t::rescheduled + d.rescheduled as i32),
                t::due.eq(t::due + d.due as i32),
                t::due_met.eq(t::due_met + d.due_met as i32),
            ))
            .execute(conn)
    };
    if update(conn)? > 0 {
        return Ok(());
    }
    conn.batch_execute("SAVEPOINT day_stats")?;
    match diesel::insert_into(t::dossier_day_stats)
        .values(StatsRow::new(key, d))
        .execute(conn)
    {
        Ok(_) => conn.batch_execute("RELEASE SAVEPOINT day_stats"),
        Err(e) if is_unique_violation(&e) => {
            conn.batch_execute("ROLLBACK TO SAVEPOINT day_stats; RELEASE SAVEPOINT day_stats")?;
            update(conn).map(|_| ())
        }
        Err(e) => Err(e),
    }
}

/// Brings the counters in step with a dossier change, inside the change's transaction.
pub fn apply(
    conn: &mut AnyConnection,
    before: Option<&DossierRow>,
    after: &DossierRow,
) -> QueryResult<()> {
    let mut delta: BTreeMap<StatsKey, DayCounters> = BTreeMap::new();
    for (key, c) in dossier_counters(after) {
        delta.entry(key).or_default().combine(&c, 1);
    }
    for (key, c) in before.map(dossier_counters).unwrap_or_default() {
        delta.entry(key).or_default().combine(&c, -1);
    }
    for (key, d) in delta.iter().filter(|(_, d)| !d.is_zero()) {
        add(conn, key, d)?;
    }
    Ok(())
}

/// Counters of these offices over `[from, to]`, summed per (office, procedure, clerk).
pub fn sum_by_key(
    conn: &mut AnyConnection,
    offices: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<(GroupKey, DayCounters)>> {
    use diesel::dsl::sum;
    use dossier_day_stats::dsl as t;
    // Summed by the database: the days of a period never travel to the service.
    type Sum = Option<i64>;
    type Sums = (Sum, Sum, Sum, Sum, Sum, Sum, Sum, Sum, Sum, Sum, Sum, Sum);
    let rows: Vec<(String, String, String, Sums)> = t::dossier_day_stats
        .filter(t::office_id.eq_any(offices))
        .filter(t::day.ge(from))
        .filter(t::day.le(to))
        .group_by((t::office_id, t::procedure_id, t::clerk_id))
        .select((
            t::office_id,
            t::procedure_id,
            t::clerk_id,
            (
                sum(t::received_in_person),
                sum(t::received_online),
                sum(t::received_postal),
                sum(t::ended_early),
                sum(t::ended_on_time),
                sum(t::ended_late),
                sum(t::refused),
                sum(t::withdrawn),
                sum(t::stopped),
                sum(t::rescheduled),
                sum(t::due),
                sum(t::due_met),
            ),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(o, p, c, s)| {
            let counters = DayCounters {
                received_in_person: s.0.unwrap_or(0),
                received_online: s.1.unwrap_or(0),
                received_postal: s.2.unwrap_or(0),
                ended_early: s.3.unwrap_or(0),
                ended_on_time: s.4.unwrap_or(0),
                ended_late: s.5.unwrap_or(0),
                refused: s.6.unwrap_or(0),
                withdrawn: s.7.unwrap_or(0),
                stopped: s.8.unwrap_or(0),
                rescheduled: s.9.unwrap_or(0),
                due: s.10.unwrap_or(0),
                due_met: s.11.unwrap_or(0),
            };
            ((o, p, c), counters)
        })
        .collect())
}

/// A dossier received before `bound` and not ended before it: (office, procedure,
/// clerk, due date). Served from the open dossiers and those ended since `bound`.
pub fn unfinished_at(
    conn: &mut AnyConnection,
    offices: &[String],
    bound: NaiveDateTime,
) -> QueryResult<Vec<Unfinished>> {
    let select = (
        dossiers::office_id,
        dossiers::procedure_id,
        dossiers::created_by,
        dossiers::due_date,
    );
    let base = || {
        dossiers::table
            .filter(dossiers::office_id.eq_any(offices))
            .filter(dossiers::received_at.lt(bound))
    };
    let mut rows: Vec<(String, String, Option<String>, Option<NaiveDate>)> = base()
        .filter(dossiers::ended_at.is_null())
        .select(select)
        .load(conn)?;
    rows.extend(
        base()
            .filter(dossiers::ended_at.ge(bound))
            .select(select)
            .load::<(String, String, Option<String>, Option<NaiveDate>)>(conn)?,
    );
    Ok(rows
        .into_iter()
        .map(|(o, p, c, due_date)| Unfinished {
            key: (o, p, c.unwrap_or_default()),
            due_date,
        })
        .collect())
}

/// Differences between the stored counters and a recount from the dossiers.
#[derive(Debug, Default)]
pub struct RecountReport {
    pub dossiers: usize,
    pub rows_expected: usize,
    pub rows_differing: usize,
    pub examples: Vec<String>,
}

/// Recounts every counter from the dossiers; with `repair`, rewrites the table.
pub fn recount(conn: &mut AnyConnection, repair: bool) -> QueryResult<RecountReport> {
    let mut expected: HashMap<StatsKey, DayCounters> = HashMap::new();
    let mut report = RecountReport::default();
    let mut after: Option<String> = None;
    loop {
        let mut page = dossiers::table
            .select(DossierRow::as_select())
            .order(dossiers::id)
            .limit(5_000)
            .into_boxed();
        if let Some(last) = &after {
            page = page.filter(dossiers::id.gt(last.clone()));
        }
        let rows = page.load(conn)?;
        let Some(last) = rows.last() else { break };
        after = Some(last.id.clone());
        report.dossiers += rows.len();
        for row in &rows {
            for (key, c) in dossier_counters(row) {
                expected.entry(key).or_default().merge(&c);
            }
        }
    }
    expected.retain(|_, c| !c.is_zero());
    let stored: Vec<StatsRow> = dossier_day_stats::table
        .select(StatsRow::as_select())
        .load(conn)?;
    let mut actual: HashMap<StatsKey, DayCounters> = stored
        .iter()
        .map(|r| {
            (
                (
                    r.office_id.clone(),
                    r.procedure_id.clone(),
                    r.clerk_id.clone(),
                    r.day,
                ),
                r.counters(),
            )
        })
        .collect();
    actual.retain(|_, c| !c.is_zero());
    report.rows_expected = expected.len();
    for (key, want) in &expected {
        if actual.get(key) != Some(want) {
            report.rows_differing += 1;
            if report.examples.len() < 10 {
                report.examples.push(format!(
                    "{key:?}: stored {:?}, recounted {want:?}",
                    actual.get(key)
                ));
            }
        }
    }
    for key in actual.keys().filter(|k| !expected.contains_key(*k)) {
        report.rows_differing += 1;
        if report.examples.len() < 10 {
            report
                .examples
                .push(format!("{key:?}: stored but nothing to count"));
        }
    }
    if repair && report.rows_differing > 0 {
        diesel::delete(dossier_day_stats::table).execute(conn)?;
        for (key, c) in &expected {
            diesel::insert_into(dossier_day_stats::table)
                .values(StatsRow::new(key, c))
                .execute(conn)?;
        }
    }
    Ok(report)
}
