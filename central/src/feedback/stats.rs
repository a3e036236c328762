//! Rating statistics (`GET /api/v1/ratings/statistics`, `motcua-central ratings`, the fleet page).
//!
//! Bucketing (also in docs/feedback.md): a rating counts in the Vietnam calendar month of its
//! `rated_at`, the kiosk's time when the visitor touched a face (not when the server received it,
//! which may be days later after an outage). The window is the `months` months ending with the
//! current one; ratings outside it (older, or dated after this month by a kiosk's wrong clock)
//! count nowhere. Per field (the rating's `service_point`, or "Không nêu") and per kiosk, counts
//! are over the same window.

use std::collections::BTreeMap;

use motcua_protocol::{RatingCounts, RatingGroup, RatingStatistics, Satisfaction};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::FeedbackError;
use super::store::FeedbackStore;
use crate::status::stats::month_window;
use crate::status::{VIETNAM, vietnam_date};

pub const DEFAULT_MONTHS: u32 = 12;
pub const MAX_MONTHS: u32 = 36;
/// The field of ratings that name none.
pub const NO_SERVICE_POINT: &str = "Không nêu";

/// What statistics need of one rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRow {
    pub satisfaction: Satisfaction,
    pub service_point: Option<String>,
    pub kiosk: String,
    pub rated_at: OffsetDateTime,
}

type MonthKey = (i32, Month);

fn month_of(at: OffsetDateTime) -> MonthKey {
    let day = vietnam_date(at);
    (day.year(), day.month())
}

pub fn month_label((year, month): MonthKey) -> String {
    format!("{year:04}-{:02}", u8::from(month))
}

/// Midnight, Vietnam time, on the first day of the oldest month of `window` (newest first).
fn window_start(window: &[MonthKey]) -> Result<Option<OffsetDateTime>, FeedbackError> {
    let Some(&(year, month)) = window.last() else {
        return Ok(None);
    };
    let day = Date::from_calendar_date(year, month, 1)
        .map_err(|e| FeedbackError::Corrupt(e.to_string()))?;
    Ok(Some(
        PrimitiveDateTime::new(day, Time::MIDNIGHT).assume_offset(VIETNAM),
    ))
}

/// Ratings per month over the `months` months ending with `today`'s, and per field and kiosk.
pub fn statistics(
    store: &FeedbackStore,
    months: u32,
    today: Date,
) -> Result<RatingStatistics, FeedbackError> {
    let window = month_window(today, months);
    let rows = match window_start(&window)? {
        Some(start) => store.rating_rows(start)?,
        None => Vec::new(),
    };
    Ok(bucket(&rows, &window))
}

fn groups(counts: BTreeMap<String, RatingCounts>) -> Vec<RatingGroup> {
    counts
        .into_iter()
        .map(|(key, counts)| RatingGroup { key, counts })
        .collect()
}

/// Counts `rows` into the months of `window` (newest first; every month present, empty or not),
/// and, for the rows inside the window, per field (most ratings first, then by name) and per
/// kiosk (by name).
pub fn bucket(rows: &[RatingRow], window: &[MonthKey]) -> RatingStatistics {
    let mut months: BTreeMap<MonthKey, RatingCounts> = window
        .iter()
        .map(|&key| (key, RatingCounts::default()))
        .collect();
    let mut fields: BTreeMap<String, RatingCounts> = BTreeMap::new();
    let mut kiosks: BTreeMap<String, RatingCounts> = BTreeMap::new();
    let mut total = RatingCounts::default();
    for row in rows {
        let Some(month) = months.get_mut(&month_of(row.rated_at)) else {
            continue;
        };
        month.add(row.satisfaction, 1);
        let field = row
            .service_point
            .clone()
            .unwrap_or_else(|| NO_SERVICE_POINT.to_owned());
        fields.entry(field).or_default().add(row.satisfaction, 1);
        kiosks
            .entry(row.kiosk.clone())
            .or_default()
            .add(row.satisfaction, 1);
        total.add(row.satisfaction, 1);
    }
    let mut fields = groups(fields);
    fields.sort_by(|a, b| {
        b.counts
            .total()
            .cmp(&a.counts.total())
            .then_with(|| a.key.cmp(&b.key))
    });
    RatingStatistics {
        months: window
            .iter()
            .map(|key| RatingGroup {
                key: month_label(*key),
                counts: months.remove(key).unwrap_or_default(),
            })
            .collect(),
        fields,
        kiosks: groups(kiosks),
        total,
    }
}

/// "85,7 %" (a decimal comma, as Vietnamese writes it), or "-" without ratings.
pub fn percent_text(counts: &RatingCounts) -> String {
    counts
        .satisfied_percent()
        .map_or_else(|| "-".to_owned(), |p| format!("{p:.1} %").replace('.', ","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn row(face: Satisfaction, field: Option<&str>, kiosk: &str, at: OffsetDateTime) -> RatingRow {
        RatingRow {
            satisfaction: face,
            service_point: field.map(str::to_owned),
            kiosk: kiosk.to_owned(),
            rated_at: at,
        }
    }

    fn counts(very: u64, satisfied: u64, dissatisfied: u64) -> RatingCounts {
        RatingCounts {
            very_satisfied: very,
            satisfied,
            dissatisfied,
        }
    }

    #[test]
    fn months_are_vietnam_calendar_months_of_the_kiosks_time() {
        use Satisfaction::*;
        let window = month_window(date!(2026 - 03 - 10), 3);
        let rows = [
            // 18:00 UTC on 31 January is 01:00 on 1 February in Vietnam.
            row(
                VerySatisfied,
                Some("Hộ tịch"),
                "quay-1",
                datetime!(2026-01-31 18:00 UTC),
            ),
            // 16:59 UTC on 31 January is still January in Vietnam.
            row(
                Satisfied,
                Some("Hộ tịch"),
                "quay-2",
                datetime!(2026-01-31 16:59 UTC),
            ),
            // Written with the kiosk's own offset.
            row(
                Dissatisfied,
                None,
                "quay-1",
                datetime!(2026-03-01 00:30 +07:00),
            ),
            row(
                Satisfied,
                Some("Cư trú"),
                "quay-1",
                datetime!(2026-03-09 10:00 +07:00),
            ),
            // Before the window, and after it (a kiosk clock in the future): nowhere.
            row(
                Dissatisfied,
                Some("Cư trú"),
                "quay-3",
                datetime!(2025-12-31 16:59 UTC),
            ),
            row(
                Dissatisfied,
                Some("Cư trú"),
                "quay-3",
                datetime!(2026-03-31 17:00 UTC),
            ),
        ];
        let stats = bucket(&rows, &window);
        let months: Vec<(&str, RatingCounts)> = stats
            .months
            .iter()
            .map(|g| (g.key.as_str(), g.counts))
            .collect();
        assert_eq!(
            months,
            [
                ("2026-03", counts(0, 1, 1)),
                ("2026-02", counts(1, 0, 0)),
                ("2026-01", counts(0, 1, 0)),
            ]
        );
        let fields: Vec<(&str, RatingCounts)> = stats
            .fields
            .iter()
            .map(|g| (g.key.as_str(), g.counts))
            .collect();
        assert_eq!(
            fields,
            [
                ("Hộ tịch", counts(1, 1, 0)),
                ("Cư trú", counts(0, 1, 0)),
                (NO_SERVICE_POINT, counts(0, 0, 1)),
            ]
        );
        let kiosks: Vec<(&str, RatingCounts)> = stats
            .kiosks
            .iter()
            .map(|g| (g.key.as_str(), g.counts))
            .collect();
        assert_eq!(
            kiosks,
            [("quay-1", counts(1, 1, 1)), ("quay-2", counts(0, 1, 0))]
        );
        assert_eq!(stats.total, counts(1, 2, 1));
    }

    #[test]
    fn empty_months_are_listed_and_the_window_starts_at_vietnam_midnight() {
        let window = month_window(date!(2026 - 01 - 15), 2);
        let stats = bucket(&[], &window);
        let keys: Vec<&str> = stats.months.iter().map(|g| g.key.as_str()).collect();
        assert_eq!(keys, ["2026-01", "2025-12"]);
        assert!(stats.fields.is_empty() && stats.kiosks.is_empty());
        assert_eq!(stats.total.total(), 0);
        assert_eq!(
            window_start(&window).unwrap(),
            Some(datetime!(2025-11-30 17:00 UTC))
        );
        assert_eq!(window_start(&[]).unwrap(), None);
    }

    #[test]
    fn percent_reads_in_vietnamese() {
        assert_eq!(percent_text(&counts(4, 2, 1)), "85,7 %");
        assert_eq!(percent_text(&counts(0, 0, 0)), "-");
    }
}
