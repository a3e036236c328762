//! The on-screen keyboard types into whichever screen is shown: the search box (with Telex) or
//! the dossier code (as typed).

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
        if on_status_screen(&ui) {
            super::status::type_key(&ui, &key);
        } else {
            target.key(&key);
        }
    });
    let weak = ui.as_weak();
    let target = search.clone();
    keyboard.on_backspace(move || {
        let Some(ui) = weak.upgrade() else { return };
        if on_status_screen(&ui) {
            super::status::backspace(&ui);
        } else {
            target.backspace();
        }
    });
    let weak = ui.as_weak();
    keyboard.on_clear(move || {
        let Some(ui) = weak.upgrade() else { return };
        if on_status_screen(&ui) {
            super::status::clear_typed(&ui);
        } else {
            search.clear();
        }
    });
}

fn on_status_screen(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Status
}
