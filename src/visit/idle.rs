//! When a visit is over: how long without a touch before the kiosk asks "Bạn cần thêm thời
//! gian?", how long it counts down, when the attract screen invites the next visitor, and the
//! hours the resting screen stays black.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The `[idle]` table of `kiosk.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdleConfig {
    /// Seconds without a touch before the visitor is asked whether they need more time.
    pub timeout_secs: u64,
    /// Seconds the question counts down before the visit is cleared.
    pub prompt_secs: u64,
    /// Seconds on the untouched home screen before the attract screen shows.
    pub attract_after_secs: u64,
    /// Local hours ("22:00-06:00") when the resting kiosk shows a black screen instead of the
    /// attract screen; empty: never.
    pub blank_hours: String,
}

impl Default for IdleConfig {
    fn default() -> Self {
        Self {
            timeout_secs: 60,
            prompt_secs: 15,
            attract_after_secs: 120,
            blank_hours: String::new(),
        }
    }
}

impl IdleConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    pub fn attract_after(&self) -> Duration {
        Duration::from_secs(self.attract_after_secs)
    }

    /// The blanking hours, if set and valid (`problems` reports invalid ones).
    pub fn blank_hours(&self) -> Option<BlankHours> {
        self.blank_hours.parse().ok()
    }

    /// Each value out of range, as "idle.key: reason".
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, value, range) in [
            ("timeout_secs", self.timeout_secs, 20..=600),
            ("prompt_secs", self.prompt_secs, 5..=60),
            ("attract_after_secs", self.attract_after_secs, 10..=3600),
        ] {
            if !range.contains(&value) {
                problems.push(format!(
                    "idle.{key}: must be between {} and {} seconds",
                    range.start(),
                    range.end()
                ));
            }
        }
        if !self.blank_hours.trim().is_empty()
            && let Err(reason) = self.blank_hours.parse::<BlankHours>()
        {
            problems.push(format!("idle.blank_hours: {reason}"));
        }
        problems
    }
}

/// A daily span of local time, possibly across midnight: "22:00-06:00".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlankHours {
    start: u16,
    end: u16,
}

impl BlankHours {
    /// Whether `minute` (minutes since local midnight) falls in the span; the end is excluded.
    pub fn contains(self, minute: u16) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }
}

impl FromStr for BlankHours {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let shape =
            || format!("{text:?} must look like \"22:00-06:00\" (from-to, 24-hour local time)");
        let (start, end) = text.trim().split_once('-').ok_or_else(shape)?;
        let minute = |part: &str| -> Option<u16> {
            let (hours, minutes) = part.trim().split_once(':')?;
            if hours.len() != 2 || minutes.len() != 2 {
                return None;
            }
            let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
            (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
        };
        let (start, end) = (
            minute(start).ok_or_else(shape)?,
            minute(end).ok_or_else(shape)?,
        );
        if start == end {
            return Err(format!("{text:?} starts and ends at the same time"));
        }
        Ok(Self { start, end })
    }
}

impl fmt::Display for BlankHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_across_midnight_and_within_a_day() {
        let night: BlankHours = "22:00-06:30".parse().unwrap();
        for (minute, inside) in [
            (21 * 60 + 59, false),
            (22 * 60, true),
            (0, true),
            (6 * 60 + 29, true),
            (6 * 60 + 30, false),
            (12 * 60, false),
        ] {
            assert_eq!(night.contains(minute), inside, "{minute}");
        }
        let lunch: BlankHours = " 11:30 - 13:00 ".parse().unwrap();
        assert!(lunch.contains(12 * 60));
        assert!(!lunch.contains(13 * 60));
        assert!(!lunch.contains(11 * 60 + 29));
        assert_eq!(lunch.to_string(), "11:30-13:00");
    }

    #[test]
    fn bad_hours_and_ranges_are_named() {
        for bad in [
            "22-06",
            "24:00-06:00",
            "22:00",
            "22:60-01:00",
            "08:00-08:00",
            "ab:cd-01:00",
        ] {
            assert!(bad.parse::<BlankHours>().is_err(), "{bad}");
        }
        let config = IdleConfig {
            timeout_secs: 5,
            prompt_secs: 100,
            attract_after_secs: 0,
            blank_hours: "later".into(),
        };
        let problems = config.problems();
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("idle.timeout_secs: must be between 20 and 600"));
        assert!(problems[3].starts_with("idle.blank_hours:"));
        assert!(IdleConfig::default().problems().is_empty());
    }
}
