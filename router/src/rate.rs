//! The connection rate limit: a token bucket.
//!
//! Aurora DSQL accepts at most 100 new connections per second per cluster, with bursts of up
//! to 1,000. A token bucket says exactly that: the bucket holds at most `burst` tokens, gains
//! `per_second` tokens each second, and every new connection takes one; a connection that finds
//! the bucket empty is refused with FATAL 53400 `Unable to accept connection, rate exceeded.`
//!
//! ```text
//!   burst 3, 1 per second:
//!   t=0.0  ●●●  connect, connect, connect  ->  ○○○   all admitted
//!   t=0.1  ○○○  connect                     ->  refused (53400)
//!   t=1.0  ●○○  connect                     ->  ○○○   admitted (one token grew back)
//!   t=9.0  ●●●  (never more than the burst)
//! ```
//!
//! The bucket is refilled lazily from the time elapsed since the last call, so it needs no
//! timer task. [`TokenBucket::try_take_at`] takes the current instant as an argument, which is
//! how the tests drive it with a synthetic clock.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The default sustained rate of new connections per second (Aurora DSQL's).
pub const DEFAULT_CONNECTIONS_PER_SECOND: u32 = 100;

/// The default burst of new connections (Aurora DSQL's).
pub const DEFAULT_CONNECTION_BURST: u32 = 1_000;

/// The refusal a client gets over the rate (SQLSTATE 53400, configuration_limit_exceeded).
pub const RATE_EXCEEDED_MESSAGE: &str = "Unable to accept connection, rate exceeded.";

/// A connection rate: `per_second` sustained, `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionRate {
    /// New connections allowed per second, sustained.
    pub per_second: u32,
    /// New connections allowed at once after a quiet period (the bucket's size).
    pub burst: u32,
}

impl Default for ConnectionRate {
    /// 100 per second, bursts of 1,000.
    fn default() -> ConnectionRate {
        ConnectionRate {
            per_second: DEFAULT_CONNECTIONS_PER_SECOND,
            burst: DEFAULT_CONNECTION_BURST,
        }
    }
}

/// A token bucket (see the module doc). Thread-safe; the lock is held for a few arithmetic
/// operations only.
#[derive(Debug)]
pub struct TokenBucket {
    /// The rate and size.
    rate: ConnectionRate,
    /// The tokens left and when they were counted.
    state: Mutex<BucketState>,
}

/// The mutable part of a [`TokenBucket`].
#[derive(Debug)]
struct BucketState {
    /// Tokens available, fractional between refills.
    tokens: f64,
    /// When `tokens` was last brought up to date.
    updated: Instant,
}

impl TokenBucket {
    /// A full bucket for `rate`, as of now.
    pub fn new(rate: ConnectionRate) -> TokenBucket {
        TokenBucket::new_at(rate, Instant::now())
    }

    /// A full bucket for `rate`, as of `now`.
    pub fn new_at(rate: ConnectionRate, now: Instant) -> TokenBucket {
        TokenBucket {
            rate,
            state: Mutex::new(BucketState {
                tokens: f64::from(rate.burst),
                updated: now,
            }),
        }
    }

    /// The rate.
    pub fn rate(&self) -> ConnectionRate {
        self.rate
    }

    /// Takes a token now; `false` if the bucket is empty.
    pub fn try_take(&self) -> bool {
        self.try_take_at(Instant::now())
    }

    /// Takes a token at `now`; `false` if the bucket is empty. An instant earlier than the last
    /// one seen adds nothing.
    pub fn try_take_at(&self, now: Instant) -> bool {
        // A poisoned lock only means another thread panicked between two float updates; the
        // state is still a number of tokens, so keep using it.
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let elapsed = now
            .checked_duration_since(state.updated)
            .unwrap_or(Duration::ZERO);
        if !elapsed.is_zero() {
            state.tokens = (state.tokens + elapsed.as_secs_f64() * f64::from(self.rate.per_second))
                .min(f64::from(self.rate.burst));
            state.updated = now;
        }
        if state.tokens >= 1.0 {
            state.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_a_burst_then_the_sustained_rate() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let bucket = TokenBucket::new_at(
            ConnectionRate {
                per_second: 10,
                burst: 5,
            },
            start,
        );
        for _ in 0..5 {
            assert!(bucket.try_take_at(at(0)));
        }
        assert!(!bucket.try_take_at(at(0)), "the burst is used up");
        assert!(!bucket.try_take_at(at(50)), "half a token is not a token");
        assert!(bucket.try_take_at(at(100)), "one token per 100 ms");
        assert!(!bucket.try_take_at(at(150)));
        // A long pause refills to the burst, not beyond.
        let admitted = (0..20).filter(|_| bucket.try_take_at(at(60_000))).count();
        assert_eq!(admitted, 5);
        // Time going backwards adds nothing.
        assert!(!bucket.try_take_at(at(10)));
    }

    #[test]
    fn defaults_are_dsqls() {
        let rate = ConnectionRate::default();
        assert_eq!((rate.per_second, rate.burst), (100, 1_000));
        let start = Instant::now();
        let bucket = TokenBucket::new_at(rate, start);
        let admitted = (0..1_500).filter(|_| bucket.try_take_at(start)).count();
        assert_eq!(admitted, 1_000);
        let later = start + Duration::from_secs(1);
        let admitted = (0..500).filter(|_| bucket.try_take_at(later)).count();
        assert_eq!(admitted, 100);
    }

    #[test]
    fn a_zero_rate_admits_the_burst_only() {
        let start = Instant::now();
        let bucket = TokenBucket::new_at(
            ConnectionRate {
                per_second: 0,
                burst: 1,
            },
            start,
        );
        assert!(bucket.try_take_at(start));
        assert!(!bucket.try_take_at(start + Duration::from_secs(3_600)));
    }
}
