//! On-time KPIs (Decision 766/QĐ-TTg index 2.1, and the provincial "on time among due"):
//! what each dossier contributes to the daily counters, and the rates built from them.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::calendar::local_date;
use super::deadline::{Channel, Verdict};
use super::dossier::DossierState;
use super::lifecycle::Status;
use super::satisfaction::Rate;

/// Daily counters of one office, procedure and clerk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct DayCounters {
    pub received_in_person: i64,
    pub received_online: i64,
    pub received_postal: i64,
    pub ended_early: i64,
    pub ended_on_time: i64,
    pub ended_late: i64,
    pub refused: i64,
    pub withdrawn: i64,
    pub stopped: i64,
    pub rescheduled: i64,
    /// Resolved (a result, not a refusal or withdrawal) on the local day it was received:
    /// "giải quyết ngay trong ngày".
    pub resolved_same_day: i64,
    /// Dossiers due that day.
    pub due: i64,
    /// Of those, ended early or on time.
    pub due_met: i64,
    /// Dossiers that count as overdue from this day on while unfinished (the day after
    /// the due date, or the receipt if later).
    pub overdue_entered: i64,
    /// Dossiers that stop counting as overdue this day: the later of `overdue_entered`
    /// and the day processing ended. Summed up to a day, `entered - left` is the number
    /// of unfinished overdue dossiers at its close.
    pub overdue_left: i64,
}

impl DayCounters {
    pub fn merge(&mut self, o: &DayCounters) {
        self.combine(o, 1);
    }

    /// `self += sign × other`.
    pub fn combine(&mut self, o: &DayCounters, sign: i64) {
        self.received_in_person += sign * o.received_in_person;
        self.received_online += sign * o.received_online;
        self.received_postal += sign * o.received_postal;
        self.ended_early += sign * o.ended_early;
        self.ended_on_time += sign * o.ended_on_time;
        self.ended_late += sign * o.ended_late;
        self.refused += sign * o.refused;
        self.withdrawn += sign * o.withdrawn;
        self.stopped += sign * o.stopped;
        self.rescheduled += sign * o.rescheduled;
        self.resolved_same_day += sign * o.resolved_same_day;
        self.due += sign * o.due;
        self.due_met += sign * o.due_met;
        self.overdue_entered += sign * o.overdue_entered;
        self.overdue_left += sign * o.overdue_left;
    }

    pub fn is_zero(&self) -> bool {
        *self == DayCounters::default()
    }

    pub fn received(&self) -> i64 {
        self.received_in_person + self.received_online + self.received_postal
    }

    /// Every end after receipt: each ended dossier has exactly one verdict.
    pub fn ended(&self) -> i64 {
        self.ended_early + self.ended_on_time + self.ended_late
    }

    /// Summed over every day before some date: dossiers unfinished at its start.
    pub fn open(&self) -> i64 {
        self.received() - self.ended()
    }

    /// Summed over every day up to some date: unfinished dossiers overdue at its close.
    pub fn open_overdue(&self) -> i64 {
        self.overdue_entered - self.overdue_left
    }
}

/// What one dossier adds to the counters, day by day. A change of the dossier adds
/// `contributions(after) - contributions(before)`: the counters always equal the sum
/// over the dossiers as they are now (which is what `motcua recount` checks).
pub fn contributions(state: &DossierState) -> Vec<(NaiveDate, DayCounters)> {
    let mut out = Vec::new();
    let Some(received_at) = state.received_at else {
        return out;
    };
    let one = |f: fn(&mut DayCounters)| {
        let mut c = DayCounters::default();
        f(&mut c);
        c
    };
    out.push((
        local_date(received_at),
        match state.channel {
            Channel::InPerson => one(|c| c.received_in_person = 1),
            Channel::Online => one(|c| c.received_online = 1),
            Channel::Postal => one(|c| c.received_postal = 1),
        },
    ));
    if let Some(due) = state.due_date {
        out.push((due, one(|c| c.due = 1)));
        if matches!(state.verdict, Some(Verdict::Early | Verdict::OnTime)) {
            out.push((due, one(|c| c.due_met = 1)));
        }
        // Overdue at the close of day T ⟺ due < T, received ≤ T and not ended by T.
        let entered = due.succ_opt().unwrap_or(due).max(local_date(received_at));
        out.push((entered, one(|c| c.overdue_entered = 1)));
        if let Some(ended_at) = state.ended_at {
            out.push((
                entered.max(local_date(ended_at)),
                one(|c| c.overdue_left = 1),
            ));
        }
    }
    if let (Some(ended_at), Some(verdict)) = (state.ended_at, state.verdict) {
        let day = local_date(ended_at);
        out.push((
            day,
            match verdict {
                Verdict::Early => one(|c| c.ended_early = 1),
                Verdict::OnTime => one(|c| c.ended_on_time = 1),
                Verdict::Late => one(|c| c.ended_late = 1),
            },
        ));
        match state.status {
            Status::Refused => out.push((day, one(|c| c.refused = 1))),
            Status::Withdrawn => out.push((day, one(|c| c.withdrawn = 1))),
            Status::Stopped => out.push((day, one(|c| c.stopped = 1))),
            Status::Resolved | Status::Returned if day == local_date(received_at) => {
                out.push((day, one(|c| c.resolved_same_day = 1)))
            }
            _ => {}
        }
    }
    if let Some(at) = state.rescheduled_at {
        out.push((local_date(at), one(|c| c.rescheduled = 1)));
    }
    out
}

/// The report columns for one group and period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct OnTimeCounts {
    /// Received before the period and not ended before it.
    pub carried_over: i64,
    pub received: i64,
    pub received_in_person: i64,
    pub received_online: i64,
    pub received_postal: i64,
    pub ended_early: i64,
    pub ended_on_time: i64,
    pub ended_late: i64,
    /// Not ended at the end of the period, due date not passed.
    pub pending_in_time: i64,
    /// Not ended at the end of the period, due date passed.
    pub pending_overdue: i64,
    pub refused: i64,
    pub withdrawn: i64,
    pub stopped: i64,
    pub rescheduled: i64,
    /// Received in the period and resolved the same day ("giải quyết ngay trong ngày").
    pub resolved_same_day: i64,
    /// carried_over + received.
    pub handled: i64,
    /// Due in the period.
    pub due: i64,
    /// Due in the period and ended early or on time.
    pub due_met: i64,
}

impl OnTimeCounts {
    /// A period's columns from cumulative counters: `before` summed over every day
    /// before the period, `through` over every day up to its last one. Flows are the
    /// difference; stocks (carried over, pending) are read off each edge.
    pub fn from_cumulative(before: &DayCounters, through: &DayCounters) -> OnTimeCounts {
        let mut flow = *through;
        flow.combine(before, -1);
        let pending_overdue = through.open_overdue();
        OnTimeCounts {
            carried_over: before.open(),
            received: flow.received(),
            received_in_person: flow.received_in_person,
            received_online: flow.received_online,
            received_postal: flow.received_postal,
            ended_early: flow.ended_early,
            ended_on_time: flow.ended_on_time,
            ended_late: flow.ended_late,
            pending_in_time: through.open() - pending_overdue,
            pending_overdue,
            refused: flow.refused,
            withdrawn: flow.withdrawn,
            stopped: flow.stopped,
            rescheduled: flow.rescheduled,
            resolved_same_day: flow.resolved_same_day,
            handled: before.open() + flow.received(),
            due: flow.due,
            due_met: flow.due_met,
        }
    }

    /// Official rate: (ended early + ended on time + pending in time) / handled.
    pub fn on_time_rate(&self) -> Rate {
        Rate::new(
            self.ended_early + self.ended_on_time + self.pending_in_time,
            self.handled,
        )
    }

    /// The share of the dossiers received in the period that came online.
    pub fn online_rate(&self) -> Rate {
        Rate::new(self.received_online, self.received)
    }

    /// The share of the dossiers received in the period resolved the same day.
    pub fn same_day_rate(&self) -> Rate {
        Rate::new(self.resolved_same_day, self.received)
    }

    /// Provincial variant: ended early or on time among those due in the period.
    pub fn on_time_rate_due(&self) -> Rate {
        Rate::new(self.due_met, self.due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_formula_document_example() {
        // 314,557 / 358,643 = 87.71 % (→ 17.54 of 20 points).
        let counts = OnTimeCounts {
            ended_early: 200_000,
            ended_on_time: 100_000,
            pending_in_time: 14_557,
            carried_over: 58_643,
            received: 300_000,
            handled: 358_643,
            ..Default::default()
        };
        assert_eq!(counts.on_time_rate(), Rate::new(314_557, 358_643));
        assert_eq!(counts.on_time_rate().value, Some(0.8771));
        assert_eq!(Rate::new(4_157, 4_169).value, Some(0.9971));
    }
}
