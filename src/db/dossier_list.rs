//! Pages of dossiers (`GET /dossiers`): every filter, alone or combined, at any scope,
//! read from the top of indexes rather than by sorting everything that matches.
//!
//! A page merges a few *streams*, each read in the list's order from an index whose
//! leading columns all its rows share, a page at most each:
//! - a scope of at most [`OFFICE_BY_OFFICE`] offices (a desk, a district and its
//!   communes): per office, what it received and what it decides that another office
//!   received (the `dossiers_office…` and `dossiers_decided_elsewhere…` indexes), and
//!   with a procedure or field, per office and procedure;
//! - a wider scope with a field and no status or verdict: per procedure of the field;
//! - overdue over a wider scope: a stream per due date ([`by_due_day`]);
//! - otherwise one stream, through the index of its most telling condition.
//!
//! Conditions that no index of a stream holds are checked row by row. Each stream gives
//! the ids of a page, all in one statement ([`SideBySide`]); only the merged page's rows
//! are read. The order is newest recorded first (by id, a time-ordered UUID v7); with a
//! received range, latest received first (then by id), so that a month is read from the
//! `received_at` indexes. The cursor is the last row's id in both.
//!
//! With `q`, the dossier whose code is `q` comes first, then the newest matches: the
//! streams above, each with a `LIKE` (its trigram indexes serve it on PostgreSQL), or
//! on SQLite, unless the term is common and the scope narrow, the FTS5 index
//! ([`super::search`]).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text, Timestamp};

use super::const_sql::{const_sql, ConstSql};
use super::dossiers::{clock_running, clock_running_by_due, DossierRow, OFFICE_BY_OFFICE};
use super::schema::{dossiers, procedures};
use super::AnyConnection;
use crate::domain::codes::may_be_in_code;
use crate::domain::deadline::Verdict;
use crate::domain::ids::{OfficeId, ProcedureId};
use crate::domain::lifecycle::Status;

#[derive(Debug, Default, Clone)]
pub struct DossierFilter {
    /// Receiving or processing office among these (the caller's scope); `None` = all.
    pub offices: Option<Vec<OfficeId>>,
    pub office_id: Option<OfficeId>,
    pub status: Option<Status>,
    pub procedure_id: Option<ProcedureId>,
    pub field: Option<String>,
    pub verdict: Option<Verdict>,
    /// Open, not waiting for the citizen, due before this date.
    pub overdue_before: Option<chrono::NaiveDate>,
    pub received_from: Option<NaiveDateTime>,
    pub received_to: Option<NaiveDateTime>,
    /// Folded search text: matches the code or the folded applicant name.
    pub q: Option<String>,
    /// Keyset: the rows after this one in the list's order.
    pub before_id: Option<String>,
}

impl DossierFilter {
    /// A received range lists the latest received first; a search is newest first.
    fn by_receipt(&self) -> bool {
        (self.received_from.is_some() || self.received_to.is_some()) && self.q.is_none()
    }

    /// `office_id` within the scope is the scope: one office, read office by office.
    fn office_as_scope(&self) -> DossierFilter {
        let mut filter = self.clone();
        if let Some(office) = &self.office_id {
            if self.offices.as_ref().is_none_or(|s| s.contains(office)) {
                filter.offices = Some(vec![office.clone()]);
                filter.office_id = None;
            }
        }
        filter
    }
}

/// Fields of at most [`OFFICE_BY_OFFICE`] procedures are read procedure by procedure,
/// and with a narrow scope office by procedure, up to this many pairs.
const STREAMS: usize = 160;

/// A page of the dossiers `filter` selects, in the list's order (module doc).
pub fn list(
    conn: &mut AnyConnection,
    filter: &DossierFilter,
    limit: i64,
) -> QueryResult<Vec<DossierRow>> {
    let mut filter = filter.office_as_scope();
    if let Some(offices) = &filter.offices {
        // A scope of every office (the province's) is no scope: PostgreSQL took 10 to
        // 20 ms to plan a page with 101 offices in an IN list, longer than to read it.
        if offices.len() as i64
            == super::schema::offices::table
                .count()
                .get_result::<i64>(conn)?
        {
            filter.offices = None;
        }
    }
    let filter = &filter;
    match &filter.q {
        Some(q) => search(conn, filter, q, limit),
        None => merged(conn, filter, limit),
    }
}

/// A page merged from the streams of `filter` (module doc).
fn merged(
    conn: &mut AnyConnection,
    filter: &DossierFilter,
    limit: i64,
) -> QueryResult<Vec<DossierRow>> {
    let by_receipt = filter.by_receipt();
    let after = match &filter.before_id {
        None => None,
        Some(id) if by_receipt => match received_at_of(conn, id)? {
            Some(at) => Some((Some(at), id.clone())),
            // Not a received dossier: not a cursor of this list.
            None => return Ok(Vec::new()),
        },
        Some(id) => Some((None, id.clone())),
    };
    // Each stream gives its page's keys (from its index alone where it can), the
    // merge keeps the first page of them, and only those rows are read.
    let mut keys: Vec<Key> = match streams(conn, filter)? {
        Streams::Paged(streams) if !streams.is_empty() => {
            let pages = streams
                .into_iter()
                .map(|stream| in_order(stream, by_receipt, after.clone(), limit))
                .collect();
            paged(conn, filter, pages)?
        }
        Streams::Merged(arms) if !arms.is_empty() => {
            let arms = arms
                .into_iter()
                .map(|arm| after_cursor(arm, after.clone()))
                .collect();
            let newest_first = "2 DESC";
            super::union_all::FirstInOrder {
                arms: super::union_all::UnionAllOf(arms),
                order_by: newest_first,
                limit,
            }
            .load(conn)?
        }
        _ => Vec::new(),
    };
    if by_receipt {
        keys.sort_by(|a, b| b.cmp(a));
    } else {
        keys.sort_by(|a, b| b.1.cmp(&a.1));
    }
    // A dossier received in the scope and decided in it comes from two streams.
    keys.dedup_by(|a, b| a.1 == b.1);
    keys.truncate(limit.max(0) as usize);
    let ids: Vec<&String> = keys.iter().map(|(_, id)| id).collect();
    let mut rows: HashMap<String, DossierRow> = dossiers::table
        .filter(dossiers::id.eq_any(&ids))
        .select(DossierRow::as_select())
        .load::<DossierRow>(conn)?
        .into_iter()
        .map(|row| (row.id.to_string(), row))
        .collect();
    Ok(ids.into_iter().filter_map(|id| rows.remove(id)).collect())
}

/// The keys of each stream's page, in one statement.
fn paged(
    conn: &mut AnyConnection,
    filter: &DossierFilter,
    pages: Vec<Filtered>,
) -> QueryResult<Vec<Key>> {
    let searched = filter.q.is_some();
    // A search is not kept prepared on PostgreSQL: a statement PostgreSQL has
    // prepared may be planned generically after five runs, and for a common name it
    // then read every match (0.9 s at 10 M) instead of the newest dossiers. SQLite
    // plans without the values either way, and keeps its statements (preparing
    // sixteen streams each time tripled a page's time).
    let planned_each_time = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => searched,
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => false,
    };
    // Every stream of a list is an equality on its index's leading columns, which
    // one plan serves for any value: a district's twenty streams took 3 ms to plan
    // with their values and 0.7 ms to read.
    super::planned_generically(conn, !searched, |conn| {
        let streams = SideBySide { pages };
        if planned_each_time {
            super::PlannedWithValues(streams).load(conn)
        } else {
            streams.load(conn)
        }
    })
}

/// A dossier's place in a list: its receipt time (for lists by receipt) and id.
type Key = (Option<NaiveDateTime>, String);

/// The streams' pages in one statement (one round trip to PostgreSQL), each a
/// subquery with its own order and limit: `SELECT * FROM (…) AS s0 UNION ALL …`.
struct SideBySide {
    pages: Vec<Filtered>,
}

impl diesel::query_builder::QueryId for SideBySide {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for SideBySide {
    type SqlType = (Nullable<Timestamp>, Text);
}

impl diesel::query_builder::QueryFragment<super::AnyBackend> for SideBySide {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, super::AnyBackend>,
    ) -> QueryResult<()> {
        for (i, page) in self.pages.iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql("SELECT * FROM (");
            diesel::query_builder::QueryFragment::<super::AnyBackend>::walk_ast(
                page,
                out.reborrow(),
            )?;
            out.push_sql(&format!(") AS s{i}"));
        }
        Ok(())
    }
}

impl RunQueryDsl<AnyConnection> for SideBySide {}

/// Which conditions an index may serve. SQLite follows the hint (a unary `+` keeps a
/// condition from every index); PostgreSQL's planner weighs the LIMIT itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// Any: PostgreSQL.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Planner,
    /// A status, verdict or procedure over the whole table: a page is the top of its
    /// `…_newest` index (joining every office's dossiers and sorting costs far more).
    Filters,
    /// Receipt times over the whole table (`dossiers_received`).
    Received,
    /// A stream's own office or procedure, with its status, verdict or receipt time.
    Stream,
    /// None: the search index drives.
    Search,
    /// None but the due date: overdue dossiers one due date at a time, each date's
    /// newest first from `dossiers_running_by_due` ([`by_due_day`]).
    DueDay,
}

/// The columns a [`Lookup`] decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Scope,
    Status,
    Verdict,
    Procedure,
    /// The procedures of a field: checked row by row (a stream of a field is one of its
    /// procedures).
    Field,
    Received,
}

impl Lookup {
    /// `wanted` on SQLite; the planner on PostgreSQL.
    fn of(conn: &AnyConnection, wanted: Lookup) -> Lookup {
        match conn {
            #[cfg(feature = "sqlite")]
            AnyConnection::Sqlite(_) => wanted,
            #[cfg(feature = "postgres")]
            AnyConnection::Postgres(_) => Lookup::Planner,
        }
    }

    fn indexes(self, column: Column) -> bool {
        match self {
            Lookup::Planner => true,
            Lookup::Filters => {
                matches!(column, Column::Status | Column::Verdict | Column::Procedure)
            }
            Lookup::Received => column == Column::Received,
            Lookup::Stream => matches!(column, Column::Status | Column::Verdict | Column::Received),
            Lookup::Search | Lookup::DueDay => false,
        }
    }

    /// Dossiers whose clock runs, spelled so that SQLite reads a due date at a time
    /// from `dossiers_running_by_due` (which only that spelling matches) when asked to.
    fn clock_running(self) -> ConstSql<Bool> {
        if self == Lookup::DueDay {
            clock_running_by_due()
        } else {
            clock_running()
        }
    }

    /// `unindexed` (`+dossiers.…`: the column behind a unary `+`) in a condition, the
    /// `+` dropped where an index may serve it.
    fn column<ST>(self, column: Column, unindexed: &'static str) -> ConstSql<ST> {
        const_sql(if self.indexes(column) {
            unindexed.trim_start_matches('+')
        } else {
            unindexed
        })
    }
}

/// `$query`, a boxed select of dossiers (alone or joined), narrowed to what `$filter`
/// selects, without order, `q` and cursor. A macro: the query's type differs with its
/// source, and the conditions do not.
macro_rules! narrowed {
    ($query:expr, $filter:expr, $lookup:expr) => {{
        let (filter, lookup): (&DossierFilter, Lookup) = ($filter, $lookup);
        let mut query = $query;
        let at_one_of = |ids: Vec<String>| {
            let received = lookup.column::<Text>(Column::Scope, "+dossiers.office_id");
            let deciding = lookup.column::<Text>(Column::Scope, "+dossiers.processing_office_id");
            received.eq_any(ids.clone()).or(deciding.eq_any(ids))
        };
        if let Some(offices) = &filter.offices {
            query = query.filter(at_one_of(offices.iter().map(ToString::to_string).collect()));
        }
        if let Some(office_id) = &filter.office_id {
            query = query.filter(at_one_of(vec![office_id.to_string()]));
        }
        if let Some(status) = &filter.status {
            let column = lookup.column::<Text>(Column::Status, "+dossiers.status");
            query = query.filter(column.eq(status.as_str()));
        }
        if let Some(procedure_id) = &filter.procedure_id {
            let column = lookup.column::<Text>(Column::Procedure, "+dossiers.procedure_id");
            query = query.filter(column.eq(procedure_id.to_string()));
        }
        if let Some(field) = &filter.field {
            let column = lookup.column::<Text>(Column::Field, "+dossiers.procedure_id");
            query = query.filter(
                column.eq_any(
                    procedures::table
                        .filter(procedures::field.eq(field.clone()))
                        .select(procedures::id),
                ),
            );
        }
        if let Some(verdict) = &filter.verdict {
            let column = lookup.column::<Nullable<Text>>(Column::Verdict, "+dossiers.verdict");
            query = query.filter(column.eq(verdict.as_str()));
        }
        if let Some(today) = filter.overdue_before {
            query = query
                .filter(lookup.clock_running())
                .filter(dossiers::due_date.lt(today));
        }
        if let (Some(q), false) = (&filter.q, lookup == Lookup::Search) {
            // PostgreSQL's trigram indexes may serve it; on SQLite, checked along an
            // office's newest dossiers, from the index that carries the name and code.
            // Codes are stored upper-case: the term is upper-cased rather than every
            // code lower-cased (half of a common name's search, migration 000025).
            let pattern = format!("%{}%", super::escape_like(q));
            let name = dossiers::applicant_name_folded
                .like(pattern.clone())
                .escape('\\');
            query = if may_be_in_code(q) {
                query
                    .filter(dossiers::code.ne(q.to_uppercase()))
                    .filter(name.or(dossiers::code.like(pattern.to_uppercase()).escape('\\')))
            } else {
                // Half of a common name's search was checking every code for it.
                query.filter(name)
            };
        }
        let received =
            lookup.column::<Nullable<Timestamp>>(Column::Received, "+dossiers.received_at");
        if let Some(from) = filter.received_from {
            query = query.filter(received.ge(from));
        }
        if let Some(to) = filter.received_to {
            query = query.filter(received.lt(to));
        }
        query
    }};
}

/// The keys of the dossiers a filter selects, without order, `q` and cursor.
type Filtered = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<dossiers::table, (ConstSql<Nullable<Timestamp>>, dossiers::id)>,
    super::AnyBackend,
>;

/// The receipt time only where the order needs it: an index that holds the id but not
/// the time answers alone.
fn filtered(filter: &DossierFilter, lookup: Lookup) -> Filtered {
    let received_at = const_sql(if filter.by_receipt() {
        "dossiers.received_at"
    } else {
        "NULL"
    });
    narrowed!(
        dossiers::table
            .select((received_at, dossiers::id))
            .into_boxed(),
        filter,
        lookup
    )
}

/// The dossiers a filter selects, whole.
fn whole_rows(
    filter: &DossierFilter,
    lookup: Lookup,
) -> diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<dossiers::table, diesel::dsl::AsSelect<DossierRow, super::AnyBackend>>,
    super::AnyBackend,
> {
    narrowed!(
        dossiers::table.select(DossierRow::as_select()).into_boxed(),
        filter,
        lookup
    )
}

/// The streams a page of `filter` merges (module doc): one per office of a narrow
/// scope (twice: received there, decided there), per procedure (the one asked for or
/// those of the field), or per pair of both when there are not too many.
fn streams(conn: &mut AnyConnection, filter: &DossierFilter) -> QueryResult<Streams> {
    let by_office = filter
        .offices
        .as_deref()
        .filter(|offices| offices.len() <= OFFICE_BY_OFFICE);
    let by_procedure = match (&filter.procedure_id, &filter.field) {
        // Read by receipt time, a procedure is checked row by row.
        _ if filter.by_receipt() => None,
        (Some(procedure), _) => Some(vec![procedure.clone()]),
        (None, Some(field)) => Some(
            procedures::table
                .filter(procedures::field.eq(field))
                .select(procedures::id)
                .load::<ProcedureId>(conn)?,
        ),
        (None, None) => None,
    }
    .filter(|procedures| match by_office {
        Some(offices) => offices.len() * procedures.len() <= STREAMS,
        // A status or verdict over the whole table is read from its own index.
        None => {
            procedures.len() <= OFFICE_BY_OFFICE
                && filter.status.is_none()
                && filter.verdict.is_none()
        }
    });
    if by_office.is_none() && by_procedure.is_none() {
        if let (Some(today), false) = (filter.overdue_before, filter.by_receipt()) {
            let days = by_due_day(conn, filter, today)?;
            // PostgreSQL appended every row of the dates' streams and sorted them
            // rather than merge them: it reads a page of each.
            return Ok(match conn {
                #[cfg(feature = "postgres")]
                AnyConnection::Postgres(_) => Streams::Paged(days),
                #[cfg(feature = "sqlite")]
                AnyConnection::Sqlite(_) => Streams::Merged(days),
            });
        }
        let whole = if filter.by_receipt() {
            Lookup::Received
        } else {
            Lookup::Filters
        };
        return Ok(Streams::Paged(vec![filtered(
            filter,
            Lookup::of(conn, whole),
        )]));
    }
    let lookup = Lookup::of(conn, Lookup::Stream);
    let rest = DossierFilter {
        offices: by_office
            .is_none()
            .then(|| filter.offices.clone())
            .flatten(),
        ..filter.clone()
    };
    let of_procedure = |procedure: Option<&ProcedureId>| {
        let query = filtered(&rest, lookup);
        match procedure {
            Some(p) => query.filter(dossiers::procedure_id.eq(p.clone())),
            None => query,
        }
    };
    let procedures: Vec<Option<&ProcedureId>> = match &by_procedure {
        Some(procedures) => procedures.iter().map(Some).collect(),
        None => vec![None],
    };
    let Some(offices) = by_office else {
        return Ok(Streams::Paged(
            procedures.into_iter().map(of_procedure).collect(),
        ));
    };
    let mut streams = Vec::new();
    for office in offices {
        for procedure in &procedures {
            streams.push(of_procedure(*procedure).filter(dossiers::office_id.eq(office.clone())));
            // Received elsewhere, decided here (after a transfer, or by the district).
            streams.push(
                of_procedure(*procedure)
                    .filter(dossiers::processing_office_id.eq(office.clone()))
                    .filter(decided_elsewhere()),
            );
        }
    }
    Ok(Streams::Paged(streams))
}

/// Past this many dates on which overdue dossiers fell due, the older ones are read as
/// one stream and sorted: at most this many seeks, and arms of one statement.
const DUE_DAYS: usize = 31;

/// The overdue dossiers of a wide scope as one stream per due date, latest dates
/// first, each the dossiers of its date newest first from `dossiers_running_by_due`
/// (the dates found by a seek each): merged as they are read (SQLite) or a page of each
/// (PostgreSQL), a page costs its own rows and a seek per date, where reading every
/// overdue dossier's key by date and keeping the newest cost as many keys as there are
/// overdue dossiers (1,869 in a province of 10 M). A province's overdue dossiers fall
/// due on as many dates as its backlog is old, however many it receives. Past
/// [`DUE_DAYS`] dates, the older ones come as one stream.
fn by_due_day(
    conn: &mut AnyConnection,
    filter: &DossierFilter,
    today: chrono::NaiveDate,
) -> QueryResult<Vec<Filtered>> {
    let lookup = Lookup::of(conn, Lookup::DueDay);
    let running = lookup.clock_running();
    let mut days = Vec::new();
    let mut before = today;
    while days.len() <= DUE_DAYS {
        let latest = dossiers::table
            .filter(running)
            .filter(dossiers::due_date.lt(before))
            .select(diesel::dsl::max(dossiers::due_date))
            .first::<Option<chrono::NaiveDate>>(conn)?;
        let Some(day) = latest else { break };
        days.push(day);
        before = day;
    }
    let older = (days.len() > DUE_DAYS).then(|| days[DUE_DAYS]);
    days.truncate(DUE_DAYS);
    let mut streams: Vec<Filtered> = days
        .into_iter()
        .map(|day| filtered(filter, lookup).filter(dossiers::due_date.eq(day)))
        .collect();
    streams.extend(older.map(|day| filtered(filter, lookup).filter(dossiers::due_date.le(day))));
    Ok(streams)
}

/// How a page's streams are merged.
enum Streams {
    /// A page of each, read side by side ([`SideBySide`]) and merged here.
    Paged(Vec<Filtered>),
    /// Each comes newest first from its index, and SQLite merges them as it reads
    /// until the page is full ([`super::union_all::FirstInOrder`]).
    Merged(Vec<Filtered>),
}

/// The rows of `query` after `after` in the list's order (by receipt, or by id): the
/// last row's receipt time when by receipt, and its id.
fn after_cursor(query: Filtered, after: Option<(Option<NaiveDateTime>, String)>) -> Filtered {
    match after {
        None => query,
        // The first condition bounds the index range, the second breaks ties.
        Some((Some(at), id)) => query
            .filter(dossiers::received_at.le(at))
            .filter(dossiers::received_at.lt(at).or(dossiers::id.lt(id))),
        Some((None, id)) => query.filter(dossiers::id.lt(id)),
    }
}

/// A page of `query` in the list's order after `after` ([`after_cursor`]).
fn in_order(
    query: Filtered,
    by_receipt: bool,
    after: Option<(Option<NaiveDateTime>, String)>,
    limit: i64,
) -> Filtered {
    let query = after_cursor(query, after);
    if by_receipt {
        query.order((dossiers::received_at.desc(), dossiers::id.desc()))
    } else {
        query.order(dossiers::id.desc())
    }
    .limit(limit)
}

fn received_at_of(conn: &mut AnyConnection, id: &str) -> QueryResult<Option<NaiveDateTime>> {
    Ok(dossiers::table
        .filter(dossiers::id.eq(id))
        .select(dossiers::received_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Received at one office, decided at another. A literal: the planner must see that it
/// matches the partial `dossiers_decided_elsewhere…` indexes (migrations 000020, 000021).
fn decided_elsewhere() -> ConstSql<Bool> {
    const_sql("dossiers.processing_office_id <> dossiers.office_id")
}

/// The search: the dossier whose code is `q` first, then the others whose folded name
/// or lower-cased code holds the folded `q`, newest first.
fn search(
    conn: &mut AnyConnection,
    filter: &DossierFilter,
    q: &str,
    limit: i64,
) -> QueryResult<Vec<DossierRow>> {
    let lookup = Lookup::of(conn, Lookup::Search);
    // Codes are stored upper-case; `q` comes folded to lower case.
    let code = q.to_uppercase();
    let unsearched = DossierFilter {
        q: None,
        ..filter.clone()
    };
    let exact = if may_be_in_code(q) {
        whole_rows(&unsearched, lookup)
            .filter(dossiers::code.eq(code.clone()))
            .first(conn)
            .optional()?
    } else {
        None
    };
    // The exact code heads the first page; a page that ends with it is followed by
    // the newest of the others.
    let exact_id = exact.as_ref().map(|row| row.id.to_string());
    let after = filter
        .before_id
        .as_deref()
        .filter(|id| Some(*id) != exact_id.as_deref());
    let mut rows = Vec::new();
    if filter.before_id.is_none() {
        rows.extend(exact);
    }
    let wanted = limit - rows.len() as i64;
    rows.extend(matching(conn, filter, lookup, q, &code, after, wanted)?);
    Ok(rows)
}

/// Up to `limit` dossiers of `filter` other than `code` whose folded name or
/// lower-cased code holds `q`, newest first, after the dossier `before_id` when given.
fn matching(
    conn: &mut AnyConnection,
    filter: &DossierFilter,
    lookup: Lookup,
    q: &str,
    code: &str,
    before_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<DossierRow>> {
    let narrow = filter
        .offices
        .as_deref()
        .filter(|offices| (1..=OFFICE_BY_OFFICE).contains(&offices.len()));
    // Streams like a list's, each with a LIKE: on PostgreSQL served by the trigram
    // indexes or checked along an office's newest; on SQLite, a common term along a
    // narrow scope's newest (`super::search` says why).
    let along_offices = match conn {
        #[cfg(feature = "postgres")]
        AnyConnection::Postgres(_) => true,
        #[cfg(feature = "sqlite")]
        AnyConnection::Sqlite(_) => narrow.is_some() && super::search::common(conn, q)?,
    };
    if along_offices {
        let after = DossierFilter {
            before_id: before_id.map(str::to_owned),
            ..filter.clone()
        };
        return merged(conn, &after, limit);
    }
    #[cfg(feature = "sqlite")]
    {
        use super::search::dossier_search;
        let below = match before_id {
            None => None,
            Some(id) => match super::search::rowid_of(conn, id)? {
                Some(rowid) => Some(rowid),
                None => return Ok(Vec::new()),
            },
        };
        // The index's matches (in a narrow scope's offices), newest stored first, each
        // dossier looked up by rowid and checked: the page ends when it is full.
        let joined = dossiers::table
            .inner_join(dossier_search::table.on(super::search::same_dossier()))
            .select(DossierRow::as_select())
            .into_boxed();
        let mut query = narrowed!(joined, filter, lookup)
            .filter(dossiers::code.ne(code.to_owned()))
            .filter(super::search::matches(q, narrow));
        if let Some(below) = below {
            query = query.filter(dossier_search::rowid.lt(below));
        }
        query
            .order(dossier_search::rowid.desc())
            .limit(limit)
            .load(conn)
    }
    #[cfg(not(feature = "sqlite"))]
    unreachable!("PostgreSQL reads streams; {lookup:?}, {code}")
}
