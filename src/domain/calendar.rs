//! The working-day calendar: Monday to Friday, office hours, and holidays and swapped
//! working days as data (announced per year; computed from the Labour Code otherwise).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::lunar::{lunar_new_year, lunar_to_solar};

/// Asia/Ho_Chi_Minh: UTC+7 all year.
pub const VN_OFFSET_SECONDS: i32 = 7 * 3600;

pub fn vn_offset() -> FixedOffset {
    FixedOffset::east_opt(VN_OFFSET_SECONDS).expect("valid offset")
}

/// The local (UTC+7) date of an instant.
pub fn local_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&vn_offset()).date_naive()
}

/// The instant of a local date and time.
pub fn local_instant(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    vn_offset()
        .from_local_datetime(&date.and_time(time))
        .single()
        .expect("a fixed offset has no gaps")
        .with_timezone(&Utc)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    Holiday,
    /// A Saturday or Sunday worked in exchange for a day off (e.g. Sat 26/4/2025).
    WorkingDay,
}

impl ExceptionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ExceptionKind::Holiday => "holiday",
            ExceptionKind::WorkingDay => "working_day",
        }
    }

    pub fn parse(s: &str) -> Option<ExceptionKind> {
        [ExceptionKind::Holiday, ExceptionKind::WorkingDay]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarException {
    pub date: NaiveDate,
    pub kind: ExceptionKind,
    pub name: String,
    /// Computed from the Labour Code, not yet confirmed by an admin.
    pub provisional: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayReason {
    Weekday,
    Weekend,
    Holiday,
    /// A weekend day worked by exception.
    WorkingDay,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working: bool,
    pub reason: DayReason,
    pub name: Option<String>,
    pub provisional: bool,
}

/// Morning and afternoon sessions, local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfficeHours {
    pub morning: (NaiveTime, NaiveTime),
    pub afternoon: (NaiveTime, NaiveTime),
}

impl Default for OfficeHours {
    /// 07:00-11:30 and 13:30-17:00: 8 hours, one working day.
    fn default() -> OfficeHours {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid time");
        OfficeHours {
            morning: (t(7, 0), t(11, 30)),
            afternoon: (t(13, 30), t(17, 0)),
        }
    }
}

impl OfficeHours {
    pub fn minutes_per_day(&self) -> i64 {
        (self.morning.1 - self.morning.0).num_minutes()
            + (self.afternoon.1 - self.afternoon.0).num_minutes()
    }

    pub fn opening(&self) -> NaiveTime {
        self.morning.0
    }

    pub fn closing(&self) -> NaiveTime {
        self.afternoon.1
    }

    pub fn sessions(&self) -> [(NaiveTime, NaiveTime); 2] {
        [self.morning, self.afternoon]
    }
}

#[derive(Debug, Clone)]
pub struct Calendar {
    exceptions: BTreeMap<NaiveDate, CalendarException>,
    hours: OfficeHours,
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

impl Calendar {
    /// Later exceptions for the same date replace earlier ones.
    pub fn new(
        exceptions: impl IntoIterator<Item = CalendarException>,
        hours: OfficeHours,
    ) -> Calendar {
        Calendar {
            exceptions: exceptions.into_iter().map(|e| (e.date, e)).collect(),
            hours,
        }
    }

    pub fn hours(&self) -> &OfficeHours {
        &self.hours
    }

    pub fn day(&self, date: NaiveDate) -> DayInfo {
        match self.exceptions.get(&date) {
            Some(e) => DayInfo {
                date,
                working: e.kind == ExceptionKind::WorkingDay,
                reason: match e.kind {
                    ExceptionKind::Holiday => DayReason::Holiday,
                    ExceptionKind::WorkingDay => DayReason::WorkingDay,
                },
                name: Some(e.name.clone()),
                provisional: e.provisional,
            },
            None => DayInfo {
                date,
                working: !is_weekend(date),
                reason: if is_weekend(date) {
                    DayReason::Weekend
                } else {
                    DayReason::Weekday
                },
                name: None,
                provisional: false,
            },
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.exceptions.get(&date) {
            Some(e) => e.kind == ExceptionKind::WorkingDay,
            None => !is_weekend(date),
        }
    }

    /// The first working day strictly after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date + Days::new(1);
        while !self.is_working_day(day) {
            day = day + Days::new(1);
        }
        day
    }

    /// Working days in `(from, to]`; negative (those in `(to, from]`) when `to < from`.
    /// "Days left" and "days overdue" are told this way.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        // Weekdays by arithmetic, then each exception in the range where it changes
        // the answer: a worklist tells this for every row, some due a year ago.
        let adjustment: i64 = self
            .exceptions
            .range(from..=to)
            .filter(|(day, _)| **day > from)
            .map(|(day, e)| match (e.kind, is_weekend(*day)) {
                (ExceptionKind::Holiday, false) => -1,
                (ExceptionKind::WorkingDay, true) => 1,
                _ => 0,
            })
            .sum();
        weekdays_through(to) - weekdays_through(from) + adjustment
    }
}

/// Mondays to Fridays from 1 January of year 1 (a Monday) through `date`.
fn weekdays_through(date: NaiveDate) -> i64 {
    let days = i64::from(date.num_days_from_ce());
    days.div_euclid(7) * 5 + days.rem_euclid(7).min(5)
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

fn exception(
    day: NaiveDate,
    kind: ExceptionKind,
    name: &str,
    provisional: bool,
) -> CalendarException {
    CalendarException {
        date: day,
        kind,
        name: name.to_owned(),
        provisional,
    }
}

const NEW_YEAR: &str = "Tết Dương lịch";
const TET: &str = "Tết Nguyên đán";
const HUNG_KINGS: &str = "Giỗ Tổ Hùng Vương";
const REUNIFICATION: &str = "Ngày Giải phóng miền Nam";
const LABOUR: &str = "Ngày Quốc tế Lao động";
const NATIONAL: &str = "Quốc khánh";
const CULTURE: &str = "Ngày Văn hóa Việt Nam";

/// The days announced by the Prime Minister for 2025 and 2026 (DOMAIN.md).
pub fn announced_exceptions(year: i32) -> Option<Vec<CalendarException>> {
    use ExceptionKind::{Holiday, WorkingDay};
    let h = |m, d, name: &str| exception(date(year, m, d), Holiday, name, false);
    let range = |from: NaiveDate, to: NaiveDate, name: &str| {
        from.iter_days()
            .take_while(move |d| *d <= to)
            .map(|d| exception(d, Holiday, name, false))
            .collect::<Vec<_>>()
    };
    match year {
        2025 => {
            let mut days = vec![h(1, 1, NEW_YEAR)];
            days.extend(range(date(2025, 1, 25), date(2025, 2, 2), TET));
            days.push(h(4, 7, HUNG_KINGS));
            days.push(exception(
                date(2025, 4, 26),
                WorkingDay,
                "Làm bù cho ngày nghỉ 2/5",
                false,
            ));
            days.push(h(4, 30, REUNIFICATION));
            days.push(h(5, 1, LABOUR));
            days.push(h(5, 2, "Nghỉ bù (đổi với ngày làm việc 26/4)"));
            days.push(h(5, 3, "Nghỉ lễ 30/4 - 1/5"));
            days.push(h(5, 4, "Nghỉ lễ 30/4 - 1/5"));
            days.push(h(9, 1, NATIONAL));
            days.push(h(9, 2, NATIONAL));
            Some(days)
        }
        2026 => {
            let mut days = vec![h(1, 1, NEW_YEAR)];
            days.extend(range(date(2026, 2, 14), date(2026, 2, 22), TET));
            days.push(h(4, 26, HUNG_KINGS));
            days.push(h(4, 27, "Nghỉ bù Giỗ Tổ Hùng Vương"));
            days.push(h(4, 30, REUNIFICATION));
            days.push(h(5, 1, LABOUR));
            days.push(exception(
                date(2026, 8, 22),
                WorkingDay,
                "Làm bù cho ngày nghỉ 31/8",
                false,
            ));
            days.push(h(8, 29, "Nghỉ lễ Quốc khánh"));
            days.push(h(8, 30, "Nghỉ lễ Quốc khánh"));
            days.push(h(8, 31, "Nghỉ bù (đổi với ngày làm việc 22/8)"));
            days.push(h(9, 1, NATIONAL));
            days.push(h(9, 2, NATIONAL));
            days.push(h(11, 24, CULTURE));
            Some(days)
        }
        _ => None,
    }
}

/// The Labour Code 2019 Art 111-112 days of a year, marked provisional.
pub fn statutory_exceptions(year: i32) -> Vec<CalendarException> {
    // Holidays by date, then compensatory days placed where nothing is off yet.
    let mut off: BTreeMap<NaiveDate, String> = BTreeMap::new();
    let mut weekend_named: BTreeMap<NaiveDate, String> = BTreeMap::new();

    // Tết: lunar New Year's Eve to the 4th day. A Tết day on Saturday moves to the
    // nearest earlier working day not already off; one on Sunday to the nearest later.
    let tet = lunar_new_year(year);
    let tet_days: Vec<NaiveDate> = (0..5).map(|i| tet - Days::new(1) + Days::new(i)).collect();
    let tet_set: BTreeSet<NaiveDate> = tet_days.iter().copied().collect();
    for day in &tet_days {
        if is_weekend(*day) {
            weekend_named.insert(*day, TET.to_owned());
        } else {
            off.insert(*day, TET.to_owned());
        }
    }
    for day in &tet_days {
        let step_back = match day.weekday() {
            Weekday::Sat => true,
            Weekday::Sun => false,
            _ => continue,
        };
        let mut moved = *day;
        loop {
            moved = if step_back {
                moved - Days::new(1)
            } else {
                moved + Days::new(1)
            };
            if !is_weekend(moved) && !off.contains_key(&moved) && !tet_set.contains(&moved) {
                break;
            }
        }
        off.insert(moved, format!("{TET} (nghỉ bù)"));
    }

    // Fixed dates; a weekend one gives a compensatory day on the next working day.
    let mut fixed = vec![(date(year, 1, 1), NEW_YEAR.to_owned())];
    if let Some(hung) = lunar_to_solar(year, 3, 10, false) {
        fixed.push((hung, HUNG_KINGS.to_owned()));
    }
    fixed.push((date(year, 4, 30), REUNIFICATION.to_owned()));
    fixed.push((date(year, 5, 1), LABOUR.to_owned()));
    let national = date(year, 9, 2);
    fixed.push((national, NATIONAL.to_owned()));
    let adjacent = match national.weekday() {
        Weekday::Tue | Weekday::Wed | Weekday::Fri | Weekday::Sat => national - Days::new(1),
        _ => national + Days::new(1),
    };
    fixed.push((adjacent, NATIONAL.to_owned()));
    if year >= 2026 {
        fixed.push((date(year, 11, 24), CULTURE.to_owned()));
    }
    fixed.sort();
    let mut weekend_fixed = Vec::new();
    for (day, name) in &fixed {
        if is_weekend(*day) {
            weekend_named.insert(*day, name.clone());
            weekend_fixed.push((*day, name.clone()));
        } else {
            off.insert(*day, name.clone());
        }
    }
    for (day, name) in weekend_fixed {
        let mut comp = day + Days::new(1);
        while is_weekend(comp) || off.contains_key(&comp) {
            comp = comp + Days::new(1);
        }
        off.insert(comp, format!("Nghỉ bù {name}"));
    }

    let mut days: Vec<CalendarException> = weekend_named
        .into_iter()
        .chain(off)
        .map(|(day, name)| exception(day, ExceptionKind::Holiday, &name, true))
        .collect();
    days.sort_by_key(|e| e.date);
    days.dedup_by_key(|e| e.date);
    days
}

/// First and last year shipped with the service.
pub const SHIPPED_YEARS: std::ops::RangeInclusive<i32> = 2020..=2035;

/// Every shipped holiday and swapped working day: announced where known, computed otherwise.
pub fn default_exceptions() -> Vec<CalendarException> {
    SHIPPED_YEARS
        .flat_map(|year| announced_exceptions(year).unwrap_or_else(|| statutory_exceptions(year)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> Calendar {
        Calendar::new(default_exceptions(), OfficeHours::default())
    }

    #[test]
    fn announced_2025_and_2026() {
        let c = calendar();
        for (y, m, d) in [
            (2025, 1, 1),
            (2025, 1, 27),
            (2025, 1, 31),
            (2025, 4, 7),
            (2025, 4, 30),
            (2025, 5, 1),
            (2025, 5, 2),
            (2025, 9, 1),
            (2025, 9, 2),
            (2026, 1, 1),
            (2026, 2, 16),
            (2026, 2, 20),
            (2026, 4, 27),
            (2026, 4, 30),
            (2026, 5, 1),
            (2026, 8, 31),
            (2026, 9, 1),
            (2026, 9, 2),
            (2026, 11, 24),
        ] {
            let day = c.day(date(y, m, d));
            assert!(!day.working, "{y}-{m}-{d} is off");
            assert_eq!(day.reason, DayReason::Holiday);
            assert!(!day.provisional);
        }
        for (y, m, d) in [(2025, 4, 26), (2026, 8, 22)] {
            let day = c.day(date(y, m, d));
            assert!(day.working, "Saturday {y}-{m}-{d} is worked");
            assert_eq!(day.reason, DayReason::WorkingDay);
        }
        assert!(
            c.is_working_day(date(2025, 2, 3)),
            "back to work after Tết 2025"
        );
        assert!(c.is_working_day(date(2026, 2, 23)));
        assert_eq!(
            c.day(date(2026, 2, 21)).name.as_deref(),
            Some(TET),
            "weekend days of the break are named"
        );
        assert_eq!(c.day(date(2026, 3, 7)).reason, DayReason::Weekend);
    }

    #[test]
    fn computed_2027() {
        // Tết 2027: lunar New Year Sat 6/2. Eve Fri 5/2 to 4th day Tue 9/2; Sat 6/2 moves
        // back to Thu 4/2, Sun 7/2 forward to Wed 10/2. 2/9/2027 is a Thursday: 3/9 too.
        // 1/5/2027 is a Saturday: Monday 3/5 off. Culture Day 24/11/2027 is a Wednesday.
        let c = calendar();
        for (m, d) in [
            (1, 1),
            (2, 4),
            (2, 5),
            (2, 8),
            (2, 9),
            (2, 10),
            (4, 30),
            (5, 3),
            (9, 2),
            (9, 3),
            (11, 24),
        ] {
            let day = c.day(date(2027, m, d));
            assert!(!day.working, "2027-{m}-{d}");
            assert!(day.provisional);
        }
        assert!(c.is_working_day(date(2027, 2, 11)));
        assert!(c.is_working_day(date(2027, 2, 3)));
        // Hùng Kings 2027: lunar 10/3 = Fri 16/4.
        assert_eq!(c.day(date(2027, 4, 16)).name.as_deref(), Some(HUNG_KINGS));
    }

    #[test]
    fn shipped_data_has_no_duplicates_and_covers_every_year() {
        let all = default_exceptions();
        let mut dates: Vec<NaiveDate> = all.iter().map(|e| e.date).collect();
        let n = dates.len();
        dates.sort();
        dates.dedup();
        assert_eq!(dates.len(), n);
        for year in SHIPPED_YEARS {
            let holidays = all
                .iter()
                .filter(|e| e.date.year() == year && e.kind == ExceptionKind::Holiday)
                .count();
            assert!(holidays >= 10, "{year}: {holidays}");
        }
    }

    #[test]
    fn counting_working_days() {
        let c = calendar();
        // Fri 13/2/2026 → Wed 25/2/2026: Mon 23, Tue 24, Wed 25.
        assert_eq!(
            c.working_days_between(date(2026, 2, 13), date(2026, 2, 25)),
            3
        );
        assert_eq!(
            c.working_days_between(date(2026, 2, 25), date(2026, 2, 13)),
            -3
        );
        assert_eq!(
            c.working_days_between(date(2026, 3, 2), date(2026, 3, 2)),
            0
        );
        assert_eq!(c.next_working_day(date(2026, 2, 13)), date(2026, 2, 23));
        assert_eq!(
            c.next_working_day(date(2025, 4, 25)),
            date(2025, 4, 26),
            "a worked Saturday"
        );
    }

    proptest::proptest! {
        /// The arithmetic count equals counting day by day, holidays and worked
        /// Saturdays included, in both directions.
        #[test]
        fn working_days_between_counts_each_working_day(from in -800i64..800, span in -400i64..400) {
            let c = calendar();
            let from = date(2026, 1, 1) + chrono::Duration::days(from);
            let to = from + chrono::Duration::days(span);
            let (lo, hi, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
            let counted = lo.iter_days().skip(1).take_while(|d| *d <= hi).filter(|d| c.is_working_day(*d)).count() as i64;
            proptest::prop_assert_eq!(c.working_days_between(from, to), sign * counted);
        }
    }

    #[test]
    fn local_time_is_utc_plus_seven() {
        let t = Utc.with_ymd_and_hms(2026, 2, 25, 18, 0, 0).unwrap();
        assert_eq!(local_date(t), date(2026, 2, 26));
        assert_eq!(
            local_instant(
                date(2026, 2, 25),
                NaiveTime::from_hms_opt(17, 0, 0).unwrap()
            ),
            Utc.with_ymd_and_hms(2026, 2, 25, 10, 0, 0).unwrap()
        );
    }
}
