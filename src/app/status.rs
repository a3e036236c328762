//! The dossier status screen: a scanned receipt, a typed code or a demo sample → the lookup on
//! the network runtime → the dossier, or a precise explanation, on screen.

use std::cell::Cell;
use std::rc::Rc;

use motcua_protocol::{DossierView, Timeliness};
use slint::{ComponentHandle, Image, ModelRc, Rgb8Pixel, SharedPixelBuffer, SharedString};

use super::qr::qr_pixels;
use super::{
    AppWindow, KeyboardAdapter, Kiosk, Nav, Screen, StatusAdapter, StatusMessage, StatusView,
    TimelineRow, model,
};
use crate::status::{Lookup, LookupKey, Scanned, look_up, parse_scanned};

/// Longest code the on-screen keyboard takes; real codes are about 25 characters.
const MAX_TYPED: usize = 40;
const QR_SCALE: u32 = 6;

thread_local! {
    // Bumped by every new lookup and by the end of a visit, so a late answer is never shown to
    // the next visitor.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) {
    let adapter = ui.global::<StatusAdapter>();
    let weak = ui.as_weak();
    let typed_kiosk = kiosk.clone();
    adapter.on_look_up_typed(move || {
        let Some(ui) = weak.upgrade() else { return };
        let typed = ui.global::<StatusAdapter>().get_typed().to_string();
        open_text(&ui, &typed_kiosk, &typed, Origin::Typed);
    });
    let weak = ui.as_weak();
    let sample_kiosk = kiosk.clone();
    adapter.on_look_up(move |code| {
        if let Some(ui) = weak.upgrade() {
            open_text(&ui, &sample_kiosk, &code, Origin::Typed);
        }
    });
    let weak = ui.as_weak();
    adapter.on_try_again(move || {
        if let Some(ui) = weak.upgrade() {
            show_prompt(&ui);
        }
    });
    adapter.set_samples(model(
        kiosk.samples.iter().map(SharedString::from).collect(),
    ));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Typed on the on-screen keyboard: a bad entry is a mistyped code.
    Typed,
    /// From a barcode scanner: a bad entry is someone else's QR code.
    Scanned,
}

/// What a scanner read (keyboard or serial mode), from any screen.
pub fn open_scanned(ui: &AppWindow, kiosk: &Kiosk, text: &str, truncated: bool) {
    if super::staff::takes_scan(ui) {
        super::staff::show_scan(ui, text);
        return;
    }
    if super::submit::takes_scan(ui) {
        // Filling the applicant form: the ID card's QR fills it; nothing else leaves the form.
        super::submit::fill_from_card(ui, text);
        return;
    }
    let scanned = if truncated {
        Scanned::NotOurs
    } else {
        parse_scanned(text, &kiosk.public_base)
    };
    if super::feedback::takes_scan(ui) && !matches!(scanned, Scanned::FeedbackLink(_)) {
        // Rating a visit: the receipt says which dossier.
        super::feedback::fill_from_scan(ui, kiosk, scanned);
        return;
    }
    // Scanned text may have landed in a focused search box on the way; it is not a query.
    super::search::clear(ui);
    show_scanned(ui, kiosk, scanned, Origin::Scanned);
}

pub fn open_text(ui: &AppWindow, kiosk: &Kiosk, text: &str, origin: Origin) {
    show_scanned(ui, kiosk, parse_scanned(text, &kiosk.public_base), origin);
}

pub fn show_scanned(ui: &AppWindow, kiosk: &Kiosk, scanned: Scanned, origin: Origin) {
    if let Scanned::FeedbackLink(reference) = scanned {
        return super::feedback::open_answer(ui, kiosk, reference);
    }
    enter_screen(ui);
    let key = match scanned {
        Scanned::FeedbackLink(_) => return,
        Scanned::StatusLink(token) => LookupKey::Token(token),
        Scanned::Code(code) => LookupKey::Code(code),
        Scanned::DamagedLink => return show_message(ui, StatusMessage::DamagedLink),
        Scanned::CitizenCard => return show_message(ui, StatusMessage::CitizenCard),
        Scanned::Unreadable => return show_message(ui, StatusMessage::Unreadable),
        Scanned::NotOurs => {
            let message = match origin {
                Origin::Typed => StatusMessage::BadCode,
                Origin::Scanned => StatusMessage::NotOurs,
            };
            return show_message(ui, message);
        }
    };
    start_lookup(ui, kiosk, key);
}

fn enter_screen(ui: &AppWindow) {
    let nav = ui.global::<Nav>();
    if nav.get_screen() != Screen::Status {
        nav.invoke_show(Screen::Status);
    }
    ui.global::<KeyboardAdapter>().set_shown(false);
}

fn start_lookup(ui: &AppWindow, kiosk: &Kiosk, key: LookupKey) {
    let mine = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    ui.global::<StatusAdapter>().set_view(StatusView::Loading);
    let weak = ui.as_weak();
    let client = kiosk.status_client.clone();
    let storage = kiosk.storage.clone();
    // The phone QR carries the status page's secret. Whoever scanned the receipt holds it already;
    // whoever typed a (guessable) code must not get it from the kiosk.
    let with_phone_qr = matches!(key, LookupKey::Token(_));
    kiosk.runtime.spawn(async move {
        let outcome = look_up(&client, &storage, key, crate::catalog::store::now_unix()).await;
        let prepared = Prepared::from(outcome, with_phone_qr);
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if GENERATION.with(Cell::get) == mine {
                show_outcome(&ui, prepared);
            }
        });
    });
}

/// A lookup's outcome made ready for the screen off the UI thread (`SharedPixelBuffer` is Send,
/// `slint::Image` is not).
enum Prepared {
    Dossier {
        view: Box<DossierView>,
        qr: Option<SharedPixelBuffer<Rgb8Pixel>>,
        seen_at: Option<i64>,
    },
    Message(StatusMessage),
}

impl Prepared {
    fn from(outcome: Lookup, with_phone_qr: bool) -> Self {
        match outcome {
            Lookup::Current(view) => Self::dossier(view, None, with_phone_qr),
            Lookup::Outdated { view, seen_at } => Self::dossier(view, Some(seen_at), with_phone_qr),
            Lookup::NotFound => Self::Message(StatusMessage::NotFound),
            Lookup::Unavailable => Self::Message(StatusMessage::Unavailable),
            Lookup::Waiting => Self::Message(StatusMessage::Waiting),
        }
    }

    fn dossier(view: DossierView, seen_at: Option<i64>, with_phone_qr: bool) -> Self {
        let qr = with_phone_qr
            .then(|| qr_pixels(&view.status_url, QR_SCALE))
            .flatten();
        Self::Dossier {
            view: Box::new(view),
            qr,
            seen_at,
        }
    }
}

fn show_outcome(ui: &AppWindow, prepared: Prepared) {
    let (view, qr, seen_at) = match prepared {
        Prepared::Message(message) => return show_message(ui, message),
        Prepared::Dossier { view, qr, seen_at } => (view, qr, seen_at),
    };
    let adapter = ui.global::<StatusAdapter>();
    adapter.set_code(view.code.as_str().into());
    adapter.set_procedure_name(view.procedure_name.as_str().into());
    adapter.set_field(view.field.as_str().into());
    adapter.set_received(format_date(view.received_on).into());
    adapter.set_due(format_date(view.due_on).into());
    adapter.set_status(i32::from(view.status.number()));
    adapter.set_timeliness(timeliness_key(view.timeliness).into());
    adapter.set_timeline(model(
        view.history
            .iter()
            .map(|change| TimelineRow {
                status: i32::from(change.status.number()),
                when: super::format_unix(Some(change.at.unix_timestamp())).into(),
                note: change.note.as_deref().unwrap_or_default().into(),
            })
            .collect(),
    ));
    adapter.set_has_page_qr(qr.is_some());
    adapter.set_page_qr(qr.map(Image::from_rgb8).unwrap_or_default());
    adapter.set_outdated(seen_at.is_some());
    adapter.set_seen_at(super::format_unix(seen_at).into());
    adapter.set_message(StatusMessage::None);
    adapter.set_view(StatusView::Found);
}

fn show_message(ui: &AppWindow, message: StatusMessage) {
    clear_dossier(ui);
    let adapter = ui.global::<StatusAdapter>();
    adapter.set_message(message);
    adapter.set_view(StatusView::Message);
}

fn show_prompt(ui: &AppWindow) {
    GENERATION.with(|g| g.set(g.get() + 1));
    clear_dossier(ui);
    let adapter = ui.global::<StatusAdapter>();
    adapter.set_typed("".into());
    adapter.set_message(StatusMessage::None);
    adapter.set_view(StatusView::Prompt);
    let keyboard = ui.global::<KeyboardAdapter>();
    keyboard.set_digits(true);
    keyboard.set_shown(true);
}

/// A key of the on-screen keyboard while the status screen is shown.
pub fn type_key(ui: &AppWindow, key: &str) {
    let adapter = ui.global::<StatusAdapter>();
    let mut typed = adapter.get_typed().to_string();
    for c in key.chars().filter(|c| !c.is_whitespace()) {
        if typed.chars().count() < MAX_TYPED {
            typed.extend(c.to_uppercase());
        }
    }
    adapter.set_typed(typed.into());
}

pub fn backspace(ui: &AppWindow) {
    let adapter = ui.global::<StatusAdapter>();
    let mut typed = adapter.get_typed().to_string();
    typed.pop();
    adapter.set_typed(typed.into());
}

pub fn clear_typed(ui: &AppWindow) {
    ui.global::<StatusAdapter>().set_typed("".into());
}

fn clear_dossier(ui: &AppWindow) {
    let adapter = ui.global::<StatusAdapter>();
    adapter.set_code("".into());
    adapter.set_procedure_name("".into());
    adapter.set_field("".into());
    adapter.set_received("".into());
    adapter.set_due("".into());
    adapter.set_status(0);
    adapter.set_timeliness("".into());
    adapter.set_timeline(ModelRc::default());
    adapter.set_page_qr(Image::default());
    adapter.set_has_page_qr(false);
    adapter.set_outdated(false);
    adapter.set_seen_at("".into());
}

/// Forgets the last visitor's dossier and anything half-typed; a lookup still running is
/// discarded when it answers.
pub fn clear(ui: &AppWindow) {
    GENERATION.with(|g| g.set(g.get() + 1));
    clear_dossier(ui);
    let adapter = ui.global::<StatusAdapter>();
    adapter.set_typed("".into());
    adapter.set_message(StatusMessage::None);
    adapter.set_view(StatusView::Prompt);
}

fn timeliness_key(timeliness: Timeliness) -> &'static str {
    match timeliness {
        Timeliness::Early => "early",
        Timeliness::OnTime => "on_time",
        Timeliness::Late => "late",
        Timeliness::InProgress => "in_progress",
        Timeliness::Overdue => "overdue",
        Timeliness::NotApplicable => "not_applicable",
    }
}

/// `24/11/2026`: how dates are written in Vietnam, in both languages of the screen.
pub fn format_date(date: time::Date) -> String {
    format!(
        "{:02}/{:02}/{}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}
