//! Feedback references and visitor text (`protocol/src/feedback.rs`).
//!
//! Asserts: a parsed reference prints as `PA-dddd-dddd-dddd` and parses back to itself, also
//! typed as its 12 digits, and through JSON; cleaned text is non-empty, trimmed, within its
//! limit, free of control characters (newline and tab aside) and of bidirectional controls, made
//! only of characters of the input in their order, and cleaning it again changes nothing;
//! `Empty` and `TooLong` are returned exactly when they apply.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_protocol::{
    FeedbackReference, FeedbackTopic, Satisfaction, VisitorText, VisitorTextError, feedback_url,
};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    reference(text);
    cleaned::<120>(text);
    cleaned::<500>(text);
    cleaned::<2000>(text);
    cleaned::<4000>(text);
    if let Some(s) = Satisfaction::parse(text) {
        assert_eq!(s.as_str(), text);
    }
    if let Some(t) = FeedbackTopic::parse(text) {
        assert_eq!(t.as_str(), text);
    }
});

fn reference(text: &str) {
    let Ok(reference) = FeedbackReference::parse(text) else {
        return;
    };
    let shown = reference.to_string();
    let bytes = shown.as_bytes();
    assert_eq!(bytes.len(), 17, "{shown}");
    assert!(shown.starts_with("PA-"));
    for (i, b) in bytes.iter().enumerate().skip(3) {
        if i == 7 || i == 12 {
            assert_eq!(*b, b'-', "{shown}");
        } else {
            assert!(b.is_ascii_digit(), "{shown}");
        }
    }
    assert_eq!(FeedbackReference::parse(&shown).as_ref(), Ok(&reference));
    let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(FeedbackReference::parse(&digits).as_ref(), Ok(&reference));
    // The digits of the reference are the digits of the input.
    let typed: String = text.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(typed, digits);
    let json = serde_json::to_string(&reference).expect("a reference serializes");
    let back: FeedbackReference = serde_json::from_str(&json).expect("and reads back");
    assert_eq!(back, reference);
    assert!(
        feedback_url("https://x.example/", &reference).ends_with(&format!("/phan-anh/{shown}"))
    );
    assert_eq!(format!("{reference:?}"), "FeedbackReference(…)");
}

/// The rule of the module doc, written out again here.
fn removed(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn cleaned<const MAX: usize>(text: &str) {
    let nothing_left = text.chars().all(|c| removed(c) || c.is_whitespace());
    match VisitorText::<MAX>::parse(text) {
        Ok(visitor) => {
            let s = visitor.as_str();
            assert!(!nothing_left);
            assert!(!s.is_empty());
            assert_eq!(s, s.trim());
            assert!(s.chars().count() <= MAX);
            assert!(!s.chars().any(removed), "{s:?}");
            // Cleaning only removes: what is left is a subsequence of the input.
            let mut input = text.chars();
            assert!(
                s.chars().all(|c| input.any(|i| i == c)),
                "{s:?} from {text:?}"
            );
            assert_eq!(VisitorText::<MAX>::parse(s).as_ref(), Ok(&visitor));
            let json = serde_json::to_string(&visitor).expect("visitor text serializes");
            let back: VisitorText<MAX> = serde_json::from_str(&json).expect("and reads back");
            assert_eq!(back, visitor);
            assert_eq!(
                VisitorText::<MAX>::parse_optional(text)
                    .ok()
                    .flatten()
                    .as_ref(),
                Some(&visitor)
            );
            // Debug output (logs) carries the length only.
            assert_eq!(
                format!("{visitor:?}"),
                format!("VisitorText({} chars)", s.chars().count())
            );
        }
        Err(VisitorTextError::Empty) => {
            assert!(nothing_left, "{text:?}");
            assert_eq!(VisitorText::<MAX>::parse_optional(text), Ok(None));
        }
        Err(VisitorTextError::TooLong { max, found }) => {
            assert_eq!(max, MAX);
            assert!(found > MAX);
            assert!(text.chars().count() >= found);
            assert!(VisitorText::<MAX>::parse_optional(text).is_err());
        }
    }
}
