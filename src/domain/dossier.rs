//! What an event does to a dossier: the next status, the clock (pauses, due date),
//! the one-time reschedule, and the verdict frozen when processing ends. Pure: the
//! handler loads the state, calls [`apply`], and persists the result.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::calendar::{local_date, Calendar};
use super::deadline::{
    compute_deadline, verdict, Channel, Deadline, DeadlineRequest, Pause, Verdict,
};
use super::ids::OfficeId;
use super::lifecycle::{allowed_events, ends_processing, next_status, EventType, Status};
use super::procedure::DeadlineUnit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Approved,
    Denied,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Denied => "denied",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Approved, Outcome::Denied]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// The parts of a dossier the rules look at and change.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierState {
    pub status: Status,
    pub channel: Channel,
    pub deadline_value: i32,
    pub deadline_unit: DeadlineUnit,
    pub received_at: Option<DateTime<Utc>>,
    pub processing_office_id: OfficeId,
    /// Closed supplement waits.
    pub pauses: Vec<Pause>,
    /// Start of the supplement wait in progress.
    pub paused_since: Option<DateTime<Utc>>,
    pub supplement_requests: i32,
    pub appointment_date: Option<NaiveDate>,
    /// When the apology letter with the new appointment was issued.
    pub rescheduled_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub ended_at: Option<DateTime<Utc>>,
    pub verdict: Option<Verdict>,
    pub outcome: Option<Outcome>,
}

/// An event as the desk reports it, with the data each type needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Accept,
    Refuse,
    Transfer { to_office_id: OfficeId },
    RequestSupplement,
    SupplementReceived,
    RequestFee,
    FeePaid,
    Resolve { outcome: Outcome },
    ReturnResult,
    Withdraw,
    Stop,
    Reschedule { new_appointment_date: NaiveDate },
}

impl Event {
    pub fn event_type(&self) -> EventType {
        match self {
            Event::Accept => EventType::Accept,
            Event::Refuse => EventType::Refuse,
            Event::Transfer { .. } => EventType::Transfer,
            Event::RequestSupplement => EventType::RequestSupplement,
            Event::SupplementReceived => EventType::SupplementReceived,
            Event::RequestFee => EventType::RequestFee,
            Event::FeePaid => EventType::FeePaid,
            Event::Resolve { .. } => EventType::Resolve,
            Event::ReturnResult => EventType::ReturnResult,
            Event::Withdraw => EventType::Withdraw,
            Event::Stop => EventType::Stop,
            Event::Reschedule { .. } => EventType::Reschedule,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    InvalidTransition {
        from: Status,
        allowed: Vec<EventType>,
    },
    /// The appointment can be reset only once (Decision 766 / the apology-letter rule).
    AlreadyRescheduled,
    /// The apology letter must come at least one working day before the due date.
    TooLateToReschedule {
        due_date: NaiveDate,
    },
    AppointmentNotAfterDueDate {
        due_date: NaiveDate,
    },
    AppointmentNotWorkingDay,
    /// An apology letter postpones by weeks or months, not for ever: what the citizen
    /// is told must stay a real date.
    AppointmentTooFar {
        latest: NaiveDate,
    },
    /// Back-entry: an event cannot precede the previous one or lie in the future.
    TimeOutOfOrder {
        previous: DateTime<Utc>,
    },
    TimeInFuture,
    /// Back-entry reaches at most this far.
    TooFarBack {
        earliest: NaiveDate,
    },
    /// Nothing is received by an office before it opened.
    BeforeOfficeOpened {
        opened_on: NaiveDate,
    },
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventError::InvalidTransition { from, allowed } => {
                let names: Vec<&str> = allowed.iter().map(|e| e.as_str()).collect();
                if names.is_empty() {
                    write!(f, "a {} dossier accepts no more events", from.as_str())
                } else {
                    write!(f, "a {} dossier accepts only: {}", from.as_str(), names.join(", "))
                }
            }
            EventError::AlreadyRescheduled => write!(f, "the appointment has already been reset once"),
            EventError::TooLateToReschedule { due_date } => write!(
                f,
                "an apology letter must be issued at least one working day before the due date {due_date}"
            ),
            EventError::AppointmentNotAfterDueDate { due_date } => {
                write!(f, "the new appointment must be after the due date {due_date}")
            }
            EventError::AppointmentNotWorkingDay => write!(f, "the new appointment must be a working day"),
            EventError::AppointmentTooFar { latest } => {
                write!(f, "the new appointment must be on or before {latest}, a year after the due date")
            }
            EventError::TimeOutOfOrder { previous } => {
                write!(f, "the event cannot be dated before the previous one ({previous})")
            }
            EventError::TimeInFuture => write!(f, "the event cannot be dated in the future"),
            EventError::TooFarBack { earliest } => {
                write!(f, "back-entry reaches back to {earliest} at the earliest")
            }
            EventError::BeforeOfficeOpened { opened_on } => {
                write!(f, "the office opened on {opened_on}; nothing was received before")
            }
        }
    }
}

/// How far past the due date an apology letter may set the new appointment.
const MAX_POSTPONEMENT_DAYS: u64 = 365;

/// Clock skew tolerated between a client's "now" and ours.
const FUTURE_TOLERANCE_SECONDS: i64 = 60;

/// Checks the instant of an event: not in the future, not before the previous event.
pub fn check_event_time(
    at: DateTime<Utc>,
    previous: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), EventError> {
    if at > now + chrono::Duration::seconds(FUTURE_TOLERANCE_SECONDS) {
        return Err(EventError::TimeInFuture);
    }
    match previous {
        Some(previous) if at < previous => Err(EventError::TimeOutOfOrder { previous }),
        _ => Ok(()),
    }
}

/// Checks a back-dated instant (paper records entered late, imports): at most
/// `window` before now, and not before the office opened when that is known.
pub fn check_back_dating(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    window: chrono::Duration,
    opened_on: Option<NaiveDate>,
) -> Result<(), EventError> {
    let earliest = local_date(now - window);
    if local_date(at) < earliest {
        return Err(EventError::TooFarBack { earliest });
    }
    match opened_on {
        Some(opened_on) if local_date(at) < opened_on => {
            Err(EventError::BeforeOfficeOpened { opened_on })
        }
        _ => Ok(()),
    }
}

impl DossierState {
    /// A dossier just filed: `received` at the desk, or `submitted` online.
    pub fn filed(
        status: Status,
        channel: Channel,
        deadline_value: i32,
        deadline_unit: DeadlineUnit,
        office_id: &OfficeId,
        at: DateTime<Utc>,
        calendar: &Calendar,
    ) -> DossierState {
        let mut state = DossierState {
            status,
            channel,
            deadline_value,
            deadline_unit,
            received_at: (status == Status::Received).then_some(at),
            processing_office_id: office_id.clone(),
            pauses: Vec::new(),
            paused_since: None,
            supplement_requests: 0,
            appointment_date: None,
            rescheduled_at: None,
            due_at: None,
            due_date: None,
            ended_at: None,
            verdict: None,
            outcome: None,
        };
        state.recompute_deadline(calendar);
        state
    }

    /// The deadline with its explanation; `None` before receipt. The wait in progress,
    /// if any, is not counted (it moves the due date when the supplement arrives).
    pub fn deadline(&self, calendar: &Calendar) -> Option<Deadline> {
        let received_at = self.received_at?;
        Some(compute_deadline(
            &DeadlineRequest {
                received_at,
                channel: self.channel,
                value: self.deadline_value,
                unit: self.deadline_unit,
                pauses: self.pauses.clone(),
            },
            calendar,
        ))
    }

    /// Recomputes the due date (after receipt, a closed pause, or a calendar change).
    /// Ended dossiers keep theirs, and their verdict.
    pub fn recompute_deadline(&mut self, calendar: &Calendar) {
        if self.ended_at.is_some() {
            return;
        }
        if let Some(deadline) = self.deadline(calendar) {
            self.due_at = Some(deadline.due_at);
            self.due_date = Some(deadline.due_date);
        }
    }

    /// The date the citizen was told: the new appointment after an apology, else the due date.
    pub fn appointment(&self) -> Option<NaiveDate> {
        self.appointment_date.or(self.due_date)
    }
}

/// Applies one event at `at`; the state is unchanged when it is refused.
pub fn apply(
    state: &DossierState,
    event: &Event,
    at: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<DossierState, EventError> {
    let from = state.status;
    let to =
        next_status(from, event.event_type()).ok_or_else(|| EventError::InvalidTransition {
            from,
            allowed: allowed_events(from),
        })?;
    let mut next = state.clone();
    next.status = to;
    match event {
        Event::Accept => {
            next.received_at = Some(at);
            next.recompute_deadline(calendar);
        }
        Event::Transfer { to_office_id } => next.processing_office_id = to_office_id.clone(),
        Event::RequestSupplement => {
            next.supplement_requests += 1;
            next.paused_since = Some(at);
        }
        Event::SupplementReceived => {
            if let Some(since) = next.paused_since.take() {
                next.pauses.push(Pause {
                    from: since,
                    to: at,
                });
            }
            next.recompute_deadline(calendar);
        }
        Event::Resolve { outcome } => next.outcome = Some(*outcome),
        Event::Reschedule {
            new_appointment_date,
        } => {
            if state.appointment_date.is_some() {
                return Err(EventError::AlreadyRescheduled);
            }
            if let Some(due_date) = state.due_date {
                if calendar.working_days_between(local_date(at), due_date) < 1 {
                    return Err(EventError::TooLateToReschedule { due_date });
                }
                if *new_appointment_date <= due_date {
                    return Err(EventError::AppointmentNotAfterDueDate { due_date });
                }
                let latest = due_date + chrono::Days::new(MAX_POSTPONEMENT_DAYS);
                if *new_appointment_date > latest {
                    return Err(EventError::AppointmentTooFar { latest });
                }
            }
            if !calendar.is_working_day(*new_appointment_date) {
                return Err(EventError::AppointmentNotWorkingDay);
            }
            next.appointment_date = Some(*new_appointment_date);
            next.rescheduled_at = Some(at);
        }
        Event::Refuse
        | Event::RequestFee
        | Event::FeePaid
        | Event::ReturnResult
        | Event::Withdraw
        | Event::Stop => {}
    }
    if ends_processing(to) && state.ended_at.is_none() && state.received_at.is_some() {
        // A citizen who never brought the supplement: processing ended at the request.
        let ended = state.paused_since.unwrap_or(at);
        next.paused_since = None;
        next.ended_at = Some(ended);
        next.verdict = Some(if next.supplement_requests > 1 {
            // More than one supplement request makes the dossier late (Decision 766).
            Verdict::Late
        } else {
            match next.due_date {
                Some(due_date) => verdict(ended, due_date),
                None => Verdict::OnTime,
            }
        });
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::{default_exceptions, OfficeHours};
    use chrono::TimeZone;

    fn calendar() -> Calendar {
        Calendar::new(default_exceptions(), OfficeHours::default())
    }

    /// Monday 2/3/2026 09:00 local, 3 working days: due Thursday 5/3.
    fn received() -> DossierState {
        let at = Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0).unwrap();
        DossierState::filed(
            Status::Received,
            Channel::InPerson,
            3,
            DeadlineUnit::WorkingDays,
            &OfficeId::new(),
            at,
            &calendar(),
        )
    }

    fn at(day: u32, hour_utc: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, day, hour_utc, 0, 0).unwrap()
    }

    #[test]
    fn filing_sets_the_due_date() {
        let state = received();
        assert_eq!(state.due_date, NaiveDate::from_ymd_opt(2026, 3, 5));
        assert_eq!(state.appointment(), state.due_date);
    }

    #[test]
    fn refused_events_leave_the_state_alone_and_name_the_allowed_ones() {
        let state = received();
        let err = apply(&state, &Event::ReturnResult, at(3, 2), &calendar()).unwrap_err();
        match err {
            EventError::InvalidTransition { from, allowed } => {
                assert_eq!(from, Status::Received);
                assert!(allowed.contains(&EventType::Resolve));
                assert!(!allowed.contains(&EventType::ReturnResult));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_status_accepts_exactly_what_the_table_allows() {
        let cal = calendar();
        for status in Status::ALL {
            let mut state = received();
            state.status = status;
            for event in [
                Event::Accept,
                Event::Refuse,
                Event::Transfer {
                    to_office_id: OfficeId::new(),
                },
                Event::RequestSupplement,
                Event::SupplementReceived,
                Event::RequestFee,
                Event::FeePaid,
                Event::Resolve {
                    outcome: Outcome::Denied,
                },
                Event::ReturnResult,
                Event::Withdraw,
                Event::Stop,
                Event::Reschedule {
                    new_appointment_date: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
                },
            ] {
                let result = apply(&state, &event, at(3, 2), &cal);
                let expected = next_status(status, event.event_type());
                assert_eq!(
                    result.as_ref().ok().map(|s| s.status),
                    expected,
                    "{status:?} + {event:?}: {result:?}"
                );
            }
        }
    }

    #[test]
    fn a_supplement_wait_moves_the_due_date_and_ending_during_it_uses_the_request_time() {
        let cal = calendar();
        let waiting = apply(&received(), &Event::RequestSupplement, at(3, 0), &cal).unwrap();
        assert_eq!(waiting.paused_since, Some(at(3, 0)));
        let back = apply(&waiting, &Event::SupplementReceived, at(5, 0), &cal).unwrap();
        assert_eq!(back.due_date, NaiveDate::from_ymd_opt(2026, 3, 9));
        assert_eq!(back.pauses.len(), 1);
        let stopped = apply(&waiting, &Event::Stop, at(20, 2), &cal).unwrap();
        assert_eq!(stopped.ended_at, Some(at(3, 0)));
        assert_eq!(stopped.verdict, Some(Verdict::Early));
        assert_eq!(stopped.paused_since, None);
    }

    #[test]
    fn event_times_are_checked() {
        let now = at(10, 0);
        assert!(check_event_time(at(9, 0), Some(at(8, 0)), now).is_ok());
        assert_eq!(
            check_event_time(at(7, 0), Some(at(8, 0)), now),
            Err(EventError::TimeOutOfOrder { previous: at(8, 0) })
        );
        assert_eq!(
            check_event_time(at(11, 0), None, now),
            Err(EventError::TimeInFuture)
        );
    }

    #[test]
    fn a_new_appointment_is_at_most_a_year_after_the_due_date() {
        let state = received();
        let reschedule = |y, m, d| Event::Reschedule {
            new_appointment_date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        };
        // Due Thursday 5/3/2026: Friday 5/3/2027 is the last day allowed.
        assert!(apply(&state, &reschedule(2027, 3, 5), at(2, 3), &calendar()).is_ok());
        assert_eq!(
            apply(&state, &reschedule(2027, 3, 8), at(2, 3), &calendar()),
            Err(EventError::AppointmentTooFar {
                latest: NaiveDate::from_ymd_opt(2027, 3, 5).unwrap()
            })
        );
    }

    #[test]
    fn back_dating_has_a_window_and_an_opening_day() {
        let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
        let year = chrono::Duration::days(366);
        let day = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap();
        assert!(check_back_dating(day(2025, 12, 1), now, year, None).is_ok());
        // A century back shares today's YYMMDD: never accepted at the desk.
        assert_eq!(
            check_back_dating(day(1926, 12, 2), now, year, None),
            Err(EventError::TooFarBack {
                earliest: ymd(2025, 12, 1)
            })
        );
        let opened = Some(ymd(2025, 7, 1));
        assert!(check_back_dating(day(2025, 12, 1), now, year, opened).is_ok());
        assert_eq!(
            check_back_dating(day(2025, 6, 30), now, chrono::Duration::days(3650), opened),
            Err(EventError::BeforeOfficeOpened {
                opened_on: ymd(2025, 7, 1)
            })
        );
    }
}
