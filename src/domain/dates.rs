//! The dates the service accepts, and report periods.
//!
//! Every date or instant a client sends is checked against one range, 1900–2100:
//! wide enough for paper archives and for planning, narrow enough that every database
//! stores it and that no computation on it (an instant in UTC+7, a day after it, a
//! month of a trend) can overflow. A report period is at most [`MAX_PERIOD_YEARS`]
//! long, so a report's plan stays small whatever the input.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};

use super::calendar::local_date;

/// The first date the service accepts.
pub const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// The last date the service accepts.
pub const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(date) => date,
    None => panic!("a valid date"),
};

/// The longest report period: a decade of monthly trend is 120 months.
pub const MAX_PERIOD_YEARS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("must be between {FIRST_DATE} and {LAST_DATE}")]
    OutOfRange,
    #[error("must not be after `to`")]
    FromAfterTo,
    #[error("a period is at most {MAX_PERIOD_YEARS} years")]
    PeriodTooLong,
}

/// A date within [`FIRST_DATE`]..=[`LAST_DATE`].
pub fn check_date(date: NaiveDate) -> Result<NaiveDate, DateError> {
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// An instant whose local (UTC+7) date is within the accepted range.
pub fn check_instant(at: DateTime<Utc>) -> Result<DateTime<Utc>, DateError> {
    // The UTC date first: `local_date` of an extreme instant would overflow.
    check_date(at.date_naive())?;
    check_date(local_date(at)).map(|_| at)
}

pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the next month.
pub fn next_month(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// A report period: local dates, both inclusive, within the accepted range and at
/// most [`MAX_PERIOD_YEARS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, DateError> {
        check_date(from)?;
        check_date(to)?;
        if from > to {
            return Err(DateError::FromAfterTo);
        }
        let longest = from
            .checked_add_months(Months::new(12 * MAX_PERIOD_YEARS))
            .unwrap_or(LAST_DATE);
        if to >= longest {
            return Err(DateError::PeriodTooLong);
        }
        Ok(Period { from, to })
    }

    /// The period a report covers when the client leaves `from` or `to` out: up to
    /// today, from 1 January of `to`'s year.
    pub fn with_defaults(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<Period, DateError> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
        Period::new(from, to)
    }

    /// The day after the period: the cut whose "everything before" sums end it.
    pub fn end(&self) -> NaiveDate {
        self.to + Days::new(1)
    }

    /// The dates at which a report takes "everything before" sums: the first day, the
    /// first day of each later month when `monthly` (a trend), and the day after the
    /// last. At most 2 + 12 × [`MAX_PERIOD_YEARS`] of them.
    pub fn cuts(&self, monthly: bool) -> Vec<NaiveDate> {
        let mut cuts = vec![self.from];
        if monthly {
            let mut month = next_month(self.from);
            while month <= self.to {
                cuts.push(month);
                month = next_month(month);
            }
        }
        cuts.push(self.end());
        cuts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Any date chrono can represent.
    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (NaiveDate::MIN.num_days_from_ce()..=NaiveDate::MAX.num_days_from_ce())
            .prop_map(|days| NaiveDate::from_num_days_from_ce_opt(days).unwrap())
    }

    #[test]
    fn the_range_and_its_edges() {
        assert_eq!(check_date(ymd(1900, 1, 1)), Ok(ymd(1900, 1, 1)));
        assert_eq!(check_date(ymd(2100, 12, 31)), Ok(ymd(2100, 12, 31)));
        assert_eq!(check_date(ymd(1899, 12, 31)), Err(DateError::OutOfRange));
        assert_eq!(check_date(ymd(226, 1, 1)), Err(DateError::OutOfRange));
        assert_eq!(check_date(NaiveDate::MIN), Err(DateError::OutOfRange));
        // 2100-12-31 18:00 UTC is already 2101 in Vietnam.
        let late = ymd(2100, 12, 31).and_hms_opt(18, 0, 0).unwrap().and_utc();
        assert_eq!(check_instant(late), Err(DateError::OutOfRange));
        assert_eq!(
            check_instant(DateTime::<Utc>::MAX_UTC),
            Err(DateError::OutOfRange)
        );
    }

    #[test]
    fn periods() {
        let p = Period::new(ymd(2026, 1, 15), ymd(2026, 3, 31)).unwrap();
        assert_eq!(
            p.cuts(true),
            vec![
                ymd(2026, 1, 15),
                ymd(2026, 2, 1),
                ymd(2026, 3, 1),
                ymd(2026, 4, 1)
            ]
        );
        assert_eq!(p.cuts(false), vec![ymd(2026, 1, 15), ymd(2026, 4, 1)]);
        assert_eq!(
            Period::new(ymd(2026, 2, 1), ymd(2026, 1, 1)),
            Err(DateError::FromAfterTo)
        );
        assert!(Period::new(ymd(2016, 1, 1), ymd(2025, 12, 31)).is_ok());
        assert_eq!(
            Period::new(ymd(2016, 1, 1), ymd(2026, 1, 1)),
            Err(DateError::PeriodTooLong)
        );
        // The typo that once overflowed the stack: year 226 for 2026.
        assert_eq!(
            Period::new(ymd(226, 1, 1), ymd(2026, 12, 1)),
            Err(DateError::OutOfRange)
        );
        assert_eq!(
            Period::with_defaults(None, Some(ymd(2026, 5, 4)), ymd(2026, 12, 1)),
            Ok(Period {
                from: ymd(2026, 1, 1),
                to: ymd(2026, 5, 4)
            })
        );
    }

    proptest! {
        /// No date chrono can parse makes the checks panic, and only dates in range pass.
        #[test]
        fn checks_never_panic(date in any_date(), seconds in any::<i64>()) {
            prop_assert_eq!(check_date(date).is_ok(), (FIRST_DATE..=LAST_DATE).contains(&date));
            if let Some(at) = DateTime::from_timestamp(seconds % 8_000_000_000_000, 0) {
                if check_instant(at).is_ok() {
                    prop_assert!(check_date(local_date(at)).is_ok());
                }
            }
        }

        /// Any pair of dates gives a period or an error, never a panic; an accepted
        /// period has a bounded number of cuts, each inside the accepted range or the
        /// day after it.
        #[test]
        fn periods_are_bounded(from in any_date(), to in any_date(), monthly in any::<bool>()) {
            if let Ok(period) = Period::new(from, to) {
                let cuts = period.cuts(monthly);
                prop_assert!(cuts.len() <= 2 + 12 * MAX_PERIOD_YEARS as usize);
                prop_assert!(cuts.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(cuts.iter().all(|c| *c >= FIRST_DATE && *c <= LAST_DATE + Days::new(1)));
            }
        }
    }
}
