//! The submission screens: applicant → documents (scanner or phone) → review → saved → receipt.
//! What the visitor gives lives only here, on the UI thread, and in the visit's staging folder,
//! until they confirm (then it is in the outbox) or leave (then it is wiped).

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use motcua_protocol::{
    ApplicantError, ApplicantInput, CitizenCard, CitizenIdError, ClientId, EmailError, MediaType,
    PhoneError, Procedure, SubmissionReceipt, TextFieldError,
};
use slint::{
    ComponentHandle, Image, ModelRc, Rgb8Pixel, Rgba8Pixel, SharedPixelBuffer, SharedString, Timer,
    TimerMode,
};

use super::qr::qr_pixels;
use super::{
    AppWindow, ApplicantField, AttachProblem, DocumentSlot, FieldProblem, Header, KeyboardAdapter,
    Kiosk, Nav, PageRow, PrintState, Screen, SubmitAdapter, SubmitStep, model,
};
use crate::input::Composer;
use crate::submission::attachment::{Attachment, AttachmentError, stage};
use crate::submission::intake::{Staging, accepts_online, missing_required};
use crate::submission::outbox::Draft;

const FIELDS: usize = 6;
const NAME: usize = 0;
const CITIZEN_ID: usize = 1;
const BIRTH_DATE: usize = 2;
const PHONE: usize = 3;
const ADDRESS: usize = 4;
const EMAIL: usize = 5;
const QR_SCALE: u32 = 6;

struct Visit {
    procedure: Procedure,
    values: [String; FIELDS],
    problems: [FieldProblem; FIELDS],
    composer: Composer,
    attachments: Vec<Attachment>,
    thumbnails: Vec<(ClientId, Option<SharedPixelBuffer<Rgba8Pixel>>)>,
    staging: Staging,
    phone: Option<PhoneSession>,
    card_filled: bool,
    /// Kept after confirmation for the printed receipt only ("Người nộp"); gone with the visit.
    receipt_name: Option<String>,
    fee_total_vnd: u64,
    /// The status page the saved dossier will have, for a slip printed before delivery.
    saved_status_url: Option<String>,
}

struct PhoneSession {
    id: ClientId,
    document: usize,
    seen: HashSet<ClientId>,
    _poll: Timer,
}

thread_local! {
    static VISIT: RefCell<Option<Visit>> = const { RefCell::new(None) };
    // The receipt's delivery check while it is on screen.
    static RECEIPT_POLL: RefCell<Option<Timer>> = const { RefCell::new(None) };
}

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) {
    let adapter = ui.global::<SubmitAdapter>();
    let weak = ui.as_weak();
    let k = kiosk.clone();
    adapter.on_start(move |code| {
        if let Some(ui) = weak.upgrade() {
            start(&ui, &k, code.to_string());
        }
    });
    let weak = ui.as_weak();
    adapter.on_focus_field(move |index| {
        if let Some(ui) = weak.upgrade() {
            focus(&ui, index);
        }
    });
    let weak = ui.as_weak();
    adapter.on_edited(move |index, text| {
        let Some(ui) = weak.upgrade() else { return };
        let Ok(index) = usize::try_from(index) else {
            return;
        };
        with_visit(|v| {
            if let Some(value) = v.values.get_mut(index) {
                *value = text.to_string();
                v.problems[index] = FieldProblem::None;
            }
            if usize::try_from(ui.global::<SubmitAdapter>().get_focused()) == Ok(index) {
                v.composer.set_text(&text);
            }
        });
        show_fields(&ui);
    });
    let weak = ui.as_weak();
    adapter.on_next(move || {
        if let Some(ui) = weak.upgrade() {
            next(&ui);
        }
    });
    adapter.on_back(super::with_kiosk(ui, kiosk, back));
    let weak = ui.as_weak();
    let k = kiosk.clone();
    adapter.on_scan(move |document| {
        if let (Some(ui), Ok(document)) = (weak.upgrade(), usize::try_from(document)) {
            scan(&ui, &k, document);
        }
    });
    let weak = ui.as_weak();
    let k = kiosk.clone();
    adapter.on_phone(move |document| {
        if let (Some(ui), Ok(document)) = (weak.upgrade(), usize::try_from(document)) {
            start_phone(&ui, &k, document);
        }
    });
    adapter.on_stop_phone(super::with_kiosk(ui, kiosk, stop_phone));
    let weak = ui.as_weak();
    adapter.on_remove_page(move |document, page| {
        if let Some(ui) = weak.upgrade() {
            remove_page(&ui, document, page);
        }
    });
    adapter.on_confirm(super::with_kiosk(ui, kiosk, confirm));
    adapter.on_print(super::with_kiosk(ui, kiosk, print));
    let weak = ui.as_weak();
    adapter.on_finish(move || {
        if let Some(ui) = weak.upgrade() {
            super::reset_visit(&ui);
        }
    });
    adapter.set_can_scan(kiosk.submission.scanner_command.is_some());
    adapter.set_can_print(kiosk.submission.printer.is_some());
}

fn with_visit<R>(f: impl FnOnce(&mut Visit) -> R) -> Option<R> {
    VISIT.with_borrow_mut(|visit| visit.as_mut().map(f))
}

fn start(ui: &AppWindow, kiosk: &Kiosk, code: String) {
    let data_dir = kiosk.submission.data_dir.clone();
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let procedure = match s.catalog.get(&code) {
            Ok(Some(p)) if accepts_online(&p) => p,
            Ok(_) => return,
            Err(e) => {
                tracing::error!("cannot read procedure {code}: {e}");
                return;
            }
        };
        let staging = match Staging::new(&data_dir) {
            Ok(staging) => staging,
            Err(e) => {
                tracing::error!("cannot create a staging folder for a submission: {e}");
                return;
            }
        };
        let _ = weak.upgrade_in_event_loop(move |ui| {
            clear(&ui);
            VISIT.with_borrow_mut(|visit| {
                *visit = Some(Visit {
                    procedure,
                    values: Default::default(),
                    problems: [FieldProblem::None; FIELDS],
                    composer: Composer::new(),
                    attachments: Vec::new(),
                    thumbnails: Vec::new(),
                    staging,
                    phone: None,
                    card_filled: false,
                    receipt_name: None,
                    fee_total_vnd: 0,
                    saved_status_url: None,
                });
            });
            let adapter = ui.global::<SubmitAdapter>();
            with_visit(|v| {
                adapter.set_procedure_code(v.procedure.code.as_str().into());
                adapter.set_procedure_name(v.procedure.name.as_str().into());
                adapter.set_online(v.procedure.online.as_str().into());
            });
            adapter.set_step(SubmitStep::Applicant);
            show_fields(&ui);
            show_documents(&ui);
            ui.global::<Nav>().invoke_show(Screen::Submit);
            focus(&ui, 0);
        });
    });
}

fn focus(ui: &AppWindow, index: i32) {
    let Ok(field) = usize::try_from(index) else {
        return;
    };
    if field >= FIELDS {
        return;
    }
    with_visit(|v| v.composer.set_text(&v.values[field]));
    ui.global::<SubmitAdapter>().set_focused(index);
    let keyboard = ui.global::<KeyboardAdapter>();
    keyboard.set_digits(matches!(field, CITIZEN_ID | BIRTH_DATE | PHONE));
    keyboard.set_shown(true);
}

/// What a key of the on-screen keyboard does to the focused field.
enum Edit<'a> {
    Keys(&'a str),
    Backspace,
    Clear,
}

/// A key of the on-screen keyboard while the applicant form is shown.
pub fn type_key(ui: &AppWindow, key: &str) {
    edit_focused(ui, Edit::Keys(key));
}

pub fn backspace(ui: &AppWindow) {
    edit_focused(ui, Edit::Backspace);
}

pub fn clear_field(ui: &AppWindow) {
    edit_focused(ui, Edit::Clear);
}

fn edit_focused(ui: &AppWindow, edit: Edit<'_>) {
    let Ok(field) = usize::try_from(ui.global::<SubmitAdapter>().get_focused()) else {
        return;
    };
    if field >= FIELDS {
        return;
    }
    with_visit(|v| {
        if matches!(field, NAME | ADDRESS) {
            // Names and addresses are Vietnamese: Telex composes them.
            match edit {
                Edit::Keys(keys) => keys.chars().for_each(|k| v.composer.key(k)),
                Edit::Backspace => v.composer.backspace(),
                Edit::Clear => v.composer.clear(),
            }
            v.values[field] = v.composer.text();
        } else {
            // Numbers, dates and e-mail addresses as typed.
            let value = &mut v.values[field];
            match edit {
                Edit::Keys(keys) => value.push_str(keys),
                Edit::Backspace => {
                    value.pop();
                }
                Edit::Clear => value.clear(),
            }
        }
        v.problems[field] = FieldProblem::None;
    });
    show_fields(ui);
}

/// Whether a scan belongs to this screen: the applicant's ID card fills the form.
pub fn takes_scan(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Submit
        && ui.global::<SubmitAdapter>().get_step() == SubmitStep::Applicant
}

/// Fills the form from the QR code on the front of a CCCD card. Anything else scanned here is
/// ignored: it is not a dossier status request while a form is being filled.
pub fn fill_from_card(ui: &AppWindow, text: &str) {
    let Some(card) = CitizenCard::parse(text) else {
        return;
    };
    with_visit(|v| {
        v.values[NAME] = card.full_name.clone();
        v.values[CITIZEN_ID] = card.citizen_id.as_str().to_owned();
        if let Some(birth) = card.birth_date {
            v.values[BIRTH_DATE] = super::format_date(birth);
        }
        if !card.address.is_empty() {
            v.values[ADDRESS] = card.address.clone();
        }
        v.problems = [FieldProblem::None; FIELDS];
        v.card_filled = true;
    });
    ui.global::<SubmitAdapter>().set_card_filled(true);
    show_fields(ui);
    focus(ui, PHONE as i32);
}

fn show_fields(ui: &AppWindow) {
    let rows = with_visit(|v| {
        (0..FIELDS)
            .map(|i| ApplicantField {
                value: v.values[i].as_str().into(),
                problem: v.problems[i],
            })
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    ui.global::<SubmitAdapter>().set_fields(model(rows));
}

fn input_of(v: &Visit) -> ApplicantInput {
    ApplicantInput {
        full_name: v.values[NAME].clone(),
        citizen_id: v.values[CITIZEN_ID].clone(),
        birth_date: v.values[BIRTH_DATE].clone(),
        phone: v.values[PHONE].clone(),
        address: v.values[ADDRESS].clone(),
        email: Some(v.values[EMAIL].clone()),
    }
}

fn text_problem(e: TextFieldError) -> FieldProblem {
    match e {
        TextFieldError::Empty => FieldProblem::Empty,
        TextFieldError::TooLong(_) => FieldProblem::TooLong,
        TextFieldError::Forbidden => FieldProblem::Forbidden,
    }
}

fn place(problem: &ApplicantError) -> (usize, FieldProblem) {
    match problem {
        ApplicantError::FullName(e) => (NAME, text_problem(*e)),
        ApplicantError::CitizenId(e) => (
            CITIZEN_ID,
            match e {
                CitizenIdError::Length => FieldProblem::IdLength,
                CitizenIdError::NotDigits => FieldProblem::IdDigits,
                CitizenIdError::Province => FieldProblem::IdProvince,
                CitizenIdError::BirthYear => FieldProblem::IdBirthYear,
            },
        ),
        ApplicantError::BirthDate => (BIRTH_DATE, FieldProblem::BirthDate),
        ApplicantError::Phone(PhoneError::Format) => (PHONE, FieldProblem::Phone),
        ApplicantError::Address(e) => (ADDRESS, text_problem(*e)),
        ApplicantError::Email(EmailError::Format) => (EMAIL, FieldProblem::Email),
    }
}

fn next(ui: &AppWindow) {
    let adapter = ui.global::<SubmitAdapter>();
    match adapter.get_step() {
        SubmitStep::Applicant => {
            let today = crate::status::today_in_vietnam(crate::catalog::store::now_unix());
            let valid = with_visit(|v| match input_of(v).parse(today) {
                Ok(_) => true,
                Err(problems) => {
                    for problem in &problems {
                        let (field, kind) = place(problem);
                        if v.problems[field] == FieldProblem::None {
                            v.problems[field] = kind;
                        }
                    }
                    false
                }
            })
            .unwrap_or(false);
            show_fields(ui);
            if valid {
                ui.global::<KeyboardAdapter>().set_shown(false);
                adapter.set_step(SubmitStep::Documents);
            }
        }
        SubmitStep::Documents => {
            let missing =
                with_visit(|v| missing_required(&v.procedure, &v.attachments)).unwrap_or_default();
            if missing.is_empty() {
                adapter.set_attach_problem(AttachProblem::None);
                adapter.set_missing(ModelRc::default());
                adapter.set_step(SubmitStep::Review);
            } else {
                adapter.set_missing(model(missing.into_iter().map(SharedString::from).collect()));
                adapter.set_attach_problem(AttachProblem::MissingRequired);
            }
        }
        _ => {}
    }
}

fn back(ui: &AppWindow, kiosk: &Kiosk) {
    let adapter = ui.global::<SubmitAdapter>();
    match adapter.get_step() {
        SubmitStep::Applicant => {
            let code = adapter.get_procedure_code().to_string();
            super::reset_visit(ui);
            super::detail::open(ui, kiosk, code);
        }
        SubmitStep::Documents => {
            stop_phone(ui, kiosk);
            adapter.set_attach_problem(AttachProblem::None);
            adapter.set_step(SubmitStep::Applicant);
            focus(ui, 0);
        }
        SubmitStep::Review => adapter.set_step(SubmitStep::Documents),
        SubmitStep::Saving => {}
        SubmitStep::Receipt => super::reset_visit(ui),
    }
}

fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn show_documents(ui: &AppWindow) {
    let slots = with_visit(|v| {
        v.procedure
            .documents
            .iter()
            .map(|d| DocumentSlot {
                name: d.name.as_str().into(),
                required: d.is_required(),
                pages: model(
                    v.attachments
                        .iter()
                        .filter(|a| a.document == d.name)
                        .map(|a| PageRow {
                            thumbnail: v
                                .thumbnails
                                .iter()
                                .find(|(id, _)| *id == a.file_id)
                                .and_then(|(_, t)| t.clone())
                                .map(Image::from_rgba8)
                                .unwrap_or_default(),
                            is_pdf: a.media_type == MediaType::Pdf,
                            size: human_size(a.size).into(),
                        })
                        .collect(),
                ),
            })
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    ui.global::<SubmitAdapter>().set_documents(model(slots));
}

/// A page made ready off the UI thread: staged on disk, with its thumbnail.
struct StagedPage {
    attachment: Attachment,
    thumbnail: Option<SharedPixelBuffer<Rgba8Pixel>>,
}

fn thumbnail(attachment: &Attachment) -> Option<SharedPixelBuffer<Rgba8Pixel>> {
    if attachment.media_type == MediaType::Pdf {
        return None;
    }
    let picture = image::open(&attachment.path).ok()?;
    let small = picture.thumbnail(300, 400).to_rgba8();
    Some(SharedPixelBuffer::clone_from_slice(
        small.as_raw(),
        small.width(),
        small.height(),
    ))
}

fn limit_text(error: &AttachmentError) -> (AttachProblem, String) {
    match error {
        AttachmentError::Empty => (AttachProblem::Empty, String::new()),
        AttachmentError::TooLarge { limit } => (AttachProblem::TooLarge, human_size(*limit)),
        AttachmentError::NotAllowedType => (AttachProblem::NotAllowedType, String::new()),
        AttachmentError::TooManyPages { limit } => (AttachProblem::TooManyPages, limit.to_string()),
        AttachmentError::TotalTooLarge { limit } => {
            (AttachProblem::TotalTooLarge, human_size(*limit))
        }
        // The page arrived but the kiosk's disk did not take it (full, failing): not the
        // scanner's fault, and the visitor should not be sent to another device for it.
        AttachmentError::Io(_) => (AttachProblem::NotStored, String::new()),
    }
}

/// Stages `bytes` as a page of `document` on a blocking thread and shows the outcome.
fn attach_bytes(ui: &AppWindow, kiosk: &Kiosk, document: usize, bytes: Vec<u8>) {
    let Some((name, dir, already)) = with_visit(|v| {
        (
            v.procedure.documents.get(document).map(|d| d.name.clone()),
            v.staging.dir().to_owned(),
            v.attachments.clone(),
        )
    }) else {
        return;
    };
    let Some(name) = name else { return };
    let limits = kiosk.submission.limits;
    let weak = ui.as_weak();
    kiosk.runtime.spawn_blocking(move || {
        let outcome = stage(&dir, &name, &bytes[..], &limits, &already).map(|attachment| {
            let thumbnail = thumbnail(&attachment);
            StagedPage {
                attachment,
                thumbnail,
            }
        });
        let _ = weak.upgrade_in_event_loop(move |ui| show_staged(&ui, outcome));
    });
}

fn show_staged(ui: &AppWindow, outcome: Result<StagedPage, AttachmentError>) {
    let adapter = ui.global::<SubmitAdapter>();
    adapter.set_scanning(false);
    match outcome {
        Ok(page) => {
            let path = page.attachment.path.clone();
            let kept = with_visit(|v| {
                v.thumbnails
                    .push((page.attachment.file_id.clone(), page.thumbnail));
                v.attachments.push(page.attachment);
            });
            if kept.is_none() {
                // The visitor left meanwhile: the page must not outlive the visit.
                if let Some(dir) = path.parent() {
                    let _ = crate::submission::durable::remove_dir_durably(dir);
                }
                return;
            }
            adapter.set_attach_problem(AttachProblem::None);
            adapter.set_missing(ModelRc::default());
            show_documents(ui);
        }
        Err(error) => {
            let (problem, limit) = limit_text(&error);
            if let AttachmentError::Io(e) = &error {
                tracing::error!("cannot store an attached page: {e}");
            }
            adapter.set_limit(limit.into());
            adapter.set_attach_problem(problem);
        }
    }
}

fn scan(ui: &AppWindow, kiosk: &Kiosk, document: usize) {
    let Some(command) = kiosk.submission.scanner_command.clone() else {
        return;
    };
    let adapter = ui.global::<SubmitAdapter>();
    adapter.set_scanning(true);
    adapter.set_attach_problem(AttachProblem::None);
    let limit = kiosk.submission.limits.max_file_bytes;
    let weak = ui.as_weak();
    kiosk.runtime.spawn_blocking(move || {
        let scanned = crate::submission::document_scanner::scan_page(
            &command,
            limit,
            Duration::from_secs(120),
        );
        let _ = weak.upgrade_in_event_loop(move |ui| match scanned {
            Ok(bytes) => {
                if let Some(kiosk) = super::wired_kiosk() {
                    attach_bytes(&ui, &kiosk, document, bytes);
                }
            }
            Err(e) => {
                tracing::error!("document scanner: {e}");
                let adapter = ui.global::<SubmitAdapter>();
                adapter.set_scanning(false);
                adapter.set_attach_problem(AttachProblem::ScannerFailed);
            }
        });
    });
}

fn start_phone(ui: &AppWindow, kiosk: &Kiosk, document: usize) {
    stop_phone(ui, kiosk);
    let Some(client) = kiosk.submission.phone.clone() else {
        ui.global::<SubmitAdapter>()
            .set_attach_problem(AttachProblem::PhoneFailed);
        return;
    };
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let opened = client.open().await;
        let prepared = opened.map(|session| {
            let qr = qr_pixels(&session.upload_url, QR_SCALE);
            (session.session_id, qr)
        });
        let _ = weak.upgrade_in_event_loop(move |ui| match prepared {
            Ok((id, qr)) => show_phone(&ui, id, qr, document),
            Err(e) => {
                tracing::warn!("cannot open a phone upload session: {e}");
                ui.global::<SubmitAdapter>()
                    .set_attach_problem(AttachProblem::PhoneFailed);
            }
        });
    });
}

fn show_phone(
    ui: &AppWindow,
    id: ClientId,
    qr: Option<SharedPixelBuffer<Rgb8Pixel>>,
    document: usize,
) {
    let poll = Timer::default();
    let weak = ui.as_weak();
    poll.start(TimerMode::Repeated, Duration::from_secs(2), move || {
        if let Some(ui) = weak.upgrade() {
            poll_phone(&ui);
        }
    });
    let placed = with_visit(|v| {
        v.phone = Some(PhoneSession {
            id,
            document,
            seen: HashSet::new(),
            _poll: poll,
        });
    });
    if placed.is_none() {
        return;
    }
    let adapter = ui.global::<SubmitAdapter>();
    adapter.set_phone_qr(qr.map(Image::from_rgb8).unwrap_or_default());
    adapter.set_phone_document(i32::try_from(document).unwrap_or(-1));
    adapter.set_attach_problem(AttachProblem::None);
}

/// Fetches what the phone sent since the last look and attaches it.
pub fn poll_phone(ui: &AppWindow) {
    let Some(kiosk) = super::wired_kiosk() else {
        return;
    };
    let Some(client) = kiosk.submission.phone.clone() else {
        return;
    };
    let Some(Some((id, seen, document))) = with_visit(|v| {
        v.phone
            .as_ref()
            .map(|p| (p.id.clone(), p.seen.clone(), p.document))
    }) else {
        return;
    };
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let Ok(list) = client.list(&id).await else {
            return;
        };
        for file in list
            .files
            .into_iter()
            .filter(|f| !seen.contains(&f.file_id))
        {
            let Ok(bytes) = client.fetch(&id, &file.file_id).await else {
                continue;
            };
            let file_id = file.file_id.clone();
            let _ = weak.upgrade_in_event_loop(move |ui| {
                let fresh = with_visit(|v| match &mut v.phone {
                    Some(phone) if phone.document == document => phone.seen.insert(file_id),
                    _ => false,
                })
                .unwrap_or(false);
                if fresh && let Some(kiosk) = super::wired_kiosk() {
                    attach_bytes(&ui, &kiosk, document, bytes);
                }
            });
        }
    });
}

fn stop_phone(ui: &AppWindow, kiosk: &Kiosk) {
    let session = with_visit(|v| v.phone.take()).flatten();
    ui.global::<SubmitAdapter>().set_phone_document(-1);
    ui.global::<SubmitAdapter>().set_phone_qr(Image::default());
    if let (Some(session), Some(client)) = (session, kiosk.submission.phone.clone()) {
        kiosk.runtime.spawn(async move {
            if let Err(e) = client.close(&session.id).await {
                tracing::warn!("cannot end a phone upload session: {e}");
            }
        });
    }
}

fn remove_page(ui: &AppWindow, document: i32, page: i32) {
    let (Ok(document), Ok(page)) = (usize::try_from(document), usize::try_from(page)) else {
        return;
    };
    with_visit(|v| {
        let Some(name) = v.procedure.documents.get(document).map(|d| d.name.clone()) else {
            return;
        };
        let Some(position) = v
            .attachments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.document == name)
            .nth(page)
            .map(|(i, _)| i)
        else {
            return;
        };
        let removed = v.attachments.remove(position);
        v.thumbnails.retain(|(id, _)| *id != removed.file_id);
        if let Err(e) = std::fs::remove_file(&removed.path) {
            tracing::warn!("cannot delete a removed page: {e}");
        }
    });
    show_documents(ui);
}

fn confirm(ui: &AppWindow, kiosk: &Kiosk) {
    let today = crate::status::today_in_vietnam(crate::catalog::store::now_unix());
    let Some(Ok(draft)) = with_visit(|v| {
        input_of(v).parse(today).map(|applicant| Draft {
            procedure_code: v.procedure.code.clone(),
            procedure_name: v.procedure.name.clone(),
            applicant,
            attachments: v.attachments.clone(),
        })
    }) else {
        return;
    };
    let adapter = ui.global::<SubmitAdapter>();
    adapter.set_save_failed(false);
    adapter.set_step(SubmitStep::Saving);
    let kiosk_name = kiosk.submission.kiosk_name.clone();
    let weak = ui.as_weak();
    let wake = kiosk.submission.wake.clone();
    let public_base = kiosk.public_base.clone();
    let _ = kiosk.storage.post(move |s| {
        let now = time::OffsetDateTime::now_utc();
        let outcome = s.outbox.confirm(&draft, &kiosk_name, now);
        if outcome.is_ok() {
            wake.notify_one();
        }
        // The token the server will give the dossier: its QR code works once delivered.
        let outcome = outcome.map(|confirmed| {
            let url = confirmed
                .status_token
                .as_ref()
                .map(|token| motcua_protocol::status_url(&public_base, token));
            let qr = url.as_deref().and_then(|url| qr_pixels(url, QR_SCALE));
            (confirmed.local_reference, url, qr)
        });
        let _ = weak.upgrade_in_event_loop(move |ui| match outcome {
            Ok((reference, url, qr)) => show_saved(&ui, reference, url, qr),
            Err(e) => {
                tracing::error!("cannot save a confirmed dossier: {e}");
                let adapter = ui.global::<SubmitAdapter>();
                adapter.set_save_failed(true);
                adapter.set_step(SubmitStep::Review);
            }
        });
    });
}

fn show_saved(
    ui: &AppWindow,
    local_reference: String,
    status_url: Option<String>,
    qr: Option<SharedPixelBuffer<Rgb8Pixel>>,
) {
    // The pages now live in the outbox; nothing of the draft stays in memory but the name for
    // the printed receipt.
    VISIT.with_borrow_mut(|visit| {
        if let Some(v) = visit.as_mut() {
            v.receipt_name = Some(std::mem::take(&mut v.values[NAME]));
            v.saved_status_url = status_url;
            v.fee_total_vnd = v.procedure.fees.iter().map(|f| f.amount_vnd.0).sum();
            v.values = Default::default();
            v.composer.clear();
            v.attachments.clear();
            v.thumbnails.clear();
        }
    });
    let adapter = ui.global::<SubmitAdapter>();
    adapter.set_fields(ModelRc::default());
    adapter.set_documents(ModelRc::default());
    adapter.set_local_reference(local_reference.clone().into());
    adapter.set_delivered(false);
    adapter.set_has_status_qr(qr.is_some());
    adapter.set_status_qr(qr.map(Image::from_rgb8).unwrap_or_default());
    adapter.set_print_state(PrintState::Idle);
    adapter.set_step(SubmitStep::Receipt);
    let fee_total: u64 =
        with_visit(|v| v.procedure.fees.iter().map(|f| f.amount_vnd.0).sum()).unwrap_or(0);
    let english = ui.global::<Header>().get_language() == "en";
    adapter.set_free(fee_total == 0);
    adapter.set_fee(motcua_protocol::AmountVnd(fee_total).format(english).into());
    let timer = Timer::default();
    let weak = ui.as_weak();
    timer.start(TimerMode::Repeated, Duration::from_secs(1), move || {
        if let Some(ui) = weak.upgrade() {
            check_delivery(&ui, local_reference.clone());
        }
    });
    RECEIPT_POLL.with_borrow_mut(|t| *t = Some(timer));
    check_delivery(
        ui,
        ui.global::<SubmitAdapter>()
            .get_local_reference()
            .to_string(),
    );
}

struct ReceiptPictures {
    receipt: SubmissionReceipt,
    status_qr: Option<SharedPixelBuffer<Rgb8Pixel>>,
    pay_qr: Option<SharedPixelBuffer<Rgb8Pixel>>,
}

fn check_delivery(ui: &AppWindow, local_reference: String) {
    let Some(kiosk) = super::wired_kiosk() else {
        return;
    };
    let payment = kiosk.submission.payment.clone();
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let Ok(Some(entry)) = s.outbox.entry(&local_reference) else {
            return;
        };
        let Some(receipt) = entry.receipt else { return };
        let status_qr = qr_pixels(&receipt.status_url, QR_SCALE);
        let pay_qr = payment
            .filter(|_| receipt.fee_total_vnd > 0)
            .and_then(|account| {
                crate::submission::vietqr::payload(
                    &account,
                    receipt.fee_total_vnd,
                    &format!("Le phi {}", receipt.code),
                )
                .ok()
            })
            .and_then(|text| qr_pixels(&text, QR_SCALE));
        let pictures = ReceiptPictures {
            receipt,
            status_qr,
            pay_qr,
        };
        let _ = weak.upgrade_in_event_loop(move |ui| show_delivered(&ui, pictures));
    });
}

fn show_delivered(ui: &AppWindow, pictures: ReceiptPictures) {
    let adapter = ui.global::<SubmitAdapter>();
    if adapter.get_step() != SubmitStep::Receipt {
        return;
    }
    RECEIPT_POLL.with_borrow_mut(|t| *t = None);
    let ReceiptPictures {
        receipt,
        status_qr,
        pay_qr,
    } = pictures;
    adapter.set_code(receipt.code.as_str().into());
    adapter.set_received(super::format_date(receipt.received_on).into());
    adapter.set_due(super::format_date(receipt.due_on).into());
    adapter.set_has_status_qr(status_qr.is_some());
    adapter.set_status_qr(status_qr.map(Image::from_rgb8).unwrap_or_default());
    adapter.set_has_pay_qr(pay_qr.is_some());
    adapter.set_pay_qr(pay_qr.map(Image::from_rgb8).unwrap_or_default());
    if let Some(kiosk) = super::wired_kiosk()
        && let Some(account) = &kiosk.submission.payment
    {
        adapter.set_account_name(account.account_name.as_str().into());
    }
    adapter.set_delivered(true);
    LAST_RECEIPT.with_borrow_mut(|r| *r = Some(receipt));
}

thread_local! {
    // The delivered receipt on screen, for printing; cleared with the visit.
    static LAST_RECEIPT: RefCell<Option<SubmissionReceipt>> = const { RefCell::new(None) };
}

fn print(ui: &AppWindow, kiosk: &Kiosk) {
    use crate::submission::receipt::{ReceiptDossier, SavedDossier};
    let Some(printer) = kiosk.submission.printer.clone() else {
        return;
    };
    let adapter = ui.global::<SubmitAdapter>();
    let Some((name, fee_total_vnd, status_url)) = with_visit(|v| {
        (
            v.receipt_name.clone(),
            v.fee_total_vnd,
            v.saved_status_url.clone(),
        )
    }) else {
        return;
    };
    let dossier = match LAST_RECEIPT.with_borrow(Clone::clone) {
        Some(receipt) => ReceiptDossier::Delivered(receipt),
        None => ReceiptDossier::Saved(SavedDossier {
            local_reference: adapter.get_local_reference().to_string(),
            procedure_code: adapter.get_procedure_code().to_string(),
            procedure_name: adapter.get_procedure_name().to_string(),
            saved_on: crate::status::today_in_vietnam(crate::catalog::store::now_unix()),
            fee_total_vnd,
            status_url,
        }),
    };
    adapter.set_print_state(PrintState::Printing);
    let weak = ui.as_weak();
    let center = ui.global::<Header>().get_center_name().to_string();
    let payment = kiosk.submission.payment.clone();
    kiosk.runtime.spawn_blocking(move || {
        let state = printer.print(&dossier, &center, name.as_deref(), payment.as_ref());
        let _ = weak.upgrade_in_event_loop(move |ui| {
            ui.global::<SubmitAdapter>().set_print_state(state);
        });
    });
}

/// Forgets everything the visitor gave: fields, pages (deleted from the staging folder), the
/// phone session (ended on the server), the receipt on screen.
pub fn clear(ui: &AppWindow) {
    let visit = VISIT.with_borrow_mut(Option::take);
    if let Some(visit) = visit {
        if let (Some(session), Some(kiosk)) = (visit.phone, super::wired_kiosk())
            && let Some(client) = kiosk.submission.phone.clone()
        {
            kiosk.runtime.spawn(async move {
                let _ = client.close(&session.id).await;
            });
        }
        // Dropping the staging folder deletes the unconfirmed pages.
        drop(visit.staging);
    }
    RECEIPT_POLL.with_borrow_mut(|t| *t = None);
    LAST_RECEIPT.with_borrow_mut(|r| *r = None);
    let adapter = ui.global::<SubmitAdapter>();
    adapter.set_step(SubmitStep::Applicant);
    adapter.set_procedure_code("".into());
    adapter.set_procedure_name("".into());
    adapter.set_fields(ModelRc::default());
    adapter.set_focused(0);
    adapter.set_card_filled(false);
    adapter.set_documents(ModelRc::default());
    adapter.set_attach_problem(AttachProblem::None);
    adapter.set_missing(ModelRc::default());
    adapter.set_scanning(false);
    adapter.set_phone_document(-1);
    adapter.set_phone_qr(Image::default());
    adapter.set_save_failed(false);
    adapter.set_local_reference("".into());
    adapter.set_delivered(false);
    adapter.set_code("".into());
    adapter.set_received("".into());
    adapter.set_due("".into());
    adapter.set_status_qr(Image::default());
    adapter.set_has_status_qr(false);
    adapter.set_pay_qr(Image::default());
    adapter.set_has_pay_qr(false);
    adapter.set_print_state(PrintState::Idle);
}

/// Whether a visitor has started a dossier they have not confirmed: what walking away would lose.
pub fn has_unconfirmed_work(ui: &AppWindow) -> bool {
    VISIT.with_borrow(Option::is_some)
        && matches!(
            ui.global::<SubmitAdapter>().get_step(),
            SubmitStep::Applicant | SubmitStep::Documents | SubmitStep::Review
        )
}
