//! The JSON bodies kiosks and integrations send the central server (`motcua_protocol`):
//! submission, rating and feedback manifests, status events, dossier registrations, heartbeats,
//! remote configurations, enrollment requests; and the server's pure checks on them
//! (`check_manifest` against the demo catalog and the default limits, `check_heartbeat`,
//! `clean_note`, `check_event_id`, `check_event_time`).
//!
//! The upload offset logic (`central/src/submission/upload.rs`, `reconcile` and `Upload::run`)
//! has no pure function to fuzz: it works on the database and the part files. What a kiosk
//! declares about its uploads (file ids, sizes, hashes, media types) arrives in the submission
//! manifest, checked here.
//!
//! Asserts: whatever deserializes serializes and reads back equal; a manifest
//! `check_manifest` accepts names a catalog procedure that can be submitted online, has a
//! `local_reference` of 1 to 64 characters without control characters, only the procedure's
//! documents, every required one, 1 to `max_files` files with distinct ids, none empty, each
//! and all together within the limits; an accepted note is trimmed, within 1,000 characters,
//! free of control characters but line breaks and of bidirectional overrides, and unchanged by
//! cleaning again; accepted event ids are 1 to 100 visible ASCII characters; accepted event
//! times convert to the stored nanoseconds and back.

#![no_main]

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use motcua_central::CentralConfig;
use motcua_central::operations::fleet::check_heartbeat;
use motcua_central::status::rules::{check_event_id, check_event_time, clean_note, from_ns, to_ns};
use motcua_central::submission::rules::{Limits, check_manifest};
use motcua_protocol::{
    DossierRegistration, EnrollRequest, FeedbackManifest, Heartbeat, OnlineLevel, Procedure,
    RatingManifest, RemoteConfig, StatusEvent, SubmissionManifest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

static CATALOG: LazyLock<HashMap<String, Procedure>> = LazyLock::new(|| {
    motcua_protocol::parse_catalog(motcua_central::DEMO_CATALOG)
        .expect("the demo catalog is valid")
        .procedures
        .into_iter()
        .map(|p| (p.code.as_str().to_owned(), p))
        .collect()
});

static LIMITS: LazyLock<Limits> = LazyLock::new(|| Limits::from_config(&CentralConfig::default()));

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(manifest) = round_trip::<SubmissionManifest>(text) {
        submission(&manifest);
    }
    round_trip::<RatingManifest>(text);
    round_trip::<FeedbackManifest>(text);
    round_trip::<DossierRegistration>(text);
    round_trip::<RemoteConfig>(text);
    if let Some(heartbeat) = round_trip::<Heartbeat>(text) {
        let _ = check_heartbeat(&heartbeat);
    }
    if let Some(event) = round_trip::<StatusEvent>(text) {
        status_event(&event);
    }
    if let Ok(request) = serde_json::from_str::<EnrollRequest>(text) {
        let json = serde_json::to_string(&request).expect("serializes");
        serde_json::from_str::<EnrollRequest>(&json).expect("reads back");
    }
    // The text itself as a note, for notes longer than JSON strings make convenient.
    note(Some(text));
});

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    text: &str,
) -> Option<T> {
    let value: T = serde_json::from_str(text).ok()?;
    let json = serde_json::to_string(&value)
        .unwrap_or_else(|e| panic!("{} does not serialize: {e}", std::any::type_name::<T>()));
    let back: T = serde_json::from_str(&json).unwrap_or_else(|e| {
        panic!(
            "{} does not read back: {e}\n{json}",
            std::any::type_name::<T>()
        )
    });
    assert_eq!(back, value, "{json}");
    Some(value)
}

fn submission(manifest: &SubmissionManifest) {
    let procedure = CATALOG.get(manifest.procedure_code.as_str());
    if check_manifest(manifest, procedure, &LIMITS).is_err() {
        return;
    }
    let procedure = procedure.expect("accepted manifests name a catalog procedure");
    assert_ne!(procedure.online, OnlineLevel::None);
    let reference = &manifest.local_reference;
    assert!((1..=64).contains(&reference.chars().count()));
    assert!(!reference.chars().any(char::is_control));
    let names: HashSet<&str> = procedure
        .documents
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert!(
        manifest
            .documents
            .iter()
            .all(|d| names.contains(d.document.as_str()))
    );
    for required in procedure.documents.iter().filter(|d| d.is_required()) {
        assert!(
            manifest
                .documents
                .iter()
                .any(|d| d.document == required.name && !d.files.is_empty()),
            "{} has no file",
            required.name
        );
    }
    let files: Vec<_> = manifest.documents.iter().flat_map(|d| &d.files).collect();
    assert!(!files.is_empty() && files.len() <= LIMITS.max_files);
    let ids: HashSet<_> = files.iter().map(|f| &f.file_id).collect();
    assert_eq!(ids.len(), files.len());
    let mut total = 0u64;
    for file in &files {
        assert!(file.size > 0 && file.size <= LIMITS.max_file_bytes);
        total = total
            .checked_add(file.size)
            .expect("no overflow within the limits");
    }
    assert!(total <= LIMITS.max_submission_bytes);
}

fn note(text: Option<&str>) {
    let Ok(Some(cleaned)) = clean_note(text) else {
        return;
    };
    assert!(!cleaned.is_empty());
    assert_eq!(cleaned.trim(), cleaned);
    assert!(cleaned.chars().count() <= 1000);
    assert!(!cleaned.chars().any(|c| (c.is_control() && c != '\n')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')));
    assert_eq!(clean_note(Some(&cleaned)).ok(), Some(Some(cleaned.clone())));
}

fn status_event(event: &StatusEvent) {
    if check_event_id(&event.event_id).is_ok() {
        assert!((1..=100).contains(&event.event_id.len()));
        assert!(event.event_id.bytes().all(|b| b.is_ascii_graphic()));
    }
    note(event.note.as_deref());
    if let Some(at) = event.at {
        let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).expect("a time");
        if check_event_time(at, now).is_ok() {
            let ns = to_ns(at).expect("accepted times fit the column");
            assert_eq!(from_ns(ns).ok(), Some(at));
        }
    }
}
