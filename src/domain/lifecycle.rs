//! The dossier state machine: which event may happen in which status, and where it
//! leads. One table decides; handlers never compare statuses themselves.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Dossier status, with the national public-service portal's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    Received,
    Refused,
    Processing,
    SupplementRequested,
    FeeRequested,
    Withdrawn,
    Stopped,
    Resolved,
    Returned,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::Received,
        Status::Refused,
        Status::Processing,
        Status::SupplementRequested,
        Status::FeeRequested,
        Status::Withdrawn,
        Status::Stopped,
        Status::Resolved,
        Status::Returned,
    ];

    /// The portal code (1-10) used in exports.
    pub fn portal_code(self) -> i32 {
        Status::ALL
            .iter()
            .position(|s| *s == self)
            .map(|i| i as i32 + 1)
            .unwrap_or(0)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Refused => "refused",
            Status::Processing => "processing",
            Status::SupplementRequested => "supplement_requested",
            Status::FeeRequested => "fee_requested",
            Status::Withdrawn => "withdrawn",
            Status::Stopped => "stopped",
            Status::Resolved => "resolved",
            Status::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Still being worked on: counts as pending in reports, can become overdue.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Received
                | Status::Processing
                | Status::SupplementRequested
                | Status::FeeRequested
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventType {
    Accept,
    Refuse,
    Transfer,
    RequestSupplement,
    SupplementReceived,
    RequestFee,
    FeePaid,
    Resolve,
    ReturnResult,
    Withdraw,
    Stop,
    Reschedule,
}

impl EventType {
    pub const ALL: [EventType; 12] = [
        EventType::Accept,
        EventType::Refuse,
        EventType::Transfer,
        EventType::RequestSupplement,
        EventType::SupplementReceived,
        EventType::RequestFee,
        EventType::FeePaid,
        EventType::Resolve,
        EventType::ReturnResult,
        EventType::Withdraw,
        EventType::Stop,
        EventType::Reschedule,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Accept => "accept",
            EventType::Refuse => "refuse",
            EventType::Transfer => "transfer",
            EventType::RequestSupplement => "request_supplement",
            EventType::SupplementReceived => "supplement_received",
            EventType::RequestFee => "request_fee",
            EventType::FeePaid => "fee_paid",
            EventType::Resolve => "resolve",
            EventType::ReturnResult => "return_result",
            EventType::Withdraw => "withdraw",
            EventType::Stop => "stop",
            EventType::Reschedule => "reschedule",
        }
    }
}

/// The status an event leads to from `from`, or `None` when it is not allowed there.
pub fn next_status(from: Status, event: EventType) -> Option<Status> {
    use EventType as E;
    use Status as S;
    let open = from.is_open();
    match event {
        E::Accept if from == S::Submitted => Some(S::Received),
        E::Refuse
            if matches!(
                from,
                S::Submitted | S::Received | S::Processing | S::SupplementRequested
            ) =>
        {
            Some(S::Refused)
        }
        E::Transfer if matches!(from, S::Received | S::Processing) => Some(S::Processing),
        E::RequestSupplement if matches!(from, S::Received | S::Processing) => {
            Some(S::SupplementRequested)
        }
        E::SupplementReceived if from == S::SupplementRequested => Some(S::Processing),
        E::RequestFee if matches!(from, S::Received | S::Processing) => Some(S::FeeRequested),
        E::FeePaid if from == S::FeeRequested => Some(S::Processing),
        E::Resolve if matches!(from, S::Received | S::Processing) => Some(S::Resolved),
        E::ReturnResult if from == S::Resolved => Some(S::Returned),
        E::Withdraw if open || from == S::Submitted => Some(S::Withdrawn),
        E::Stop if open => Some(S::Stopped),
        // An apology letter with a new appointment: the status does not change.
        E::Reschedule if open => Some(from),
        _ => None,
    }
}

/// A desk's step rather than a decision: taking the dossier in, the citizen bringing a
/// supplement or paying the fee, withdrawing, the result handed back. Once a dossier is
/// transferred (liên thông), the office it went to decides; the receiving desk keeps
/// only these.
pub fn is_desk_step(event: EventType) -> bool {
    use EventType as E;
    matches!(
        event,
        E::Accept | E::SupplementReceived | E::FeePaid | E::Withdraw | E::ReturnResult
    )
}

/// Every event allowed from `from`, for the `invalid_transition` answer.
pub fn allowed_events(from: Status) -> Vec<EventType> {
    EventType::ALL
        .into_iter()
        .filter(|event| next_status(from, *event).is_some())
        .collect()
}

/// Processing ends when a received dossier reaches one of these (DOMAIN: resolved,
/// returned, refused after receipt, stopped, withdrawn); the verdict is frozen then.
pub fn ends_processing(to: Status) -> bool {
    matches!(
        to,
        Status::Resolved | Status::Returned | Status::Refused | Status::Stopped | Status::Withdrawn
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portal_codes_follow_the_national_table() {
        let codes: Vec<i32> = Status::ALL.iter().map(|s| s.portal_code()).collect();
        assert_eq!(codes, (1..=10).collect::<Vec<_>>());
        assert_eq!(Status::SupplementRequested.portal_code(), 5);
        assert_eq!(Status::Returned.portal_code(), 10);
        for status in Status::ALL {
            assert_eq!(Status::parse(status.as_str()), Some(status));
        }
    }

    #[test]
    fn a_dossier_life() {
        use EventType as E;
        let mut status = Status::Submitted;
        for event in [
            E::Accept,
            E::Transfer,
            E::RequestSupplement,
            E::SupplementReceived,
            E::RequestFee,
            E::FeePaid,
            E::Reschedule,
            E::Resolve,
            E::ReturnResult,
        ] {
            status =
                next_status(status, event).unwrap_or_else(|| panic!("{event:?} from {status:?}"));
        }
        assert_eq!(status, Status::Returned);
        assert!(allowed_events(Status::Returned).is_empty());
    }

    #[test]
    fn closed_dossiers_accept_nothing_but_what_the_table_says() {
        for status in [
            Status::Refused,
            Status::Withdrawn,
            Status::Stopped,
            Status::Returned,
        ] {
            assert!(allowed_events(status).is_empty(), "{status:?}");
        }
        assert_eq!(
            allowed_events(Status::Resolved),
            vec![EventType::ReturnResult]
        );
        assert_eq!(
            allowed_events(Status::Submitted),
            vec![EventType::Accept, EventType::Refuse, EventType::Withdraw]
        );
        assert_eq!(
            next_status(Status::SupplementRequested, EventType::Resolve),
            None
        );
        assert_eq!(next_status(Status::Resolved, EventType::Reschedule), None);
    }
}
