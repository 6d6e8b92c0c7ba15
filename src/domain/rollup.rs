//! Where the dashboards' counters live, so that a report reads a bounded number of rows
//! however many dossiers there are.
//!
//! A day's counters of one receiving office are added to every office above it
//! (its *scopes*: a province's rows count its whole subtree), under three dimensions
//! (the whole, the procedure, the receiving clerk) and three grains (the year, the
//! month, the day). "Everything before date D" is then at most: the years before D's
//! year, the months of that year before D's month, and the days of that month before
//! D. A period's flows are the difference of two such sums, and its stocks (carried
//! over, pending) are read off them, so no report ever scans dossiers.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};

/// How finely a row of counters is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    Year,
    Month,
    Day,
}

impl Grain {
    pub const ALL: [Grain; 3] = [Grain::Year, Grain::Month, Grain::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Year => "y",
            Grain::Month => "m",
            Grain::Day => "d",
        }
    }

    pub fn parse(s: &str) -> Option<Grain> {
        Grain::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// The first day of the bucket of this grain holding `day`.
    pub fn bucket(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Year => year_start(day),
            Grain::Month => month_start(day),
            Grain::Day => day,
        }
    }
}

/// What a row of counters is broken down by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dim {
    /// Everything (`dim_id` is empty).
    Total,
    /// One procedure; fields are summed from their procedures when read, so changing
    /// a procedure's field needs no rewrite.
    Procedure,
    /// The receiving clerk (`""` when unknown).
    Clerk,
}

impl Dim {
    pub const ALL: [Dim; 3] = [Dim::Total, Dim::Procedure, Dim::Clerk];

    pub fn as_str(self) -> &'static str {
        match self {
            Dim::Total => "t",
            Dim::Procedure => "p",
            Dim::Clerk => "c",
        }
    }

    pub fn parse(s: &str) -> Option<Dim> {
        Dim::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The id this dimension keeps of a (procedure, clerk) pair.
    pub fn id_of<'a>(self, procedure_id: &'a str, clerk_id: &'a str) -> &'a str {
        match self {
            Dim::Total => "",
            Dim::Procedure => procedure_id,
            Dim::Clerk => clerk_id,
        }
    }
}

pub fn year_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day)
}

pub fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first day of the next month.
pub fn next_month(day: NaiveDate) -> NaiveDate {
    month_start(day)
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX)
}

/// Whether the bucket `(grain, start)` is one of those summed for "every day before
/// `before`". For each day before `before` exactly one of its three buckets is, and
/// none of a later day's (checked by a property test below).
pub fn summed_before(before: NaiveDate, grain: Grain, start: NaiveDate) -> bool {
    match grain {
        Grain::Year => start.year() < before.year(),
        Grain::Month => start.year() == before.year() && start < month_start(before),
        Grain::Day => start >= month_start(before) && start < before,
    }
}

/// The bucket ranges (`[start, end)` of bucket starts, per grain) to read so that the
/// sums before each of `cuts` can be formed, each bucket at most once. One range per
/// grain, except days: one per month holding a cut that is not its first day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    pub ranges: Vec<(Grain, Range<NaiveDate>)>,
}

/// Before any dossier (and representable by every database).
const EARLIEST: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");

pub fn read_plan(cuts: &[NaiveDate]) -> ReadPlan {
    let mut ranges = Vec::new();
    let Some(&last) = cuts.iter().max() else {
        return ReadPlan { ranges };
    };
    ranges.push((Grain::Year, EARLIEST..year_start(last)));
    // Months: only for cuts after their year's first month (a report of whole years
    // reads none).
    let within_year = || cuts.iter().filter(|c| month_start(**c) > year_start(**c));
    if let (Some(first), Some(end)) = (
        within_year().map(|c| year_start(*c)).min(),
        within_year().map(|c| month_start(*c)).max(),
    ) {
        ranges.push((Grain::Month, first..end));
    }
    // Days: from the month's start to its latest cut (cuts of one month share them).
    let mut day_ends: Vec<NaiveDate> = cuts
        .iter()
        .copied()
        .filter(|c| month_start(*c) != *c)
        .collect();
    day_ends.sort_by(|a, b| b.cmp(a));
    day_ends.dedup_by_key(|c| month_start(*c));
    for end in day_ends.into_iter().rev() {
        ranges.push((Grain::Day, month_start(end)..end));
    }
    ReadPlan { ranges }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(days: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 11, 15).unwrap() + chrono::Duration::days(days)
    }

    #[test]
    fn a_year_to_date_reads_whole_years_and_months() {
        let cut = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let plan = read_plan(&[cut]);
        assert_eq!(
            plan.ranges,
            vec![
                (Grain::Year, EARLIEST..year_start(cut)),
                (Grain::Month, year_start(cut)..cut),
            ]
        );
        assert!(summed_before(cut, Grain::Month, month_start(date(580))));
    }

    proptest! {
        /// Each day before the cut is counted exactly once, later days never.
        #[test]
        fn every_earlier_day_is_summed_once(day in -800i64..800, cut in -800i64..800) {
            let (day, cut) = (date(day), date(cut));
            let summed = Grain::ALL
                .iter()
                .filter(|g| summed_before(cut, **g, g.bucket(day)))
                .count();
            prop_assert_eq!(summed, usize::from(day < cut));
        }

        /// The plan reads every bucket a cut sums, and none twice.
        #[test]
        fn the_plan_reads_what_the_sums_need_once(cuts in prop::collection::vec(-800i64..800, 1..5), day in -900i64..900) {
            let cuts: Vec<NaiveDate> = cuts.into_iter().map(date).collect();
            let plan = read_plan(&cuts);
            let day = date(day);
            for grain in Grain::ALL {
                let start = grain.bucket(day);
                let reads = plan.ranges.iter().filter(|(g, r)| *g == grain && r.contains(&start)).count();
                prop_assert!(reads <= 1);
                if cuts.iter().any(|cut| summed_before(*cut, grain, start)) {
                    prop_assert_eq!(reads, 1);
                }
            }
        }
    }
}
