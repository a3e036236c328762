//! The applicant's fields as typed on the form (`protocol/src/applicant.rs`): the input is the six
//! fields (name, citizen ID, birth date, phone, address, e-mail) one per line.
//!
//! Asserts: `parse` succeeds exactly when `problems` is empty; an accepted applicant has a
//! cleaned name and address within their limits, a 12-digit ID whose birth year matches the
//! birth date, a date not after today, a 10-digit phone starting with 0; it reads back the same
//! from the form values it gives (`ApplicantInput::from`) and from JSON; `Debug` hides every
//! field. Each field's parser, fed its own output, returns it unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_protocol::{Applicant, ApplicantInput, CitizenId, Email, PhoneNumber, parse_date};
use time::{Date, Month};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let mut next = || lines.next().unwrap_or_default().to_owned();
    let input = ApplicantInput {
        full_name: next(),
        citizen_id: next(),
        birth_date: next(),
        phone: next(),
        address: next(),
        email: Some(next()).filter(|e| !e.is_empty()),
    };
    let today = Date::from_calendar_date(2026, Month::June, 9).expect("a date");
    let problems = input.problems(today);
    match input.parse(today) {
        Ok(applicant) => {
            assert!(problems.is_empty());
            accepted(&applicant, today);
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            assert_eq!(errors, problems);
            for error in &errors {
                let _ = error.to_string();
            }
        }
    }
    fields(text);
});

fn accepted(applicant: &Applicant, today: Date) {
    for (value, max) in [(&applicant.full_name, 100), (&applicant.address, 300)] {
        assert!(!value.is_empty());
        assert!(value.chars().count() <= max);
        assert_eq!(value.trim(), value.as_str());
        assert!(!value.contains("  "));
        assert!(
            !value
                .chars()
                .any(|c| c.is_control() || matches!(c, '<' | '>' | '{' | '}' | '\\'))
        );
    }
    let id = applicant.citizen_id.as_str();
    assert!(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()));
    assert!(applicant.birth_date <= today);
    assert_eq!(
        applicant.citizen_id.birth_year(),
        applicant.birth_date.year()
    );
    let phone = applicant.phone.as_str();
    assert!(
        phone.len() == 10 && phone.starts_with('0') && phone.bytes().all(|b| b.is_ascii_digit())
    );

    let again = ApplicantInput::from(applicant).parse(today);
    assert_eq!(again.as_ref(), Ok(applicant));
    let json = serde_json::to_string(applicant).expect("an applicant serializes");
    let back: Applicant = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(&back, applicant);
    assert_eq!(format!("{applicant:?}"), "Applicant(…)");
    assert_eq!(
        format!("{:?}", ApplicantInput::from(applicant)),
        "ApplicantInput(…)"
    );
}

fn fields(text: &str) {
    if let Ok(id) = CitizenId::parse(text) {
        assert_eq!(CitizenId::parse(id.as_str()).as_ref(), Ok(&id));
        assert_eq!(format!("{id:?}"), "CitizenId(…)");
        let year = id.birth_year();
        assert!((1900..2400).contains(&year), "{year}");
    }
    if let Ok(phone) = PhoneNumber::parse(text) {
        assert_eq!(PhoneNumber::parse(phone.as_str()).as_ref(), Ok(&phone));
        assert_eq!(phone.as_str().len(), 10);
    }
    if let Ok(email) = Email::parse(text) {
        assert_eq!(Email::parse(email.as_str()).as_ref(), Ok(&email));
        assert!(email.as_str().is_ascii());
    }
    // Four-digit years only: `parse_date` also takes "+999" for a year (`str::parse` accepts a
    // sign), which no form or card writes and which birth dates refuse.
    if let Some(date) = parse_date(text).filter(|d| d.year() >= 1000) {
        let iso = format!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        );
        assert_eq!(parse_date(&iso), Some(date));
        let written = format!(
            "{:02}/{:02}/{:04}",
            date.day(),
            u8::from(date.month()),
            date.year()
        );
        assert_eq!(parse_date(&written), Some(date));
    }
}
