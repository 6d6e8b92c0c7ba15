//! The deadline engine: from the receipt, the procedure's period and the paused
//! intervals, the due instant and date on the working-day calendar, with an
//! explanation a clerk can read out to a citizen.
//!
//! Decisions (DOMAIN.md, Civil Code Art 147-148):
//! - `working_days`: the day of receipt is not counted; counting starts at the opening
//!   of the next working day, and the period is N × the office day (8 h) of office
//!   time. Online filings in the last office hour, outside office hours or on a day off
//!   also count from the next working day, which gives the same start.
//! - `working_hours`: counting starts at receipt when it falls inside a session (in
//!   person, post, or online before the last office hour), at the next session
//!   otherwise; online filings in the last hour or after closing count from the next
//!   working day's opening (before opening: from that day's opening). The lunch break
//!   is not outside office hours.
//! - `calendar_days`: the due date is receipt + N days (+ the paused time rounded up to
//!   whole days), moved to the next working day when it is a day off; due at closing.
//! - Office time inside a pause (a supplement wait) does not count, so the due instant
//!   moves later by exactly the working time spent waiting.

use chrono::{DateTime, Days, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{local_date, local_instant, Calendar, DayReason};
use super::procedure::DeadlineUnit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Online,
    Postal,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::InPerson, Channel::Online, Channel::Postal];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }

    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A closed interval during which the clock was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineRequest {
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub value: i32,
    pub unit: DeadlineUnit,
    pub pauses: Vec<Pause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: DayReason,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PauseSpan {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Office time inside the pause: how much later the deadline falls because of it.
    pub working_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Explanation {
    pub received_at: DateTime<Utc>,
    pub counting_starts_at: DateTime<Utc>,
    /// The rules applied, in plain words.
    pub rules: Vec<String>,
    /// Days that consumed the period.
    pub counted_days: Vec<NaiveDate>,
    /// Days off between the start of counting and the due date, and why.
    pub skipped_days: Vec<SkippedDay>,
    pub pauses: Vec<PauseSpan>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Deadline {
    pub due_at: DateTime<Utc>,
    /// Local date of `due_at`.
    pub due_date: NaiveDate,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Early,
    OnTime,
    Late,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Early, Verdict::OnTime, Verdict::Late];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Early => "early",
            Verdict::OnTime => "on_time",
            Verdict::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// Compares the local date processing ended with the due date.
pub fn verdict(ended_at: DateTime<Utc>, due_date: NaiveDate) -> Verdict {
    let ended = local_date(ended_at);
    match ended.cmp(&due_date) {
        std::cmp::Ordering::Less => Verdict::Early,
        std::cmp::Ordering::Equal => Verdict::OnTime,
        std::cmp::Ordering::Greater => Verdict::Late,
    }
}

/// Pauses sorted and merged, so overlaps never count twice.
fn merged(pauses: &[Pause]) -> Vec<Pause> {
    let mut sorted: Vec<Pause> = pauses.iter().copied().filter(|p| p.to > p.from).collect();
    sorted.sort_by_key(|p| p.from);
    let mut out: Vec<Pause> = Vec::with_capacity(sorted.len());
    for p in sorted {
        match out.last_mut() {
            Some(last) if p.from <= last.to => last.to = last.to.max(p.to),
            _ => out.push(p),
        }
    }
    out
}

/// The office sessions of a working day, as instants.
fn sessions(calendar: &Calendar, day: NaiveDate) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    if !calendar.is_working_day(day) {
        return Vec::new();
    }
    calendar
        .hours()
        .sessions()
        .iter()
        .map(|(a, b)| (local_instant(day, *a), local_instant(day, *b)))
        .collect()
}

/// Parts of `[from, to)` outside every pause.
fn free_parts(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    pauses: &[Pause],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut parts = Vec::new();
    let mut cursor = from;
    for p in pauses {
        if p.to <= cursor || p.from >= to {
            continue;
        }
        if p.from > cursor {
            parts.push((cursor, p.from));
        }
        cursor = cursor.max(p.to);
        if cursor >= to {
            break;
        }
    }
    if cursor < to {
        parts.push((cursor, to));
    }
    parts
}

/// Office time between two instants.
fn office_time(calendar: &Calendar, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
    let mut total = Duration::zero();
    let mut day = local_date(from);
    while day <= local_date(to) {
        for (a, b) in sessions(calendar, day) {
            let (a, b) = (a.max(from), b.min(to));
            if b > a {
                total += b - a;
            }
        }
        day = day + Days::new(1);
    }
    total
}

/// Longest walk, so a corrupt input cannot loop for ever (about 27 years).
const MAX_DAYS_WALKED: usize = 10_000;

/// Spends `budget` of office time from `start`, skipping pauses.
fn spend(
    calendar: &Calendar,
    start: DateTime<Utc>,
    budget: Duration,
    pauses: &[Pause],
) -> (DateTime<Utc>, Vec<NaiveDate>) {
    let mut remaining = budget;
    let mut counted = Vec::new();
    let mut day = local_date(start);
    for _ in 0..MAX_DAYS_WALKED {
        for (a, b) in sessions(calendar, day) {
            let a = a.max(start);
            if b <= a {
                continue;
            }
            for (fa, fb) in free_parts(a, b, pauses) {
                let length = fb - fa;
                if counted.last() != Some(&day) {
                    counted.push(day);
                }
                if length >= remaining {
                    return (fa + remaining, counted);
                }
                remaining -= length;
            }
        }
        day = day + Days::new(1);
    }
    (local_instant(day, calendar.hours().closing()), counted)
}

/// The start of the first session at or after `t`.
fn next_session_start(calendar: &Calendar, t: DateTime<Utc>) -> DateTime<Utc> {
    let mut day = local_date(t);
    for _ in 0..MAX_DAYS_WALKED {
        for (a, b) in sessions(calendar, day) {
            if t < b {
                return a.max(t);
            }
        }
        day = day + Days::new(1);
    }
    t
}

fn skipped_between(calendar: &Calendar, from: NaiveDate, to: NaiveDate) -> Vec<SkippedDay> {
    from.iter_days()
        .take_while(|d| *d <= to)
        .map(|d| calendar.day(d))
        .filter(|d| !d.working)
        .map(|d| SkippedDay {
            date: d.date,
            reason: d.reason,
            name: d.name,
        })
        .collect()
}

/// Whether an online filing arrived in the last office hour, outside office hours or on a day off.
fn late_online(calendar: &Calendar, request: &DeadlineRequest) -> bool {
    if request.channel != Channel::Online {
        return false;
    }
    let day = local_date(request.received_at);
    let hours = calendar.hours();
    let last_hour = local_instant(day, hours.closing()) - Duration::hours(1);
    !calendar.is_working_day(day)
        || request.received_at < local_instant(day, hours.opening())
        || request.received_at >= last_hour
}

pub fn compute_deadline(request: &DeadlineRequest, calendar: &Calendar) -> Deadline {
    let pauses = merged(&request.pauses);
    let received_day = local_date(request.received_at);
    let hours = calendar.hours();
    let value = request.value.max(1) as i64;
    let mut rules = Vec::new();
    let late_online = late_online(calendar, request);
    if late_online {
        rules.push("filed online in the last office hour, outside office hours or on a day off: counting starts the next working day".to_owned());
    }

    let (start, due_at, counted_days) = match request.unit {
        DeadlineUnit::WorkingDays | DeadlineUnit::WorkingHours => {
            let opening_today = local_instant(received_day, hours.opening());
            let start = if request.unit == DeadlineUnit::WorkingDays {
                rules.push("the day of receipt is not counted (Civil Code Art 147)".to_owned());
                local_instant(calendar.next_working_day(received_day), hours.opening())
            } else if late_online && request.received_at >= opening_today {
                // Filed in the last hour or after closing: from the next working day.
                local_instant(calendar.next_working_day(received_day), hours.opening())
            } else {
                // Before opening (or on a day off) the next working day to start is the
                // first one ahead, possibly today: a later filing never counts earlier.
                next_session_start(calendar, request.received_at)
            };
            let budget = if request.unit == DeadlineUnit::WorkingDays {
                rules.push(format!(
                    "{value} working day(s) of {} office hours each, weekends and holidays skipped",
                    hours.minutes_per_day() as f64 / 60.0
                ));
                Duration::minutes(hours.minutes_per_day() * value)
            } else {
                rules.push(format!(
                    "{value} office hour(s), lunch breaks, weekends and holidays skipped"
                ));
                Duration::hours(value)
            };
            let (due_at, counted) = spend(calendar, start, budget, &pauses);
            (start, due_at, counted)
        }
        DeadlineUnit::CalendarDays => {
            rules.push("the day of receipt is not counted (Civil Code Art 147)".to_owned());
            let paused: Duration = pauses.iter().map(|p| p.to - p.from).sum();
            let paused_days = (paused.num_seconds() + 86_399) / 86_400;
            let mut due = received_day + Days::new((value + paused_days) as u64);
            if !calendar.is_working_day(due) {
                rules.push("a period ending on a day off ends on the next working day (Civil Code Art 148(5))".to_owned());
                due = calendar.next_working_day(due);
            }
            let counted: Vec<NaiveDate> = (1..=value)
                .map(|i| received_day + Days::new(i as u64))
                .collect();
            let start = local_instant(received_day + Days::new(1), chrono::NaiveTime::MIN);
            (start, local_instant(due, hours.closing()), counted)
        }
    };
    if !pauses.is_empty() {
        rules.push(
            "office time spent waiting for the citizen's supplement is not counted".to_owned(),
        );
    }
    let due_date = local_date(due_at);
    let skipped_days = if request.unit == DeadlineUnit::CalendarDays {
        skipped_between(
            calendar,
            received_day + Days::new(value as u64 + 1),
            due_date,
        )
    } else {
        skipped_between(calendar, received_day + Days::new(1), due_date)
    };
    let pause_spans = request
        .pauses
        .iter()
        .map(|p| PauseSpan {
            from: p.from,
            to: p.to,
            working_minutes: if p.to > p.from {
                office_time(calendar, p.from, p.to).num_minutes()
            } else {
                0
            },
        })
        .collect();
    Deadline {
        due_at,
        due_date,
        explanation: Explanation {
            received_at: request.received_at,
            counting_starts_at: start,
            rules,
            counted_days,
            skipped_days,
            pauses: pause_spans,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{
        default_exceptions, CalendarException, ExceptionKind, OfficeHours,
    };
    use chrono::{NaiveTime, TimeZone};
    use proptest::prelude::*;

    fn calendar() -> Calendar {
        Calendar::new(default_exceptions(), OfficeHours::default())
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local_instant(date(y, m, d), NaiveTime::from_hms_opt(h, min, 0).unwrap())
    }

    fn request(
        received_at: DateTime<Utc>,
        channel: Channel,
        value: i32,
        unit: DeadlineUnit,
    ) -> DeadlineRequest {
        DeadlineRequest {
            received_at,
            channel,
            value,
            unit,
            pauses: Vec::new(),
        }
    }

    fn due(r: &DeadlineRequest) -> Deadline {
        compute_deadline(r, &calendar())
    }

    #[test]
    fn across_tet_2026() {
        let d = due(&request(
            local(2026, 2, 13, 10, 0),
            Channel::InPerson,
            3,
            DeadlineUnit::WorkingDays,
        ));
        assert_eq!(d.due_date, date(2026, 2, 25));
        assert_eq!(d.due_at, local(2026, 2, 25, 17, 0));
        assert_eq!(
            d.explanation.counted_days,
            [date(2026, 2, 23), date(2026, 2, 24), date(2026, 2, 25)]
        );
        let tet: Vec<NaiveDate> = d
            .explanation
            .skipped_days
            .iter()
            .filter(|s| s.name.as_deref() == Some("Tết Nguyên đán"))
            .map(|s| s.date)
            .collect();
        assert_eq!(
            tet,
            date(2026, 2, 14).iter_days().take(9).collect::<Vec<_>>()
        );
    }

    #[test]
    fn ordinary_weeks_and_working_saturdays() {
        assert_eq!(
            due(&request(
                local(2026, 3, 2, 10, 0),
                Channel::InPerson,
                3,
                DeadlineUnit::WorkingDays
            ))
            .due_date,
            date(2026, 3, 5)
        );
        // Thu 24/4/2025: Fri 25, Sat 26 (worked), Mon 28.
        let d = due(&request(
            local(2025, 4, 24, 9, 0),
            Channel::InPerson,
            3,
            DeadlineUnit::WorkingDays,
        ));
        assert_eq!(
            d.explanation.counted_days,
            [date(2025, 4, 25), date(2025, 4, 26), date(2025, 4, 28)]
        );
        // Thu 20/8/2026: Fri 21, Sat 22 (worked), Mon 24.
        assert_eq!(
            due(&request(
                local(2026, 8, 20, 9, 0),
                Channel::Postal,
                3,
                DeadlineUnit::WorkingDays
            ))
            .due_date,
            date(2026, 8, 24)
        );
        // Across the 2026 National Day break: Thu 27/8 + 3 → Fri 28, Thu 3/9, Fri 4/9.
        assert_eq!(
            due(&request(
                local(2026, 8, 27, 9, 0),
                Channel::InPerson,
                3,
                DeadlineUnit::WorkingDays
            ))
            .due_date,
            date(2026, 9, 4)
        );
    }

    #[test]
    fn online_late_filings() {
        // Monday 2/3/2026 at 16:30 or 15:00: counting starts Tuesday either way for days.
        for (h, m) in [(16, 30), (15, 0)] {
            let d = due(&request(
                local(2026, 3, 2, h, m),
                Channel::Online,
                1,
                DeadlineUnit::WorkingDays,
            ));
            assert_eq!(d.due_date, date(2026, 3, 3));
        }
        // Hours: online at 16:30 starts at Tuesday's opening; at 15:00 it runs at once.
        let late = due(&request(
            local(2026, 3, 2, 16, 30),
            Channel::Online,
            2,
            DeadlineUnit::WorkingHours,
        ));
        assert_eq!(late.due_at, local(2026, 3, 3, 9, 0));
        assert!(late.explanation.rules[0].contains("online"));
        let early = due(&request(
            local(2026, 3, 2, 15, 0),
            Channel::Online,
            2,
            DeadlineUnit::WorkingHours,
        ));
        assert_eq!(early.due_at, local(2026, 3, 2, 17, 0));
        // In person at 16:30 the same hours run at once: 30 min today, 1.5 h tomorrow.
        let desk = due(&request(
            local(2026, 3, 2, 16, 30),
            Channel::InPerson,
            2,
            DeadlineUnit::WorkingHours,
        ));
        assert_eq!(desk.due_at, local(2026, 3, 3, 8, 30));
    }

    #[test]
    fn an_online_filing_before_opening_counts_from_that_day() {
        // Found by the property test: midnight Monday must not count later than 07:00 Monday.
        let night = due(&request(
            local(2025, 6, 2, 0, 0),
            Channel::Online,
            1,
            DeadlineUnit::WorkingHours,
        ));
        let morning = due(&request(
            local(2025, 6, 2, 7, 0),
            Channel::Online,
            1,
            DeadlineUnit::WorkingHours,
        ));
        assert_eq!(night.due_at, local(2025, 6, 2, 8, 0));
        assert_eq!(morning.due_at, night.due_at);
    }

    #[test]
    fn working_hours_skip_lunch() {
        let d = due(&request(
            local(2026, 3, 2, 10, 0),
            Channel::InPerson,
            8,
            DeadlineUnit::WorkingHours,
        ));
        assert_eq!(d.due_at, local(2026, 3, 3, 10, 0));
    }

    #[test]
    fn calendar_days_end_on_a_working_day() {
        // Mon 2/3/2026 + 5 days = Sat 7/3 → Mon 9/3.
        let d = due(&request(
            local(2026, 3, 2, 10, 0),
            Channel::InPerson,
            5,
            DeadlineUnit::CalendarDays,
        ));
        assert_eq!(d.due_date, date(2026, 3, 9));
        assert_eq!(d.due_at, local(2026, 3, 9, 17, 0));
        // Thu 5/2/2026 + 10 = Sun 15/2, inside Tết: the first working day after is Mon 23/2.
        let d = due(&request(
            local(2026, 2, 5, 10, 0),
            Channel::InPerson,
            10,
            DeadlineUnit::CalendarDays,
        ));
        assert_eq!(d.due_date, date(2026, 2, 23));
        assert!(!d.explanation.skipped_days.is_empty());
    }

    #[test]
    fn a_two_day_pause_moves_the_due_date_two_working_days() {
        let mut r = request(
            local(2026, 3, 2, 10, 0),
            Channel::InPerson,
            3,
            DeadlineUnit::WorkingDays,
        );
        r.pauses = vec![Pause {
            from: local(2026, 3, 3, 7, 0),
            to: local(2026, 3, 5, 7, 0),
        }];
        let d = due(&r);
        assert_eq!(d.due_date, date(2026, 3, 9));
        assert_eq!(d.explanation.pauses[0].working_minutes, 16 * 60);
        // Overlapping pauses count once.
        r.pauses.push(Pause {
            from: local(2026, 3, 4, 7, 0),
            to: local(2026, 3, 5, 7, 0),
        });
        assert_eq!(due(&r).due_date, date(2026, 3, 9));
    }

    #[test]
    fn verdicts_use_the_local_date() {
        let due_date = date(2026, 2, 25);
        assert_eq!(verdict(local(2026, 2, 24, 16, 0), due_date), Verdict::Early);
        assert_eq!(
            verdict(local(2026, 2, 25, 23, 0), due_date),
            Verdict::OnTime
        );
        assert_eq!(
            verdict(
                Utc.with_ymd_and_hms(2026, 2, 25, 18, 0, 0).unwrap(),
                due_date
            ),
            Verdict::Late
        );
    }

    fn arb_request() -> impl Strategy<Value = DeadlineRequest> {
        (0i64..3 * 365 * 24 * 60, 0usize..3, 1i32..=60, 0usize..3).prop_map(
            |(minutes, channel, value, unit)| {
                let received_at =
                    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(minutes);
                let channel = [Channel::InPerson, Channel::Online, Channel::Postal][channel];
                let unit = [
                    DeadlineUnit::WorkingDays,
                    DeadlineUnit::WorkingHours,
                    DeadlineUnit::CalendarDays,
                ][unit];
                request(received_at, channel, value, unit)
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn a_due_date_is_never_a_day_off(r in arb_request()) {
            let d = due(&r);
            prop_assert!(calendar().is_working_day(d.due_date), "{:?} → {}", r, d.due_date);
        }

        #[test]
        fn later_receipt_never_gives_an_earlier_due_date(r in arb_request(), later in 0i64..20_000) {
            let mut r2 = r.clone();
            r2.received_at += Duration::minutes(later);
            prop_assert!(due(&r2).due_at >= due(&r).due_at);
        }

        #[test]
        fn adding_a_holiday_never_moves_a_due_date_earlier(r in arb_request(), offset in 0u64..200) {
            let before = due(&r);
            let day = local_date(r.received_at) + Days::new(offset);
            let mut exceptions = default_exceptions();
            exceptions.push(CalendarException { date: day, kind: ExceptionKind::Holiday, name: "x".into(), provisional: false });
            let after = compute_deadline(&r, &Calendar::new(exceptions, OfficeHours::default()));
            prop_assert!(after.due_at >= before.due_at);
        }

        #[test]
        fn a_pause_of_k_working_days_moves_the_due_date_by_k(r in arb_request(), k in 1i64..5, at in 0usize..60) {
            let r = DeadlineRequest { unit: DeadlineUnit::WorkingDays, ..r };
            let cal = calendar();
            let before = due(&r);
            // A pause aligned on openings, on a counted day before the due date.
            let counted = &before.explanation.counted_days;
            let first = counted[at % counted.len()];
            let mut last = first;
            for _ in 0..k {
                last = cal.next_working_day(last);
            }
            let mut paused = r.clone();
            paused.pauses = vec![Pause { from: local_instant(first, cal.hours().opening()), to: local_instant(last, cal.hours().opening()) }];
            let after = due(&paused);
            prop_assert_eq!(cal.working_days_between(before.due_date, after.due_date), k);
        }
    }
}
