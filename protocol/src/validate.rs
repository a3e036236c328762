use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

use crate::{CATALOG_FORMAT, CatalogFile, Procedure};

/// Why one record (or the file as a whole, when `index` is `None`) was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub index: Option<usize>,
    pub code: Option<String>,
    pub reason: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, &self.code) {
            (None, _) => write!(f, "file: {}", self.reason),
            (Some(i), Some(code)) => write!(f, "record {i} (code {code}): {}", self.reason),
            (Some(i), None) => write!(f, "record {i} (no code): {}", self.reason),
        }
    }
}

impl RecordError {
    fn file(reason: impl Into<String>) -> Self {
        Self {
            index: None,
            code: None,
            reason: reason.into(),
        }
    }
}

/// Parses one procedure record and checks what serde cannot: non-empty texts.
pub fn parse_procedure(value: &Value) -> Result<Procedure, String> {
    let procedure: Procedure = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
    for (name, text) in [
        ("name", &procedure.name),
        ("field", &procedure.field),
        ("agency", &procedure.agency),
        ("level", &procedure.level),
    ] {
        if text.trim().is_empty() {
            return Err(format!("empty `{name}`"));
        }
    }
    if let Some(fee) = procedure.fees.iter().find(|fee| fee.name.trim().is_empty()) {
        return Err(format!("a fee of {} VND has no name", fee.amount_vnd.0));
    }
    if procedure
        .documents
        .iter()
        .any(|doc| doc.name.trim().is_empty())
    {
        return Err("a required document has no name".to_owned());
    }
    Ok(procedure)
}

/// Parses a whole catalog file, collecting every bad record rather than stopping at the first,
/// so whoever prepared the file can fix them all in one go.
pub fn parse_catalog(text: &str) -> Result<CatalogFile, Vec<RecordError>> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| vec![RecordError::file(format!("not valid JSON: {e}"))])?;
    let Some(object) = root.as_object() else {
        return Err(vec![RecordError::file(
            "the top level must be a JSON object",
        )]);
    };
    match object.get("format").and_then(Value::as_str) {
        Some(CATALOG_FORMAT) => {}
        Some(other) => {
            return Err(vec![RecordError::file(format!(
                "unsupported format {other:?}, expected {CATALOG_FORMAT:?}"
            ))]);
        }
        None => {
            return Err(vec![RecordError::file(format!(
                "missing \"format\": {CATALOG_FORMAT:?}"
            ))]);
        }
    }
    let Some(records) = object.get("procedures").and_then(Value::as_array) else {
        return Err(vec![RecordError::file("missing \"procedures\" array")]);
    };

    let mut errors = Vec::new();
    let mut procedures = Vec::with_capacity(records.len());
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (index, record) in records.iter().enumerate() {
        let code = record
            .get("code")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let fail = |reason: String| RecordError {
            index: Some(index),
            code: code.clone(),
            reason,
        };
        if !record.is_object() {
            errors.push(fail("a procedure must be a JSON object".to_owned()));
            continue;
        }
        if code.is_none() {
            let reason = if record.get("code").is_some() {
                "`code` must be a string"
            } else {
                "missing code"
            };
            errors.push(fail(reason.to_owned()));
            continue;
        }
        match parse_procedure(record) {
            Ok(procedure) => {
                let key = procedure.code.as_str().to_owned();
                if let Some(first) = first_seen.get(&key) {
                    errors.push(fail(format!(
                        "duplicate code, first used by record {first}"
                    )));
                } else {
                    first_seen.insert(key, index);
                    procedures.push(procedure);
                }
            }
            Err(reason) => errors.push(fail(reason)),
        }
    }
    if errors.is_empty() {
        Ok(CatalogFile::new(procedures))
    } else {
        Err(errors)
    }
}
