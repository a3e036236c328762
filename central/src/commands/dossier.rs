//! `dossier set-status|register|show|list|receipt`: staff and demo tools on the database.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use motcua_central::pages::Lang;
use motcua_central::status::page::{format_moment, next_step, timeliness_label};
use motcua_central::status::receipt_qr::write_qr_png;
use motcua_central::status::{Dossier, DossierStore};
use motcua_central::{CentralConfig, open_dossiers, today_in_vietnam};
use motcua_protocol::{DossierCode, DossierRegistration, DossierStatus, ProcedureCode};
use time::{Date, OffsetDateTime};

#[derive(Subcommand)]
pub enum DossierCommand {
    /// Record a status change (1–10) now, e.g. `set-status G09.20-20260609-0092637 5 --note "..."`.
    SetStatus {
        code: String,
        /// 1 registered, 2 accepted, 3 not accepted, 4 processing, 5 papers requested, 6 payment
        /// requested, 7 withdrawal requested, 8 stopped, 9 resolved, 10 result handed over.
        status: String,
        /// Shown on the public status page: never personal data.
        #[arg(long)]
        note: Option<String>,
    },
    /// Register a dossier received at a desk and print its status page address.
    Register {
        code: String,
        /// Procedure code from the catalog, e.g. 1.001193.
        #[arg(long)]
        procedure: String,
        /// Received date, YYYY-MM-DD.
        #[arg(long)]
        received: String,
        /// Appointment date for the result, YYYY-MM-DD.
        #[arg(long)]
        due: String,
    },
    /// Show a dossier: status, history, status page address.
    Show {
        code: String,
        #[arg(long)]
        json: bool,
    },
    /// List all dossiers, most recently received first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Write the receipt's status QR code as a PNG.
    Receipt {
        code: String,
        #[arg(long, short)]
        output: PathBuf,
    },
}

fn code(text: &str) -> anyhow::Result<DossierCode> {
    Ok(DossierCode::parse(text)?)
}

fn date(text: &str, flag: &str) -> anyhow::Result<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text.trim(), &format)
        .with_context(|| format!("invalid date {text:?} for {flag}: expected YYYY-MM-DD"))
}

fn require(store: &DossierStore, code: &DossierCode) -> anyhow::Result<Dossier> {
    store
        .get(code)?
        .with_context(|| format!("unknown dossier {code}"))
}

fn status_line(code: &DossierCode, status: DossierStatus) -> String {
    format!(
        "{code}: {} {} ({})",
        status.number(),
        status.name_vi(),
        status.name_en()
    )
}

pub fn run(config: &CentralConfig, command: DossierCommand) -> anyhow::Result<()> {
    let base = config.public_base();
    let today = today_in_vietnam();
    match command {
        DossierCommand::SetStatus {
            code: text,
            status,
            note,
        } => {
            let code = code(&text)?;
            let status: DossierStatus = status.parse()?;
            let mut store = open_dossiers(config)?;
            let dossier =
                store.set_status(&code, status, note.as_deref(), OffsetDateTime::now_utc())?;
            println!("{}", status_line(&dossier.code, dossier.status));
            if dossier.status != status {
                println!(
                    "(recorded {} {}, but a later change in the history decides the current status)",
                    status.number(),
                    status.name_en()
                );
            }
        }
        DossierCommand::Register {
            code: text,
            procedure,
            received,
            due,
        } => {
            let code = code(&text)?;
            let registration = DossierRegistration {
                procedure_code: ProcedureCode::parse(procedure.trim())?,
                received_on: date(&received, "--received")?,
                due_on: date(&due, "--due")?,
                status: None,
            };
            let mut store = open_dossiers(config)?;
            let registered = store.register(&code, &registration, OffsetDateTime::now_utc())?;
            if !registered.created {
                eprintln!("{code} was already registered with the same procedure and dates");
            }
            println!("{}", registered.dossier.status_url(&base));
        }
        DossierCommand::Show { code: text, json } => {
            let store = open_dossiers(config)?;
            let dossier = require(&store, &code(&text)?)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&dossier.view(&base, today))?
                );
            } else {
                print_dossier(&dossier, &base, today);
            }
        }
        DossierCommand::List { json } => {
            let store = open_dossiers(config)?;
            let dossiers = store.list(today)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&dossiers)?);
                return Ok(());
            }
            println!(
                "{:<28} {:>2}  {:<11} {:<10} {:<10} PROCEDURE",
                "CODE", "ST", "TIMELINESS", "RECEIVED", "DUE"
            );
            for d in dossiers {
                let timeliness = serde_json::to_value(d.timeliness)?;
                println!(
                    "{:<28} {:>2}  {:<11} {:<10} {:<10} {} {}",
                    d.code.as_str(),
                    d.status.number(),
                    timeliness.as_str().unwrap_or("-"),
                    d.received_on,
                    d.due_on,
                    d.procedure_code,
                    d.procedure_name.unwrap_or_default()
                );
            }
        }
        DossierCommand::Receipt { code: text, output } => {
            let store = open_dossiers(config)?;
            let dossier = require(&store, &code(&text)?)?;
            let url = dossier.status_url(&base);
            write_qr_png(&url, &output)?;
            println!("wrote {} ({url})", output.display());
        }
    }
    Ok(())
}

fn print_dossier(dossier: &Dossier, base: &str, today: Date) {
    println!("Dossier      {}", dossier.code);
    println!(
        "Procedure    {} {}",
        dossier.procedure_code,
        dossier
            .procedure_name
            .as_deref()
            .unwrap_or("(no longer in the catalog)")
    );
    println!("Received     {}", dossier.received_on);
    println!("Due          {}", dossier.due_on);
    let timeliness = timeliness_label(dossier.timeliness(today), Lang::En);
    println!(
        "Status       {} {} ({}){}",
        dossier.status.number(),
        dossier.status.name_vi(),
        dossier.status.name_en(),
        timeliness.map(|t| format!(", {t}")).unwrap_or_default()
    );
    println!("Next step    {}", next_step(dossier.status, Lang::En));
    println!("Status page  {}", dossier.status_url(base));
    println!("History (Vietnam time):");
    for change in &dossier.history {
        println!(
            "  {}  {:>2} {}",
            format_moment(change.at),
            change.status.number(),
            change.status.name_vi()
        );
        if let Some(note) = &change.note {
            for line in note.lines() {
                println!("                      {line}");
            }
        }
    }
}
