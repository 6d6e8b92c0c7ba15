//! Citizens' satisfaction votes: ratings and their labels, the checks a vote must pass,
//! and the satisfaction rate (satisfied, including very satisfied, over all votes).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    VerySatisfied,
    Satisfied,
    Neutral,
    Unsatisfied,
}

impl Rating {
    pub const ALL: [Rating; 4] = [
        Rating::VerySatisfied,
        Rating::Satisfied,
        Rating::Neutral,
        Rating::Unsatisfied,
    ];

    /// What district reports use: hài lòng / bình thường / không hài lòng.
    pub const DEFAULT_FACES: [Rating; 3] =
        [Rating::Satisfied, Rating::Neutral, Rating::Unsatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "very_satisfied",
            Rating::Satisfied => "satisfied",
            Rating::Neutral => "neutral",
            Rating::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        Rating::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "Rất hài lòng",
            Rating::Satisfied => "Hài lòng",
            Rating::Neutral => "Bình thường",
            Rating::Unsatisfied => "Không hài lòng",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Rating::VerySatisfied => "Very satisfied",
            Rating::Satisfied => "Satisfied",
            Rating::Neutral => "Neutral",
            Rating::Unsatisfied => "Unsatisfied",
        }
    }

    /// Counts towards the satisfaction rate.
    pub fn is_satisfied(self) -> bool {
        matches!(self, Rating::VerySatisfied | Rating::Satisfied)
    }
}

/// Checks an office's choice of faces: 2 to 4 distinct ratings, at least one
/// satisfied and one unsatisfied, so a rate can mean something.
pub fn check_faces(faces: &[Rating]) -> Result<(), String> {
    let mut sorted = faces.to_vec();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != faces.len() {
        return Err("each rating at most once".to_owned());
    }
    if !(2..=4).contains(&faces.len()) {
        return Err("between 2 and 4 ratings".to_owned());
    }
    if !faces.iter().any(|r| r.is_satisfied()) || !faces.contains(&Rating::Unsatisfied) {
        return Err("include a satisfied rating and `unsatisfied`".to_owned());
    }
    Ok(())
}

/// How far a kiosk's clock may run ahead of ours.
pub const MAX_CLOCK_AHEAD: Duration = Duration::minutes(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CastAtError {
    InFuture,
    TooOld { max_age_days: i64 },
}

/// A vote's device time must be at most 5 minutes ahead and within the replay window.
pub fn check_cast_at(
    cast_at: DateTime<Utc>,
    now: DateTime<Utc>,
    max_age: Duration,
) -> Result<(), CastAtError> {
    if cast_at > now + MAX_CLOCK_AHEAD {
        Err(CastAtError::InFuture)
    } else if cast_at < now - max_age {
        Err(CastAtError::TooOld {
            max_age_days: max_age.num_days(),
        })
    } else {
        Ok(())
    }
}

/// The repeat-press guard: a vote without a dossier cast less than `guard` after
/// the kiosk's previous vote is a double tap, not a second citizen.
pub fn is_repeat_press(
    previous_cast_at: Option<DateTime<Utc>>,
    cast_at: DateTime<Utc>,
    guard: Duration,
) -> bool {
    previous_cast_at.is_some_and(|previous| cast_at >= previous && cast_at - previous < guard)
}

/// Why a vote is not counted. Each one is answered to the kiosk, which must not
/// send the vote again (a network error or an outage is not a refusal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteRefusal {
    /// The vote's id came before with other content.
    IdempotencyConflict,
    /// The dossier code names no dossier received or processed at the kiosk's office
    /// (another office's dossier reads the same: no existence leak).
    DossierNotAtThisOffice,
    /// One vote per dossier.
    DossierAlreadyRated,
    /// The clerk named does not work at the kiosk's office.
    ClerkNotAtThisOffice,
    /// A second tap right after the previous vote ([`is_repeat_press`]).
    TooSoon,
}

impl VoteRefusal {
    pub fn detail(self) -> &'static str {
        match self {
            VoteRefusal::IdempotencyConflict => "a different vote was already sent with this id",
            VoteRefusal::DossierNotAtThisOffice => {
                "no dossier with this code was handled at this office"
            }
            VoteRefusal::DossierAlreadyRated => "this dossier has already been rated",
            VoteRefusal::ClerkNotAtThisOffice => "no clerk with this id works at this office",
            VoteRefusal::TooSoon => "a second tap right after the previous vote is not counted",
        }
    }

    /// A conflict with what is stored (rather than a vote that could never count).
    pub fn is_conflict(self) -> bool {
        matches!(
            self,
            VoteRefusal::IdempotencyConflict
                | VoteRefusal::DossierAlreadyRated
                | VoteRefusal::TooSoon
        )
    }
}

/// A rate with the integers behind it, so a reader can check it and no float drift
/// creeps into reports.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Rate {
    pub numerator: i64,
    pub denominator: i64,
    /// numerator / denominator rounded to 4 places; `null` when there is nothing to divide.
    pub value: Option<f64>,
}

impl Rate {
    pub fn new(numerator: i64, denominator: i64) -> Rate {
        let value = (denominator > 0).then(|| {
            // Round half up on integers: (n * 10000 * 2 + d) / (2 d) avoids float bias.
            let scaled =
                (numerator as i128 * 20_000 + denominator as i128) / (2 * denominator as i128);
            scaled as f64 / 10_000.0
        });
        Rate {
            numerator,
            denominator,
            value,
        }
    }
}

/// Votes per rating for one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RatingCounts {
    pub very_satisfied: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
}

impl RatingCounts {
    pub fn add(&mut self, rating: Rating, count: i64) {
        match rating {
            Rating::VerySatisfied => self.very_satisfied += count,
            Rating::Satisfied => self.satisfied += count,
            Rating::Neutral => self.neutral += count,
            Rating::Unsatisfied => self.unsatisfied += count,
        }
    }

    pub fn merge(&mut self, other: &RatingCounts) {
        self.very_satisfied += other.very_satisfied;
        self.satisfied += other.satisfied;
        self.neutral += other.neutral;
        self.unsatisfied += other.unsatisfied;
    }

    pub fn total(&self) -> i64 {
        self.very_satisfied + self.satisfied + self.neutral + self.unsatisfied
    }

    /// Each count multiplied by `factor` (`-1` takes them away).
    pub fn times(&self, factor: i64) -> RatingCounts {
        RatingCounts {
            very_satisfied: self.very_satisfied * factor,
            satisfied: self.satisfied * factor,
            neutral: self.neutral * factor,
            unsatisfied: self.unsatisfied * factor,
        }
    }

    pub fn count(&self, rating: Rating) -> i64 {
        match rating {
            Rating::VerySatisfied => self.very_satisfied,
            Rating::Satisfied => self.satisfied,
            Rating::Neutral => self.neutral,
            Rating::Unsatisfied => self.unsatisfied,
        }
    }

    /// Satisfied (including very satisfied) over all votes.
    pub fn satisfaction_rate(&self) -> Rate {
        Rate::new(self.very_satisfied + self.satisfied, self.total())
    }

    /// The share of one rating, as the district reports print them.
    pub fn share(&self, rating: Rating) -> Rate {
        Rate::new(self.count(rating), self.total())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_district_report_figures() {
        // "satisfied 99.72% (47,336/47,467); neutral 0.24% (114/47,467); unsatisfied 0.04% (17/47,467)"
        let mut counts = RatingCounts::default();
        counts.add(Rating::Satisfied, 47_336);
        counts.add(Rating::Neutral, 114);
        counts.add(Rating::Unsatisfied, 17);
        assert_eq!(counts.total(), 47_467);
        assert_eq!(
            counts.satisfaction_rate(),
            Rate {
                numerator: 47_336,
                denominator: 47_467,
                value: Some(0.9972)
            }
        );
        assert_eq!(counts.share(Rating::Neutral).value, Some(0.0024));
        assert_eq!(counts.share(Rating::Unsatisfied).value, Some(0.0004));
        assert_eq!(Rate::new(0, 0).value, None);
        assert_eq!(Rate::new(1, 3).value, Some(0.3333));
        assert_eq!(Rate::new(2, 3).value, Some(0.6667));
    }

    #[test]
    fn faces_must_make_sense() {
        assert!(check_faces(&Rating::DEFAULT_FACES).is_ok());
        assert!(check_faces(&[
            Rating::VerySatisfied,
            Rating::Satisfied,
            Rating::Unsatisfied
        ])
        .is_ok());
        assert!(check_faces(&[Rating::Satisfied]).is_err());
        assert!(check_faces(&[Rating::Satisfied, Rating::Satisfied, Rating::Unsatisfied]).is_err());
        assert!(check_faces(&[Rating::Satisfied, Rating::Neutral]).is_err());
    }

    #[test]
    fn cast_at_window_and_repeat_press() {
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 3, 0, 0).unwrap();
        let window = Duration::days(30);
        assert!(check_cast_at(now + Duration::minutes(4), now, window).is_ok());
        assert_eq!(
            check_cast_at(now + Duration::minutes(6), now, window),
            Err(CastAtError::InFuture)
        );
        assert!(check_cast_at(now - Duration::days(29), now, window).is_ok());
        assert_eq!(
            check_cast_at(now - Duration::days(31), now, window),
            Err(CastAtError::TooOld { max_age_days: 30 })
        );
        let guard = Duration::seconds(5);
        assert!(is_repeat_press(
            Some(now),
            now + Duration::seconds(4),
            guard
        ));
        assert!(!is_repeat_press(
            Some(now),
            now + Duration::seconds(5),
            guard
        ));
        assert!(!is_repeat_press(None, now, guard));
        assert!(
            !is_repeat_press(Some(now), now - Duration::seconds(1), guard),
            "an older vote replayed late is no double tap"
        );
    }
}
