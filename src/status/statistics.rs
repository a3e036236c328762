//! The "Kết quả giải quyết hồ sơ" figures: this month's and this year's resolutions, by field,
//! from the server's statistics, cached for when it is unreachable.

use std::collections::BTreeMap;

use motcua_protocol::{FieldStatistics, ResolutionCounts, Statistics};

use super::cache::Seen;
use super::client::StatusClient;
use crate::storage::StorageHandle;

/// One period's figures, fields with the most received dossiers first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    pub total: ResolutionCounts,
    pub fields: Vec<FieldStatistics>,
}

/// This month (`yyyy-mm` of `month`) and the year to date of that month.
pub fn summarize(stats: &Statistics, month: &str) -> (Period, Period) {
    let year = month.get(..4).unwrap_or_default();
    let mut this_month = Period::default();
    let mut by_field: BTreeMap<String, ResolutionCounts> = BTreeMap::new();
    let mut year_total = ResolutionCounts::default();
    for m in &stats.months {
        if m.month == month {
            this_month.total = m.total.clone();
            this_month.fields = m.fields.clone();
        }
        if m.month.get(..4) == Some(year) && m.month.as_str() <= month {
            year_total.add(&m.total);
            for f in &m.fields {
                by_field.entry(f.field.clone()).or_default().add(&f.counts);
            }
        }
    }
    let mut year_fields: Vec<FieldStatistics> = by_field
        .into_iter()
        .map(|(field, counts)| FieldStatistics { field, counts })
        .collect();
    sort_fields(&mut year_fields);
    sort_fields(&mut this_month.fields);
    (
        this_month,
        Period {
            total: year_total,
            fields: year_fields,
        },
    )
}

fn sort_fields(fields: &mut [FieldStatistics]) {
    fields.sort_by(|a, b| {
        (b.counts.received + b.counts.resolved())
            .cmp(&(a.counts.received + a.counts.resolved()))
            .then_with(|| a.field.cmp(&b.field))
    });
}

/// Fresh statistics from the server (and cached), or the cached ones with their date when the
/// server cannot answer, or `None`.
pub async fn fetch(
    client: &StatusClient,
    storage: &StorageHandle,
    now: i64,
) -> Option<(Seen<Statistics>, bool)> {
    match client.statistics().await {
        Ok(stats) => {
            let stored = stats.clone();
            if let Ok(Err(e)) = storage
                .call(move |s| s.status.remember_statistics(&stored, now))
                .await
            {
                tracing::warn!("cannot cache the statistics: {e}");
            }
            Some((
                Seen {
                    value: stats,
                    seen_at: now,
                },
                true,
            ))
        }
        Err(error) => {
            tracing::warn!("cannot fetch the statistics, using the cached ones: {error}");
            match storage.call(|s| s.status.statistics()).await {
                Ok(Ok(Some(seen))) => Some((seen, false)),
                Ok(Ok(None)) => None,
                Ok(Err(e)) => {
                    tracing::warn!("cannot read the cached statistics: {e}");
                    None
                }
                Err(_) => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_protocol::MonthStatistics;

    fn counts(received: u64, early: u64, on_time: u64, late: u64) -> ResolutionCounts {
        ResolutionCounts {
            received,
            early,
            on_time,
            late,
            in_progress: 0,
        }
    }

    fn month(month: &str, fields: &[(&str, ResolutionCounts)]) -> MonthStatistics {
        let mut total = ResolutionCounts::default();
        for (_, c) in fields {
            total.add(c);
        }
        MonthStatistics {
            month: month.into(),
            total,
            fields: fields
                .iter()
                .map(|(f, c)| FieldStatistics {
                    field: (*f).into(),
                    counts: c.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn month_and_year_to_date() {
        let stats = Statistics {
            generated_at: time::OffsetDateTime::UNIX_EPOCH,
            months: vec![
                month("2026-12", &[("Hộ tịch", counts(99, 99, 0, 0))]),
                month(
                    "2026-11",
                    &[
                        ("Hộ tịch", counts(10, 4, 4, 2)),
                        ("Đất đai", counts(30, 1, 1, 8)),
                    ],
                ),
                month("2026-10", &[("Hộ tịch", counts(5, 5, 0, 0))]),
                month("2025-11", &[("Hộ tịch", counts(7, 7, 0, 0))]),
            ],
        };
        let (m, y) = summarize(&stats, "2026-11");
        assert_eq!(m.total, counts(40, 5, 5, 10));
        assert_eq!(m.fields[0].field, "Đất đai", "busiest field first");
        assert_eq!(y.total, counts(45, 10, 5, 10), "Oct + Nov 2026 only");
        assert_eq!(y.fields.len(), 2);
        let hotich = y.fields.iter().find(|f| f.field == "Hộ tịch").unwrap();
        assert_eq!(hotich.counts, counts(15, 9, 4, 2));
        assert_eq!(y.total.on_time_percent(), Some(60.0));
        let (m, _) = summarize(&stats, "2027-01");
        assert_eq!(m, Period::default());
    }
}
