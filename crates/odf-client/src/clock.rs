//! The clock-skew guard. Every push and pull answer carries the server's clock; the difference to
//! the phone's clock is kept, and more than [`SKEW_WARNING`] either way is a warning to show, since
//! visit times are evidence at verification and the server refuses visits "in the future".
//!
//! The offset is measured when the answer arrives, so it includes the one-way network delay (a few
//! seconds on 2G): far below the warning threshold.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// How far the phone's clock may be off before the user is warned.
pub const SKEW_WARNING: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockSkew {
    /// Server time minus phone time: positive when the phone is behind.
    pub offset_ms: i64,
    /// Phone time of the measurement.
    pub checked_at: DateTime<Utc>,
}

impl ClockSkew {
    pub fn measure(server_time: DateTime<Utc>, phone_now: DateTime<Utc>) -> ClockSkew {
        ClockSkew { offset_ms: (server_time - phone_now).num_milliseconds(), checked_at: phone_now }
    }

    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms)
    }

    /// Whether the phone's clock is off by more than [`SKEW_WARNING`].
    pub fn is_warning(&self) -> bool {
        self.offset().abs() > SKEW_WARNING
    }

    /// Minutes the phone is ahead (positive) or behind (negative) the server, rounded.
    pub fn phone_ahead_minutes(&self) -> i64 {
        self.offset_ms.saturating_neg().saturating_add(30_000).div_euclid(60_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_more_than_five_minutes_off_is_warned_either_way() {
        let phone = Utc::now();
        assert!(!ClockSkew::measure(phone + Duration::minutes(4), phone).is_warning());
        let behind = ClockSkew::measure(phone + Duration::minutes(6), phone);
        assert!(behind.is_warning());
        assert_eq!(behind.phone_ahead_minutes(), -6);
        let ahead = ClockSkew::measure(phone - Duration::hours(2), phone);
        assert!(ahead.is_warning());
        assert_eq!(ahead.phone_ahead_minutes(), 120);
    }
}
