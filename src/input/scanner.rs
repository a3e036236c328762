//! Barcode scanners in keyboard mode type what they read as a fast burst of key presses ending
//! in Enter. This tells such a burst from a person typing, by the time between keys.

use super::serial::MAX_LINE;

/// Settings; defaults suit common USB scanners (1–10 ms between keys) against people (≥ 60 ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurstRules {
    /// Longest pause between two keys of one scan, in milliseconds.
    pub max_gap_ms: u64,
    /// Shortest text taken for a scan; shorter bursts are a person's key rollover.
    pub min_len: usize,
}

impl Default for BurstRules {
    fn default() -> Self {
        Self {
            max_gap_ms: 35,
            min_len: 8,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// An ordinary key: let it through.
    Pass,
    /// The Enter that completed a scan; the text is what was scanned. `truncated` is set when the
    /// burst was longer than anything we accept.
    Scanned { text: String, truncated: bool },
}

#[derive(Debug, Default)]
pub struct BurstDetector {
    rules: BurstRules,
    buffer: String,
    chars: usize,
    truncated: bool,
    last_key_ms: Option<u64>,
}

impl BurstDetector {
    pub fn new(rules: BurstRules) -> Self {
        Self {
            rules,
            ..Self::default()
        }
    }

    /// Feeds one key press; `now_ms` is a monotonic clock in milliseconds.
    pub fn key(&mut self, text: &str, now_ms: u64) -> KeyOutcome {
        let in_burst = self
            .last_key_ms
            .is_some_and(|last| now_ms.saturating_sub(last) <= self.rules.max_gap_ms);
        self.last_key_ms = Some(now_ms);
        if text == "\r" || text == "\n" {
            let complete = in_burst && self.chars >= self.rules.min_len;
            let text = std::mem::take(&mut self.buffer);
            let truncated = std::mem::take(&mut self.truncated);
            self.chars = 0;
            self.last_key_ms = None;
            return if complete {
                KeyOutcome::Scanned { text, truncated }
            } else {
                KeyOutcome::Pass
            };
        }
        let printable: Vec<char> = text.chars().filter(|c| !c.is_control()).collect();
        if printable.is_empty() || text.chars().any(is_private_use) {
            // Shift, arrows and other named keys do not break a burst, nor join it.
            return KeyOutcome::Pass;
        }
        if !in_burst {
            self.forget();
            self.last_key_ms = Some(now_ms);
        }
        for c in printable {
            if self.chars < MAX_LINE {
                self.buffer.push(c);
                self.chars += 1;
            } else {
                self.truncated = true;
            }
        }
        KeyOutcome::Pass
    }

    /// Drops whatever was buffered, e.g. when the visitor walks away.
    pub fn forget(&mut self) {
        self.buffer.clear();
        self.chars = 0;
        self.truncated = false;
        self.last_key_ms = None;
    }
}

/// Slint maps named keys (arrows, F-keys, Shift…) to private-use characters.
fn is_private_use(c: char) -> bool {
    ('\u{F700}'..='\u{F8FF}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(detector: &mut BurstDetector, text: &str, start: u64, gap: u64) -> Vec<KeyOutcome> {
        let mut t = start;
        let mut out = Vec::new();
        for c in text.chars() {
            out.push(detector.key(&c.to_string(), t));
            t += gap;
        }
        out.push(detector.key("\r", t));
        out
    }

    #[test]
    fn a_fast_burst_ending_in_enter_is_a_scan() {
        let mut d = BurstDetector::new(BurstRules::default());
        let out = feed(&mut d, "G09.20-20260609-0092637", 1000, 4);
        assert_eq!(
            out.last(),
            Some(&KeyOutcome::Scanned {
                text: "G09.20-20260609-0092637".into(),
                truncated: false
            })
        );
        assert!(out[..out.len() - 1].iter().all(|o| *o == KeyOutcome::Pass));
    }

    #[test]
    fn people_typing_are_not_scans() {
        let mut d = BurstDetector::new(BurstRules::default());
        let out = feed(&mut d, "dang ky khai sinh", 0, 120);
        assert!(out.iter().all(|o| *o == KeyOutcome::Pass));
        // Two keys rolled over quickly, then Enter: too short to be a scan.
        let out = feed(&mut d, "ab", 10_000, 5);
        assert_eq!(out.last(), Some(&KeyOutcome::Pass));
        // A slow key in the middle restarts the burst: only the tail counts, and it is short.
        let mut d = BurstDetector::new(BurstRules::default());
        for (i, c) in "G09.20-2026".chars().enumerate() {
            d.key(&c.to_string(), i as u64 * 4);
        }
        d.key("x", 500);
        assert_eq!(d.key("\r", 503), KeyOutcome::Pass);
    }

    #[test]
    fn a_pause_before_enter_is_not_a_scan() {
        let mut d = BurstDetector::new(BurstRules::default());
        for (i, c) in "G09.20-20260609-0092637".chars().enumerate() {
            d.key(&c.to_string(), i as u64 * 3);
        }
        assert_eq!(d.key("\r", 2_000), KeyOutcome::Pass);
    }

    #[test]
    fn overlong_bursts_are_cut_and_flagged() {
        let mut d = BurstDetector::new(BurstRules::default());
        let long = "x".repeat(10_000);
        let out = feed(&mut d, &long, 0, 1);
        match out.last() {
            Some(KeyOutcome::Scanned { text, truncated }) => {
                assert!(*truncated);
                assert_eq!(text.chars().count(), MAX_LINE);
            }
            other => panic!("{other:?}"),
        }
        // The next scan starts clean.
        let out = feed(&mut d, "H45.12-20261101-7", 50_000, 2);
        assert_eq!(
            out.last(),
            Some(&KeyOutcome::Scanned {
                text: "H45.12-20261101-7".into(),
                truncated: false
            })
        );
    }
}
