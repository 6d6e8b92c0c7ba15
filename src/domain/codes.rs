//! Dossier codes: `{receiving office agency ID}-{YYMMDD}-{sequence}`, the sequence
//! running per office per local day, at least four digits.

use chrono::NaiveDate;

pub fn dossier_code(agency_code: &str, day: NaiveDate, sequence: i32) -> String {
    format!("{agency_code}-{}-{sequence:04}", day.format("%y%m%d"))
}

/// Whether a folded search term can be part of a dossier code, whose characters are
/// those of an agency ID (letters, digits, dots), dashes and digits: a name with a
/// space is not looked for among the codes.
pub fn may_be_in_code(term: &str) -> bool {
    term.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_national_pattern() {
        let day = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(
            dossier_code("000.00.00.H56", day, 1),
            "000.00.00.H56-250701-0001"
        );
        assert_eq!(dossier_code("H56.14", day, 12345), "H56.14-250701-12345");
    }

    #[test]
    fn only_code_characters_may_be_in_a_code() {
        let code = dossier_code(
            "000.00.00.H56",
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            7,
        );
        assert!(may_be_in_code(&code.to_lowercase()));
        assert!(may_be_in_code("h56-26"));
        assert!(!may_be_in_code("nguyen van"));
        assert!(!may_be_in_code("hoà"));
        assert!(!may_be_in_code("h56_26"));
    }
}
