//! Failed logins, per account and per (address, account).
//!
//! Anyone can type a username: if failures alone locked the account, ten wrong
//! passwords from anywhere would keep its owner out. So failures slow down only those
//! who failed: an address may fail at most `limit` times per window on one account, and
//! once the account has `limit` failures (from anywhere), every address that failed on
//! it waits twice as long after each further failure (1 s, 2 s, 4 s… up to 15
//! minutes); an address that has not failed on the account is never held back by it.
//! Guessing is then bounded per address, which the per-address limit of all attempts
//! ([`super::rate_limit`]) bounds again. In memory, per instance.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// Entries kept before those that no longer hold anyone back are swept.
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
struct Account {
    failures: u32,
    last_failure: Option<Instant>,
    /// Failures per address in the current window: (window start, count).
    by_address: HashMap<String, (Instant, u32)>,
}

impl Account {
    /// Until when addresses that failed here must wait, once `free` failures are past.
    fn delayed_until(&self, free: u32) -> Option<Instant> {
        let extra = self.failures.checked_sub(free)?;
        let delay = Duration::from_secs(1u64 << extra.min(20)).min(MAX_DELAY);
        Some(self.last_failure? + delay)
    }
}

pub struct LoginThrottle {
    /// Failures one address may make on one account per window.
    limit: u32,
    window: Duration,
    accounts: Mutex<HashMap<String, Account>>,
}

impl LoginThrottle {
    pub fn new(limit: u32, window: Duration) -> LoginThrottle {
        LoginThrottle {
            limit,
            window,
            accounts: Mutex::new(HashMap::new()),
        }
    }

    /// Whether `address` may try `account` now; `Err(seconds)` tells when to retry.
    pub fn check(&self, address: &str, account: &str, now: Instant) -> Result<(), u64> {
        let accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = accounts.get(account) else {
            return Ok(());
        };
        let Some((start, failed)) = entry.by_address.get(address) else {
            return Ok(());
        };
        let window_left = self.window.saturating_sub(now.duration_since(*start));
        if *failed >= self.limit && !window_left.is_zero() {
            return Err(window_left.as_secs().max(1));
        }
        match entry.delayed_until(self.limit) {
            Some(until) if until > now => Err(until.duration_since(now).as_secs().max(1)),
            _ => Ok(()),
        }
    }

    pub fn failed(&self, address: &str, account: &str, now: Instant) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if accounts.len() >= SWEEP_AT {
            let quiet = self.window.max(MAX_DELAY);
            accounts.retain(|_, a| {
                a.last_failure
                    .is_some_and(|t| now.duration_since(t) < quiet)
            });
        }
        let entry = accounts.entry(account.to_owned()).or_default();
        // A quiet spell as long as the longest delay starts the account afresh.
        if entry
            .last_failure
            .is_some_and(|t| now.duration_since(t) >= MAX_DELAY)
        {
            *entry = Account::default();
        }
        entry.failures += 1;
        entry.last_failure = Some(now);
        let (start, count) = entry
            .by_address
            .entry(address.to_owned())
            .or_insert((now, 0));
        if now.duration_since(*start) >= self.window {
            (*start, *count) = (now, 0);
        }
        *count += 1;
    }

    /// The right password from this address: its own failures are forgiven (the
    /// account's count stays, so others who failed keep waiting).
    pub fn succeeded(&self, address: &str, account: &str) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = accounts.get_mut(account) {
            entry.by_address.remove(address);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_hold_back_those_who_failed_only() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        for n in 0..10 {
            throttle.failed(&format!("10.0.0.{n}"), "lan", t0);
        }
        // The owner, from an address that never failed, is let through at once.
        assert_eq!(throttle.check("10.0.1.1", "lan", t0), Ok(()));
        // Those who failed wait 2^(10-3) s = 128 s after the last failure.
        assert_eq!(throttle.check("10.0.0.4", "lan", t0), Err(128));
        assert_eq!(
            throttle.check("10.0.0.4", "lan", t0 + Duration::from_secs(100)),
            Err(28)
        );
        assert_eq!(
            throttle.check("10.0.0.4", "lan", t0 + Duration::from_secs(128)),
            Ok(())
        );
        // Other accounts are not affected.
        assert_eq!(throttle.check("10.0.0.4", "hoa", t0), Ok(()));
    }

    #[test]
    fn an_address_fails_at_most_limit_times_per_window() {
        let throttle = LoginThrottle::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        throttle.failed("a", "lan", t0);
        assert_eq!(throttle.check("a", "lan", t0), Ok(()), "no delay yet");
        throttle.failed("a", "lan", t0);
        assert_eq!(
            throttle.check("a", "lan", t0 + Duration::from_secs(20)),
            Err(40)
        );
        assert_eq!(
            throttle.check("a", "lan", t0 + Duration::from_secs(60)),
            Ok(())
        );
        // The right password forgives the address.
        throttle.succeeded("a", "lan");
        assert_eq!(throttle.check("a", "lan", t0), Ok(()));
    }

    #[test]
    fn delays_double_and_stop_at_fifteen_minutes() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        let t0 = Instant::now();
        let fail_from = |n: u32| throttle.failed(&format!("10.0.0.{n}"), "lan", t0);
        (0..4).for_each(fail_from);
        assert_eq!(throttle.check("10.0.0.0", "lan", t0), Err(2));
        (4..44).for_each(fail_from);
        assert_eq!(throttle.check("10.0.0.0", "lan", t0), Err(900));
        // After fifteen quiet minutes a failure starts the count again.
        let later = t0 + MAX_DELAY;
        throttle.failed("10.0.0.0", "lan", later);
        assert_eq!(throttle.check("10.0.0.0", "lan", later), Ok(()));
        // With a limit nobody reaches, failures never hold anyone back.
        let lenient = LoginThrottle::new(1_000_000, Duration::from_secs(60));
        for _ in 0..100 {
            lenient.failed("a", "lan", t0);
        }
        assert_eq!(lenient.check("a", "lan", t0), Ok(()));
    }
}
