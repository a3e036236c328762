//! The search screen: the on-screen keyboard composes the query, the storage worker searches,
//! results come back to the UI thread. A newer keystroke supersedes older searches.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use slint::{ComponentHandle, Model, ModelRc, VecModel};

use super::{AppWindow, FieldRow, Kiosk, ProcedureRow, SearchAdapter, model, procedure_rows};
use crate::catalog::ProcedureSummary;
use crate::input::Composer;

const RESULT_LIMIT: usize = 60;
const POPULAR_FIELDS: usize = 8;

thread_local! {
    // The text being typed lives on the UI thread only, and is wiped by `clear`.
    static COMPOSER: RefCell<Composer> = RefCell::new(Composer::new());
}

/// The search box: what the on-screen keyboard types while the search screen is shown.
pub struct SearchBox {
    ui: slint::Weak<AppWindow>,
    kiosk: Rc<Kiosk>,
    // Newer keystrokes supersede older searches.
    generation: Arc<AtomicU64>,
}

impl SearchBox {
    fn search(&self, text: String) {
        let Some(ui) = self.ui.upgrade() else { return };
        ui.global::<SearchAdapter>().set_query(text.clone().into());
        run_search(&ui, &self.kiosk, &self.generation, text);
    }

    pub fn key(&self, key: &str) {
        let text = COMPOSER.with_borrow_mut(|c| {
            key.chars().for_each(|k| c.key(k));
            c.text()
        });
        self.search(text);
    }

    pub fn backspace(&self) {
        let text = COMPOSER.with_borrow_mut(|c| {
            c.backspace();
            c.text()
        });
        self.search(text);
    }

    pub fn clear(&self) {
        COMPOSER.with_borrow_mut(Composer::clear);
        self.search(String::new());
    }
}

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) -> Rc<SearchBox> {
    let search_box = Rc::new(SearchBox {
        ui: ui.as_weak(),
        kiosk: kiosk.clone(),
        generation: Arc::new(AtomicU64::new(0)),
    });
    let typed_box = search_box.clone();
    ui.global::<SearchAdapter>().on_typed(move |text| {
        COMPOSER.with_borrow_mut(|c| c.set_text(&text));
        typed_box.search(text.to_string());
    });

    let weak = ui.as_weak();
    let open_kiosk = kiosk.clone();
    ui.global::<SearchAdapter>().on_open(move |code| {
        if let Some(ui) = weak.upgrade() {
            super::detail::open(&ui, &open_kiosk, code.to_string());
        }
    });
    let weak = ui.as_weak();
    let field_kiosk = kiosk.clone();
    ui.global::<SearchAdapter>().on_open_field(move |field| {
        if let Some(ui) = weak.upgrade() {
            super::browse::open_field(&ui, &field_kiosk, field.to_string());
        }
    });
    refresh_popular_fields(ui, kiosk);
    search_box
}

fn run_search(ui: &AppWindow, kiosk: &Kiosk, generation: &Arc<AtomicU64>, query: String) {
    let mine = generation.fetch_add(1, Ordering::SeqCst) + 1;
    if query.trim().is_empty() {
        ui.global::<SearchAdapter>().set_results(ModelRc::default());
        forget_last_search();
        return;
    }
    let latest = generation.clone();
    let weak = ui.as_weak();
    let online_only = ui.global::<SearchAdapter>().get_submit_mode();
    let _ = kiosk.storage.post(move |s| {
        if latest.load(Ordering::SeqCst) != mine {
            return;
        }
        let hits: Vec<ProcedureSummary> = s
            .index()
            .search(&query, RESULT_LIMIT)
            .into_iter()
            .filter(|h| !online_only || h.online != motcua_protocol::OnlineLevel::None)
            .map(|h| ProcedureSummary {
                code: h.code,
                name: h.name,
                field: h.field,
                online: h.online.as_str().to_owned(),
            })
            .collect();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if latest.load(Ordering::SeqCst) == mine {
                show_results(&ui.global::<SearchAdapter>(), procedure_rows(hits));
            }
        });
    });
}

/// Updates the shown results in place. Rows that did not change keep their item and are not
/// drawn again, so a keystroke that refines the query repaints only what it changed: replacing
/// the whole model re-created and repainted every visible row on every keystroke (about
/// 8 ms of the 10 ms median from key to screen, docs/BENCHMARKS.md, figure 2).
fn show_results(adapter: &SearchAdapter, rows: Vec<ProcedureRow>) {
    let shown = adapter.get_results();
    let Some(shown) = shown.as_any().downcast_ref::<VecModel<ProcedureRow>>() else {
        adapter.set_results(model(rows));
        return;
    };
    let kept = shown.row_count().min(rows.len());
    while shown.row_count() > rows.len() {
        shown.remove(shown.row_count() - 1);
    }
    let mut rows = rows.into_iter();
    for (index, row) in rows.by_ref().take(kept).enumerate() {
        if shown.row_data(index).as_ref() != Some(&row) {
            shown.set_row_data(index, row);
        }
    }
    shown.extend(rows);
}

pub fn refresh_popular_fields(ui: &AppWindow, kiosk: &Kiosk) {
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let fields = s.catalog.popular_fields(POPULAR_FIELDS).unwrap_or_default();
        let size = s.catalog.count().unwrap_or_default();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let rows: Vec<FieldRow> = fields
                .into_iter()
                .map(|f| FieldRow {
                    name: f.field.into(),
                    count: i32::try_from(f.procedures).unwrap_or(i32::MAX),
                })
                .collect();
            let adapter = ui.global::<SearchAdapter>();
            adapter.set_popular_fields(model(rows));
            adapter.set_catalog_size(i32::try_from(size).unwrap_or(i32::MAX));
        });
    });
}

/// Forgets the query, its results and the keyboard's buffer.
pub fn clear(ui: &AppWindow) {
    COMPOSER.with_borrow_mut(Composer::clear);
    let adapter = ui.global::<SearchAdapter>();
    adapter.set_query("".into());
    adapter.set_results(ModelRc::default());
    forget_last_search();
}

/// The search index keeps what the last query found, for the next keystroke to build on; a
/// cleared search box, or the end of a visit, leaves no trace of it.
fn forget_last_search() {
    if let Some(kiosk) = super::wired_kiosk() {
        let _ = kiosk.storage.post(|s| s.forget_last_search());
    }
}
