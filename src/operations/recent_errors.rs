//! The kiosk's most recent warnings and errors, for the heartbeat and the staff screen: a
//! `tracing` layer keeps the last few distinct messages in memory. Log messages never carry a
//! visitor's data (the code logs references and codes, not names or ID numbers), so they may
//! leave the kiosk.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use motcua_protocol::{HEARTBEAT_MAX_ERROR_CHARS, HEARTBEAT_MAX_ERRORS};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::Context;

/// Shared handle to the recent messages, newest first.
#[derive(Debug, Clone, Default)]
pub struct RecentErrors {
    lines: Arc<Mutex<VecDeque<String>>>,
}

impl RecentErrors {
    pub fn record(&self, line: &str) {
        let line: String = line.chars().take(HEARTBEAT_MAX_ERROR_CHARS).collect();
        let mut lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.retain(|l| *l != line);
        lines.push_front(line);
        lines.truncate(HEARTBEAT_MAX_ERRORS);
    }

    /// Newest first.
    pub fn snapshot(&self) -> Vec<String> {
        let lines = self.lines.lock().unwrap_or_else(|e| e.into_inner());
        lines.iter().cloned().collect()
    }

    /// A `tracing` layer that records every WARN and ERROR event here.
    pub fn layer(&self) -> RecentErrorsLayer {
        RecentErrorsLayer {
            errors: self.clone(),
        }
    }
}

pub struct RecentErrorsLayer {
    errors: RecentErrors,
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for RecentErrorsLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut text = MessageText::default();
        event.record(&mut text);
        self.errors.record(&format!("{level}: {}", text.0));
    }
}

/// "message key=value …", as the stderr log shows an event.
#[derive(Default)]
struct MessageText(String);

impl Visit for MessageText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let rest = std::mem::take(&mut self.0);
            let _ = write!(self.0, "{value:?}");
            if !rest.is_empty() {
                self.0.push(' ');
                self.0.push_str(&rest);
            }
        } else {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.record_debug(field, &format_args!("{value}"));
        } else {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            let _ = write!(self.0, "{}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    /// What the layer keeps of: an info line, a warning, an error, the warning again, then `more`.
    fn logged(more: impl FnOnce()) -> Vec<String> {
        let errors = RecentErrors::default();
        let subscriber = tracing_subscriber::registry().with(errors.layer());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("not kept");
            let warn = || {
                tracing::warn!(
                    reference = "QUAY1-20261123-0001",
                    "delivery failed: timeout"
                )
            };
            warn();
            tracing::error!("cannot save");
            warn();
            more();
        });
        errors.snapshot()
    }

    #[test]
    fn keeps_the_last_distinct_warnings_and_errors_newest_first() {
        let lines = logged(|| {
            for n in 0..20 {
                tracing::error!("error {n}");
            }
        });
        assert_eq!(lines.len(), HEARTBEAT_MAX_ERRORS);
        assert_eq!(lines[0], "ERROR: error 19");
        assert_eq!(lines[9], "ERROR: error 10");

        let lines = logged(|| tracing::error!("{}", "x".repeat(1000)));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(lines[0].chars().count(), HEARTBEAT_MAX_ERROR_CHARS);
        assert_eq!(
            lines[1],
            "WARN: delivery failed: timeout reference=QUAY1-20261123-0001"
        );
        assert_eq!(lines[2], "ERROR: cannot save");
    }
}
