//! On time: the Decision 766 rate and the rate among dossiers due, with the counts
//! behind them, against the target, in total and per group.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{column, form_date, rate_text, Column, ColumnKind, Report, Table, Targets};
use crate::db::offices::OfficeRow;
use crate::db::users::NameCache;
use crate::db::{self, AnyConnection};
use crate::domain::dates::Period;
use crate::domain::kpi::{DayCounters, OnTimeCounts};
use crate::domain::procedure::OnlineLevel;
use crate::domain::rollup::Dim;
use crate::domain::satisfaction::Rate;
use crate::domain::target::Metric;
use crate::service::ServiceResult;

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
    /// Received online among the dossiers received in the period.
    pub online_rate: Rate,
    /// Resolved on the day they were received, among the dossiers received in the period.
    pub same_day_rate: Rate,
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
    /// How much of the procedure catalogue the offices offer online (the catalogue is
    /// shared by every office, so this does not depend on the office or the period).
    pub procedures_online: ProceduresOnline,
}

/// The procedures of the catalogue by how far they can be done online.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProceduresOnline {
    pub procedures: i64,
    /// `full`: online from filing to result (toàn trình).
    pub full: i64,
    /// `partial`: online in part (một phần).
    pub partial: i64,
    pub full_share: Rate,
    /// Full or partial.
    pub online_share: Rate,
}

impl ProceduresOnline {
    fn load(conn: &mut AnyConnection) -> ServiceResult<ProceduresOnline> {
        let by_level = db::procedures::count_by_online_level(conn)?;
        let count = |wanted| {
            by_level
                .iter()
                .filter(|(level, _)| *level == wanted)
                .map(|(_, n)| n)
                .sum()
        };
        let (full, partial) = (count(OnlineLevel::Full), count(OnlineLevel::Partial));
        let procedures = by_level.iter().map(|(_, n)| n).sum();
        Ok(ProceduresOnline {
            procedures,
            full,
            partial,
            full_share: Rate::new(full, procedures),
            online_share: Rate::new(full + partial, procedures),
        })
    }
}

fn on_time_row(key: String, label: String, counts: OnTimeCounts, target_bp: i32) -> OnTimeRow {
    let rate = counts.on_time_rate();
    OnTimeRow {
        key,
        label,
        on_time_rate_due: counts.on_time_rate_due(),
        online_rate: counts.online_rate(),
        same_day_rate: counts.same_day_rate(),
        target: target_bp as f64 / 10_000.0,
        meets_target: (rate.denominator > 0)
            .then(|| rate.numerator * 10_000 >= target_bp as i64 * rate.denominator),
        on_time_rate: rate,
        counts,
    }
}

/// The on-time report of `office`'s subtree over `period`: flows and stocks (carried
/// over, pending) from the rolled-up counters, so its cost does not grow with the
/// number of dossiers. Its counters are read in one statement, so they come from one
/// snapshot without a transaction.
pub fn report(
    conn: &mut AnyConnection,
    names: &NameCache,
    office: &OfficeRow,
    period: Period,
    group_by: Option<OnTimeGroup>,
) -> ServiceResult<OnTimeReport> {
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
            let names = names.full_names(conn, &ids)?;
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
        procedures_online: ProceduresOnline::load(conn)?,
    })
}

fn add_all(into: &mut [DayCounters], cum: &[DayCounters]) {
    for (sum, c) in into.iter_mut().zip(cum) {
        sum.merge(c);
    }
}

impl Report for OnTimeReport {
    /// The report as a spreadsheet: each group, then the total.
    fn table(&self) -> Table {
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
                    c.resolved_same_day,
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
            fields.push(rate_text(&r.online_rate));
            fields.push(rate_text(&r.same_day_rate));
            fields.push(format!("{:.4}", r.target));
            fields.push(r.meets_target.map(|m| m.to_string()).unwrap_or_default());
            fields
        };
        let mut rows: Vec<Vec<String>> = self.groups.iter().map(line).collect();
        rows.push(line(&self.total));
        Table {
            title: format!(
                "Tình hình giải quyết hồ sơ thủ tục hành chính: {}, từ {} đến {}",
                self.total.label,
                form_date(self.from),
                form_date(self.to)
            ),
            columns: ON_TIME_COLUMNS,
            rows,
        }
    }
}

const ON_TIME_COLUMNS: &[Column] = &[
    column("group", "Mã nhóm", ColumnKind::Text),
    column("label", "Đơn vị / nhóm", ColumnKind::Text),
    column(
        "carried_over",
        "Số hồ sơ kỳ trước chuyển qua",
        ColumnKind::Count,
    ),
    column("received", "Số hồ sơ tiếp nhận trong kỳ", ColumnKind::Count),
    column(
        "received_in_person",
        "Tiếp nhận trực tiếp",
        ColumnKind::Count,
    ),
    column("received_online", "Tiếp nhận trực tuyến", ColumnKind::Count),
    column(
        "received_postal",
        "Tiếp nhận qua bưu chính công ích",
        ColumnKind::Count,
    ),
    column("ended_early", "Đã giải quyết trước hạn", ColumnKind::Count),
    column("ended_on_time", "Đã giải quyết đúng hạn", ColumnKind::Count),
    column("ended_late", "Đã giải quyết quá hạn", ColumnKind::Count),
    column(
        "pending_in_time",
        "Đang giải quyết trong hạn",
        ColumnKind::Count,
    ),
    column(
        "pending_overdue",
        "Đang giải quyết quá hạn",
        ColumnKind::Count,
    ),
    column("refused", "Từ chối giải quyết", ColumnKind::Count),
    column("withdrawn", "Công dân rút hồ sơ", ColumnKind::Count),
    column("stopped", "Dừng giải quyết", ColumnKind::Count),
    column("rescheduled", "Hẹn lại ngày trả", ColumnKind::Count),
    column(
        "resolved_same_day",
        "Giải quyết ngay trong ngày",
        ColumnKind::Count,
    ),
    column(
        "handled",
        "Tổng số hồ sơ đã và đang giải quyết",
        ColumnKind::Count,
    ),
    column(
        "on_time_numerator",
        "Trước hạn, đúng hạn và đang trong hạn",
        ColumnKind::Count,
    ),
    column(
        "on_time_denominator",
        "Tổng số tính tỷ lệ (QĐ 766)",
        ColumnKind::Count,
    ),
    column(
        "on_time_rate",
        "Tỷ lệ giải quyết đúng hạn (QĐ 766)",
        ColumnKind::Rate,
    ),
    column(
        "due_numerator",
        "Đúng hạn trong số đã đến hạn",
        ColumnKind::Count,
    ),
    column("due_denominator", "Số hồ sơ đã đến hạn", ColumnKind::Count),
    column(
        "on_time_rate_due",
        "Tỷ lệ đúng hạn trong số đã đến hạn",
        ColumnKind::Rate,
    ),
    column(
        "online_rate",
        "Tỷ lệ tiếp nhận trực tuyến",
        ColumnKind::Rate,
    ),
    column(
        "same_day_rate",
        "Tỷ lệ giải quyết ngay trong ngày",
        ColumnKind::Rate,
    ),
    column("target", "Chỉ tiêu", ColumnKind::Rate),
    column("meets_target", "Đạt chỉ tiêu", ColumnKind::Met),
];
