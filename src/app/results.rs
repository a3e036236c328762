//! The "Kết quả giải quyết hồ sơ" screen: the server's resolution statistics for this month and
//! this year, by field; the kiosk's copy when the server is unreachable.

use motcua_protocol::{FieldStatistics, ResolutionCounts};
use slint::ComponentHandle;

use super::{AppWindow, FieldBar, Kiosk, PeriodFigures, ResultsAdapter, model};
use crate::status::statistics::{Period, fetch, summarize};

pub fn refresh(ui: &AppWindow, kiosk: &Kiosk) {
    let weak = ui.as_weak();
    let client = kiosk.status_client.clone();
    let storage = kiosk.storage.clone();
    kiosk.runtime.spawn(async move {
        let now = crate::catalog::store::now_unix();
        let Some((seen, fresh)) = fetch(&client, &storage, now).await else {
            let _ = weak.upgrade_in_event_loop(|ui| {
                ui.global::<ResultsAdapter>().set_loaded(false);
            });
            return;
        };
        let today = crate::status::today_in_vietnam(now);
        let month = format!("{}-{:02}", today.year(), u8::from(today.month()));
        let (this_month, this_year) = summarize(&seen.value, &month);
        let month_label = format!("{:02}/{}", u8::from(today.month()), today.year());
        let year_label = today.year().to_string();
        let seen_at = seen.seen_at;
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let adapter = ui.global::<ResultsAdapter>();
            adapter.set_month(figures(&this_month));
            adapter.set_year(figures(&this_year));
            adapter.set_month_label(month_label.into());
            adapter.set_year_label(year_label.into());
            adapter.set_outdated(!fresh);
            adapter.set_updated_at(super::format_unix(Some(seen_at)).into());
            adapter.set_loaded(true);
        });
    });
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn bar(field: &FieldStatistics) -> FieldBar {
    let c = &field.counts;
    FieldBar {
        field: field.field.as_str().into(),
        resolved: count(c.resolved()),
        in_time: count(c.early + c.on_time),
        late: count(c.late),
        received: count(c.received),
        in_progress: count(c.in_progress),
    }
}

fn figures(period: &Period) -> PeriodFigures {
    let ResolutionCounts {
        received,
        early,
        on_time,
        late,
        in_progress,
    } = period.total;
    PeriodFigures {
        received: count(received),
        resolved: count(period.total.resolved()),
        in_time: count(early + on_time),
        late: count(late),
        in_progress: count(in_progress),
        max_resolved: period
            .fields
            .iter()
            .map(|f| count(f.counts.resolved()))
            .max()
            .unwrap_or(0),
        fields: model(period.fields.iter().map(bar).collect()),
    }
}

/// Forgets nothing personal (the figures are public) but returns to the month view.
pub fn reset(ui: &AppWindow) {
    ui.global::<ResultsAdapter>().set_year_selected(false);
}
