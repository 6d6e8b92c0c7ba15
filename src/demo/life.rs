//! One demo dossier's life: what happens to it is drawn at random, but every step goes
//! through the real rules ([`crate::domain::dossier::apply`]) on the real calendar, so
//! deadlines, pauses, verdicts and reschedules are exactly what the service computes.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rand::Rng;

use crate::domain::calendar::{local_date, local_instant, Calendar};
use crate::domain::deadline::Channel;
use crate::domain::dossier::{apply, DossierState, Event, Outcome};
use crate::domain::ids::OfficeId;
use crate::domain::lifecycle::Status;
use crate::domain::procedure::DeadlineUnit;
use crate::domain::satisfaction::Rating;

/// What the desk knows when a dossier is filed.
pub struct Filing<'a> {
    pub channel: Channel,
    pub deadline: (i32, DeadlineUnit),
    pub office_id: &'a OfficeId,
    /// The office that decides when the desk passes dossiers on (liên thông).
    pub deciding_office_id: Option<&'a OfficeId>,
    /// Submitted online, or received at the desk.
    pub filed_at: DateTime<Utc>,
}

/// A step that happened, with the dossier as it was after it.
pub struct Step {
    pub event: Event,
    pub at: DateTime<Utc>,
    pub from: Status,
    pub after: DossierState,
}

pub struct Life {
    pub filed: DossierState,
    pub steps: Vec<Step>,
    /// The citizen's vote at the kiosk when the result was handed back.
    pub vote: Option<(DateTime<Utc>, Rating)>,
}

impl Life {
    /// The dossier as it stands at the end of the simulated history.
    pub fn state(&self) -> &DossierState {
        self.steps.last().map(|s| &s.after).unwrap_or(&self.filed)
    }

    pub fn last_event_at(&self, filed_at: DateTime<Utc>) -> DateTime<Utc> {
        self.steps.last().map(|s| s.at).unwrap_or(filed_at)
    }
}

/// Shares of outcomes, tuned to the reported figures (97–99.5 % on time, ~99.7 %
/// satisfied).
const REFUSED: f64 = 0.004;
const WITHDRAWN: f64 = 0.008;
const STOPPED: f64 = 0.002;
const TRANSFERRED: f64 = 0.3;
const SUPPLEMENT: f64 = 0.05;
const SUPPLEMENT_NEVER_BROUGHT: f64 = 0.08;
const SECOND_SUPPLEMENT: f64 = 0.08;
const LATE: f64 = 0.015;
const LATE_WITH_APOLOGY: f64 = 0.6;
const DENIED: f64 = 0.03;
const RETURNED: f64 = 0.97;
const VOTED: f64 = 0.3;

/// Lives one dossier until `until` (later steps have not happened yet).
pub fn live(
    filing: &Filing<'_>,
    calendar: &Calendar,
    until: DateTime<Utc>,
    rng: &mut impl Rng,
) -> Life {
    let online = filing.channel == Channel::Online;
    let status = if online {
        Status::Submitted
    } else {
        Status::Received
    };
    let filed = DossierState::filed(
        status,
        filing.channel,
        filing.deadline.0,
        filing.deadline.1,
        filing.office_id,
        filing.filed_at,
        calendar,
    );
    let mut life = Life {
        filed,
        steps: Vec::new(),
        vote: None,
    };
    let go = |life: &mut Life, event: Event, at: DateTime<Utc>| -> bool {
        let state = life.state();
        let at = at.max(life.last_event_at(filing.filed_at) + Duration::minutes(1));
        if at > until {
            return false;
        }
        match apply(state, &event, at, calendar) {
            Ok(after) => {
                let from = state.status;
                life.steps.push(Step {
                    event,
                    at,
                    from,
                    after,
                });
                true
            }
            Err(_) => false,
        }
    };
    if online {
        // The desk accepts it at its next opportunity.
        let day = local_date(filing.filed_at);
        let day = if calendar.is_working_day(day) {
            day
        } else {
            calendar.next_working_day(day)
        };
        let at = office_instant(calendar, day, rng).max(filing.filed_at);
        if !go(&mut life, Event::Accept, at) {
            return life;
        }
    }
    let received = life.last_event_at(filing.filed_at);
    let due = |life: &Life| life.state().due_date.unwrap_or(local_date(received));
    let fate: f64 = rng.random();
    if fate < REFUSED {
        let at = office_instant(
            calendar,
            working_day_after(calendar, local_date(received), 1),
            rng,
        );
        go(&mut life, Event::Refuse, at);
        return life;
    }
    if fate < REFUSED + WITHDRAWN + STOPPED {
        let at = instant_before(calendar, received, due(&life), rng);
        let event = if fate < REFUSED + WITHDRAWN {
            Event::Withdraw
        } else {
            Event::Stop
        };
        go(&mut life, event, at);
        return life;
    }
    if let Some(to) = filing.deciding_office_id {
        if rng.random_bool(TRANSFERRED) {
            let at = instant_before(calendar, received, local_date(received), rng);
            let event = Event::Transfer {
                to_office_id: to.clone(),
            };
            if !go(&mut life, event, at) {
                return life;
            }
        }
    }
    if rng.random_bool(SUPPLEMENT) {
        let requests = if rng.random_bool(SECOND_SUPPLEMENT) {
            2
        } else {
            1
        };
        for _ in 0..requests {
            let last = life.last_event_at(filing.filed_at);
            let at = instant_before(calendar, last, due(&life), rng);
            if !go(&mut life, Event::RequestSupplement, at) {
                return life;
            }
            let wait = rng.random_range(1..=5);
            if rng.random_bool(SUPPLEMENT_NEVER_BROUGHT) {
                // The citizen never comes back: the dossier is withdrawn weeks later.
                let day = working_day_after(calendar, local_date(at), 15);
                go(
                    &mut life,
                    Event::Withdraw,
                    office_instant(calendar, day, rng),
                );
                return life;
            }
            let day = working_day_after(calendar, local_date(at), wait);
            if !go(
                &mut life,
                Event::SupplementReceived,
                office_instant(calendar, day, rng),
            ) {
                return life;
            }
        }
    }
    let last = life.last_event_at(filing.filed_at);
    let resolve_at = if rng.random_bool(LATE) {
        let lateness = rng.random_range(1..=5);
        if rng.random_bool(LATE_WITH_APOLOGY) {
            // The apology letter, on the working day before the due date.
            let day = working_day_before(calendar, due(&life));
            let new_appointment = working_day_after(calendar, due(&life), lateness + 1);
            let event = Event::Reschedule {
                new_appointment_date: new_appointment,
            };
            if day >= local_date(last) {
                go(&mut life, event, office_instant(calendar, day, rng));
            }
        }
        office_instant(
            calendar,
            working_day_after(calendar, due(&life), lateness),
            rng,
        )
    } else {
        instant_before(calendar, last, due(&life), rng)
    };
    let outcome = if rng.random_bool(DENIED) {
        Outcome::Denied
    } else {
        Outcome::Approved
    };
    if !go(&mut life, Event::Resolve { outcome }, resolve_at) {
        return life;
    }
    if rng.random_bool(RETURNED) {
        let wait = if online { 0 } else { rng.random_range(0..=3) };
        let day = working_day_after(calendar, local_date(resolve_at), wait);
        let at = office_instant(calendar, day, rng);
        if go(&mut life, Event::ReturnResult, at) && rng.random_bool(VOTED) {
            let cast_at = life.last_event_at(filing.filed_at) + Duration::minutes(2);
            if cast_at <= until {
                life.vote = Some((cast_at, rating(rng)));
            }
        }
    }
    life
}

/// 99.72 % satisfied, 0.24 % neutral, 0.04 % unsatisfied (the district report).
fn rating(rng: &mut impl Rng) -> Rating {
    match rng.random_range(0..10_000) {
        0..4 => Rating::Unsatisfied,
        4..28 => Rating::Neutral,
        _ => Rating::Satisfied,
    }
}

/// A random instant within office hours on `day`.
pub fn office_instant(calendar: &Calendar, day: NaiveDate, rng: &mut impl Rng) -> DateTime<Utc> {
    let [(m0, m1), (a0, a1)] = calendar.hours().sessions();
    let morning = (m1 - m0).num_minutes();
    let minute = rng.random_range(0..calendar.hours().minutes_per_day());
    let time = if minute < morning {
        m0 + Duration::minutes(minute)
    } else {
        a0 + Duration::minutes(minute - morning)
    };
    local_instant(day, time.min(a1 - Duration::minutes(1)))
}

/// The `n`-th working day after `day` (`day` itself, or the next working day, for 0).
pub fn working_day_after(calendar: &Calendar, day: NaiveDate, n: i64) -> NaiveDate {
    let mut day = if calendar.is_working_day(day) {
        day
    } else {
        calendar.next_working_day(day)
    };
    for _ in 0..n {
        day = calendar.next_working_day(day);
    }
    day
}

fn working_day_before(calendar: &Calendar, day: NaiveDate) -> NaiveDate {
    let mut day = day.pred_opt().unwrap_or(day);
    while !calendar.is_working_day(day) {
        day = day.pred_opt().unwrap_or(day);
    }
    day
}

/// A random office instant after `after`, on a working day no later than `by` (or
/// shortly after `after` when no working day is left).
fn instant_before(
    calendar: &Calendar,
    after: DateTime<Utc>,
    by: NaiveDate,
    rng: &mut impl Rng,
) -> DateTime<Utc> {
    let first = local_date(after);
    let days: Vec<NaiveDate> = first
        .iter_days()
        .take_while(|d| *d <= by)
        .filter(|d| calendar.is_working_day(*d))
        .collect();
    let closing = local_instant(first, calendar.hours().closing() - Duration::minutes(1));
    let soon = (after + Duration::minutes(rng.random_range(5..90))).min(closing.max(after));
    match days.as_slice() {
        [] => soon,
        days => {
            let at = office_instant(calendar, days[rng.random_range(0..days.len())], rng);
            if at > after {
                at
            } else {
                soon
            }
        }
    }
}

/// Local time of day, for callers that draw filing times.
pub fn at_local(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    local_instant(
        day,
        NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{default_exceptions, OfficeHours};
    use crate::domain::deadline::Verdict;
    use rand::SeedableRng;

    #[test]
    fn lives_follow_the_rules_and_the_mix_is_realistic() {
        let calendar = Calendar::new(default_exceptions(), OfficeHours::default());
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let until = at_local(NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(), 12, 0);
        let (mut ended, mut in_time, mut votes) = (0, 0, 0);
        let (commune, district) = (OfficeId::new(), OfficeId::new());
        for i in 0..4_000 {
            let day = working_day_after(
                &calendar,
                NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
                i % 200,
            );
            let filing = Filing {
                channel: [Channel::InPerson, Channel::Online, Channel::Postal][i as usize % 3],
                deadline: (3, DeadlineUnit::WorkingDays),
                office_id: &commune,
                deciding_office_id: Some(&district),
                filed_at: office_instant(&calendar, day, &mut rng),
            };
            let life = live(&filing, &calendar, until, &mut rng);
            let mut previous = filing.filed_at;
            for step in &life.steps {
                assert!(step.at >= previous && step.at <= until);
                previous = step.at;
            }
            let state = life.state();
            if state.ended_at.is_some() {
                ended += 1;
                if matches!(state.verdict, Some(Verdict::Early | Verdict::OnTime)) {
                    in_time += 1;
                }
            }
            votes += usize::from(life.vote.is_some());
        }
        // Filed over 200 working days before `until`: nearly all have ended.
        assert!(ended > 3_900, "{ended}");
        let share = in_time as f64 / ended as f64;
        assert!((0.97..=0.995).contains(&share), "{share}");
        assert!((900..1_500).contains(&votes), "{votes}");
    }
}
