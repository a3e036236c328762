//! "Đánh giá, góp ý": the satisfaction rating, the feedback form and reading an answer. What the
//! visitor types lives here, in this thread's visit state, and nowhere else until they send it;
//! the walk-away wipes it.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use motcua_protocol::{FeedbackReference, FeedbackTopic, Satisfaction};
use slint::{ComponentHandle, Image, Model as _};

use super::qr::qr_pixels;
use super::{
    AnswerState, AppWindow, BrowseAdapter, FeedbackAdapter, FeedbackField, FeedbackProblem,
    FeedbackView, KeyboardAdapter, Kiosk, Nav, Screen, model,
};
use crate::feedback::{self, FeedbackInput, Lookup, RatingInput};
use crate::input::Composer;
use crate::status::{LookupKey, Scanned};

const QR_SCALE: u32 = 6;

#[derive(Default)]
struct Visit {
    rating: RatingInput,
    feedback: FeedbackInput,
    typed_reference: String,
    /// Telex for the Vietnamese text boxes (comment, feedback); codes and phones are typed as is.
    composer: Composer,
    rated: bool,
    /// The feedback just sent, for its printed slip: reference, topic, when, page.
    sent: Option<(
        FeedbackReference,
        FeedbackTopic,
        time::OffsetDateTime,
        String,
    )>,
}

thread_local! {
    static VISIT: RefCell<Visit> = RefCell::new(Visit::default());
    // Answers that arrive after the visitor left (or started another lookup) are dropped.
    static GENERATION: Cell<u64> = const { Cell::new(0) };
}

fn with_visit<R>(f: impl FnOnce(&mut Visit) -> R) -> R {
    VISIT.with_borrow_mut(f)
}

fn next_generation() -> u64 {
    GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    })
}

fn current(generation: u64) -> bool {
    GENERATION.with(Cell::get) == generation
}

pub fn wire(ui: &AppWindow, kiosk: &Rc<Kiosk>) {
    let adapter = ui.global::<FeedbackAdapter>();
    let weak = ui.as_weak();
    let choose_kiosk = kiosk.clone();
    adapter.on_choose(move |view| {
        if let Some(ui) = weak.upgrade() {
            choose(&ui, &choose_kiosk, view);
        }
    });
    let weak = ui.as_weak();
    adapter.on_pick_face(move |index| {
        let Some(ui) = weak.upgrade() else { return };
        let face = usize::try_from(index)
            .ok()
            .and_then(|i| Satisfaction::ALL.get(i).copied());
        with_visit(|v| v.rating.face = face);
        show_rating(&ui);
    });
    let weak = ui.as_weak();
    adapter.on_pick_service_point(move |index| {
        let Some(ui) = weak.upgrade() else { return };
        let adapter = ui.global::<FeedbackAdapter>();
        let point = usize::try_from(index)
            .ok()
            .and_then(|i| adapter.get_service_points().row_data(i));
        with_visit(|v| v.rating.service_point = point.map(|p| p.to_string()));
        adapter.set_choosing_service_point(false);
        show_rating(&ui);
    });
    let weak = ui.as_weak();
    adapter.on_pick_topic(move |index| {
        let Some(ui) = weak.upgrade() else { return };
        let topic = usize::try_from(index)
            .ok()
            .and_then(|i| FeedbackTopic::ALL.get(i).copied());
        with_visit(|v| v.feedback.topic = topic);
        show_form(&ui);
    });
    let weak = ui.as_weak();
    adapter.on_focus(move |field| {
        if let Some(ui) = weak.upgrade() {
            focus(&ui, field);
        }
    });
    let weak = ui.as_weak();
    let rating_kiosk = kiosk.clone();
    adapter.on_send_rating(move || {
        if let Some(ui) = weak.upgrade() {
            send_rating(&ui, &rating_kiosk);
        }
    });
    let weak = ui.as_weak();
    let feedback_kiosk = kiosk.clone();
    adapter.on_send_feedback(move || {
        if let Some(ui) = weak.upgrade() {
            send_feedback(&ui, &feedback_kiosk);
        }
    });
    let weak = ui.as_weak();
    let lookup_kiosk = kiosk.clone();
    adapter.on_look_up(move || {
        let Some(ui) = weak.upgrade() else { return };
        let typed = with_visit(|v| v.typed_reference.clone());
        match FeedbackReference::parse(&typed) {
            Ok(reference) => open_answer(&ui, &lookup_kiosk, reference),
            Err(_) => set_problems(&ui, &[FeedbackProblem::BadReference]),
        }
    });
    let weak = ui.as_weak();
    let print_kiosk = kiosk.clone();
    adapter.on_print(move || {
        if let Some(ui) = weak.upgrade() {
            print_slip(&ui, &print_kiosk);
        }
    });
    let weak = ui.as_weak();
    adapter.on_finish(move || {
        if let Some(ui) = weak.upgrade() {
            // The visitor is done: nothing of theirs stays for the next one.
            super::end_visit(&ui);
        }
    });
    let weak = ui.as_weak();
    adapter.on_back(move || {
        let Some(ui) = weak.upgrade() else { return };
        let adapter = ui.global::<FeedbackAdapter>();
        match adapter.get_view() {
            FeedbackView::Choose => super::reset_visit(&ui),
            FeedbackView::Answer => adapter.set_view(FeedbackView::Lookup),
            _ => adapter.set_view(FeedbackView::Choose),
        }
        set_problems(&ui, &[]);
        focus(&ui, FeedbackField::None);
    });
}

fn choose(ui: &AppWindow, kiosk: &Kiosk, view: FeedbackView) {
    let adapter = ui.global::<FeedbackAdapter>();
    set_problems(ui, &[]);
    match view {
        FeedbackView::Rating if with_visit(|v| v.rated) => adapter.set_view(FeedbackView::Rated),
        FeedbackView::Rating => {
            offer_service_points(ui, kiosk);
            adapter.set_view(FeedbackView::Rating);
            show_rating(ui);
        }
        FeedbackView::Form => {
            adapter.set_view(FeedbackView::Form);
            focus(ui, FeedbackField::Text);
        }
        FeedbackView::Lookup => {
            adapter.set_view(FeedbackView::Lookup);
            focus(ui, FeedbackField::Reference);
        }
        other => adapter.set_view(other),
    }
}

/// The catalog's fields, which the visitor may say served them.
fn offer_service_points(ui: &AppWindow, kiosk: &Kiosk) {
    let known = ui.global::<BrowseAdapter>().get_fields();
    if known.row_count() > 0 {
        let names: Vec<slint::SharedString> = known.iter().map(|f| f.name).collect();
        ui.global::<FeedbackAdapter>()
            .set_service_points(model(names));
        return;
    }
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let fields = s.catalog.fields().unwrap_or_default();
        let _ = weak.upgrade_in_event_loop(move |ui| {
            let names: Vec<slint::SharedString> =
                fields.into_iter().map(|f| f.field.into()).collect();
            ui.global::<FeedbackAdapter>()
                .set_service_points(model(names));
        });
    });
}

fn focus(ui: &AppWindow, field: FeedbackField) {
    ui.global::<FeedbackAdapter>().set_focused(field);
    with_visit(|v| match field {
        FeedbackField::Comment => v.composer.set_text(&v.rating.comment),
        FeedbackField::Text => v.composer.set_text(&v.feedback.text),
        _ => {}
    });
    let keyboard = ui.global::<KeyboardAdapter>();
    keyboard.set_digits(matches!(
        field,
        FeedbackField::DossierCode | FeedbackField::Phone | FeedbackField::Reference
    ));
    keyboard.set_shown(field != FeedbackField::None);
}

enum Edit<'a> {
    Keys(&'a str),
    Backspace,
    Clear,
}

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
    let field = ui.global::<FeedbackAdapter>().get_focused();
    with_visit(|v| {
        let plain = match field {
            FeedbackField::Comment | FeedbackField::Text => {
                match edit {
                    Edit::Keys(keys) => keys.chars().for_each(|k| v.composer.key(k)),
                    Edit::Backspace => v.composer.backspace(),
                    Edit::Clear => v.composer.clear(),
                }
                let text = v.composer.text();
                if field == FeedbackField::Comment {
                    v.rating.comment = text;
                } else {
                    v.feedback.text = text;
                }
                return;
            }
            FeedbackField::DossierCode => &mut v.rating.dossier_code,
            FeedbackField::Phone => &mut v.feedback.phone,
            FeedbackField::Reference => &mut v.typed_reference,
            FeedbackField::None => return,
        };
        match edit {
            Edit::Keys(keys) => plain.push_str(keys),
            Edit::Backspace => {
                plain.pop();
            }
            Edit::Clear => plain.clear(),
        }
    });
    match ui.global::<FeedbackAdapter>().get_view() {
        FeedbackView::Rating => show_rating(ui),
        FeedbackView::Form => show_form(ui),
        _ => show_lookup(ui),
    }
}

fn show_rating(ui: &AppWindow) {
    let adapter = ui.global::<FeedbackAdapter>();
    with_visit(|v| {
        let face = v
            .rating
            .face
            .and_then(|f| Satisfaction::ALL.iter().position(|s| *s == f));
        adapter.set_face(face.map_or(-1, |i| i as i32));
        let points = adapter.get_service_points();
        let chosen = v.rating.service_point.as_deref().and_then(|chosen| {
            points
                .iter()
                .position(|p| p.as_str() == chosen)
                .map(|i| i as i32)
        });
        adapter.set_service_point(chosen.unwrap_or(-1));
        adapter.set_dossier_code(v.rating.dossier_code.as_str().into());
        adapter.set_comment(v.rating.comment.as_str().into());
    });
}

fn show_form(ui: &AppWindow) {
    let adapter = ui.global::<FeedbackAdapter>();
    with_visit(|v| {
        let topic = v
            .feedback
            .topic
            .and_then(|t| FeedbackTopic::ALL.iter().position(|x| *x == t));
        adapter.set_topic(topic.map_or(-1, |i| i as i32));
        adapter.set_text(v.feedback.text.as_str().into());
        adapter.set_phone(v.feedback.phone.as_str().into());
    });
}

fn show_lookup(ui: &AppWindow) {
    let typed = with_visit(|v| v.typed_reference.clone());
    ui.global::<FeedbackAdapter>()
        .set_typed_reference(typed.into());
}

/// Shows each problem beside the part of the screen it is about; clears the others.
fn set_problems(ui: &AppWindow, problems: &[FeedbackProblem]) {
    let adapter = ui.global::<FeedbackAdapter>();
    let find = |wanted: &[FeedbackProblem]| {
        problems
            .iter()
            .copied()
            .find(|p| wanted.contains(p))
            .unwrap_or(FeedbackProblem::None)
    };
    adapter.set_face_problem(find(&[FeedbackProblem::NoFace]));
    adapter.set_code_problem(find(&[FeedbackProblem::BadCode]));
    adapter.set_comment_problem(find(&[FeedbackProblem::CommentTooLong]));
    adapter.set_topic_problem(find(&[FeedbackProblem::NoTopic]));
    adapter.set_text_problem(find(&[
        FeedbackProblem::NoText,
        FeedbackProblem::TextTooLong,
    ]));
    adapter.set_phone_problem(find(&[FeedbackProblem::BadPhone]));
    adapter.set_reference_problem(find(&[FeedbackProblem::BadReference]));
    adapter.set_save_problem(find(&[FeedbackProblem::NotSaved]));
}

fn problem_of(problem: feedback::FeedbackProblem) -> FeedbackProblem {
    use feedback::FeedbackProblem as P;
    match problem {
        P::NoFace => FeedbackProblem::NoFace,
        P::BadDossierCode => FeedbackProblem::BadCode,
        P::CommentTooLong { .. } => FeedbackProblem::CommentTooLong,
        P::NoTopic => FeedbackProblem::NoTopic,
        P::NoText => FeedbackProblem::NoText,
        P::TextTooLong { .. } => FeedbackProblem::TextTooLong,
        P::BadPhone => FeedbackProblem::BadPhone,
    }
}

/// What the visitor filled in, ready to save, with the screen showing "Saving…"; or `None` with
/// each problem shown beside its box.
fn start_sending<T>(
    ui: &AppWindow,
    parsed: Result<T, Vec<feedback::FeedbackProblem>>,
) -> Option<T> {
    match parsed {
        Ok(parsed) => {
            set_problems(ui, &[]);
            focus(ui, FeedbackField::None);
            ui.global::<FeedbackAdapter>()
                .set_view(FeedbackView::Sending);
            Some(parsed)
        }
        Err(problems) => {
            let problems: Vec<_> = problems.into_iter().map(problem_of).collect();
            set_problems(ui, &problems);
            None
        }
    }
}

fn send_rating(ui: &AppWindow, kiosk: &Kiosk) {
    let now = time::OffsetDateTime::now_utc();
    let Some(rating) = start_sending(ui, with_visit(|v| v.rating.parse(now))) else {
        return;
    };
    let kiosk_name = kiosk.submission.kiosk_name.clone();
    let wake = kiosk.submission.wake.clone();
    let generation = GENERATION.with(Cell::get);
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let outcome = s.outbox.confirm_rating(&rating, &kiosk_name, now);
        if outcome.is_ok() {
            wake.notify_one();
        }
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if !current(generation) {
                return;
            }
            let adapter = ui.global::<FeedbackAdapter>();
            match outcome {
                Ok(confirmed) => {
                    tracing::info!(reference = %confirmed.local_reference, "rating saved");
                    // One rating per visit; the next visitor rates afresh.
                    with_visit(|v| {
                        v.rated = true;
                        v.rating = RatingInput::default();
                        v.composer.clear();
                    });
                    adapter.set_rated_this_visit(true);
                    show_rating(&ui);
                    adapter.set_view(FeedbackView::Rated);
                }
                Err(e) => {
                    tracing::error!("cannot save a rating: {e}");
                    adapter.set_view(FeedbackView::Rating);
                    set_problems(&ui, &[FeedbackProblem::NotSaved]);
                }
            }
        });
    });
}

fn send_feedback(ui: &AppWindow, kiosk: &Kiosk) {
    let now = time::OffsetDateTime::now_utc();
    let Some(manifest) = start_sending(ui, with_visit(|v| v.feedback.parse(now))) else {
        return;
    };
    let wake = kiosk.submission.wake.clone();
    let page = motcua_protocol::feedback_url(&kiosk.public_base, &manifest.reference);
    let sent = (
        manifest.reference.clone(),
        manifest.topic,
        manifest.submitted_at,
        page.clone(),
    );
    let can_print = kiosk.submission.printer.is_some();
    let generation = GENERATION.with(Cell::get);
    let weak = ui.as_weak();
    let _ = kiosk.storage.post(move |s| {
        let outcome = s.outbox.confirm_feedback(&manifest, now);
        if outcome.is_ok() {
            wake.notify_one();
        }
        let qr = qr_pixels(&page, QR_SCALE);
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if !current(generation) {
                return;
            }
            let adapter = ui.global::<FeedbackAdapter>();
            match outcome {
                Ok(confirmed) => {
                    tracing::info!("feedback saved");
                    with_visit(|v| {
                        v.feedback = FeedbackInput::default();
                        v.composer.clear();
                        v.sent = Some(sent);
                    });
                    show_form(&ui);
                    adapter.set_can_print(can_print);
                    adapter.set_print_state(super::PrintState::Idle);
                    adapter.set_reference(confirmed.local_reference.into());
                    adapter.set_reference_qr(qr.map(Image::from_rgb8).unwrap_or_default());
                    adapter.set_view(FeedbackView::Sent);
                }
                Err(e) => {
                    tracing::error!("cannot save a feedback: {e}");
                    adapter.set_view(FeedbackView::Form);
                    set_problems(&ui, &[FeedbackProblem::NotSaved]);
                }
            }
        });
    });
}

/// The reference on paper, for a visitor without a phone to photograph the screen.
fn print_slip(ui: &AppWindow, kiosk: &Kiosk) {
    let Some(printer) = kiosk.submission.printer.clone() else {
        return;
    };
    let Some((reference, topic, sent_at, page)) = with_visit(|v| v.sent.clone()) else {
        return;
    };
    let center = ui.global::<super::Header>().get_center_name().to_string();
    let slip = crate::submission::receipt::ReceiptContent::feedback_slip(
        &center,
        reference.as_str(),
        topic.label_vi(),
        sent_at.to_offset(crate::status::VIETNAM).date(),
        &page,
    );
    ui.global::<FeedbackAdapter>()
        .set_print_state(super::PrintState::Printing);
    let generation = GENERATION.with(Cell::get);
    let weak = ui.as_weak();
    kiosk.runtime.spawn_blocking(move || {
        let state = printer.print_content(&slip);
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if current(generation) {
                ui.global::<FeedbackAdapter>().set_print_state(state);
            }
        });
    });
}

/// Shows what the center answered to the feedback `reference`, from any screen.
pub fn open_answer(ui: &AppWindow, kiosk: &Kiosk, reference: FeedbackReference) {
    let generation = next_generation();
    focus(ui, FeedbackField::None);
    set_problems(ui, &[]);
    let adapter = ui.global::<FeedbackAdapter>();
    adapter.set_reference(reference.as_str().into());
    adapter.set_answer_state(AnswerState::Loading);
    adapter.set_view(FeedbackView::Answer);
    ui.global::<Nav>().set_screen(Screen::Feedback);
    let client = kiosk.status_client.clone();
    let storage = kiosk.storage.clone();
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let key = reference.to_string();
        let waiting_here = storage
            .call(move |s| s.outbox.is_waiting(&key))
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or(false);
        let outcome = feedback::look_up(&client, &reference, waiting_here).await;
        if let Err(e) = &outcome {
            tracing::warn!("cannot look up a feedback: {e}");
        }
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if current(generation) {
                show_answer(&ui, outcome.ok());
            }
        });
    });
}

fn show_answer(ui: &AppWindow, outcome: Option<Lookup>) {
    let adapter = ui.global::<FeedbackAdapter>();
    let view = match outcome {
        None => return adapter.set_answer_state(AnswerState::Unavailable),
        Some(Lookup::Waiting) => return adapter.set_answer_state(AnswerState::Waiting),
        Some(Lookup::NotFound) => return adapter.set_answer_state(AnswerState::NotFound),
        Some(Lookup::Found(view)) => view,
    };
    let english = ui.global::<super::Header>().get_language() != "vi";
    let topic = if english {
        view.topic.label_en()
    } else {
        view.topic.label_vi()
    };
    adapter.set_answer_topic(topic.into());
    adapter.set_own_text(view.text.as_str().into());
    adapter.set_submitted_on(vietnam_date(view.submitted_at).into());
    match view.answer {
        Some(answer) => {
            adapter.set_answer_text(answer.text.as_str().into());
            adapter.set_answered_on(vietnam_date(answer.answered_at).into());
            adapter.set_answer_state(AnswerState::Answered);
        }
        None => adapter.set_answer_state(AnswerState::Pending),
    }
}

fn vietnam_date(at: time::OffsetDateTime) -> String {
    super::status::format_date(at.to_offset(crate::status::VIETNAM).date())
}

/// Whether a scan belongs to the rating being filled in: its dossier.
pub fn takes_scan(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Feedback
        && ui.global::<FeedbackAdapter>().get_view() == FeedbackView::Rating
}

/// A receipt scanned while rating: its dossier code goes into the rating. A receipt's QR carries
/// the status page's token, so the code is looked up (from the kiosk's cache when offline).
pub fn fill_from_scan(ui: &AppWindow, kiosk: &Kiosk, scanned: Scanned) {
    let key = match scanned {
        Scanned::Code(code) => {
            with_visit(|v| v.rating.dossier_code = code.as_str().to_owned());
            set_problems(ui, &[]);
            return show_rating(ui);
        }
        Scanned::StatusLink(token) => LookupKey::Token(token),
        _ => return set_problems(ui, &[FeedbackProblem::BadCode]),
    };
    let client = kiosk.status_client.clone();
    let storage = kiosk.storage.clone();
    let generation = GENERATION.with(Cell::get);
    let weak = ui.as_weak();
    kiosk.runtime.spawn(async move {
        let found =
            crate::status::look_up(&client, &storage, key, crate::catalog::store::now_unix()).await;
        let code = match found {
            crate::status::Lookup::Current(view) | crate::status::Lookup::Outdated { view, .. } => {
                Some(view.code.as_str().to_owned())
            }
            _ => None,
        };
        let _ = weak.upgrade_in_event_loop(move |ui| {
            if !current(generation) {
                return;
            }
            match code {
                Some(code) => {
                    with_visit(|v| v.rating.dossier_code = code);
                    set_problems(&ui, &[]);
                    show_rating(&ui);
                }
                None => set_problems(&ui, &[FeedbackProblem::BadCode]),
            }
        });
    });
}

/// Whether leaving now would drop something the visitor wrote and has not sent.
pub fn has_unsent_work(ui: &AppWindow) -> bool {
    ui.global::<Nav>().get_screen() == Screen::Feedback
        && with_visit(|v| {
            v.rating != RatingInput::default() || v.feedback != FeedbackInput::default()
        })
}

/// Forgets the visit: what was typed, chosen and looked up.
pub fn clear(ui: &AppWindow) {
    next_generation();
    with_visit(|v| *v = Visit::default());
    let adapter = ui.global::<FeedbackAdapter>();
    adapter.set_view(FeedbackView::Choose);
    adapter.set_focused(FeedbackField::None);
    set_problems(ui, &[]);
    adapter.set_face(-1);
    adapter.set_service_point(-1);
    adapter.set_choosing_service_point(false);
    adapter.set_dossier_code("".into());
    adapter.set_comment("".into());
    adapter.set_rated_this_visit(false);
    adapter.set_topic(-1);
    adapter.set_text("".into());
    adapter.set_phone("".into());
    adapter.set_reference("".into());
    adapter.set_reference_qr(Image::default());
    adapter.set_can_print(false);
    adapter.set_print_state(super::PrintState::Idle);
    adapter.set_typed_reference("".into());
    adapter.set_answer_state(AnswerState::Loading);
    adapter.set_answer_topic("".into());
    adapter.set_own_text("".into());
    adapter.set_submitted_on("".into());
    adapter.set_answer_text("".into());
    adapter.set_answered_on("".into());
}
