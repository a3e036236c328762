//! The on-screen keyboard's Telex composer (`src/input/telex.rs`), driven by the input's
//! characters: U+0008 is backspace, U+007F clears, U+0001 … U+0002 hands over the text between
//! them (`set_text`, as a physical keyboard or a scanner does), anything else is a key.
//!
//! Asserts after every step: the text is never longer than the characters that went in since
//! the last clear or hand-over; `is_empty` agrees with the text; a key that is not an ASCII
//! letter appends exactly itself; clear empties; handed-over text shows as its NFC form. While
//! every key since then was ASCII (the on-screen keyboard sends only ASCII keys), backspace
//! removes exactly the last visible character and the text is NFC. Keystrokes `to_telex` gives
//! for a word, typed, show that word.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_kiosk::input::Composer;
use motcua_kiosk::input::telex::to_telex;
use unicode_normalization::UnicodeNormalization;

const BACKSPACE: char = '\u{8}';
const CLEAR: char = '\u{7f}';
const HAND_OVER: char = '\u{1}';
const HAND_OVER_END: char = '\u{2}';

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut composer = Composer::new();
    // Characters that went in since the last clear or hand-over, plus the handed-over text.
    let mut budget = 0usize;
    let mut only_ascii_keys = true;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        let before = composer.text();
        match c {
            BACKSPACE => {
                composer.backspace();
                let after = composer.text();
                let mut expected = before.clone();
                expected.pop();
                if only_ascii_keys {
                    assert_eq!(after, expected, "backspace after {before:?}");
                }
            }
            CLEAR => {
                composer.clear();
                assert!(composer.text().is_empty());
                budget = 0;
                only_ascii_keys = true;
            }
            HAND_OVER => {
                let handed: String = chars.by_ref().take_while(|&c| c != HAND_OVER_END).collect();
                composer.set_text(&handed);
                let nfc: String = handed.nfc().collect();
                assert_eq!(composer.text(), nfc, "handed over {handed:?}");
                budget = nfc.chars().count();
                only_ascii_keys = true;
            }
            key => {
                composer.key(key);
                budget += 1;
                only_ascii_keys &= key.is_ascii();
                if !key.is_ascii_alphabetic() {
                    assert_eq!(composer.text(), format!("{before}{key}"));
                }
            }
        }
        let now = composer.text();
        assert!(
            now.chars().count() <= budget,
            "{now:?} from {budget} characters"
        );
        assert_eq!(composer.is_empty(), now.is_empty(), "{now:?}");
        if only_ascii_keys {
            assert!(unicode_normalization::is_nfc(&now), "not NFC: {now:?}");
        }
    }
    for word in text.split(|c: char| !c.is_alphabetic()).take(16) {
        if let Some(raw) = to_telex(word).filter(|raw| raw.is_ascii()) {
            let mut composer = Composer::new();
            composer.type_keys(&raw);
            assert_eq!(
                composer.text(),
                word.nfc().collect::<String>(),
                "{word:?} via {raw:?}"
            );
        }
    }
});
