//! `motcua-kiosk status CODE_OR_SCANNED_TEXT`: the status screen's lookup for staff and scripts,
//! with the same parsing, offline fallback and messages, in English.

use std::fmt::Write;

use motcua_protocol::{DossierView, Timeliness};
use serde_json::{Value, json};

use super::{Lookup, LookupKey, Scanned, StatusClient, look_up, parse_scanned};
use crate::storage::StorageHandle;

pub enum Report {
    /// What was given is not a dossier code or one of our status links.
    NotADossier(Scanned),
    Lookup(Lookup),
}

pub async fn run(
    client: &StatusClient,
    storage: &StorageHandle,
    public_base: &str,
    text: &str,
) -> Report {
    let key = match parse_scanned(text, public_base) {
        Scanned::StatusLink(token) => LookupKey::Token(token),
        Scanned::Code(code) => LookupKey::Code(code),
        other => return Report::NotADossier(other),
    };
    Report::Lookup(look_up(client, storage, key, crate::catalog::store::now_unix()).await)
}

impl Report {
    pub fn found(&self) -> bool {
        matches!(
            self,
            Self::Lookup(Lookup::Current(_) | Lookup::Outdated { .. })
        )
    }

    pub fn text(&self) -> String {
        match self {
            Self::NotADossier(Scanned::NotOurs) => {
                "not a dossier code or a status link of this center's receipts \
                 (a dossier code looks like G09.20-20261120-0001234)\n"
                    .to_owned()
            }
            Self::NotADossier(other) => format!("{}\n", other.explanation()),
            Self::Lookup(Lookup::NotFound) => "no dossier has this code\n".to_owned(),
            Self::Lookup(Lookup::Unavailable) => {
                "the status cannot be checked now: the central server cannot be reached and this \
                 kiosk has not seen this dossier before\n"
                    .to_owned()
            }
            Self::Lookup(Lookup::Waiting) => {
                "saved on this kiosk and not sent yet: the central server will know this dossier \
                 once the outbox delivers it\n"
                    .to_owned()
            }
            Self::Lookup(Lookup::Current(view)) => describe(view),
            Self::Lookup(Lookup::Outdated { view, seen_at }) => format!(
                "POSSIBLY OUTDATED: the central server cannot be reached; this is the status this \
                 kiosk saw on {}\n{}",
                crate::app::format_unix(Some(*seen_at)),
                describe(view)
            ),
        }
    }

    pub fn json(&self) -> Value {
        match self {
            Self::NotADossier(scanned) => json!({
                "outcome": match scanned {
                    Scanned::DamagedLink => "damaged_link",
                    Scanned::CitizenCard => "citizen_card",
                    Scanned::Unreadable => "unreadable",
                    _ => "not_a_dossier",
                },
                "message": self.text().trim_end(),
            }),
            Self::Lookup(Lookup::NotFound) => json!({"outcome": "not_found"}),
            Self::Lookup(Lookup::Unavailable) => json!({"outcome": "unavailable"}),
            Self::Lookup(Lookup::Waiting) => json!({"outcome": "waiting"}),
            Self::Lookup(Lookup::Current(view)) => json!({"outcome": "current", "dossier": view}),
            Self::Lookup(Lookup::Outdated { view, seen_at }) => {
                json!({"outcome": "outdated", "seen_at": seen_at, "dossier": view})
            }
        }
    }
}

fn describe(view: &DossierView) -> String {
    let mut out = String::new();
    let date = crate::app::format_date;
    let _ = writeln!(out, "dossier      {}", view.code);
    let _ = writeln!(
        out,
        "procedure    {} {} ({})",
        view.procedure_code, view.procedure_name, view.field
    );
    let _ = writeln!(
        out,
        "status       {} {} ({})",
        view.status.number(),
        view.status.name_vi(),
        view.status.name_en()
    );
    let _ = writeln!(out, "received     {}", date(view.received_on));
    let _ = writeln!(
        out,
        "appointment  {} ({})",
        date(view.due_on),
        timeliness_en(view.timeliness)
    );
    let _ = writeln!(out, "history");
    for change in &view.history {
        let _ = write!(
            out,
            "  {}  {} {}",
            crate::app::format_unix(Some(change.at.unix_timestamp())),
            change.status.number(),
            change.status.name_vi()
        );
        match &change.note {
            Some(note) => {
                let _ = writeln!(out, " — {note}");
            }
            None => out.push('\n'),
        }
    }
    let _ = writeln!(out, "phone page   {}", view.status_url);
    out
}

fn timeliness_en(t: Timeliness) -> &'static str {
    match t {
        Timeliness::Early => "resolved early",
        Timeliness::OnTime => "resolved on time",
        Timeliness::Late => "resolved late",
        Timeliness::InProgress => "in progress, within the time limit",
        Timeliness::Overdue => "in progress, past the appointment date",
        Timeliness::NotApplicable => "no time limit applies",
    }
}
