//! The on-screen keyboard types into whichever screen is shown: the search box (with Telex), the
//! dossier code (as typed), the applicant form's focused field, a staff setting, or a feedback
//! text box.

use std::rc::Rc;

use slint::ComponentHandle;

use super::search::SearchBox;
use super::{AppWindow, KeyboardAdapter, Nav, Screen};

pub fn wire(ui: &AppWindow, search: Rc<SearchBox>) {
    let keyboard = ui.global::<KeyboardAdapter>();
    let weak = ui.as_weak();
    let target = search.clone();
    keyboard.on_key(move |key| {
        let Some(ui) = weak.upgrade() else { return };
        if on_staff_screen(&ui) {
            super::staff::type_key(&ui, &key);
        } else if on_status_screen(&ui) {
            super::status::type_key(&ui, &key);
        } else if on_submit_screen(&ui) {
            super::submit::type_key(&ui, &key);
        } else if on_feedback_screen(&ui) {
            super::feedback::type_key(&ui, &key);
        } else {
            target.key(&key);
        }
    });
    let weak = ui.as_weak();
    let target = search.clone();
    keyboard.on_backspace(move || {
        let Some(ui) = weak.upgrade() else { return };
        if on_staff_screen(&ui) {
            super::staff::backspace(&ui);
        } else if on_status_screen(&ui) {
            super::status::backspace(&ui);
        } else if on_submit_screen(&ui) {
            super::submit::backspace(&ui);
        } else if on_feedback_screen(&ui) {
            super::feedback::backspace(&ui);
        } else {
            target.backspace();
        }
    });
    let weak = ui.as_weak();
    keyboard.on_clear(move || {
        let Some(ui) = weak.upgrade() else { return };
        if on_staff_screen(&ui) {
            super::staff::clear_field(&ui);
        } else if on_status_screen(&ui) {
            super::status::clear_typed(&ui);
        } else if on_submit_screen(&ui) {
            super::submit::clear_field(&ui);
        } else if on_feedback_screen(&ui) {
            super::feedback::clear_field(&ui);
        } else {
            search.clear();
        }
    });
}

fn on_staff_screen(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Staff
}

fn on_status_screen(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Status
}

fn on_submit_screen(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Submit
}

fn on_feedback_screen(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Feedback
}
