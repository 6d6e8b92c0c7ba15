//! What the statistics endpoints read.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::csv::{Format, Headings};
use crate::service::reports::on_time::OnTimeGroup;
use crate::service::reports::satisfaction::SatisfactionGroup;

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
    /// `csv` or `xlsx` for a spreadsheet (same as `Accept: text/csv` or the Excel type).
    #[param(inline)]
    pub format: Option<Format>,
    /// CSV headings: `vi` (default) as in report forms, or `keys`, the JSON names.
    #[param(inline)]
    pub headers: Option<Headings>,
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
    /// `csv` or `xlsx` for a spreadsheet (same as `Accept: text/csv` or the Excel type).
    #[param(inline)]
    pub format: Option<Format>,
    /// CSV headings: `vi` (default) as in report forms, or `keys`, the JSON names.
    #[param(inline)]
    pub headers: Option<Headings>,
}
