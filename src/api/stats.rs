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
use crate::domain::kpi::{DayCounters, OnTimeCounts};
use crate::domain::satisfaction::{Rate, Rating, RatingCounts};
use crate::domain::target::{ancestors_nearest_first, resolve, Metric, SetTarget};
use crate::error::{ApiError, ApiResult};
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

/// A CSV file: UTF-8 with a BOM, fields quoted when needed.
pub fn csv_response(filename: &str, header_row: &[&str], rows: Vec<Vec<String>>) -> HttpResponse {
    let quote = |field: &str| {
        if field.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", field.replace('"', "\"\""))
        } else {
            field.to_owned()
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

fn rate_text(rate: &Rate) -> String {
    rate.value.map(|v| format!("{v:.4}")).unwrap_or_default()
}

/// The office a manager asks about, checked against its scope; period defaults.
pub fn resolve_office(
    conn: &mut AnyConnection,
    actor: &Actor,
    office_id: Option<String>,
) -> ApiResult<db::offices::OfficeRow> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let office_id = office_id
        .or_else(|| actor.office_id.clone())
        .ok_or_else(|| ApiError::field("office_id", "say which office"))?;
    let office = db::offices::find(conn, &office_id)?.ok_or_else(|| {
        ApiError::NotFound("office_not_found", "the office does not exist".to_owned())
    })?;
    if !actor.covers(&office.id, &office.path) {
        return Err(ApiError::NotFound(
            "office_not_found",
            "the office does not exist".to_owned(),
        ));
    }
    Ok(office)
}

pub fn period(from: Option<NaiveDate>, to: Option<NaiveDate>) -> ApiResult<(NaiveDate, NaiveDate)> {
    let today = local_date(Utc::now());
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(ApiError::field("from", "must not be after `to`"));
    }
    Ok((from, to))
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
    let (from, to) = period(query.from, query.to)?;
    let group_by = query.group_by;
    let office_id = query.office_id.map(|o| o.to_string());
    let report = state
        .db(move |conn| {
            let office = resolve_office(conn, &actor, office_id)?;
            let offices = db::dossiers::subtree_office_ids(conn, &office.path)?;
            let ancestors = ancestors_nearest_first(&office.path);
            let set = db::targets::for_offices(
                conn,
                &ancestors,
                to.year(),
                Metric::Satisfaction.as_str(),
            )?;
            let set_refs: Vec<SetTarget<'_>> = set
                .iter()
                .map(|t| SetTarget {
                    office_id: &t.office_id,
                    field: &t.field,
                    basis_points: t.value_bp,
                })
                .collect();
            let (target_bp, _) = resolve(&ancestors, None, &set_refs, Metric::Satisfaction);
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
                Some(SatisfactionGroup::Office) => db::offices::list(
                    conn,
                    &db::offices::OfficeFilter {
                        parent_id: Some(office.id.clone()),
                        ..Default::default()
                    },
                    10_000,
                )?,
                _ => Vec::new(),
            };
            let mut child_of: BTreeMap<String, String> = BTreeMap::new();
            for child in &children {
                for id in db::dossiers::subtree_office_ids(conn, &child.path)? {
                    child_of.insert(id, child.id.clone());
                }
            }
            for (key, rating, count) in counted {
                let Some(rating) = Rating::parse(&rating) else {
                    continue;
                };
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
                        child_of.get(&id).cloned().unwrap_or(office.id.clone())
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
                    labels.insert(office.id.clone(), format!("{} (trực tiếp)", office.name));
                    for child in &children {
                        labels.insert(child.id.clone(), child.name.clone());
                        groups.entry(child.id.clone()).or_default();
                    }
                }
                Some(SatisfactionGroup::Clerk) => {
                    for key in groups.keys() {
                        if let Some(user) = db::users::find(conn, key)? {
                            labels.insert(key.clone(), user.full_name);
                        }
                    }
                }
                Some(SatisfactionGroup::Procedure) => {
                    for key in groups.keys() {
                        if let Some(p) = db::procedures::find(conn, key)? {
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
                office_id: super::to_uuid(&office.id),
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

/// Maps every office of a subtree to the direct child of `office` it lies under (the
/// office itself maps to itself), for drill-down.
fn children_of(
    conn: &mut AnyConnection,
    office: &db::offices::OfficeRow,
) -> ApiResult<(Vec<db::offices::OfficeRow>, BTreeMap<String, String>)> {
    let children = db::offices::list(
        conn,
        &db::offices::OfficeFilter {
            parent_id: Some(office.id.clone()),
            ..Default::default()
        },
        10_000,
    )?;
    let mut map = BTreeMap::new();
    map.insert(office.id.clone(), office.id.clone());
    for child in &children {
        for id in db::dossiers::subtree_office_ids(conn, &child.path)? {
            map.insert(id, child.id.clone());
        }
    }
    Ok((children, map))
}

fn day_start(day: NaiveDate) -> chrono::NaiveDateTime {
    crate::domain::calendar::local_instant(day, chrono::NaiveTime::MIN).naive_utc()
}

/// On-time report: flows from the daily counters, stocks (carried over, pending) from
/// the dossiers unfinished at the period's edges.
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
    let (from, to) = period(query.from, query.to)?;
    let group_by = query.group_by;
    let office_id = query.office_id.map(|o| o.to_string());
    let report = state
        .db(move |conn| {
            let office = resolve_office(conn, &actor, office_id)?;
            on_time_report(conn, &office, from, to, group_by)
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

/// The report itself (also used by tests against a direct recount).
pub fn on_time_report(
    conn: &mut AnyConnection,
    office: &db::offices::OfficeRow,
    from: NaiveDate,
    to: NaiveDate,
    group_by: Option<OnTimeGroup>,
) -> ApiResult<OnTimeReport> {
    let offices = db::dossiers::subtree_office_ids(conn, &office.path)?;
    let ancestors = ancestors_nearest_first(&office.path);
    let set = db::targets::for_offices(conn, &ancestors, to.year(), Metric::OnTime.as_str())?;
    let set_refs: Vec<SetTarget<'_>> = set
        .iter()
        .map(|t| SetTarget {
            office_id: &t.office_id,
            field: &t.field,
            basis_points: t.value_bp,
        })
        .collect();
    let target_for = |field: Option<&str>| resolve(&ancestors, field, &set_refs, Metric::OnTime).0;

    let procedures: BTreeMap<String, (String, String, String)> =
        db::procedures::list(conn, &Default::default(), 100_000)?
            .into_iter()
            .map(|p| (p.id, (p.code, p.name, p.field)))
            .collect();
    let (children, child_of) = match group_by {
        Some(OnTimeGroup::Office) => children_of(conn, office)?,
        _ => (Vec::new(), BTreeMap::new()),
    };
    // The group of a counter row or an unfinished dossier.
    let group_key = |office_id: &str, procedure_id: &str, clerk_id: &str| -> String {
        match group_by {
            Some(OnTimeGroup::Office) => child_of
                .get(office_id)
                .cloned()
                .unwrap_or_else(|| office.id.clone()),
            Some(OnTimeGroup::Procedure) => procedure_id.to_owned(),
            Some(OnTimeGroup::Field) => procedures
                .get(procedure_id)
                .map(|p| p.2.clone())
                .unwrap_or_default(),
            Some(OnTimeGroup::Clerk) => clerk_id.to_owned(),
            Some(OnTimeGroup::Month) | None => "total".to_owned(),
        }
    };

    let mut groups: BTreeMap<String, OnTimeCounts> = BTreeMap::new();
    let mut total = OnTimeCounts::default();
    if group_by == Some(OnTimeGroup::Month) {
        let mut month_start = from;
        while month_start <= to {
            let next_month = NaiveDate::from_ymd_opt(
                if month_start.month() == 12 {
                    month_start.year() + 1
                } else {
                    month_start.year()
                },
                if month_start.month() == 12 {
                    1
                } else {
                    month_start.month() + 1
                },
                1,
            )
            .unwrap_or(to);
            let month_end = (next_month - chrono::Days::new(1)).min(to);
            let counts = period_counts(conn, &offices, month_start, month_end, |_, _, _| {
                "m".to_owned()
            })?;
            groups.insert(
                month_start.format("%Y-%m").to_string(),
                counts.get("m").copied().unwrap_or_default(),
            );
            month_start = next_month;
        }
        total = period_counts(conn, &offices, from, to, |_, _, _| "total".to_owned())?
            .remove("total")
            .unwrap_or_default();
    } else {
        for (key, counts) in period_counts(conn, &offices, from, to, group_key)? {
            add_counts(&mut total, &counts);
            if group_by.is_some() {
                groups.insert(key, counts);
            }
        }
    }
    if group_by == Some(OnTimeGroup::Office) {
        for child in &children {
            groups.entry(child.id.clone()).or_default();
        }
    }
    let mut label = |key: &str| -> String {
        match group_by {
            Some(OnTimeGroup::Office) => children
                .iter()
                .find(|c| c.id == key)
                .map(|c| c.name.clone())
                .unwrap_or_else(|| format!("{} (trực tiếp)", office.name)),
            Some(OnTimeGroup::Procedure) => procedures
                .get(key)
                .map(|p| format!("{} {}", p.0, p.1))
                .unwrap_or_default(),
            Some(OnTimeGroup::Clerk) => db::users::find(conn, key)
                .ok()
                .flatten()
                .map(|u| u.full_name)
                .unwrap_or_default(),
            _ => key.to_owned(),
        }
    };
    let rows = groups
        .into_iter()
        .map(|(key, counts)| {
            let target = if group_by == Some(OnTimeGroup::Field) {
                target_for(Some(&key))
            } else {
                target_for(None)
            };
            let label = label(&key);
            on_time_row(key, label, counts, target)
        })
        .collect();
    Ok(OnTimeReport {
        office_id: super::to_uuid(&office.id),
        from,
        to,
        group_by,
        total: on_time_row(
            "total".to_owned(),
            office.name.clone(),
            total,
            target_for(None),
        ),
        groups: rows,
    })
}

fn add_counts(total: &mut OnTimeCounts, c: &OnTimeCounts) {
    total.carried_over += c.carried_over;
    total.pending_in_time += c.pending_in_time;
    total.pending_overdue += c.pending_overdue;
    total.add_flows(&DayCounters {
        received_in_person: c.received_in_person,
        received_online: c.received_online,
        received_postal: c.received_postal,
        ended_early: c.ended_early,
        ended_on_time: c.ended_on_time,
        ended_late: c.ended_late,
        refused: c.refused,
        withdrawn: c.withdrawn,
        stopped: c.stopped,
        rescheduled: c.rescheduled,
        due: c.due,
        due_met: c.due_met,
    });
}

/// Counts of one period per group: flows from the counters, stocks at both edges.
fn period_counts(
    conn: &mut AnyConnection,
    offices: &[String],
    from: NaiveDate,
    to: NaiveDate,
    group_key: impl Fn(&str, &str, &str) -> String,
) -> ApiResult<BTreeMap<String, OnTimeCounts>> {
    let mut out: BTreeMap<String, OnTimeCounts> = BTreeMap::new();
    for u in db::stats::unfinished_at(conn, offices, day_start(from))? {
        out.entry(group_key(&u.key.0, &u.key.1, &u.key.2))
            .or_default()
            .add_carried_over(1);
    }
    let end = day_start(to + chrono::Days::new(1));
    for u in db::stats::unfinished_at(conn, offices, end)? {
        let counts = out
            .entry(group_key(&u.key.0, &u.key.1, &u.key.2))
            .or_default();
        // The due date has passed at the end of `to` when it is before `to`.
        if u.due_date.is_some_and(|d| d < to) {
            counts.pending_overdue += 1;
        } else {
            counts.pending_in_time += 1;
        }
    }
    for ((office_id, procedure_id, clerk_id), counters) in
        db::stats::sum_by_key(conn, offices, from, to)?
    {
        out.entry(group_key(&office_id, &procedure_id, &clerk_id))
            .or_default()
            .add_flows(&counters);
    }
    Ok(out)
}
