//! The pure rules of online submission: what a manifest may hold, its canonical hash, dossier
//! codes, appointment dates in working days, and the first status. No I/O here.

use std::collections::HashSet;

use motcua_protocol::{
    DossierCode, DossierStatus, OnlineLevel, Procedure, SubmissionManifest, SubmissionReceipt,
};
use sha2::{Digest, Sha256};
use time::{Date, UtcOffset, Weekday};

use super::SubmissionError;
use crate::config::CentralConfig;

/// Largest manifest accepted, as JSON.
pub const MAX_MANIFEST_BYTES: usize = 256 * 1024;
/// `local_reference` is printed on the kiosk's receipt and shown to integrations.
pub const MAX_LOCAL_REFERENCE_CHARS: usize = 64;
/// Working days to the appointment date when a catalog record has no `processing_days`.
pub const DEFAULT_PROCESSING_DAYS: u32 = 15;
/// A `processing_days` above this is taken as a mistake in the record, and the default applies.
const MAX_PROCESSING_DAYS: u64 = 3650;

/// The size limits of the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_submission_bytes: u64,
    pub max_files: usize,
}

impl Limits {
    pub fn from_config(config: &CentralConfig) -> Self {
        Self {
            max_file_bytes: config.max_upload_file_bytes.get(),
            max_submission_bytes: config.max_submission_bytes.get(),
            max_files: usize::try_from(config.max_files_per_submission.get()).unwrap_or(usize::MAX),
        }
    }
}

/// Names from the catalog are echoed in messages, cut to a readable length.
fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(120).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

/// Checks a manifest against its procedure (`None`: not in the catalog) and the limits.
pub fn check_manifest(
    manifest: &SubmissionManifest,
    procedure: Option<&Procedure>,
    limits: &Limits,
) -> Result<(), SubmissionError> {
    let code = &manifest.procedure_code;
    let Some(procedure) = procedure else {
        return Err(SubmissionError::Invalid(format!(
            "unknown procedure {code}: it is not in the catalog"
        )));
    };
    if procedure.online == OnlineLevel::None {
        return Err(SubmissionError::Invalid(format!(
            "procedure {code} ({}) cannot be submitted online: its online level is \"none\"",
            shown(&procedure.name)
        )));
    }
    let reference = &manifest.local_reference;
    let reference_chars = reference.chars().count();
    if reference_chars == 0
        || reference_chars > MAX_LOCAL_REFERENCE_CHARS
        || reference.chars().any(char::is_control)
    {
        return Err(SubmissionError::Invalid(format!(
            "local_reference must be 1 to {MAX_LOCAL_REFERENCE_CHARS} characters without control characters"
        )));
    }
    let known: HashSet<&str> = procedure
        .documents
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    if let Some(unknown) = manifest
        .documents
        .iter()
        .find(|d| !known.contains(d.document.as_str()))
    {
        return Err(SubmissionError::Invalid(format!(
            "document {:?} is not one of the documents of procedure {code}; use a name exactly as in the catalog",
            shown(&unknown.document)
        )));
    }
    let files: Vec<_> = manifest.documents.iter().flat_map(|d| &d.files).collect();
    if files.is_empty() {
        return Err(SubmissionError::Invalid(
            "a submission needs at least one file".into(),
        ));
    }
    // The same reading of the catalog as the kiosk's (`RequiredDocument::is_required`).
    let attached: HashSet<&str> = manifest
        .documents
        .iter()
        .filter(|d| !d.files.is_empty())
        .map(|d| d.document.as_str())
        .collect();
    if let Some(missing) = procedure
        .documents
        .iter()
        .find(|d| d.is_required() && !attached.contains(d.name.as_str()))
    {
        return Err(SubmissionError::Invalid(format!(
            "required document {:?} of procedure {code} has no file",
            shown(&missing.name)
        )));
    }
    if files.len() > limits.max_files {
        return Err(SubmissionError::Invalid(format!(
            "a submission may have at most {} files, not {}",
            limits.max_files,
            files.len()
        )));
    }
    let mut ids = HashSet::with_capacity(files.len());
    let mut total: u64 = 0;
    for file in &files {
        if !ids.insert(&file.file_id) {
            return Err(SubmissionError::Invalid(format!(
                "file id {} appears more than once",
                file.file_id
            )));
        }
        if file.size == 0 {
            return Err(SubmissionError::Invalid(format!(
                "file {} is empty",
                file.file_id
            )));
        }
        if file.size > limits.max_file_bytes {
            return Err(SubmissionError::TooLarge(format!(
                "file {} is {} bytes; the limit is {} bytes per file",
                file.file_id, file.size, limits.max_file_bytes
            )));
        }
        total = total.saturating_add(file.size);
    }
    if total > limits.max_submission_bytes {
        return Err(SubmissionError::TooLarge(format!(
            "the files total {total} bytes; the limit is {} bytes per submission",
            limits.max_submission_bytes
        )));
    }
    Ok(())
}

/// The manifest as stored, and the SHA-256 that tells an identical resend from a different
/// manifest. Both come from the parsed manifest, so spacing, key order and how the kiosk wrote the
/// phone number or the time zone of `confirmed_at` do not matter.
pub fn canonical(manifest: &SubmissionManifest) -> Result<(String, [u8; 32]), SubmissionError> {
    let mut normal = manifest.clone();
    normal.confirmed_at = normal.confirmed_at.to_offset(UtcOffset::UTC);
    let json = serde_json::to_string(&normal)
        .map_err(|e| SubmissionError::Corrupt(format!("manifest cannot be serialised: {e}")))?;
    let hash = Sha256::digest(json.as_bytes()).into();
    Ok((json, hash))
}

/// A serde error about a manifest, without the offending value: a value in the wrong place may be
/// a name or an ID number, and error messages must not repeat personal data.
pub fn redact_json_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let redacted = if text.starts_with("invalid type")
        || text.starts_with("invalid value")
        || text.starts_with("invalid length")
    {
        let kind = text.split(':').next().unwrap_or("invalid value");
        match text.rfind(", expected ") {
            Some(at) => format!("{kind}{}", &text[at..]),
            None => format!("{kind} at line {} column {}", error.line(), error.column()),
        }
    } else {
        text
    };
    format!("invalid manifest: {redacted}")
}

/// Working days from the catalog record's `processing_days` (an extra field, see
/// docs/catalog-format.md); `DEFAULT_PROCESSING_DAYS` when absent or not a sensible whole number.
pub fn processing_days(procedure: &Procedure) -> u32 {
    procedure
        .extra
        .get("processing_days")
        .and_then(serde_json::Value::as_u64)
        .filter(|days| *days <= MAX_PROCESSING_DAYS)
        .and_then(|days| u32::try_from(days).ok())
        .unwrap_or(DEFAULT_PROCESSING_DAYS)
}

pub fn is_working_day(day: Date, holidays: &[Date]) -> bool {
    !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !holidays.contains(&day)
}

/// The appointment date: the `days`-th working day after `received_on` (Saturdays, Sundays and
/// `holidays` do not count). Zero days: the day it was received.
pub fn add_working_days(received_on: Date, days: u32, holidays: &[Date]) -> Date {
    let mut day = received_on;
    let mut left = days;
    while left > 0 {
        let Some(next) = day.next_day() else {
            return day;
        };
        day = next;
        if is_working_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

/// Full online: the dossier is accepted (2) on submission; partly online: it is registered (1)
/// and accepted when the remaining in-person step is done at the desk.
pub fn initial_status(level: OnlineLevel) -> DossierStatus {
    match level {
        OnlineLevel::Full => DossierStatus::Accepted,
        OnlineLevel::Partial | OnlineLevel::None => DossierStatus::Registered,
    }
}

pub fn fee_total(procedure: &Procedure) -> u64 {
    procedure
        .fees
        .iter()
        .fold(0u64, |sum, fee| sum.saturating_add(fee.amount_vnd.0))
}

/// `<agency>-<yyyymmdd>-<sequence, at least 7 digits>`.
pub fn dossier_code(
    agency: &str,
    day: Date,
    sequence: u64,
) -> Result<DossierCode, SubmissionError> {
    let text = format!(
        "{agency}-{:04}{:02}{:02}-{sequence:07}",
        day.year(),
        u8::from(day.month()),
        day.day()
    );
    DossierCode::parse(&text).map_err(|e| SubmissionError::Corrupt(e.to_string()))
}

/// Everything `complete` needs besides the stored submission.
#[derive(Debug, Clone)]
pub struct Intake {
    pub agency_id: String,
    pub holidays: Vec<Date>,
    pub public_base: String,
}

impl Intake {
    pub fn from_config(config: &CentralConfig) -> Self {
        Self {
            agency_id: config.agency_id.clone(),
            holidays: config.holidays.clone(),
            public_base: config.public_base(),
        }
    }
}

/// The receipt for a procedure submitted on `received_on`, before its code and token exist.
pub fn receipt_fields(
    procedure: &Procedure,
    received_on: Date,
    holidays: &[Date],
) -> (Date, DossierStatus, u64) {
    let due_on = add_working_days(received_on, processing_days(procedure), holidays);
    (
        due_on,
        initial_status(procedure.online),
        fee_total(procedure),
    )
}

/// A receipt as stored, read back.
pub fn parse_receipt(json: &str) -> Result<SubmissionReceipt, SubmissionError> {
    serde_json::from_str(json)
        .map_err(|_| SubmissionError::Corrupt("a stored receipt cannot be read".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_protocol::{DocumentManifest, FileManifest, Sha256Hex};
    use time::macros::date;

    fn procedure(online: &str, extra: &str) -> Procedure {
        serde_json::from_str(&format!(
            r#"{{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","agency":"UBND xã",
            "level":"Cấp xã","online":"{online}","processing_time":"1 ngày",
            "fees":[{{"name":"a","amount_vnd":8000}},{{"name":"b","amount_vnd":2000}}],
            "steps":[],"documents":[{{"name":"Tờ khai"}},{{"name":"Giấy chứng sinh","required":false}}],
            "requirements":"","result":"","legal_basis":[],"address":""{extra}}}"#
        ))
        .unwrap()
    }

    fn manifest(documents: Vec<(&str, Vec<(&str, u64)>)>) -> SubmissionManifest {
        let applicant = serde_json::json!({
            "full_name": "Nguyễn Văn An", "citizen_id": "001089012345", "birth_date": "1989-03-15",
            "phone": "0912345678", "address": "Số 1 Tràng Tiền, Hà Nội"
        });
        SubmissionManifest {
            procedure_code: motcua_protocol::ProcedureCode::parse("1.001193").unwrap(),
            applicant: serde_json::from_value(applicant).unwrap(),
            documents: documents
                .into_iter()
                .map(|(name, files)| DocumentManifest {
                    document: name.into(),
                    files: files
                        .into_iter()
                        .map(|(id, size)| FileManifest {
                            file_id: motcua_protocol::ClientId::parse(id).unwrap(),
                            media_type: motcua_protocol::MediaType::Jpeg,
                            size,
                            sha256: Sha256Hex::from_digest(&[7; 32]),
                        })
                        .collect(),
                })
                .collect(),
            local_reference: "QUAY-1-20261122-0007".into(),
            confirmed_at: time::macros::datetime!(2026-11-22 10:00 +7),
            status_token: None,
        }
    }

    const LIMITS: Limits = Limits {
        max_file_bytes: 100,
        max_submission_bytes: 150,
        max_files: 3,
    };

    fn refusal(m: &SubmissionManifest, p: Option<&Procedure>) -> String {
        check_manifest(m, p, &LIMITS).unwrap_err().to_string()
    }

    #[test]
    fn manifests_are_checked_against_the_procedure_and_the_limits() {
        let full = procedure("full", "");
        let ok = manifest(vec![
            ("Tờ khai", vec![("a", 50)]),
            ("Giấy chứng sinh", vec![("b", 100)]),
        ]);
        assert!(check_manifest(&ok, Some(&full), &LIMITS).is_ok());
        assert!(check_manifest(&ok, Some(&procedure("partial", "")), &LIMITS).is_ok());
        assert!(refusal(&ok, None).contains("unknown procedure 1.001193"));
        assert!(refusal(&ok, Some(&procedure("none", ""))).contains("cannot be submitted online"));
        let without_form = manifest(vec![("Giấy chứng sinh", vec![("b", 1)])]);
        assert!(refusal(&without_form, Some(&full)).contains("required document \"Tờ khai\""));
        let unknown = manifest(vec![("Tờ khai (bản sao)", vec![("a", 1)])]);
        assert!(refusal(&unknown, Some(&full)).contains("is not one of the documents"));
        assert!(
            refusal(&manifest(vec![("Tờ khai", vec![])]), Some(&full))
                .contains("at least one file")
        );
        let twice = manifest(vec![("Tờ khai", vec![("a", 1), ("a", 2)])]);
        assert!(refusal(&twice, Some(&full)).contains("file id a appears more than once"));
        let empty = manifest(vec![("Tờ khai", vec![("a", 0)])]);
        assert!(refusal(&empty, Some(&full)).contains("file a is empty"));
        let big = manifest(vec![("Tờ khai", vec![("a", 101)])]);
        assert!(matches!(
            check_manifest(&big, Some(&full), &LIMITS),
            Err(SubmissionError::TooLarge(_))
        ));
        let total = manifest(vec![
            ("Tờ khai", vec![("a", 100)]),
            ("Giấy chứng sinh", vec![("b", 51)]),
        ]);
        assert!(refusal(&total, Some(&full)).contains("total 151 bytes"));
        let many = manifest(vec![(
            "Tờ khai",
            vec![("a", 1), ("b", 1), ("c", 1), ("d", 1)],
        )]);
        assert!(refusal(&many, Some(&full)).contains("at most 3 files"));
        let mut unreferenced = ok.clone();
        unreferenced.local_reference = String::new();
        assert!(refusal(&unreferenced, Some(&full)).contains("local_reference"));
    }

    #[test]
    fn the_canonical_hash_ignores_formatting_and_time_zone_but_not_content() {
        let a = manifest(vec![("Tờ khai", vec![("a", 50)])]);
        let mut b = a.clone();
        b.confirmed_at = b.confirmed_at.to_offset(UtcOffset::UTC);
        assert_eq!(canonical(&a).unwrap().1, canonical(&b).unwrap().1);
        let reparsed: SubmissionManifest =
            serde_json::from_str(&serde_json::to_string_pretty(&a).unwrap()).unwrap();
        assert_eq!(canonical(&reparsed).unwrap().1, canonical(&a).unwrap().1);
        let mut c = a.clone();
        c.local_reference.push('8');
        assert_ne!(canonical(&c).unwrap().1, canonical(&a).unwrap().1);
    }

    #[test]
    fn json_errors_never_repeat_the_value() {
        let err = serde_json::from_str::<SubmissionManifest>(
            r#"{"procedure_code": "1.001193", "applicant": "Nguyễn Văn An 001089012345"}"#,
        )
        .unwrap_err();
        let message = redact_json_error(&err);
        assert!(
            !message.contains("Nguyễn") && !message.contains("001089012345"),
            "{message}"
        );
        assert!(
            message.starts_with("invalid manifest: invalid type, expected"),
            "{message}"
        );
        let err = serde_json::from_str::<SubmissionManifest>(r#"{"procedure_code": 1089012345}"#)
            .unwrap_err();
        assert!(!redact_json_error(&err).contains("1089012345"));
        let err = serde_json::from_str::<SubmissionManifest>("{").unwrap_err();
        assert!(redact_json_error(&err).contains("EOF"));
    }

    #[test]
    fn appointment_dates_count_working_days_only() {
        let holidays = [date!(2026 - 09 - 02)];
        // Friday 28 August 2026 + 3 working days: Mon 31, Tue 1 Sep, (Wed 2 Sep holiday), Thu 3.
        assert_eq!(
            add_working_days(date!(2026 - 08 - 28), 3, &holidays),
            date!(2026 - 09 - 03)
        );
        assert_eq!(
            add_working_days(date!(2026 - 08 - 28), 3, &[]),
            date!(2026 - 09 - 02)
        );
        // Received on a Saturday: the first working day after it is Monday.
        assert_eq!(
            add_working_days(date!(2026 - 08 - 29), 1, &[]),
            date!(2026 - 08 - 31)
        );
        assert_eq!(
            add_working_days(date!(2026 - 08 - 29), 0, &[]),
            date!(2026 - 08 - 29)
        );
        // Three weeks: 15 working days from Monday 2 November is Monday 23 November.
        assert_eq!(
            add_working_days(date!(2026 - 11 - 02), 15, &[]),
            date!(2026 - 11 - 23)
        );
        assert!(!is_working_day(date!(2026 - 09 - 02), &holidays));
        assert!(is_working_day(date!(2026 - 09 - 03), &holidays));
    }

    #[test]
    fn processing_days_fees_status_and_codes() {
        assert_eq!(
            processing_days(&procedure("full", "")),
            DEFAULT_PROCESSING_DAYS
        );
        assert_eq!(
            processing_days(&procedure("full", r#","processing_days":3"#)),
            3
        );
        assert_eq!(
            processing_days(&procedure("full", r#","processing_days":-1"#)),
            DEFAULT_PROCESSING_DAYS
        );
        assert_eq!(
            processing_days(&procedure("full", r#","processing_days":"3""#)),
            DEFAULT_PROCESSING_DAYS
        );
        assert_eq!(fee_total(&procedure("full", "")), 10_000);
        assert_eq!(initial_status(OnlineLevel::Full), DossierStatus::Accepted);
        assert_eq!(
            initial_status(OnlineLevel::Partial),
            DossierStatus::Registered
        );
        assert_eq!(
            dossier_code("G00.01", date!(2026 - 11 - 23), 42)
                .unwrap()
                .as_str(),
            "G00.01-20261123-0000042"
        );
        assert_eq!(
            dossier_code("G00.01", date!(2026 - 11 - 23), 12_345_678)
                .unwrap()
                .as_str(),
            "G00.01-20261123-12345678"
        );
    }
}
