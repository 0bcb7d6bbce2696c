//! Retrying with exponential backoff and full jitter: attempt `n` (from 0) waits a random time in
//! `[0, min(max_delay, base_delay * 2^n)]`, or the server's `Retry-After` when it sent one. Jitter
//! keeps a room of phones that lost the network together from all retrying in the same second.
//!
//! The wait goes through a [`Sleeper`] so tests run with [`NoSleep`] and never sleep.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included (1 means never retry).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The upper bound of the wait after failed attempt `attempt` (0-based), before jitter.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.min(20));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait after failed attempt `attempt`: the server's `Retry-After` (capped) if given, else a
    /// random point below [`RetryPolicy::ceiling`].
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_delay);
        }
        let ceiling = u64::try_from(self.ceiling(attempt).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=ceiling))
    }
}

/// How the engine waits between attempts.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// Really waits (tokio's timer).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Never waits, and remembers what it was asked to wait, for tests.
#[derive(Debug, Clone, Default)]
pub struct NoSleep {
    asked: Arc<Mutex<Vec<Duration>>>,
}

impl NoSleep {
    /// The waits asked for so far.
    pub fn asked(&self) -> Vec<Duration> {
        self.asked.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

impl Sleeper for NoSleep {
    async fn sleep(&self, duration: Duration) {
        if let Ok(mut asked) = self.asked.lock() {
            asked.push(duration);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_ceiling_doubles_up_to_the_maximum() {
        let policy = RetryPolicy::default();
        let ceilings: Vec<u64> = (0..8).map(|n| policy.ceiling(n).as_secs()).collect();
        assert_eq!(ceilings, vec![1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(policy.ceiling(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn a_jittered_delay_stays_below_its_ceiling_and_retry_after_wins() {
        let policy = RetryPolicy::default();
        for attempt in 0..10 {
            assert!(policy.delay(attempt, None) <= policy.ceiling(attempt));
        }
        assert_eq!(policy.delay(0, Some(Duration::from_secs(7))), Duration::from_secs(7));
        assert_eq!(policy.delay(0, Some(Duration::from_secs(3600))), Duration::from_secs(60));
    }
}
