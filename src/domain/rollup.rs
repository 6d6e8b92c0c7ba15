//! Where the dashboards' counters live, so that a report reads a bounded number of rows
//! however many dossiers there are.
//!
//! A day's counters of one receiving office are added to every office above it
//! (its *scopes*: a province's rows count its whole subtree), under three dimensions
//! (the whole, the procedure, the receiving clerk) and four grains (the year, the
//! quarter, the month, the day). "Everything before date D" is then at most: the years
//! before D's year, the quarters of that year before D's quarter, the months of that
//! quarter before D's month, and the days of that month before D (at most 3 + 2 + 30
//! rows besides the years). A period's flows are the difference of two such sums, and
//! its stocks (carried over, pending) are read off them, so no report ever scans
//! dossiers.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{Datelike, NaiveDate};

use super::dates::{month_start, FIRST_DATE};

/// How finely a row of counters is bucketed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grain {
    Year,
    Quarter,
    Month,
    Day,
}

impl Grain {
    pub const ALL: [Grain; 4] = [Grain::Year, Grain::Quarter, Grain::Month, Grain::Day];

    pub fn as_str(self) -> &'static str {
        match self {
            Grain::Year => "y",
            Grain::Quarter => "q",
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
            Grain::Quarter => quarter_start(day),
            Grain::Month => month_start(day),
            Grain::Day => day,
        }
    }

    /// The first day of the enclosing bucket of the next coarser grain: the buckets
    /// of this grain summed before `day` are those from there up to `day`'s own.
    fn parent_start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Grain::Year => FIRST_DATE,
            Grain::Quarter => year_start(day),
            Grain::Month => quarter_start(day),
            Grain::Day => month_start(day),
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

/// What a row of vote counters is broken down by (the satisfaction report's groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VoteDim {
    /// Everything (`dim_id` is empty).
    Total,
    /// The procedure of the dossier voted on (`""` when the vote names none).
    Procedure,
    /// The clerk served by (`""` when unknown).
    Clerk,
    /// The local hour it was cast, `0` to `23`.
    Hour,
    /// The local weekday it was cast, `0` (Monday) to `6`.
    Weekday,
}

impl VoteDim {
    pub const ALL: [VoteDim; 5] = [
        VoteDim::Total,
        VoteDim::Procedure,
        VoteDim::Clerk,
        VoteDim::Hour,
        VoteDim::Weekday,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VoteDim::Total => "t",
            VoteDim::Procedure => "p",
            VoteDim::Clerk => "c",
            VoteDim::Hour => "h",
            VoteDim::Weekday => "w",
        }
    }

    pub fn parse(s: &str) -> Option<VoteDim> {
        VoteDim::ALL.into_iter().find(|d| d.as_str() == s)
    }
}

pub fn year_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day)
}

pub fn quarter_start(day: NaiveDate) -> NaiveDate {
    let month = (day.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(day.year(), month, 1).unwrap_or(day)
}

/// Whether the bucket `(grain, start)` is one of those summed for "every day before
/// `before`". For each day before `before` exactly one of its four buckets is, and
/// none of a later day's (checked by a property test below).
pub fn summed_before(before: NaiveDate, grain: Grain, start: NaiveDate) -> bool {
    start >= grain.parent_start(before) && start < grain.bucket(before)
}

/// The bucket ranges (`[start, end)` of bucket starts, per grain) to read so that the
/// sums before each of `cuts` can be formed, each bucket at most once. Each statement
/// costs more than a few extra rows, so years, quarters and months are one range per
/// grain (it may span a few buckets no cut needs); days are one range per month
/// holding a cut that is not its first day, so a year of months does not read every
/// day in between. The plan has at most three ranges besides those, whatever the cuts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPlan {
    pub ranges: Vec<(Grain, Range<NaiveDate>)>,
}

pub fn read_plan(cuts: &[NaiveDate]) -> ReadPlan {
    let mut ranges = Vec::new();
    for grain in Grain::ALL {
        // What each enclosing bucket needs; cuts sharing one keep the latest end.
        let mut ends: BTreeMap<NaiveDate, NaiveDate> = BTreeMap::new();
        for cut in cuts {
            let bucket = grain.bucket(*cut);
            ends.entry(grain.parent_start(*cut))
                .and_modify(|end| *end = (*end).max(bucket))
                .or_insert(bucket);
        }
        let needed = ends.into_iter().filter(|(start, end)| start < end);
        if grain == Grain::Day {
            ranges.extend(needed.map(|(start, end)| (grain, start..end)));
        } else if let Some(hull) = needed
            .map(|(start, end)| start..end)
            .reduce(|a, b| a.start.min(b.start)..a.end.max(b.end))
        {
            ranges.push((grain, hull));
        }
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

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_quarter_reads_whole_years_and_quarters_only() {
        let plan = read_plan(&[ymd(2026, 7, 1), ymd(2026, 10, 1)]);
        assert_eq!(
            plan.ranges,
            vec![
                (Grain::Year, FIRST_DATE..ymd(2026, 1, 1)),
                (Grain::Quarter, ymd(2026, 1, 1)..ymd(2026, 10, 1)),
            ]
        );
    }

    #[test]
    fn a_date_inside_a_month_reads_each_grain_up_to_it() {
        let cut = ymd(2026, 8, 20);
        assert_eq!(
            read_plan(&[cut]).ranges,
            vec![
                (Grain::Year, FIRST_DATE..ymd(2026, 1, 1)),
                (Grain::Quarter, ymd(2026, 1, 1)..ymd(2026, 7, 1)),
                (Grain::Month, ymd(2026, 7, 1)..ymd(2026, 8, 1)),
                (Grain::Day, ymd(2026, 8, 1)..cut),
            ]
        );
        assert!(summed_before(cut, Grain::Quarter, ymd(2026, 4, 1)));
        assert!(!summed_before(cut, Grain::Month, ymd(2026, 4, 1)));
        assert_eq!(quarter_start(ymd(2026, 12, 31)), ymd(2026, 10, 1));
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

        /// Whatever the cuts, anywhere in chrono's range: the plan has one range per grain
        /// but days, and one range of days per month holding a cut past its first day
        /// (a report's cuts have at most two: its first day and the day after its last).
        #[test]
        fn the_plan_is_bounded(cuts in prop::collection::vec(any::<i32>(), 1..40)) {
            let cuts: Vec<NaiveDate> = cuts
                .into_iter()
                .map(|d| NaiveDate::from_num_days_from_ce_opt(d % 95_000_000).unwrap_or(NaiveDate::MIN))
                .collect();
            let plan = read_plan(&cuts);
            let mid_month: std::collections::BTreeSet<NaiveDate> = cuts
                .iter()
                .filter(|c| c.day() != 1)
                .map(|c| month_start(*c))
                .collect();
            prop_assert!(plan.ranges.len() <= 3 + mid_month.len());
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
