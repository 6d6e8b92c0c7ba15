//! The office tree: an office placed or moved by the tree's rules, its subtree's
//! paths and dashboard counters following a move, in one transaction.

use chrono::{NaiveDate, Utc};

use super::{ServiceError, ServiceResult};
use crate::db::offices::OfficeRow;
use crate::db::{self, is_unique_violation, AnyConnection};
use crate::domain::ids::OfficeId;
use crate::domain::office::{check_placement, child_path, OfficeLevel};
use crate::error_code::ErrorCode;

/// A new office (fields already checked for shape).
pub struct NewOffice {
    pub code: String,
    pub name: String,
    pub level: OfficeLevel,
    pub parent_id: Option<OfficeId>,
    pub opened_on: Option<NaiveDate>,
}

/// What changes of an office; `None` keeps a field.
#[derive(Default)]
pub struct OfficeChange {
    pub code: Option<String>,
    pub name: Option<String>,
    pub level: Option<OfficeLevel>,
    /// `Some(None)`: becomes a root (a province).
    pub parent_id: Option<Option<OfficeId>>,
    pub opened_on: Option<Option<NaiveDate>>,
}

pub fn create(conn: &mut AnyConnection, new: NewOffice) -> ServiceResult<OfficeRow> {
    let parent = place(conn, new.level, new.parent_id.as_ref(), None)?;
    let id = OfficeId::new();
    let now = Utc::now().naive_utc();
    let row = OfficeRow {
        path: child_path(parent.as_ref().map(|p| p.path.as_str()), &id),
        id,
        code: new.code,
        name: new.name,
        level: new.level,
        parent_id: new.parent_id,
        created_at: now,
        updated_at: now,
        opened_on: new.opened_on,
    };
    db::offices::insert(conn, &row).map_err(code_taken)?;
    Ok(row)
}

/// Changes an office; moving it moves its whole subtree, whose counters leave the old
/// ancestors' dashboards for the new ones'.
pub fn update(
    conn: &mut AnyConnection,
    id: &OfficeId,
    change: OfficeChange,
) -> ServiceResult<OfficeRow> {
    let old = db::offices::find(conn, id)?.ok_or_else(|| {
        ServiceError::NotFound(ErrorCode::OfficeNotFound, "office not found".to_owned())
    })?;
    let mut row = old.clone();
    row.name = change.name.unwrap_or(row.name);
    row.code = change.code.unwrap_or(row.code);
    row.level = change.level.unwrap_or(row.level);
    row.parent_id = change.parent_id.unwrap_or(row.parent_id);
    row.opened_on = change.opened_on.unwrap_or(row.opened_on);
    let parent = place(conn, row.level, row.parent_id.as_ref(), Some(&old))?;
    row.path = child_path(parent.as_ref().map(|p| p.path.as_str()), &row.id);
    row.updated_at = Utc::now().naive_utc();
    if row.path != old.path {
        db::stats::move_scope(conn, row.id.as_str(), &old.path, &row.path)?;
        db::vote_stats::move_scope(conn, row.id.as_str(), &old.path, &row.path)?;
    }
    db::offices::update(conn, &row, &old.path).map_err(code_taken)?;
    Ok(row)
}

/// Loads the would-be parent and checks the placement rules.
fn place(
    conn: &mut AnyConnection,
    level: OfficeLevel,
    parent_id: Option<&OfficeId>,
    own: Option<&OfficeRow>,
) -> ServiceResult<Option<OfficeRow>> {
    let parent = match parent_id {
        Some(id) => Some(db::offices::find(conn, id)?.ok_or_else(|| {
            ServiceError::NotFound(
                ErrorCode::OfficeNotFound,
                "the parent office does not exist".to_owned(),
            )
        })?),
        None => None,
    };
    let highest_child = match own {
        Some(office) => db::offices::child_levels(conn, &office.id)?
            .into_iter()
            .min(),
        None => None,
    };
    let parent_info = parent.as_ref().map(|p| (p.level, p.path.as_str()));
    check_placement(
        level,
        parent_info,
        own.map(|o| o.path.as_str()),
        highest_child,
    )
    // A conflict with the tree as it stands, not a malformed request.
    .map_err(|e| ServiceError::Conflict(ErrorCode::InvalidPlacement, e.to_string()))?;
    Ok(parent)
}

fn code_taken(err: diesel::result::Error) -> ServiceError {
    if is_unique_violation(&err) {
        ServiceError::Conflict(
            ErrorCode::OfficeCodeTaken,
            "another office has this agency code".to_owned(),
        )
    } else {
        err.into()
    }
}
