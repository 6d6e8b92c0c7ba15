//! Satisfaction: counts per rating, the rate with its integers, the target and whether
//! it is met, in total and per group. Individual votes are never shown.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{column, form_date, rate_text, Column, ColumnKind, Report, Table, Targets};
use crate::db::offices::OfficeRow;
use crate::db::votes::VoteGroup;
use crate::db::{self, AnyConnection};
use crate::domain::dates::Period;
use crate::domain::ids::{ProcedureId, UserId};
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

/// The satisfaction report of `office`'s subtree over `period`.
pub fn report(
    conn: &mut AnyConnection,
    office: &OfficeRow,
    period: Period,
    group_by: Option<SatisfactionGroup>,
) -> ServiceResult<SatisfactionReport> {
    let Period { from, to } = period;
    let offices = db::dossiers::subtree_office_ids(conn, &office.path)?;
    let target_bp = Targets::load(conn, office, to.year(), Metric::Satisfaction)?.for_field(None);
    let db_group = match group_by {
        None | Some(SatisfactionGroup::Month) | Some(SatisfactionGroup::Weekday) => VoteGroup::Date,
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
                    .map(|d| WEEKDAYS[d.weekday().num_days_from_monday() as usize].to_owned())
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
