//! Every morning's lists: dossiers past their due date, and those due within a few
//! working days, earliest first, for a manager's subtree or a clerk's office.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::{column, form_date, Column, ColumnKind, Report, Table};
use crate::auth::Actor;
use crate::db::calendar::CalendarCache;
use crate::db::{self, AnyConnection};
use crate::domain::calendar::OfficeHours;
use crate::domain::ids::OfficeId;
use crate::domain::lifecycle::Status;
use crate::error_code::ErrorCode;
use crate::service::{ServiceError, ServiceResult};

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkItem {
    pub id: uuid::Uuid,
    pub code: String,
    pub status: Status,
    pub procedure_code: String,
    pub procedure_name: String,
    pub applicant_name: String,
    pub office_id: uuid::Uuid,
    pub processing_office_id: uuid::Uuid,
    pub due_date: NaiveDate,
    /// The new appointment after an apology letter, if any.
    pub appointment_date: Option<NaiveDate>,
    /// Working days from today to the due date: negative when overdue.
    pub working_days_left: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Worklist {
    /// The office listed with its subtree; `null` for an admin's whole country.
    pub office_id: Option<uuid::Uuid>,
    pub today: NaiveDate,
    pub items: Vec<WorkItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Overdue,
    /// Due today or within this many working days.
    DueSoon {
        within_days: i64,
    },
}

/// A page of a list, ending after `after` (the previous page's last due date and id).
pub struct Request {
    pub office_id: Option<OfficeId>,
    pub kind: Kind,
    pub after: Option<(NaiveDate, String)>,
    pub limit: i64,
}

/// A page ends at a (due date, dossier id): the list's order.
fn cursor_of(item: &WorkItem) -> String {
    format!("{}_{}", item.due_date, item.id)
}

/// The list as the actor may see it: a clerk's own office, else the named office's
/// subtree (default the caller's own; an admin without one: every office).
pub fn worklist(
    conn: &mut AnyConnection,
    calendar: &CalendarCache,
    hours: OfficeHours,
    actor: &Actor,
    request: Request,
    today: NaiveDate,
) -> ServiceResult<Worklist> {
    let office = match request.office_id.or_else(|| actor.office_id.clone()) {
        Some(id) => Some(
            db::offices::find(conn, &id)?
                .filter(|office| actor.covers(&office.id, &office.path))
                .ok_or_else(|| {
                    ServiceError::NotFound(
                        ErrorCode::OfficeNotFound,
                        "the office does not exist".to_owned(),
                    )
                })?,
        ),
        None => None,
    };
    let offices = actor.worklist_offices(office.as_ref(), |path| {
        db::dossiers::subtree_office_ids(conn, path)
    })?;
    let calendar = calendar.load(conn, hours)?;
    let (from, before) = match request.kind {
        Kind::Overdue => (None, today),
        Kind::DueSoon { within_days } => {
            let mut last = today;
            for _ in 0..within_days {
                last = calendar.next_working_day(last);
            }
            (Some(today), last + Days::new(1))
        }
    };
    // One row more than the page tells whether another page follows.
    let limit = request.limit;
    let rows = db::dossiers::due_between(conn, offices, from, before, request.after, limit + 1)?;
    let mut items: Vec<WorkItem> = rows
        .into_iter()
        .filter_map(|row| {
            let due_date = row.due_date?;
            Some(WorkItem {
                id: row.id.uuid(),
                status: row.status,
                procedure_code: row.procedure_code,
                procedure_name: row.procedure_name,
                office_id: row.office_id.uuid(),
                processing_office_id: row.processing_office_id.uuid(),
                due_date,
                appointment_date: row.appointment_date,
                working_days_left: calendar.working_days_between(today, due_date),
                applicant_name: row.applicant_name,
                code: row.code,
            })
        })
        .collect();
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = items.last().filter(|_| more).map(cursor_of);
    Ok(Worklist {
        office_id: office.map(|o| o.id.uuid()),
        today,
        items,
        next_cursor,
    })
}

impl Report for Worklist {
    /// The list as a spreadsheet, a row per dossier.
    fn table(&self) -> Table {
        let rows = self
            .items
            .iter()
            .map(|i| {
                vec![
                    i.code.clone(),
                    i.status.as_str().to_owned(),
                    i.procedure_code.clone(),
                    i.procedure_name.clone(),
                    i.applicant_name.clone(),
                    i.due_date.to_string(),
                    i.appointment_date
                        .map(|d| d.to_string())
                        .unwrap_or_default(),
                    i.working_days_left.to_string(),
                ]
            })
            .collect();
        Table {
            title: format!("Danh sách hồ sơ ngày {}", form_date(self.today)),
            columns: WORKLIST_COLUMNS,
            rows,
        }
    }
}

const WORKLIST_COLUMNS: &[Column] = &[
    column("code", "Mã hồ sơ", ColumnKind::Text),
    column("status", "Trạng thái", ColumnKind::Text),
    column("procedure_code", "Mã thủ tục", ColumnKind::Text),
    column("procedure_name", "Tên thủ tục", ColumnKind::Text),
    column("applicant_name", "Người nộp hồ sơ", ColumnKind::Text),
    column("due_date", "Hạn giải quyết", ColumnKind::Date),
    column("appointment_date", "Ngày hẹn trả kết quả", ColumnKind::Date),
    column(
        "working_days_left",
        "Số ngày làm việc còn lại",
        ColumnKind::Count,
    ),
];
