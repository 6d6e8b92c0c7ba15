//! Dossier codes: `{receiving office agency ID}-{YYMMDD}-{sequence}`, the sequence
//! running per office per local day, at least four digits.

use chrono::NaiveDate;

pub fn dossier_code(agency_code: &str, day: NaiveDate, sequence: i32) -> String {
    format!("{agency_code}-{}-{sequence:04}", day.format("%y%m%d"))
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
}
