//! The one place where office scoping is decided. Handlers ask the actor what it may
//! see or do; they never compare offices themselves.

use super::{Actor, Denied};
use crate::db::offices::OfficeRow;
use crate::domain::account::Role;
use crate::domain::ids::{OfficeId, UserId};
use crate::domain::lifecycle::{is_desk_step, EventType};

/// The offices whose data an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    /// A manager: its office and everything below it (materialized path prefix).
    Subtree(String),
    /// A clerk: its own office only.
    Office(OfficeId),
}

impl Actor {
    pub fn scope(&self) -> Scope {
        match (self.role, &self.office_id, &self.office_path) {
            (Role::Admin, _, _) => Scope::All,
            (Role::Manager, _, Some(path)) => Scope::Subtree(path.clone()),
            (Role::Clerk, Some(id), _) => Scope::Office(id.clone()),
            // Staff without an office see nothing (cannot happen through the API): a
            // fresh id is no office's.
            _ => Scope::Office(OfficeId::new()),
        }
    }

    pub fn require(&self, roles: &[Role]) -> Result<(), Denied> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Denied::default())
        }
    }

    /// Whether the office (by id and path) lies within the actor's scope.
    pub fn covers(&self, office_id: &OfficeId, office_path: &str) -> bool {
        match self.scope() {
            Scope::All => true,
            Scope::Subtree(root) => office_path.starts_with(&root),
            Scope::Office(own) => own == *office_id,
        }
    }

    /// For user management: an admin manages anyone; a manager manages clerks whose
    /// office lies in its subtree; nobody else manages accounts. `office` is the
    /// target's office (before and after a change: call for both).
    pub fn ensure_can_manage(
        &self,
        target_role: Role,
        office: Option<&OfficeRow>,
    ) -> Result<(), Denied> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Manager => match office {
                Some(o) if target_role == Role::Clerk && self.covers(&o.id, &o.path) => Ok(()),
                _ => Err(Denied::default()),
            },
            Role::Clerk => Err(Denied::default()),
        }
    }

    /// Whether the actor may see an account (of `office`): an admin every one, anyone
    /// their own, a manager those of its subtree.
    pub fn sees_account(&self, account: &UserId, office: Option<&OfficeRow>) -> bool {
        match self.scope() {
            Scope::All => true,
            _ if self.user_id == *account => true,
            Scope::Subtree(_) => office.is_some_and(|o| self.covers(&o.id, &o.path)),
            Scope::Office(_) => false,
        }
    }

    /// Nobody disables their own account or changes their own role (a last admin
    /// could lock everyone out).
    pub fn ensure_may_change_self(
        &self,
        account: &UserId,
        disabled: Option<bool>,
        role: Option<Role>,
    ) -> Result<(), Denied> {
        if self.user_id == *account
            && (disabled == Some(true) || role.is_some_and(|r| r != self.role))
        {
            return Err(Denied(
                "you cannot disable your own account or change your own role".to_owned(),
            ));
        }
        Ok(())
    }

    /// Whether the actor may record `event` on a dossier now decided by `processing`
    /// (the dossier is visible to it already): whoever covers the processing office
    /// records every step; the receiving desk, once it has passed the dossier on, only
    /// its desk steps ([`is_desk_step`]).
    pub fn ensure_may_record(
        &self,
        event: EventType,
        processing: &OfficeRow,
    ) -> Result<(), Denied> {
        if self.covers(&processing.id, &processing.path) || is_desk_step(event) {
            Ok(())
        } else {
            Err(Denied(format!(
                "the dossier is with another office now; only it may {}",
                event.as_str()
            )))
        }
    }

    /// Whether the actor may see a dossier received at `receiving` and now decided at
    /// `processing`: one of the two must lie in its scope. `path_of` looks an office's
    /// path up, only for a scope that needs it.
    pub fn sees_dossier<E>(
        &self,
        receiving: &OfficeId,
        processing: &OfficeId,
        mut path_of: impl FnMut(&OfficeId) -> Result<Option<String>, E>,
    ) -> Result<bool, E> {
        match self.scope() {
            Scope::All => Ok(true),
            Scope::Office(own) => Ok(own == *receiving || own == *processing),
            Scope::Subtree(root) => {
                for office in [receiving, processing] {
                    if path_of(office)?.is_some_and(|path| path.starts_with(&root)) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
        }
    }

    /// Whether the actor works at one of a dossier's two offices, and may see the
    /// applicant's identifiers in full.
    pub fn is_staff_of(&self, receiving: &OfficeId, processing: &OfficeId) -> bool {
        self.office_id
            .as_ref()
            .is_some_and(|own| own == receiving || own == processing)
    }

    /// The offices whose dossiers a list may show (`None`: all), `subtree` giving a
    /// subtree's offices from its path.
    pub fn visible_offices<E>(
        &self,
        subtree: impl FnOnce(&str) -> Result<Vec<OfficeId>, E>,
    ) -> Result<Option<Vec<OfficeId>>, E> {
        Ok(match self.scope() {
            Scope::All => None,
            Scope::Subtree(path) => Some(subtree(&path)?),
            Scope::Office(id) => Some(vec![id]),
        })
    }

    /// The offices whose worklists the actor reads: a clerk its own office's; others
    /// the subtree of `office` (the one asked for, already within scope), or every
    /// office (`None`) when none is named.
    pub fn worklist_offices<E>(
        &self,
        office: Option<&OfficeRow>,
        subtree: impl FnOnce(&str) -> Result<Vec<OfficeId>, E>,
    ) -> Result<Option<Vec<OfficeId>>, E> {
        Ok(match (self.scope(), office) {
            (Scope::Office(own), _) => Some(vec![own]),
            (_, Some(office)) => Some(subtree(&office.path)?),
            (_, None) => None,
        })
    }

    /// Back-dating (paper records entered late, imports) is for managers and admins;
    /// clerks record steps as they happen.
    pub fn ensure_may_back_date(&self, back_dated: bool) -> Result<(), Denied> {
        if back_dated && self.role == Role::Clerk {
            return Err(Denied(
                "clerks record events as they happen; only managers and admins may back-date"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// The subtree path to filter lists by, or `None` for everything.
    pub fn subtree_filter(&self) -> Option<String> {
        match self.scope() {
            Scope::All => None,
            Scope::Subtree(path) => Some(path),
            Scope::Office(_) => self.office_path.clone().or(Some("/none/".to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The id of a named test office ("c", "d"...).
    fn oid(name: &str) -> OfficeId {
        uuid::Uuid::from_u128(name.bytes().fold(0, |id, b| id * 256 + u128::from(b))).into()
    }

    fn actor(role: Role, office: &str, path: &str) -> Actor {
        Actor {
            user_id: crate::domain::ids::UserId::new(),
            username: "u".into(),
            role,
            office_id: Some(oid(office)),
            office_path: Some(path.into()),
            jti: "j".into(),
            token_expires_at: 0,
        }
    }

    fn office(id: &str, path: &str) -> OfficeRow {
        let now = chrono::Utc::now().naive_utc();
        OfficeRow {
            id: oid(id),
            code: "A.1".into(),
            name: "x".into(),
            level: crate::domain::office::OfficeLevel::Commune,
            parent_id: None,
            path: path.into(),
            created_at: now,
            updated_at: now,
            opened_on: None,
        }
    }

    #[test]
    fn managers_manage_clerks_of_their_subtree_only() {
        let manager = actor(Role::Manager, "d", "/p/d/");
        assert!(manager
            .ensure_can_manage(Role::Clerk, Some(&office("c", "/p/d/c/")))
            .is_ok());
        assert!(manager
            .ensure_can_manage(Role::Clerk, Some(&office("d", "/p/d/")))
            .is_ok());
        assert!(manager
            .ensure_can_manage(Role::Manager, Some(&office("c", "/p/d/c/")))
            .is_err());
        assert!(manager
            .ensure_can_manage(Role::Clerk, Some(&office("x", "/p/x/")))
            .is_err());
        assert!(manager.ensure_can_manage(Role::Clerk, None).is_err());
        let clerk = actor(Role::Clerk, "c", "/p/d/c/");
        assert!(clerk
            .ensure_can_manage(Role::Clerk, Some(&office("c", "/p/d/c/")))
            .is_err());
    }

    #[test]
    fn clerks_cover_their_own_office_only() {
        let clerk = actor(Role::Clerk, "c", "/p/d/c/");
        assert!(clerk.covers(&oid("c"), "/p/d/c/"));
        assert!(!clerk.covers(&oid("c2"), "/p/d/c2/"));
        assert!(!actor(Role::Manager, "d", "/p/d/").covers(&oid("x"), "/p/x/"));
    }
}
