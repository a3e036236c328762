//! Reading aids on every screen. "Chữ lớn" draws the whole window 1.5× larger by changing its
//! scale factor, so text, touch targets and spacing grow together and the layouts reflow to the
//! smaller logical size (720×1280 in portrait). "Tương phản cao" is a theme switch in Slint
//! (`Theme.high-contrast`). Both end with the visit.

use std::cell::Cell;
use std::time::Duration;

use slint::ComponentHandle;
use slint::platform::WindowEvent;

use super::{AppWindow, Header, Theme};

/// How much larger "Chữ lớn" draws everything.
pub const LARGE_TEXT_SCALE: f32 = 1.5;

thread_local! {
    // The platform's own scale factor, before any "Chữ lớn".
    static BASE_SCALE: Cell<Option<f32>> = const { Cell::new(None) };
    // The scale factor to apply at the next turn of the event loop.
    static WANTED_SCALE: Cell<Option<f32>> = const { Cell::new(None) };
}

pub fn wire(ui: &AppWindow) {
    ui.global::<Header>()
        .on_toggle_large_text(super::with_window(ui, toggle_large_text));
}

fn toggle_large_text(ui: &AppWindow) {
    let on = !ui.global::<Header>().get_large_text();
    tracing::info!(on, "large text switched");
    set_large_text(ui, on);
}

pub fn set_large_text(ui: &AppWindow, on: bool) {
    ui.global::<Header>().set_large_text(on);
    let base = BASE_SCALE.with(|b| {
        let base = b.get().unwrap_or_else(|| ui.window().scale_factor());
        b.set(Some(base));
        base
    });
    let factor = if on { base * LARGE_TEXT_SCALE } else { base };
    // Applied once the event being handled (often the touch on the switch itself) is done; when
    // switched several times before that, the last switch wins.
    if WANTED_SCALE.with(|w| w.replace(Some(factor))).is_some() {
        return;
    }
    let weak = ui.as_weak();
    slint::Timer::single_shot(Duration::ZERO, move || {
        let wanted = WANTED_SCALE.with(Cell::take);
        let (Some(ui), Some(factor)) = (weak.upgrade(), wanted) else {
            return;
        };
        let window = ui.window();
        if (window.scale_factor() - factor).abs() < f32::EPSILON {
            return;
        }
        let physical = window.size();
        window.dispatch_event(WindowEvent::ScaleFactorChanged {
            scale_factor: factor,
        });
        window.dispatch_event(WindowEvent::Resized {
            size: physical.to_logical(factor),
        });
    });
}

/// Both aids at once, as the screenshots show them.
pub fn set_reading_aids(ui: &AppWindow, large_text: bool, high_contrast: bool) {
    set_large_text(ui, large_text);
    ui.global::<Theme>().set_high_contrast(high_contrast);
}

/// Normal text and colours, for the next visitor.
pub fn reset(ui: &AppWindow) {
    if ui.global::<Header>().get_large_text() {
        set_large_text(ui, false);
    }
    ui.global::<Theme>().set_high_contrast(false);
}
