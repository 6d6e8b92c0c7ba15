//! Managers' statistics, as JSON or as CSV (UTF-8 with a BOM so Excel shows Vietnamese).

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::resource;
use crate::auth::Actor;
use crate::db::{self, votes::VoteGroup, AnyConnection};
use crate::domain::account::Role;
use crate::domain::calendar::local_date;
use crate::domain::dates::{DateError, Period};
use crate::domain::ids::{OfficeId, ProcedureId, UserId};
use crate::domain::kpi::{DayCounters, OnTimeCounts};
use crate::domain::rollup::Dim;
use crate::domain::satisfaction::{Rate, Rating, RatingCounts};
use crate::domain::target::{ancestors_nearest_first, resolve, Metric, SetTarget};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;

const PROBLEM: &str = "application/problem+json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SatisfactionGroup {
    /// The office's direct children (drill-down), each with its subtree.
    Office,
    Month,
    /// Local weekday.
    Weekday,
    /// Local hour of the day.
    Hour,
    Clerk,
    Procedure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SatisfactionQuery {
    /// The office whose subtree is counted; default the caller's own.
    pub office_id: Option<uuid::Uuid>,
    /// First local date (inclusive); default 1 January of this year.
    pub from: Option<NaiveDate>,
    /// Last local date (inclusive); default today.
    pub to: Option<NaiveDate>,
    pub group_by: Option<SatisfactionGroup>,
    /// `csv` for a spreadsheet (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<Format>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionRow {
    /// Group key (office id, `2026-03`, `monday`, `9`, clerk or procedure id); `total` for the whole.
    pub key: String,
    pub label: String,
    pub counts: RatingCounts,
    pub total: i64,
    /// Satisfied (including very satisfied) over all votes.
    pub satisfaction_rate: Rate,
    pub neutral_share: Rate,
    pub unsatisfied_share: Rate,
    pub target: f64,
    /// `null` without votes.
    pub meets_target: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionReport {
    pub office_id: uuid::Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Option<SatisfactionGroup>,
    pub total: SatisfactionRow,
    pub groups: Vec<SatisfactionRow>,
}

fn row(key: String, label: String, counts: RatingCounts, target_bp: i32) -> SatisfactionRow {
    let rate = counts.satisfaction_rate();
    SatisfactionRow {
        key,
        label,
        total: counts.total(),
        satisfaction_rate: rate,
        neutral_share: counts.share(Rating::Neutral),
        unsatisfied_share: counts.share(Rating::Unsatisfied),
        target: target_bp as f64 / 10_000.0,
        // Integer comparison: numerator / denominator >= bp / 10000.
        meets_target: (rate.denominator > 0)
            .then(|| rate.numerator * 10_000 >= target_bp as i64 * rate.denominator),
        counts,
    }
}

/// The targets in force for an office's reports: set on it or its nearest ancestor.
struct Targets {
    ancestors: Vec<OfficeId>,
    set: Vec<db::targets::TargetRow>,
    metric: Metric,
}

impl Targets {
    fn load(
        conn: &mut AnyConnection,
        office: &db::offices::OfficeRow,
        year: i32,
        metric: Metric,
    ) -> ApiResult<Targets> {
        let ancestors = ancestors_nearest_first(&office.path);
        let set = db::targets::for_offices(conn, &ancestors, year, metric.as_str())?;
        Ok(Targets {
            ancestors,
            set,
            metric,
        })
    }

    /// In basis points, for one field or for all.
    fn for_field(&self, field: Option<&str>) -> i32 {
        let set: Vec<SetTarget<'_>> = self
            .set
            .iter()
            .map(|t| SetTarget {
                office_id: &t.office_id,
                field: &t.field,
                basis_points: t.value_bp,
            })
            .collect();
        resolve(&self.ancestors, field, &set, self.metric).0
    }
}

/// Whether the client asked for CSV (query `format=csv` or `Accept: text/csv`).
pub fn wants_csv(req: &HttpRequest, format: Option<Format>) -> bool {
    format == Some(Format::Csv)
        || (format.is_none()
            && req
                .headers()
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/csv")))
}

/// A CSV file: UTF-8 with a BOM, fields quoted when needed, text that a spreadsheet
/// would run as a formula neutralised ([`inert_cell`]).
pub fn csv_response(filename: &str, header_row: &[&str], rows: Vec<Vec<String>>) -> HttpResponse {
    let quote = |field: &str| {
        let field = inert_cell(field);
        if field.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.into_owned()
        }
    };
    let mut out = String::from("\u{feff}");
    out.push_str(&header_row.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|f| quote(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(out)
}

/// A cell a spreadsheet shows as text: one starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return would run as a formula (an applicant named `=HYPERLINK(...)`), so it
/// gets a leading `'` (OWASP, CSV injection). Plain numbers, negative ones included,
/// stay numbers.
pub fn inert_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn rate_text(rate: &Rate) -> String {
    rate.value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The office a manager asks about, checked against its scope; period defaults.
pub fn resolve_office(
    conn: &mut AnyConnection,
    actor: &Actor,
    office_id: Option<OfficeId>,
) -> ApiResult<db::offices::OfficeRow> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let office_id = office_id
        .or_else(|| actor.office_id.clone())
        .ok_or_else(|| ApiError::field("office_id", "say which office"))?;
    let office = db::offices::find(conn, &office_id)?.ok_or_else(|| {
        ApiError::NotFound(
            ErrorCode::OfficeNotFound,
            "the office does not exist".to_owned(),
        )
    })?;
    if !actor.covers(&office.id, &office.path) {
        return Err(ApiError::NotFound(
            ErrorCode::OfficeNotFound,
            "the office does not exist".to_owned(),
        ));
    }
    Ok(office)
}

/// The report period from the query: each date in range, `from ≤ to`, bounded length;
/// by default from 1 January of `to`'s year up to today.
pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<Period> {
    let from = from.map(|d| super::date_in_range("from", d)).transpose()?;
    let to = to.map(|d| super::date_in_range("to", d)).transpose()?;
    Period::with_defaults(from, to, local_date(Utc::now())).map_err(|e| match e {
        DateError::FromAfterTo => ApiError::field("from", e.to_string()),
        _ => ApiError::field("to", e.to_string()),
    })
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Satisfaction: counts per rating, the rate with its integers, the target and whether
/// it is met, in total and per group. Individual votes are never shown.
#[utoipa::path(get, path = "/api/v1/stats/satisfaction", tag = "stats", params(SatisfactionQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The report, or CSV with `format=csv` / `Accept: text/csv`",
            content((SatisfactionReport = "application/json"), (String = "text/csv"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Managers and admins only", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn satisfaction(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    query: web::Query<SatisfactionQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let Period { from, to } = period(query.from, query.to)?;
    let group_by = query.group_by;
    let office_id = query.office_id.map(OfficeId::from);
    let report = state
        .report(move |conn| {
            let office = resolve_office(conn, &actor, office_id)?;
            let offices = db::dossiers::subtree_office_ids(conn, &office.path)?;
            let target_bp =
                Targets::load(conn, &office, to.year(), Metric::Satisfaction)?.for_field(None);
            let db_group = match group_by {
                None | Some(SatisfactionGroup::Month) | Some(SatisfactionGroup::Weekday) => {
                    VoteGroup::Date
                }
                Some(SatisfactionGroup::Office) => VoteGroup::Office,
                Some(SatisfactionGroup::Hour) => VoteGroup::Hour,
                Some(SatisfactionGroup::Clerk) => VoteGroup::Clerk,
                Some(SatisfactionGroup::Procedure) => VoteGroup::Procedure,
            };
            let counted = db::votes::counts(conn, &offices, from, to, db_group)?;
            let mut total = RatingCounts::default();
            let mut groups: BTreeMap<String, RatingCounts> = BTreeMap::new();
            // For office drill-down: which child subtree each office lies in.
            let children = match group_by {
                Some(SatisfactionGroup::Office) => db::offices::children(conn, &office.id)?,
                _ => Vec::new(),
            };
            let mut child_of: BTreeMap<String, String> = BTreeMap::new();
            for child in &children {
                for id in db::dossiers::subtree_office_ids(conn, &child.path)? {
                    child_of.insert(id.to_string(), child.id.to_string());
                }
            }
            for (key, rating, count) in counted {
                total.add(rating, count);
                let Some(group_by) = group_by else { continue };
                let key = match (group_by, key) {
                    (SatisfactionGroup::Month, Some(date)) => date[..7].to_owned(),
                    (SatisfactionGroup::Weekday, Some(date)) => {
                        NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                            .map(|d| {
                                WEEKDAYS[d.weekday().num_days_from_monday() as usize].to_owned()
                            })
                            .unwrap_or(date)
                    }
                    (SatisfactionGroup::Office, Some(id)) => {
                        child_of.get(&id).cloned().unwrap_or(office.id.to_string())
                    }
                    (_, Some(key)) => key,
                    (_, None) => "unknown".to_owned(),
                };
                groups.entry(key).or_default().add(rating, count);
            }
            // Labels: office names, clerk names, procedure codes.
            let mut labels: BTreeMap<String, String> = BTreeMap::new();
            match group_by {
                Some(SatisfactionGroup::Office) => {
                    labels.insert(
                        office.id.to_string(),
                        format!("{} (trực tiếp)", office.name),
                    );
                    for child in &children {
                        labels.insert(child.id.to_string(), child.name.clone());
                        groups.entry(child.id.to_string()).or_default();
                    }
                }
                Some(SatisfactionGroup::Clerk) => {
                    for key in groups.keys() {
                        let Ok(id) = UserId::parse(key) else { continue };
                        if let Some(user) = db::users::find(conn, &id)? {
                            labels.insert(key.clone(), user.full_name);
                        }
                    }
                }
                Some(SatisfactionGroup::Procedure) => {
                    for key in groups.keys() {
                        let Ok(id) = ProcedureId::parse(key) else {
                            continue;
                        };
                        if let Some(p) = db::procedures::find(conn, &id)? {
                            labels.insert(key.clone(), format!("{} {}", p.code, p.name));
                        }
                    }
                }
                _ => {}
            }
            let mut rows: Vec<SatisfactionRow> = groups
                .into_iter()
                .map(|(key, counts)| {
                    let label = labels.get(&key).cloned().unwrap_or_else(|| key.clone());
                    row(key, label, counts, target_bp)
                })
                .collect();
            if group_by == Some(SatisfactionGroup::Weekday) {
                rows.sort_by_key(|r| WEEKDAYS.iter().position(|w| *w == r.key));
            }
            if group_by == Some(SatisfactionGroup::Hour) {
                rows.sort_by_key(|r| r.key.parse::<u32>().unwrap_or(99));
            }
            Ok(SatisfactionReport {
                office_id: office.id.uuid(),
                from,
                to,
                group_by,
                total: row("total".to_owned(), office.name.clone(), total, target_bp),
                groups: rows,
            })
        })
        .await?;
    if wants_csv(&req, query.format) {
        let line = |r: &SatisfactionRow| {
            vec![
                r.key.clone(),
                r.label.clone(),
                r.counts.very_satisfied.to_string(),
                r.counts.satisfied.to_string(),
                r.counts.neutral.to_string(),
                r.counts.unsatisfied.to_string(),
                r.total.to_string(),
                r.satisfaction_rate.numerator.to_string(),
                rate_text(&r.satisfaction_rate),
                format!("{:.4}", r.target),
                r.meets_target.map(|m| m.to_string()).unwrap_or_default(),
            ]
        };
        let mut rows: Vec<Vec<String>> = report.groups.iter().map(line).collect();
        rows.push(line(&report.total));
        return Ok(csv_response(
            "satisfaction.csv",
            &[
                "group",
                "label",
                "very_satisfied",
                "satisfied",
                "neutral",
                "unsatisfied",
                "total",
                "satisfied_total",
                "satisfaction_rate",
                "target",
                "meets_target",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/stats/satisfaction", "GET").route(web::get().to(satisfaction)))
        .service(resource("/stats/on-time", "GET").route(web::get().to(on_time)));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeGroup {
    /// The office's direct children (drill-down), each with its subtree.
    Office,
    Field,
    Procedure,
    /// A trend: each month of the period.
    Month,
    /// The receiving clerk.
    Clerk,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OnTimeQuery {
    /// The office whose subtree is counted; default the caller's own.
    pub office_id: Option<uuid::Uuid>,
    /// First local date (inclusive); default 1 January of this year.
    pub from: Option<NaiveDate>,
    /// Last local date (inclusive); default today.
    pub to: Option<NaiveDate>,
    pub group_by: Option<OnTimeGroup>,
    /// `csv` for a spreadsheet (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<Format>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnTimeRow {
    /// Group key (office or procedure id, field, `2026-03`, clerk id); `total` for the whole.
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub counts: OnTimeCounts,
    /// Decision 766 index 2.1: (ended early + on time + pending in time) / handled.
    pub on_time_rate: Rate,
    /// Ended early or on time among the dossiers due in the period.
    pub on_time_rate_due: Rate,
    pub target: f64,
    /// `null` when nothing was handled.
    pub meets_target: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnTimeReport {
    pub office_id: uuid::Uuid,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: Option<OnTimeGroup>,
    pub total: OnTimeRow,
    pub groups: Vec<OnTimeRow>,
}

fn on_time_row(key: String, label: String, counts: OnTimeCounts, target_bp: i32) -> OnTimeRow {
    let rate = counts.on_time_rate();
    OnTimeRow {
        key,
        label,
        on_time_rate_due: counts.on_time_rate_due(),
        target: target_bp as f64 / 10_000.0,
        meets_target: (rate.denominator > 0)
            .then(|| rate.numerator * 10_000 >= target_bp as i64 * rate.denominator),
        on_time_rate: rate,
        counts,
    }
}

/// On-time report: flows and stocks (carried over, pending) from the rolled-up
/// counters, so its cost does not grow with the number of dossiers.
#[utoipa::path(get, path = "/api/v1/stats/on-time", tag = "stats", params(OnTimeQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "The report, or CSV with `format=csv` / `Accept: text/csv`",
            content((OnTimeReport = "application/json"), (String = "text/csv"))),
        (status = 401, description = "Not logged in", body = crate::error::Problem, content_type = PROBLEM),
        (status = 403, description = "Managers and admins only", body = crate::error::Problem, content_type = PROBLEM),
        (status = 404, description = "No such office within reach", body = crate::error::Problem, content_type = PROBLEM),
        (status = 422, description = "Invalid query", body = crate::error::Problem, content_type = PROBLEM),
    ))]
pub async fn on_time(
    state: web::Data<AppState>,
    actor: Actor,
    req: HttpRequest,
    query: web::Query<OnTimeQuery>,
) -> ApiResult<HttpResponse> {
    let query = query.into_inner();
    let period = period(query.from, query.to)?;
    let group_by = query.group_by;
    let office_id = query.office_id.map(OfficeId::from);
    let report = state
        .report(move |conn| {
            let office = resolve_office(conn, &actor, office_id)?;
            on_time_report(conn, &office, period, group_by)
        })
        .await?;
    if wants_csv(&req, query.format) {
        let line = |r: &OnTimeRow| {
            let c = &r.counts;
            let mut fields = vec![r.key.clone(), r.label.clone()];
            fields.extend(
                [
                    c.carried_over,
                    c.received,
                    c.received_in_person,
                    c.received_online,
                    c.received_postal,
                    c.ended_early,
                    c.ended_on_time,
                    c.ended_late,
                    c.pending_in_time,
                    c.pending_overdue,
                    c.refused,
                    c.withdrawn,
                    c.stopped,
                    c.rescheduled,
                    c.handled,
                    r.on_time_rate.numerator,
                    r.on_time_rate.denominator,
                ]
                .iter()
                .map(|n| n.to_string()),
            );
            fields.push(rate_text(&r.on_time_rate));
            fields.push(r.on_time_rate_due.numerator.to_string());
            fields.push(r.on_time_rate_due.denominator.to_string());
            fields.push(rate_text(&r.on_time_rate_due));
            fields.push(format!("{:.4}", r.target));
            fields.push(r.meets_target.map(|m| m.to_string()).unwrap_or_default());
            fields
        };
        let mut rows: Vec<Vec<String>> = report.groups.iter().map(line).collect();
        rows.push(line(&report.total));
        return Ok(csv_response(
            "on-time.csv",
            &[
                "group",
                "label",
                "carried_over",
                "received",
                "received_in_person",
                "received_online",
                "received_postal",
                "ended_early",
                "ended_on_time",
                "ended_late",
                "pending_in_time",
                "pending_overdue",
                "refused",
                "withdrawn",
                "stopped",
                "rescheduled",
                "handled",
                "on_time_numerator",
                "on_time_denominator",
                "on_time_rate",
                "due_numerator",
                "due_denominator",
                "on_time_rate_due",
                "target",
                "meets_target",
            ],
            rows,
        ));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// The report itself. Its counters are read in one statement, so they come from one
/// snapshot without a transaction.
pub fn on_time_report(
    conn: &mut AnyConnection,
    office: &db::offices::OfficeRow,
    period: Period,
    group_by: Option<OnTimeGroup>,
) -> ApiResult<OnTimeReport> {
    let Period { from, to } = period;
    let targets = Targets::load(conn, office, to.year(), Metric::OnTime)?;
    let target_for = |field: Option<&str>| targets.for_field(field);
    let children = match group_by {
        Some(OnTimeGroup::Office) => db::offices::children(conn, &office.id)?,
        _ => Vec::new(),
    };
    let mut scopes = vec![office.id.to_string()];
    scopes.extend(children.iter().map(|c| c.id.to_string()));
    let dim = match group_by {
        Some(OnTimeGroup::Field | OnTimeGroup::Procedure) => Dim::Procedure,
        Some(OnTimeGroup::Clerk) => Dim::Clerk,
        _ => Dim::Total,
    };
    let cuts = period.cuts(group_by == Some(OnTimeGroup::Month));
    let sums = db::stats::sums_before(conn, &office.path, &scopes, dim, &cuts)?;
    let in_period =
        |cum: &[DayCounters]| OnTimeCounts::from_cumulative(&cum[0], &cum[cum.len() - 1]);
    let mut whole = vec![DayCounters::default(); cuts.len()];
    let mut by_id: BTreeMap<String, Vec<DayCounters>> = BTreeMap::new();
    for ((scope, dim_id), cum) in &sums {
        if office.id == scope.as_str() {
            add_all(&mut whole, cum);
            by_id.insert(dim_id.clone(), cum.clone());
        }
    }

    let procedures: BTreeMap<String, (String, String, String)> = if dim == Dim::Procedure {
        db::procedures::list(conn, &Default::default(), 100_000)?
            .into_iter()
            .map(|p| (p.id.to_string(), (p.code, p.name, p.field)))
            .collect()
    } else {
        BTreeMap::new()
    };
    let target = target_for(None);
    let mut rows: Vec<OnTimeRow> = Vec::new();
    match group_by {
        None => {}
        Some(OnTimeGroup::Month) => {
            for (i, window) in cuts.windows(2).enumerate() {
                let counts = OnTimeCounts::from_cumulative(&whole[i], &whole[i + 1]);
                let key = window[0].format("%Y-%m").to_string();
                rows.push(on_time_row(key.clone(), key, counts, target));
            }
        }
        Some(OnTimeGroup::Office) => {
            // What the office received itself: its subtree minus its children's.
            let mut direct = whole.clone();
            for child in &children {
                let cum = sums
                    .get(&(child.id.to_string(), String::new()))
                    .cloned()
                    .unwrap_or_else(|| vec![DayCounters::default(); cuts.len()]);
                for (d, c) in direct.iter_mut().zip(&cum) {
                    d.combine(c, -1);
                }
                rows.push(on_time_row(
                    child.id.to_string(),
                    child.name.clone(),
                    in_period(&cum),
                    target,
                ));
            }
            if direct.iter().any(|c| !c.is_zero()) {
                let label = format!("{} (trực tiếp)", office.name);
                rows.push(on_time_row(
                    office.id.to_string(),
                    label,
                    in_period(&direct),
                    target,
                ));
            }
            rows.sort_by(|a, b| a.key.cmp(&b.key));
        }
        Some(OnTimeGroup::Field) => {
            let mut by_field: BTreeMap<String, Vec<DayCounters>> = BTreeMap::new();
            for (procedure_id, cum) in &by_id {
                let field = procedures
                    .get(procedure_id)
                    .map(|p| p.2.clone())
                    .unwrap_or_default();
                add_all(
                    by_field
                        .entry(field)
                        .or_insert_with(|| vec![DayCounters::default(); cuts.len()]),
                    cum,
                );
            }
            for (field, cum) in by_field {
                let target = target_for(Some(&field));
                rows.push(on_time_row(field.clone(), field, in_period(&cum), target));
            }
        }
        Some(OnTimeGroup::Procedure) => {
            for (procedure_id, cum) in &by_id {
                let label = procedures
                    .get(procedure_id)
                    .map(|p| format!("{} {}", p.0, p.1))
                    .unwrap_or_default();
                rows.push(on_time_row(
                    procedure_id.clone(),
                    label,
                    in_period(cum),
                    target,
                ));
            }
        }
        Some(OnTimeGroup::Clerk) => {
            let ids: Vec<String> = by_id.keys().cloned().collect();
            let names = db::users::full_names(conn, &ids)?;
            for (clerk_id, cum) in &by_id {
                let label = names.get(clerk_id).cloned().unwrap_or_default();
                rows.push(on_time_row(clerk_id.clone(), label, in_period(cum), target));
            }
        }
    }
    if !matches!(group_by, Some(OnTimeGroup::Office | OnTimeGroup::Month)) {
        // Groups with nothing in the period or at its edges (dossiers of long ago).
        rows.retain(|r| r.counts != OnTimeCounts::default());
    }
    Ok(OnTimeReport {
        office_id: office.id.uuid(),
        from,
        to,
        group_by,
        total: on_time_row(
            "total".to_owned(),
            office.name.clone(),
            in_period(&whole),
            target,
        ),
        groups: rows,
    })
}

fn add_all(into: &mut [DayCounters], cum: &[DayCounters]) {
    for (sum, c) in into.iter_mut().zip(cum) {
        sum.merge(c);
    }
}

#[cfg(test)]
mod tests {
    use super::inert_cell;

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/\",\"x\")",
            "+cmd|' /C calc'!A0",
            "@SUM(A1:A9)",
            "-2+3",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(inert_cell(formula), format!("'{formula}"));
        }
        for plain in ["Nguyễn Văn A", "-3", "0.9971", "", "1.000948 Đăng ký"] {
            assert_eq!(inert_cell(plain), plain);
        }
    }
}
