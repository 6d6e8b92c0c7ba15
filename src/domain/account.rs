//! Staff accounts: roles and the password and username policies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Staff roles. Kiosk devices are not users: they hold their own tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// Dashboards, clerks, kiosks and targets within its office subtree.
    Manager,
    /// Receives and moves dossiers of its own office.
    Clerk,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Clerk => "clerk",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "clerk" => Some(Role::Clerk),
            _ => None,
        }
    }
}

pub const MIN_PASSWORD_CHARS: usize = 8;
/// Bounded so a huge password cannot make hashing expensive.
pub const MAX_PASSWORD_CHARS: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Why a password is refused, in words a desk clerk understands.
pub fn check_password(password: &str, username: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS
        .lines()
        .any(|common| common.eq_ignore_ascii_case(&lowered))
    {
        return Err("is one of the most common passwords; choose another".to_owned());
    }
    if !username.is_empty() && lowered.contains(&username.to_lowercase()) {
        return Err("must not contain the username".to_owned());
    }
    if password
        .chars()
        .all(|c| c == password.chars().next().unwrap_or(c))
    {
        return Err("must not repeat a single character".to_owned());
    }
    Ok(())
}

/// A username as stored and looked up: trimmed, NFC, lower case, so that `Hoa.Manager `
/// and `hoa.manager` are one account (and one account's failed logins).
pub fn normalize_username(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    raw.trim().nfc().collect::<String>().to_lowercase()
}

/// Usernames: 3-64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn check_username(username: &str) -> Result<(), String> {
    let ok = (3..=64).contains(&username.len())
        && username
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && username.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        });
    if ok {
        Ok(())
    } else {
        Err("3-64 characters: lower-case letters, digits, '.', '_' or '-'".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused() {
        assert!(check_password("short1", "lan").is_err());
        assert!(check_password("password123", "lan").is_err());
        assert!(check_password("MATKHAU123", "lan").is_err());
        assert!(check_password("aaaaaaaaaaa", "lan").is_err());
        assert!(check_password("lan.nguyen-2026", "lan.nguyen").is_err());
        assert!(check_password(&"x1".repeat(70), "lan").is_err());
        assert!(check_password("Tra-cuu hồ sơ 7", "lan").is_ok());
    }

    #[test]
    fn usernames() {
        assert!(check_username("clerk.hoa").is_ok());
        assert!(check_username("Clerk").is_err());
        assert!(check_username("ab").is_err());
        assert!(check_username("_x1").is_err());
        assert!(check_username("nguyễn").is_err());
        assert_eq!(normalize_username("  Hoa.Manager\t"), "hoa.manager");
        assert_eq!(normalize_username("NGUYE\u{302}\u{303}N"), "nguyễn");
    }
}
