//! Managers' reports: on-time and satisfaction dashboards and the daily worklists,
//! each for an office's subtree and a period, and each as the rows of a spreadsheet.

pub mod on_time;
pub mod satisfaction;
pub mod worklists;

use super::{ServiceError, ServiceResult};
use crate::auth::Actor;
use crate::db::offices::OfficeRow;
use crate::db::{self, AnyConnection};
use crate::domain::account::Role;
use crate::domain::ids::OfficeId;
use crate::domain::satisfaction::Rate;
use crate::domain::target::{ancestors_nearest_first, resolve, Metric, SetTarget};
use crate::error_code::ErrorCode;

/// A report as a spreadsheet: what it is about, its columns, and one row of text per
/// line.
pub struct Table {
    /// The report, the office and the period, for a title row.
    pub title: String,
    pub columns: &'static [Column],
    pub rows: Vec<Vec<String>>,
}

/// A spreadsheet column: its machine name (CSV), its heading as in provincial report
/// forms (Excel), and what it holds, so that Excel gets numbers as numbers and rates
/// as percentages.
pub struct Column {
    pub key: &'static str,
    pub heading: &'static str,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Count,
    /// A share between 0 and 1.
    Rate,
    /// `YYYY-MM-DD`.
    Date,
    /// `true`, `false`, or empty when there is nothing to judge.
    Met,
}

pub(crate) const fn column(key: &'static str, heading: &'static str, kind: ColumnKind) -> Column {
    Column { key, heading, kind }
}

/// A local date as Vietnamese forms write it.
pub(crate) fn form_date(date: chrono::NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A report a manager reads on screen (JSON) or in a spreadsheet.
pub trait Report: serde::Serialize {
    fn table(&self) -> Table;
}

/// The office a report is about (default the caller's own), within the caller's scope:
/// otherwise "not found", so that its existence does not leak.
pub fn report_office(
    conn: &mut AnyConnection,
    actor: &Actor,
    office_id: Option<OfficeId>,
) -> ServiceResult<OfficeRow> {
    actor.require(&[Role::Admin, Role::Manager])?;
    let office_id = office_id
        .or_else(|| actor.office_id.clone())
        .ok_or_else(|| ServiceError::field("office_id", "say which office"))?;
    db::offices::find(conn, &office_id)?
        .filter(|office| actor.covers(&office.id, &office.path))
        .ok_or_else(|| {
            ServiceError::NotFound(
                ErrorCode::OfficeNotFound,
                "the office does not exist".to_owned(),
            )
        })
}

/// The targets in force for an office's reports: set on it or its nearest ancestor.
pub(crate) struct Targets {
    ancestors: Vec<OfficeId>,
    set: Vec<db::targets::TargetRow>,
    metric: Metric,
}

impl Targets {
    pub(crate) fn load(
        conn: &mut AnyConnection,
        office: &OfficeRow,
        year: i32,
        metric: Metric,
    ) -> ServiceResult<Targets> {
        let ancestors = ancestors_nearest_first(&office.path);
        let set = db::targets::for_offices(conn, &ancestors, year, metric.as_str())?;
        Ok(Targets {
            ancestors,
            set,
            metric,
        })
    }

    /// In basis points, for one field or for all.
    pub(crate) fn for_field(&self, field: Option<&str>) -> i32 {
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

/// A rate in a spreadsheet: four places, empty when there is nothing to divide.
pub(crate) fn rate_text(rate: &Rate) -> String {
    rate.value.map(|v| format!("{v:.4}")).unwrap_or_default()
}
