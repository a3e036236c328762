//! `motcua-kiosk submit` and `motcua-kiosk outbox`: the visitor's submission path for staff and
//! scripts, through the very same staging, outbox and delivery as the screen.

use std::path::{Path, PathBuf};

use motcua_protocol::{ApplicantInput, ProcedureCode, SubmissionReceipt};
use serde::Serialize;

use super::attachment::{Attachment, Limits, stage};
use super::delivery::{DeliveryClient, drain};
use super::intake::{Staging, accepts_online, missing_required};
use super::outbox::Draft;
use crate::storage::StorageHandle;

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("procedure {0} is not in this kiosk's catalog; sync first (motcua-kiosk sync)")]
    UnknownProcedure(String),
    #[error("procedure {0} cannot be submitted online (in person or by post only)")]
    NotOnline(String),
    #[error("cannot read the applicant file {path}: {reason}")]
    ApplicantFile { path: String, reason: String },
    #[error("the applicant is not valid:\n  {0}")]
    Applicant(String),
    #[error(
        "--document {0:?}: give NAME=PATH, where NAME is a document's number (1, 2, …) or its \
         exact name as `motcua-kiosk submit --procedure CODE --list-documents` shows"
    )]
    DocumentSyntax(String),
    #[error("--document {0:?}: the procedure has no such document")]
    UnknownDocument(String),
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("required documents are missing:\n  {0}")]
    Missing(String),
    #[error("cannot save the dossier: {0}")]
    Save(String),
}

/// What was saved, and what the server said if it could be reached.
#[derive(Debug, Serialize)]
pub struct SubmitReport {
    pub local_reference: String,
    /// The receipt's status page, known before delivery; it works once the server has the dossier.
    pub status_url: Option<String>,
    pub delivered: bool,
    pub receipt: Option<SubmissionReceipt>,
    pub waiting_reason: Option<String>,
}

/// `NAME=PATH` → (document name, path), NAME being a 1-based number or an exact name.
fn document_argument(argument: &str, names: &[String]) -> Result<(String, PathBuf), SubmitError> {
    let (name, path) = argument
        .split_once('=')
        .filter(|(n, p)| !n.trim().is_empty() && !p.is_empty())
        .ok_or_else(|| SubmitError::DocumentSyntax(argument.to_owned()))?;
    let name = name.trim();
    let found = match name.parse::<usize>() {
        Ok(number) => number.checked_sub(1).and_then(|i| names.get(i)),
        Err(_) => names.iter().find(|n| n.as_str() == name),
    };
    let found = found.ok_or_else(|| SubmitError::UnknownDocument(name.to_owned()))?;
    Ok((found.clone(), PathBuf::from(path)))
}

/// The procedure's documents, numbered, with whether each is required.
pub async fn list_documents(
    storage: &StorageHandle,
    procedure: &ProcedureCode,
) -> Result<Vec<(String, bool)>, SubmitError> {
    let code = procedure.to_string();
    let found = storage
        .call(move |s| s.catalog.get(&code))
        .await
        .map_err(|e| SubmitError::Save(e.to_string()))?
        .map_err(|e| SubmitError::Save(e.to_string()))?
        .ok_or_else(|| SubmitError::UnknownProcedure(procedure.to_string()))?;
    Ok(found
        .documents
        .iter()
        .map(|d| (d.name.clone(), d.is_required()))
        .collect())
}

#[allow(clippy::too_many_arguments)]
pub async fn submit(
    storage: &StorageHandle,
    data_dir: &Path,
    public_base: &str,
    client: &DeliveryClient,
    kiosk_name: &str,
    procedure: &ProcedureCode,
    applicant_file: &Path,
    documents: &[String],
    limits: &Limits,
) -> Result<SubmitReport, SubmitError> {
    let code = procedure.to_string();
    let found = storage
        .call(move |s| s.catalog.get(&code))
        .await
        .map_err(|e| SubmitError::Save(e.to_string()))?
        .map_err(|e| SubmitError::Save(e.to_string()))?
        .ok_or_else(|| SubmitError::UnknownProcedure(procedure.to_string()))?;
    if !accepts_online(&found) {
        return Err(SubmitError::NotOnline(procedure.to_string()));
    }
    let shown = applicant_file.display().to_string();
    let text = std::fs::read_to_string(applicant_file).map_err(|e| SubmitError::ApplicantFile {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let input: ApplicantInput =
        serde_json::from_str(&text).map_err(|e| SubmitError::ApplicantFile {
            path: shown,
            // serde's message names the key and position, never the value.
            reason: e.to_string(),
        })?;
    let today = crate::status::today_in_vietnam(crate::catalog::store::now_unix());
    let applicant = input.parse(today).map_err(|problems| {
        SubmitError::Applicant(
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n  "),
        )
    })?;

    let names: Vec<String> = found.documents.iter().map(|d| d.name.clone()).collect();
    let staging = Staging::new(data_dir).map_err(|e| SubmitError::Save(e.to_string()))?;
    let mut attachments: Vec<Attachment> = Vec::new();
    for argument in documents {
        let (document, path) = document_argument(argument, &names)?;
        let shown = path.display().to_string();
        let file = std::fs::File::open(&path).map_err(|e| SubmitError::File {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let attachment =
            stage(staging.dir(), &document, file, limits, &attachments).map_err(|e| {
                SubmitError::File {
                    path: shown,
                    reason: e.to_string(),
                }
            })?;
        attachments.push(attachment);
    }
    let missing = missing_required(&found, &attachments);
    if !missing.is_empty() {
        return Err(SubmitError::Missing(missing.join("\n  ")));
    }

    let draft = Draft {
        procedure_code: found.code.clone(),
        procedure_name: found.name.clone(),
        applicant,
        attachments,
    };
    let kiosk = kiosk_name.to_owned();
    let now = time::OffsetDateTime::now_utc();
    let confirmed = storage
        .call(move |s| s.outbox.confirm(&draft, &kiosk, now))
        .await
        .map_err(|e| SubmitError::Save(e.to_string()))?
        .map_err(|e| SubmitError::Save(e.to_string()))?;
    drop(staging);

    let report = drain(client, storage).await;
    let reference = confirmed.local_reference.clone();
    let entry = storage
        .call(move |s| s.outbox.entry(&reference))
        .await
        .ok()
        .and_then(Result::ok)
        .flatten();
    let receipt = entry.and_then(|e| e.receipt);
    Ok(SubmitReport {
        status_url: confirmed
            .status_token
            .as_ref()
            .map(|token| motcua_protocol::status_url(public_base, token)),
        local_reference: confirmed.local_reference,
        delivered: receipt.is_some(),
        receipt,
        waiting_reason: report.last_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_by_number_or_exact_name() {
        let names = vec!["Tờ khai".to_owned(), "Giấy chứng sinh".to_owned()];
        assert_eq!(
            document_argument("2=/tmp/a.pdf", &names).unwrap(),
            ("Giấy chứng sinh".to_owned(), PathBuf::from("/tmp/a.pdf"))
        );
        assert_eq!(
            document_argument("Tờ khai=x.jpg", &names).unwrap().0,
            "Tờ khai"
        );
        assert!(matches!(
            document_argument("3=x", &names),
            Err(SubmitError::UnknownDocument(_))
        ));
        assert!(matches!(
            document_argument("0=x", &names),
            Err(SubmitError::UnknownDocument(_))
        ));
        assert!(matches!(
            document_argument("x.jpg", &names),
            Err(SubmitError::DocumentSyntax(_))
        ));
    }
}
