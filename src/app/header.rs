//! The header: clock, sync indicator, language switch.

use std::rc::Rc;

use slint::{ComponentHandle, Timer, TimerMode};

use super::{AppWindow, Header, Kiosk, Nav, Screen};
use crate::catalog::SyncState;

use crate::status::VIETNAM;

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) {
    let weak = ui.as_weak();
    let kiosk = kiosk.clone();
    ui.global::<Header>().on_switch_language(move || {
        let Some(ui) = weak.upgrade() else { return };
        let next = if ui.global::<Header>().get_language() == "vi" {
            "en"
        } else {
            "vi"
        };
        super::select_language(&ui, next);
        // Money on the detail screen is formatted per language.
        if ui.global::<Nav>().get_screen() == Screen::Detail {
            super::detail::reload(&ui, &kiosk);
        }
    });
}

pub fn start_clock(ui: &AppWindow) -> Timer {
    let weak = ui.as_weak();
    let tick = move || {
        if let Some(ui) = weak.upgrade() {
            let now = time::OffsetDateTime::now_utc().to_offset(VIETNAM);
            ui.global::<Header>()
                .set_clock(format!("{:02}:{:02}", now.hour(), now.minute()).into());
        }
    };
    tick();
    let timer = Timer::default();
    timer.start(TimerMode::Repeated, std::time::Duration::from_secs(5), tick);
    timer
}

pub fn show_sync_state(ui: &AppWindow, state: &SyncState, catalog_changed: bool) {
    let header = ui.global::<Header>();
    header.set_online(state.server_reachable && state.last_error.is_none());
    header.set_synced_once(state.last_success_at.is_some());
    header.set_last_sync(format_unix(state.last_success_at).into());
    if catalog_changed {
        ui.global::<Nav>()
            .invoke_navigated(ui.global::<Nav>().get_screen());
    }
}

/// `22/11/2026 14:05`, Vietnam time, or "—" for never.
pub fn format_unix(timestamp: Option<i64>) -> String {
    let Some(timestamp) = timestamp else {
        return "—".to_owned();
    };
    let Ok(utc) = time::OffsetDateTime::from_unix_timestamp(timestamp) else {
        return "—".to_owned();
    };
    let local = utc.to_offset(VIETNAM);
    format!(
        "{:02}/{:02}/{} {:02}:{:02}",
        local.day(),
        u8::from(local.month()),
        local.year(),
        local.hour(),
        local.minute()
    )
}
