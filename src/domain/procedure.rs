//! The procedure catalogue: codes, deadlines, online levels.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineUnit {
    WorkingDays,
    WorkingHours,
    CalendarDays,
}

impl DeadlineUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineUnit::WorkingDays => "working_days",
            DeadlineUnit::WorkingHours => "working_hours",
            DeadlineUnit::CalendarDays => "calendar_days",
        }
    }

    pub fn parse(s: &str) -> Option<DeadlineUnit> {
        match s {
            "working_days" => Some(DeadlineUnit::WorkingDays),
            "working_hours" => Some(DeadlineUnit::WorkingHours),
            "calendar_days" => Some(DeadlineUnit::CalendarDays),
            _ => None,
        }
    }
}

/// `full` = toàn trình, `partial` = một phần (the pre-2022 levels 4 and 3), `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    Full,
    Partial,
    None,
}

impl OnlineLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            OnlineLevel::Full => "full",
            OnlineLevel::Partial => "partial",
            OnlineLevel::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<OnlineLevel> {
        match s {
            "full" => Some(OnlineLevel::Full),
            "partial" => Some(OnlineLevel::Partial),
            "none" => Some(OnlineLevel::None),
            _ => None,
        }
    }
}

/// Procedure code as in the national database: `1.000948`, `2.000635`, or a local
/// variant with an agency suffix, `1.000948.H38`.
pub fn validate_procedure_code(code: &str) -> Result<(), String> {
    let mut parts = code.split('.');
    let kind = parts.next().unwrap_or("");
    let number = parts.next().unwrap_or("");
    let suffix = parts.next();
    let ok = kind.len() == 1
        && kind.bytes().all(|b| b.is_ascii_digit())
        && number.len() == 6
        && number.bytes().all(|b| b.is_ascii_digit())
        && suffix.is_none_or(|s| {
            (1..=10).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        && parts.next().is_none();
    if ok {
        Ok(())
    } else {
        Err("expected a code like 1.000948 or 1.000948.H38".to_owned())
    }
}

/// Longest period accepted, in any unit, so a typo cannot set a ten-year deadline.
pub const MAX_DEADLINE_VALUE: i32 = 365;

pub fn validate_deadline(value: i32, unit: DeadlineUnit) -> Result<(), String> {
    if !(1..=MAX_DEADLINE_VALUE).contains(&value) {
        Err(format!(
            "must be between 1 and {MAX_DEADLINE_VALUE} {}",
            unit.as_str()
        ))
    } else {
        Ok(())
    }
}

/// Fees are whole đồng; the largest real fees are in the millions.
pub const MAX_FEE: i64 = 1_000_000_000_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procedure_codes() {
        for ok in ["1.000948", "2.000635", "1.000948.H38"] {
            assert!(validate_procedure_code(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1.948",
            "10.000948",
            "1.000948.",
            "1.000948.h38",
            "1.000948.H38.X",
            "a.000948",
        ] {
            assert!(validate_procedure_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn deadlines_are_bounded() {
        assert!(validate_deadline(3, DeadlineUnit::WorkingDays).is_ok());
        assert!(validate_deadline(0, DeadlineUnit::WorkingDays).is_err());
        assert!(validate_deadline(366, DeadlineUnit::WorkingDays).is_err());
        assert!(validate_deadline(365, DeadlineUnit::WorkingHours).is_ok());
    }
}
