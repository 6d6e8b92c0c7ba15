//! Staff accounts: who may see, create and change which account (the rules are
//! `auth::policy`'s), with the office each belongs to. Passwords arrive hashed.

use chrono::Utc;

use super::{ServiceError, ServiceResult};
use crate::auth::Actor;
use crate::db::offices::OfficeRow;
use crate::db::users::UserRow;
use crate::db::{self, is_unique_violation, AnyConnection};
use crate::domain::account::Role;
use crate::domain::ids::{OfficeId, UserId};
use crate::error_code::ErrorCode;

/// A new account (fields checked; the password already hashed).
pub struct NewAccount {
    pub username: String,
    pub password_hash: String,
    pub full_name: String,
    pub role: Role,
    pub office_id: Option<OfficeId>,
}

/// What changes of an account; `None` keeps a field.
#[derive(Default)]
pub struct AccountChange {
    pub full_name: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub office_id: Option<OfficeId>,
    pub disabled: Option<bool>,
}

fn user_not_found() -> ServiceError {
    ServiceError::NotFound(ErrorCode::UserNotFound, "user not found".to_owned())
}

/// An account and its office, if the actor may see it; otherwise "not found", so that
/// its existence does not leak.
pub fn visible(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &UserId,
) -> ServiceResult<(UserRow, Option<OfficeRow>)> {
    let user = db::users::find(conn, id)?.ok_or_else(user_not_found)?;
    let office = match &user.office_id {
        Some(office_id) => db::offices::find(conn, office_id)?,
        None => None,
    };
    if actor.sees_account(&user.id, office.as_ref()) {
        Ok((user, office))
    } else {
        Err(user_not_found())
    }
}

/// The office an account of `role` belongs to: every manager and clerk has one.
fn office_for(
    conn: &mut AnyConnection,
    role: Role,
    office_id: Option<&OfficeId>,
) -> ServiceResult<Option<OfficeRow>> {
    match office_id {
        Some(id) => Ok(Some(db::offices::find(conn, id)?.ok_or_else(|| {
            ServiceError::NotFound(
                ErrorCode::OfficeNotFound,
                "the office does not exist".to_owned(),
            )
        })?)),
        None if role == Role::Admin => Ok(None),
        None => Err(ServiceError::field(
            "office_id",
            "managers and clerks belong to an office",
        )),
    }
}

/// Whether the actor may create an account of `role` at `office_id` (asked before
/// the password is hashed, which is expensive).
pub fn may_create(
    conn: &mut AnyConnection,
    actor: &Actor,
    role: Role,
    office_id: Option<&OfficeId>,
) -> ServiceResult<()> {
    let office = office_for(conn, role, office_id)?;
    Ok(actor.ensure_can_manage(role, office.as_ref())?)
}

pub fn create(conn: &mut AnyConnection, actor: &Actor, new: NewAccount) -> ServiceResult<UserRow> {
    may_create(conn, actor, new.role, new.office_id.as_ref())?;
    let now = Utc::now().naive_utc();
    let row = UserRow {
        id: UserId::new(),
        username: new.username,
        password_hash: new.password_hash,
        full_name: new.full_name,
        role: new.role,
        office_id: new.office_id,
        disabled: false,
        created_at: now,
        updated_at: now,
        token_generation: 0,
    };
    db::users::insert(conn, &row).map_err(|e| {
        if is_unique_violation(&e) {
            ServiceError::Conflict(
                ErrorCode::UsernameTaken,
                "this username is taken".to_owned(),
            )
        } else {
            e.into()
        }
    })?;
    Ok(row)
}

/// Changes an account the actor manages, before and after the change. Changing the
/// password or disabling the account revokes its tokens (a new generation).
pub fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: &UserId,
    change: AccountChange,
) -> ServiceResult<UserRow> {
    let (mut row, office) = visible(conn, actor, id)?;
    actor.ensure_can_manage(row.role, office.as_ref())?;
    let role = change.role.unwrap_or(row.role);
    let office_id = change.office_id.or(row.office_id.clone());
    let new_office = office_for(conn, role, office_id.as_ref())?;
    actor.ensure_can_manage(role, new_office.as_ref())?;
    if let Some(full_name) = change.full_name {
        row.full_name = full_name;
    }
    if let Some(hash) = change.password_hash {
        row.password_hash = hash;
        row.token_generation += 1;
    }
    if let Some(disabled) = change.disabled {
        if disabled && !row.disabled {
            row.token_generation += 1;
        }
        row.disabled = disabled;
    }
    row.role = role;
    row.office_id = office_id;
    row.updated_at = Utc::now().naive_utc();
    db::users::update(conn, &row)?;
    Ok(row)
}
