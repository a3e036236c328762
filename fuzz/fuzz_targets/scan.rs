//! What a QR code or barcode scanner read (`src/status/scan.rs`): status links, dossier codes,
//! feedback links, CCCD payloads; and the parsers behind them (`DossierCode`, `StatusToken`,
//! `CitizenCard`).
//!
//! Asserts: bytes that are not UTF-8 are `Unreadable`, text is judged the same from bytes and
//! from `&str` and with or without a trailing `/` on the server address; a status or feedback link
//! is accepted only when the text starts with *our* address followed by `/` (case aside), and
//! the link we would print for what was found reads back the same; a dossier code is the input
//! in upper case and parses back to itself; nothing over `MAX_SCAN_LEN` or with a control
//! character inside opens anything. With the first line taken as the server's address (when the
//! kiosk would accept it as one), the same holds for that address. A parsed CCCD has a valid
//! 12-digit ID, a cleaned name and address within their limits, and `Debug` hides it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_kiosk::config::check_server_url;
use motcua_kiosk::status::scan::MAX_SCAN_LEN;
use motcua_kiosk::status::{Scanned, parse_scanned, parse_scanned_bytes};
use motcua_protocol::{CitizenCard, CitizenId, DossierCode, StatusToken, feedback_url, status_url};

const BASE: &str = "https://dichvucong.example.gov.vn";

fuzz_target!(|data: &[u8]| {
    let scanned = parse_scanned_bytes(data, BASE);
    let Ok(text) = std::str::from_utf8(data) else {
        assert_eq!(scanned, Scanned::Unreadable);
        return;
    };
    assert_eq!(parse_scanned(text, BASE), scanned);
    assert_eq!(parse_scanned(text, &format!("{BASE}/")), scanned);
    judged(text, BASE, &scanned);

    // Another center's address: the first line, when the configuration would accept it.
    if let Some((base, rest)) = text.split_once('\n')
        && check_server_url(base).is_ok()
        && !base.chars().any(char::is_control)
    {
        let scanned = parse_scanned(rest, base);
        judged(rest, base, &scanned);
    }

    codes(text);
    citizen_card(text);
});

fn judged(text: &str, base: &str, scanned: &Scanned) {
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let opens = !matches!(scanned, Scanned::NotOurs | Scanned::Unreadable);
    if opens {
        assert!(trimmed.len() <= MAX_SCAN_LEN);
        assert!(!trimmed.chars().any(char::is_control), "{trimmed:?}");
    }
    let ours = |trimmed: &str| {
        let origin = format!("{}/", base.trim_end_matches('/'));
        trimmed.len() >= origin.len()
            && trimmed.is_char_boundary(origin.len())
            && trimmed[..origin.len()].eq_ignore_ascii_case(&origin)
    };
    match scanned {
        Scanned::StatusLink(token) => {
            assert!(ours(trimmed), "{trimmed:?} is not under {base:?}");
            assert!(trimmed.ends_with(token.as_str()));
            assert_eq!(
                &parse_scanned(&status_url(base, token), base),
                scanned,
                "our own status link"
            );
        }
        Scanned::FeedbackLink(reference) => {
            assert!(ours(trimmed), "{trimmed:?} is not under {base:?}");
            assert_eq!(
                &parse_scanned(&feedback_url(base, reference), base),
                scanned,
                "our own feedback link"
            );
        }
        Scanned::DamagedLink => assert!(ours(trimmed), "{trimmed:?} is not under {base:?}"),
        Scanned::Code(code) => {
            assert!(
                trimmed.trim().eq_ignore_ascii_case(code.as_str()),
                "{trimmed:?}"
            );
            assert_eq!(DossierCode::parse(code.as_str()).as_ref(), Ok(code));
        }
        Scanned::CitizenCard => {
            assert!(trimmed.contains('|'));
            assert!(trimmed.as_bytes()[..12].iter().all(u8::is_ascii_digit));
        }
        Scanned::NotOurs | Scanned::Unreadable => {}
    }
    let _ = scanned.explanation();
}

fn codes(text: &str) {
    if let Ok(code) = DossierCode::parse(text) {
        assert_eq!(DossierCode::parse(code.as_str()).as_ref(), Ok(&code));
        assert_eq!(code.as_str(), text.trim().to_ascii_uppercase());
        assert!(code.date().is_some_and(|d| d.year() >= 2000));
        let masked = code.masked();
        let sequence = code.as_str().rsplit('-').next().unwrap_or_default();
        let keep = sequence.len().min(4);
        assert!(masked.ends_with(&sequence[sequence.len() - keep..]));
        assert!(masked.contains("-********-"));
        assert_eq!(masked.len(), code.as_str().len());
        let json = serde_json::to_string(&code).expect("a dossier code serializes");
        assert_eq!(
            serde_json::from_str::<DossierCode>(&json).ok().as_ref(),
            Some(&code)
        );
    }
    if let Ok(token) = StatusToken::parse(text) {
        assert_eq!(token.as_str(), text);
        assert_eq!(token.as_str().len(), StatusToken::LEN);
        assert_eq!(format!("{token:?}"), "StatusToken(…)");
    }
}

fn citizen_card(text: &str) {
    let Some(card) = CitizenCard::parse(text) else {
        return;
    };
    let id = card.citizen_id.as_str();
    assert_eq!(id.len(), 12);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(CitizenId::parse(id).as_ref(), Ok(&card.citizen_id));
    for (value, max, may_be_empty) in [(&card.full_name, 100, false), (&card.address, 300, true)] {
        assert!(may_be_empty || !value.is_empty());
        assert!(value.chars().count() <= max);
        assert!(
            !value
                .chars()
                .any(|c| c.is_control() || matches!(c, '<' | '>' | '{' | '}' | '\\'))
        );
        assert_eq!(value.trim(), value.as_str());
        assert!(!value.contains("  "));
    }
    assert_eq!(format!("{card:?}"), "CitizenCard(…)");
}
