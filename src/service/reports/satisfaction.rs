//! Satisfaction: counts per rating, the rate with its integers, the target and whether
//! it is met, in total and per group. Individual votes are never shown.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{column, form_date, rate_text, Column, ColumnKind, Report, Table, Targets};
use crate::db::offices::OfficeRow;
use crate::db::users::NameCache;
use crate::db::{self, AnyConnection};
use crate::domain::dates::Period;
use crate::domain::ids::ProcedureId;
use crate::domain::rollup::VoteDim;
use crate::domain::satisfaction::{Rate, Rating, RatingCounts};
use crate::domain::target::Metric;
use crate::service::ServiceResult;

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

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The satisfaction report of `office`'s subtree over `period`, from the rolled-up
/// counters ([`db::vote_stats`]), so its cost does not grow with the number of votes.
pub fn report(
    conn: &mut AnyConnection,
    names: &NameCache,
    office: &OfficeRow,
    period: Period,
    group_by: Option<SatisfactionGroup>,
) -> ServiceResult<SatisfactionReport> {
    let Period { from, to } = period;
    let target_bp = Targets::load(conn, office, to.year(), Metric::Satisfaction)?.for_field(None);
    let dim = match group_by {
        None | Some(SatisfactionGroup::Month | SatisfactionGroup::Office) => VoteDim::Total,
        Some(SatisfactionGroup::Weekday) => VoteDim::Weekday,
        Some(SatisfactionGroup::Hour) => VoteDim::Hour,
        Some(SatisfactionGroup::Clerk) => VoteDim::Clerk,
        Some(SatisfactionGroup::Procedure) => VoteDim::Procedure,
    };
    let children = match group_by {
        Some(SatisfactionGroup::Office) => db::offices::children(conn, &office.id)?,
        _ => Vec::new(),
    };
    let mut scopes = vec![office.id.to_string()];
    scopes.extend(children.iter().map(|c| c.id.to_string()));
    let cuts = period.cuts(group_by == Some(SatisfactionGroup::Month));
    let sums = db::vote_stats::sums_before(conn, &office.path, &scopes, dim, &cuts)?;
    let between = |cum: &[RatingCounts], i: usize, j: usize| {
        let mut counts = cum[j];
        counts.merge(&cum[i].times(-1));
        counts
    };
    let in_period = |cum: &[RatingCounts]| between(cum, 0, cum.len() - 1);
    let none = vec![RatingCounts::default(); cuts.len()];
    let mut total = RatingCounts::default();
    let mut groups: BTreeMap<String, RatingCounts> = BTreeMap::new();
    for ((scope, dim_id), cum) in &sums {
        if office.id != scope.as_str() {
            continue;
        }
        let counts = in_period(cum);
        total.merge(&counts);
        match group_by {
            None | Some(SatisfactionGroup::Office) => {}
            Some(SatisfactionGroup::Month) => {
                for (i, start) in cuts[..cuts.len() - 1].iter().enumerate() {
                    groups
                        .entry(start.format("%Y-%m").to_string())
                        .or_default()
                        .merge(&between(cum, i, i + 1));
                }
            }
            Some(SatisfactionGroup::Weekday) => {
                let key = dim_id
                    .parse::<usize>()
                    .ok()
                    .and_then(|d| WEEKDAYS.get(d))
                    .map_or_else(|| dim_id.clone(), |d| (*d).to_owned());
                groups.insert(key, counts);
            }
            Some(_) if dim_id.is_empty() => {
                groups
                    .entry("unknown".to_owned())
                    .or_default()
                    .merge(&counts);
            }
            Some(_) => {
                groups.insert(dim_id.clone(), counts);
            }
        }
    }
    if group_by == Some(SatisfactionGroup::Office) {
        // What the office's own desk collected: its subtree minus its children's.
        let mut direct = total;
        for child in &children {
            let cum = sums
                .get(&(child.id.to_string(), String::new()))
                .unwrap_or(&none);
            let counts = in_period(cum);
            direct.merge(&counts.times(-1));
            groups.insert(child.id.to_string(), counts);
        }
        if direct.total() != 0 {
            groups.insert(office.id.to_string(), direct);
        }
    }
    // Groups with no vote in the period are left out, but for the office's children.
    if group_by != Some(SatisfactionGroup::Office) {
        groups.retain(|_, c| c.total() != 0);
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
            let ids: Vec<String> = groups.keys().cloned().collect();
            labels.extend(names.full_names(conn, &ids)?);
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
}

impl Report for SatisfactionReport {
    /// The report as a spreadsheet: each group, then the total.
    fn table(&self) -> Table {
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
        let mut rows: Vec<Vec<String>> = self.groups.iter().map(line).collect();
        rows.push(line(&self.total));
        Table {
            title: format!(
                "Mức độ hài lòng của người dân, tổ chức: {}, từ {} đến {}",
                self.total.label,
                form_date(self.from),
                form_date(self.to)
            ),
            columns: SATISFACTION_COLUMNS,
            rows,
        }
    }
}

const SATISFACTION_COLUMNS: &[Column] = &[
    column("group", "Mã nhóm", ColumnKind::Text),
    column("label", "Đơn vị / nhóm", ColumnKind::Text),
    column("very_satisfied", "Rất hài lòng", ColumnKind::Count),
    column("satisfied", "Hài lòng", ColumnKind::Count),
    column("neutral", "Bình thường", ColumnKind::Count),
    column("unsatisfied", "Không hài lòng", ColumnKind::Count),
    column("total", "Tổng số phiếu đánh giá", ColumnKind::Count),
    column(
        "satisfied_total",
        "Số phiếu hài lòng và rất hài lòng",
        ColumnKind::Count,
    ),
    column("satisfaction_rate", "Tỷ lệ hài lòng", ColumnKind::Rate),
    column("target", "Chỉ tiêu", ColumnKind::Rate),
    column("meets_target", "Đạt chỉ tiêu", ColumnKind::Met),
];
