//! Visitors at the kiosk, one after another, through the real window (Slint's testing backend):
//! they search, read a procedure, submit a dossier to its receipt, rate the service, and look
//! dossiers up by scanning receipts. What the kiosk confirmed to them is written in the
//! `Ledger`; every error they were shown is checked against the fault timeline.

use std::time::{Duration, Instant};

use motcua_kiosk::app::{
    DetailAdapter, FeedbackAdapter, FeedbackProblem, FeedbackView, IdleAdapter, Screen,
    SearchAdapter, StatusAdapter, StatusMessage, StatusView, SubmitAdapter, SubmitStep,
};
use rand::Rng;
use rand::rngs::StdRng;
use slint::{ComponentHandle, Model};

use crate::common::ui::{Harness, decode_qr};
use crate::faults::Timeline;

const CARD: &str = "079190004321|272727272|Trần Thị Bích Ngọc|12051990|Nữ|12 Lê Lợi, phường Bến Nghé, TP. Hồ Chí Minh|15082021";
const QUERIES: [&str; 3] = ["khai sinh", "ket hon", "chung thuc"];
/// A reused connection learns of a cut, or of a server that went away, a little after it.
const SLACK: Duration = Duration::from_secs(2);

/// A dossier the kiosk told the visitor it saved.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub local_reference: String,
    /// What the receipt's QR code says (a phone or the kiosk's scanner reads it).
    pub receipt_qr: String,
    /// The dossier code, if the receipt on screen showed one.
    pub shown_code: Option<String>,
}

#[derive(Default)]
pub struct Ledger {
    pub visitors: usize,
    pub searches: usize,
    pub dossiers: Vec<Confirmed>,
    /// The comment of each rating the kiosk said it saved (unique per rating).
    pub ratings: Vec<String>,
    pub lookups: usize,
    /// Lookups answered "the server cannot be reached" (with or without an older status).
    pub unreachable_shown: usize,
    /// Lookups of a dossier still in the kiosk's outbox, answered as such.
    pub waiting_shown: usize,
    /// Errors the visitor saw that were not true, with what was looked up.
    pub false_errors: Vec<String>,
}

/// What a status lookup asks for, and so what the truth is.
enum Target {
    /// A dossier the server has (a demo dossier, or one of ours it acknowledged).
    OnServer { code: String },
    /// The QR code of a receipt this kiosk printed: the dossier exists, on the server or still in
    /// the outbox.
    Receipt { local_reference: String },
}

pub struct Visitors<'a> {
    pub h: &'a Harness,
    pub rng: StdRng,
    pub timeline: &'a Timeline,
    pub ledger: Ledger,
    pub demo_codes: Vec<String>,
    pub qr_dir: std::path::PathBuf,
}

impl Visitors<'_> {
    /// One visitor, chosen at random, from the home screen back to it.
    pub fn next_visitor(&mut self) {
        self.ledger.visitors += 1;
        match self.rng.random_range(0..100) {
            0..30 => self.search(),
            30..55 => self.status_lookup(),
            55..75 => self.rate(),
            _ => self.submit(),
        }
        assert_eq!(self.h.screen(), Screen::Home, "every visit ends at home");
    }

    /// The visitor walks away: the idle countdown's end clears the visit.
    fn walk_away(&self) {
        self.h.ui.global::<IdleAdapter>().invoke_finish();
        self.h.settle();
    }

    fn search(&mut self) {
        let h = self.h;
        let query = QUERIES[self.rng.random_range(0..QUERIES.len())];
        h.tap("Tra cứu thủ tục");
        h.type_keys(query);
        // The search index is built on its own thread at start-up; the catalog is local.
        h.wait_for("search results", || {
            h.ui.global::<SearchAdapter>().get_results().row_count() > 0
        });
        let results = h.ui.global::<SearchAdapter>().get_results();
        let Some(first) = results.row_data(0) else {
            panic!("the local catalog found nothing for {query:?}");
        };
        h.ui.global::<SearchAdapter>()
            .invoke_open(first.code.clone());
        h.settle();
        assert_eq!(h.screen(), Screen::Detail);
        assert_eq!(h.ui.global::<DetailAdapter>().get_code(), first.code);
        self.ledger.searches += 1;
        self.walk_away();
    }

    fn rate(&mut self) {
        let h = self.h;
        let feedback = || h.ui.global::<FeedbackAdapter>();
        h.tap("Đánh giá, góp ý");
        h.tap("Đánh giá mức độ hài lòng");
        let face = ["Rất hài lòng", "Hài lòng", "Không hài lòng"][self.rng.random_range(0..3)];
        h.tap(face);
        h.tap_field("Ý kiến (không bắt buộc)");
        // Unique per rating, so the server's copy can be told apart: the number in letters
        // that the Telex keyboard leaves alone.
        let number: String = (self.ledger.ratings.len() + 1)
            .to_string()
            .chars()
            .map(|d| b"bcghklmnpt"[d as usize - '0' as usize] as char)
            .collect();
        h.type_keys(&format!("danh gia {number}"));
        let comment = feedback().get_comment().to_string();
        h.tap("Gửi đánh giá");
        h.wait_for("the rating saved", || {
            feedback().get_view() == FeedbackView::Rated
                || feedback().get_save_problem() != FeedbackProblem::None
        });
        if feedback().get_view() == FeedbackView::Rated {
            self.ledger.ratings.push(comment);
        } else {
            self.ledger.false_errors.push(format!(
                "a rating was not saved on the kiosk: view {:?}, problem {:?}",
                feedback().get_view(),
                feedback().get_save_problem()
            ));
        }
        self.walk_away();
    }

    fn submit(&mut self) {
        let h = self.h;
        let submit = || h.ui.global::<SubmitAdapter>();
        h.tap("Tra cứu thủ tục");
        h.type_keys("khai sinh");
        h.wait_for("search results", || h.has("Đăng ký khai sinh"));
        h.tap("Đăng ký khai sinh");
        h.tap("Nộp hồ sơ này trực tuyến");
        assert_eq!(submit().get_step(), SubmitStep::Applicant);
        h.scan(CARD);
        h.set_field("Số điện thoại di động", "0987654321");
        h.tap("Tiếp tục");
        assert_eq!(
            submit().get_step(),
            SubmitStep::Documents,
            "the form is complete"
        );
        // A page for each document the procedure requires. The list scrolls, and only the rows
        // on screen exist as elements: the slot's "Quét một trang" is pressed by its callback.
        let documents = submit().get_documents();
        let required: Vec<usize> = (0..documents.row_count())
            .filter(|&d| documents.row_data(d).is_some_and(|slot| slot.required))
            .collect();
        for document in required {
            submit().invoke_scan(document as i32);
            h.settle();
            h.wait_for("the scanned page", || {
                submit()
                    .get_documents()
                    .row_data(document)
                    .is_some_and(|d| d.pages.row_count() == 1)
            });
        }
        h.tap("Tiếp tục");
        assert_eq!(submit().get_step(), SubmitStep::Review);
        h.tap("Xác nhận và nộp hồ sơ");
        h.wait_for("the receipt", || submit().get_step() != SubmitStep::Saving);
        if submit().get_step() != SubmitStep::Receipt || submit().get_save_failed() {
            // Saving is local (the outbox): no network fault can make it fail.
            self.ledger.false_errors.push(format!(
                "a dossier was not saved on the kiosk: step {:?}",
                submit().get_step()
            ));
            self.walk_away();
            return;
        }
        let local_reference = submit().get_local_reference().to_string();
        let receipt_qr = decode_qr(&submit().get_status_qr(), &self.qr_dir);
        assert!(
            !receipt_qr.is_empty(),
            "the saved receipt shows a readable QR code"
        );
        // Some visitors wait a moment for the code, some leave with the saved receipt.
        let patience = Instant::now() + Duration::from_millis(self.rng.random_range(0..3_000));
        while !submit().get_delivered() && Instant::now() < patience {
            std::thread::sleep(Duration::from_millis(30));
            h.pump_by(Duration::from_millis(100));
        }
        let shown_code = submit()
            .get_delivered()
            .then(|| submit().get_code().to_string());
        h.tap("Hoàn tất");
        self.ledger.dossiers.push(Confirmed {
            local_reference: local_reference.clone(),
            receipt_qr: receipt_qr.clone(),
            shown_code,
        });
        // Half of them check their receipt on the kiosk's scanner at once.
        if self.rng.random_bool(0.5) {
            self.look_up(&receipt_qr, Target::Receipt { local_reference });
        }
    }

    fn status_lookup(&mut self) {
        // A receipt of ours (delivered or not), or a dossier code from the one-stop desk.
        if !self.ledger.dossiers.is_empty() && self.rng.random_bool(0.6) {
            let index = self.rng.random_range(0..self.ledger.dossiers.len());
            let pick = &self.ledger.dossiers[index];
            let (text, local_reference) = (pick.receipt_qr.clone(), pick.local_reference.clone());
            self.look_up(&text, Target::Receipt { local_reference });
        } else {
            let index = self.rng.random_range(0..self.demo_codes.len());
            let code = self.demo_codes[index].clone();
            self.look_up(&code, Target::OnServer { code: code.clone() });
        }
    }

    /// The kiosk's own record of a dossier: its code once delivered, and whether it still waits.
    fn outbox_state(&self, local_reference: &str) -> (Option<String>, bool) {
        let key = local_reference.to_owned();
        let entry = self
            .h
            .kiosk
            .storage
            .call_blocking(move |s| s.outbox.entry(&key))
            .expect("storage")
            .expect("outbox");
        let entry = entry.expect("a confirmed dossier is in the outbox");
        let code = entry.receipt.map(|r| r.code.to_string());
        let waiting = entry.delivered_at.is_none();
        (code, waiting)
    }

    /// Scans `text` at the home screen and judges what the kiosk answered.
    fn look_up(&mut self, text: &str, target: Target) {
        let h = self.h;
        let status = || h.ui.global::<StatusAdapter>();
        let waiting_before = match &target {
            Target::Receipt { local_reference } => self.outbox_state(local_reference).1,
            Target::OnServer { .. } => false,
        };
        let started = Instant::now();
        h.scan(text);
        h.wait_for("the status answer", || {
            status().get_view() != StatusView::Loading
        });
        let shown = Instant::now();
        self.ledger.lookups += 1;
        let faulty = self.timeline.active_during(started, shown, SLACK);
        let what = match &target {
            Target::OnServer { code } => format!("dossier {code}"),
            Target::Receipt { local_reference } => format!("receipt {local_reference}"),
        };
        let view = status().get_view();
        let message = status().get_message();
        let verdict: Result<(), String> = match (view, message) {
            (StatusView::Found, _) => {
                let expected = match &target {
                    Target::OnServer { code } => Some(code.clone()),
                    Target::Receipt { local_reference } => self.outbox_state(local_reference).0,
                };
                let outdated = status().get_outdated();
                if outdated {
                    self.ledger.unreachable_shown += 1;
                }
                if outdated && !faulty {
                    Err("\"possibly outdated, server unreachable\" with no fault active".into())
                } else if expected.is_some_and(|code| code != status().get_code().as_str()) {
                    Err(format!("another dossier shown: {}", status().get_code()))
                } else {
                    Ok(())
                }
            }
            (StatusView::Message, StatusMessage::Unavailable) => {
                self.ledger.unreachable_shown += 1;
                if faulty {
                    Ok(())
                } else {
                    Err("\"server unreachable\" with no fault active".into())
                }
            }
            (StatusView::Message, StatusMessage::Waiting) => {
                self.ledger.waiting_shown += 1;
                if waiting_before {
                    Ok(())
                } else {
                    Err("\"saved, waiting to be sent\" for a delivered dossier".into())
                }
            }
            (view, message) => Err(format!("{view:?} {message:?}")),
        };
        if let Err(error) = verdict {
            let line = format!(
                "{what}: {error} (after {:.1} s; fault active: {faulty}; waiting in the outbox: {waiting_before})",
                (shown - started).as_secs_f64()
            );
            eprintln!("FALSE ERROR: {line}");
            self.ledger.false_errors.push(line);
        }
        self.walk_away();
    }
}
