//! Resolution statistics per month and field (`GET /api/v1/statistics`).
//!
//! Bucketing (also in docs/integration.md): a dossier counts as *received* in the month of its
//! received date, and as *in progress* in that same month while its current status is 1, 2, 4, 5
//! or 6. It counts as *early*, *on time* or *late* in the month it was first resolved (status 9
//! or 10), judged against its appointment date, if it is resolved now. Dossiers not accepted,
//! withdrawn or stopped (3, 7, 8) count only as received. Months are Vietnam calendar months; the
//! field is the procedure's field in the catalog, or "Khác" when it is no longer published.

use std::collections::BTreeMap;

use motcua_protocol::{
    DossierStatus, FieldStatistics, MonthStatistics, ResolutionCounts, Statistics, Timeliness,
};
use time::{Date, Month, OffsetDateTime};

use super::StatusError;
use super::store::{DossierStore, date_text, parse_date};

pub const DEFAULT_MONTHS: u32 = 12;
pub const MAX_MONTHS: u32 = 36;
/// The field of dossiers whose procedure has left the catalog.
pub const OTHER_FIELD: &str = "Khác";

/// What statistics need of one dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub field: String,
    pub received_on: Date,
    pub due_on: Date,
    pub status: DossierStatus,
    pub resolved_on: Option<Date>,
}

type MonthKey = (i32, Month);

fn month_of(date: Date) -> MonthKey {
    (date.year(), date.month())
}

/// The `months` calendar months ending with `today`'s, newest first.
pub fn month_window(today: Date, months: u32) -> Vec<MonthKey> {
    let mut key = month_of(today);
    let mut out = Vec::with_capacity(months as usize);
    for _ in 0..months {
        out.push(key);
        key = match key.1 {
            Month::January => (key.0 - 1, Month::December),
            month => (key.0, month.previous()),
        };
    }
    out
}

pub fn statistics(
    store: &DossierStore,
    months: u32,
    today: Date,
    now: OffsetDateTime,
) -> Result<Statistics, StatusError> {
    let window = month_window(today, months);
    let Some(&(year, month)) = window.last() else {
        return Ok(Statistics {
            generated_at: now,
            months: Vec::new(),
        });
    };
    let start = Date::from_calendar_date(year, month, 1)
        .map_err(|e| StatusError::Corrupt(e.to_string()))?;
    let mut stmt = store.conn().prepare(
        "SELECT coalesce(nullif(json_extract(p.body, '$.field'), ''), ?2),
                d.received_on, d.due_on, d.status, d.resolved_on
         FROM dossiers d LEFT JOIN procedures p ON p.code = d.procedure_code AND p.body IS NOT NULL
         WHERE d.received_on >= ?1 OR d.resolved_on >= ?1",
    )?;
    let raw = stmt.query_map([date_text(start), OTHER_FIELD.to_owned()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, u8>(3)?,
            r.get::<_, Option<String>>(4)?,
        ))
    })?;
    let mut rows = Vec::new();
    for row in raw {
        let (field, received, due, status, resolved) = row?;
        rows.push(StatRow {
            field,
            received_on: parse_date(&received)?,
            due_on: parse_date(&due)?,
            status: DossierStatus::from_number(status)
                .ok_or_else(|| StatusError::Corrupt(format!("status {status}")))?,
            resolved_on: resolved.as_deref().map(parse_date).transpose()?,
        });
    }
    Ok(Statistics {
        generated_at: now,
        months: bucket(&rows, &window),
    })
}

/// Counts `rows` into the months of `window` (newest first), by the rules in the module comment.
/// Every month of the window is present, empty or not; within a month, fields with the most
/// dossiers received come first.
pub fn bucket(rows: &[StatRow], window: &[MonthKey]) -> Vec<MonthStatistics> {
    let mut counts: BTreeMap<MonthKey, BTreeMap<&str, ResolutionCounts>> =
        window.iter().map(|&key| (key, BTreeMap::new())).collect();
    for row in rows {
        if let Some(fields) = counts.get_mut(&month_of(row.received_on)) {
            let entry = fields.entry(&row.field).or_default();
            entry.received += 1;
            if !row.status.is_resolved() && !row.status.is_closed_without_result() {
                entry.in_progress += 1;
            }
        }
        let resolved = row.resolved_on.filter(|_| row.status.is_resolved());
        if let Some(day) = resolved
            && let Some(fields) = counts.get_mut(&month_of(day))
        {
            let entry = fields.entry(&row.field).or_default();
            match Timeliness::judge(row.status, row.due_on, Some(day), day) {
                Timeliness::Early => entry.early += 1,
                Timeliness::OnTime => entry.on_time += 1,
                _ => entry.late += 1,
            }
        }
    }
    window
        .iter()
        .map(|key| {
            let mut fields: Vec<FieldStatistics> = counts
                .remove(key)
                .unwrap_or_default()
                .into_iter()
                .map(|(field, counts)| FieldStatistics {
                    field: field.to_owned(),
                    counts,
                })
                .collect();
            fields.sort_by(|a, b| {
                b.counts
                    .received
                    .cmp(&a.counts.received)
                    .then_with(|| a.field.cmp(&b.field))
            });
            let mut total = ResolutionCounts::default();
            for field in &fields {
                total.add(&field.counts);
            }
            MonthStatistics {
                month: format!("{:04}-{:02}", key.0, u8::from(key.1)),
                total,
                fields,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn row(field: &str, received: Date, due: Date, status: u8, resolved: Option<Date>) -> StatRow {
        StatRow {
            field: field.into(),
            received_on: received,
            due_on: due,
            status: DossierStatus::from_number(status).unwrap(),
            resolved_on: resolved,
        }
    }

    #[test]
    fn window_crosses_the_year() {
        let window = month_window(date!(2026 - 02 - 15), 3);
        assert_eq!(
            window,
            [
                (2026, Month::February),
                (2026, Month::January),
                (2025, Month::December)
            ]
        );
    }

    #[test]
    fn received_in_one_month_resolved_in_the_next() {
        let window = month_window(date!(2026 - 06 - 20), 2);
        let rows = [
            // Received in May, resolved early in June.
            row(
                "Hộ tịch",
                date!(2026 - 05 - 28),
                date!(2026 - 06 - 05),
                10,
                Some(date!(2026 - 06 - 02)),
            ),
            // Received and resolved late in June.
            row(
                "Hộ tịch",
                date!(2026 - 06 - 01),
                date!(2026 - 06 - 03),
                9,
                Some(date!(2026 - 06 - 04)),
            ),
            // On time in May.
            row(
                "Cư trú",
                date!(2026 - 05 - 02),
                date!(2026 - 05 - 06),
                10,
                Some(date!(2026 - 05 - 06)),
            ),
            // Still being handled (status 5), received in June.
            row(
                "Cư trú",
                date!(2026 - 06 - 10),
                date!(2026 - 06 - 30),
                5,
                None,
            ),
            // Not accepted: received, nothing else.
            row(
                "Cư trú",
                date!(2026 - 06 - 11),
                date!(2026 - 06 - 30),
                3,
                None,
            ),
            // Resolved once, then reopened: not counted as resolved.
            row(
                "Cư trú",
                date!(2026 - 06 - 12),
                date!(2026 - 06 - 30),
                4,
                Some(date!(2026 - 06 - 13)),
            ),
            // Outside the window.
            row(
                "Cư trú",
                date!(2026 - 04 - 30),
                date!(2026 - 05 - 01),
                10,
                Some(date!(2026 - 04 - 30)),
            ),
        ];
        let months = bucket(&rows, &window);
        assert_eq!(months.len(), 2);
        let june = &months[0];
        assert_eq!(june.month, "2026-06");
        assert_eq!(
            june.total,
            ResolutionCounts {
                received: 4,
                early: 1,
                on_time: 0,
                late: 1,
                in_progress: 2
            }
        );
        assert_eq!(june.fields[0].field, "Cư trú"); // three received, before Hộ tịch's one
        assert_eq!(
            june.fields[0].counts,
            ResolutionCounts {
                received: 3,
                early: 0,
                on_time: 0,
                late: 0,
                in_progress: 2
            }
        );
        assert_eq!(
            june.fields[1].counts,
            ResolutionCounts {
                received: 1,
                early: 1,
                on_time: 0,
                late: 1,
                in_progress: 0
            }
        );
        let may = &months[1];
        assert_eq!(may.month, "2026-05");
        assert_eq!(
            may.total,
            ResolutionCounts {
                received: 2,
                early: 0,
                on_time: 1,
                late: 0,
                in_progress: 0
            }
        );
        assert!(bucket(&[], &window).iter().all(|m| m.fields.is_empty()));
    }
}
