//! Browse by field: fields with counts → the procedures of one field.

use std::rc::Rc;

use slint::ComponentHandle;

use super::{AppWindow, BrowseAdapter, FieldRow, Kiosk, Nav, Screen, model, procedure_rows};

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) {
    let weak = ui.as_weak();
    let field_kiosk = kiosk.clone();
    ui.global::<BrowseAdapter>().on_open_field(move |field| {
        if let Some(ui) = weak.upgrade() {
            open_field(&ui, &field_kiosk, field.to_string());
        }
    });
    let weak = ui.as_weak();
    let open_kiosk = kiosk.clone();
    ui.global::<BrowseAdapter>().on_open(move |code| {
        if let Some(ui) = weak.upgrade() {
            super::detail::open(&ui, &open_kiosk, code.to_string());
        }
    });
}

pub fn refresh_fields(ui: &AppWindow, kiosk: &Kiosk) {
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let fields = s.catalog.fields().unwrap_or_default();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let rows: Vec<FieldRow> = fields
                .into_iter()
                .map(|f| FieldRow {
                    name: f.field.into(),
                    count: i32::try_from(f.procedures).unwrap_or(i32::MAX),
                })
                .collect();
            ui.global::<BrowseAdapter>().set_fields(model(rows));
        });
    });
}

pub fn open_field(ui: &AppWindow, kiosk: &Kiosk, field: String) {
    if ui.global::<BrowseAdapter>().get_fields().row_count() == 0 {
        refresh_fields(ui, kiosk);
    }
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let procedures = s.catalog.by_field(&field).unwrap_or_default();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let adapter = ui.global::<BrowseAdapter>();
            adapter.set_selected_field(field.into());
            adapter.set_procedures(model(procedure_rows(procedures)));
            ui.global::<Nav>().set_screen(Screen::Field);
        });
    });
}

use slint::Model as _;
