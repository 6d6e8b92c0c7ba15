//! Whether a kiosk needs a manager's look: it stopped syncing (switched off, offline,
//! unpaired), or votes have waited in its queue too long (it cannot deliver them).

use chrono::{Duration, NaiveDateTime};

/// No heartbeat for this long: stale. A kiosk sends one after every delivery round.
pub const STALE_AFTER: Duration = Duration::hours(1);
/// A vote waiting this long in a kiosk's queue: backed up.
pub const BACKED_UP_AFTER: Duration = Duration::minutes(15);
/// The largest queue depth or rejected count a kiosk may report (a day's votes at a
/// busy desk are a few hundred).
pub const MAX_REPORTED: u32 = 1_000_000;

pub fn is_stale(synced_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    now - synced_at > STALE_AFTER
}

pub fn is_backed_up(
    queue_depth: i32,
    oldest_pending_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> bool {
    queue_depth > 0 && oldest_pending_at.is_some_and(|oldest| now - oldest > BACKED_UP_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_780_000_000 + minutes * 60, 0)
            .unwrap()
            .naive_utc()
    }

    #[test]
    fn stale_after_an_hour_without_a_heartbeat() {
        assert!(!is_stale(at(0), at(60)));
        assert!(is_stale(at(0), at(61)));
    }

    #[test]
    fn backed_up_when_a_vote_waited_a_quarter_of_an_hour() {
        assert!(!is_backed_up(3, Some(at(0)), at(15)));
        assert!(is_backed_up(3, Some(at(0)), at(16)));
        assert!(
            !is_backed_up(0, Some(at(0)), at(60)),
            "an empty queue waits for nothing"
        );
        assert!(!is_backed_up(3, None, at(60)));
    }
}
