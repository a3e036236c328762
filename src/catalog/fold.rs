//! Vietnamese text folding for search.
//!
//! Two keys per word: the *folded* key ignores every diacritic, case and the i/y spelling variant
//! (`Đăng ký` → `dang ki`), which is what matching uses; the *accent* key keeps the letter
//! modifications (ă â ê ô ơ ư đ) and the tone but not where the tone mark sits, so `hoà` and `hòa`
//! are the same word, which is what "typed with the right diacritics" ranking uses.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;

const GRAVE: char = '\u{300}';
const ACUTE: char = '\u{301}';
const TILDE: char = '\u{303}';
const HOOK_ABOVE: char = '\u{309}';
const DOT_BELOW: char = '\u{323}';

fn is_tone_mark(c: char) -> bool {
    matches!(c, GRAVE | ACUTE | TILDE | HOOK_ABOVE | DOT_BELOW)
}

fn is_combining(c: char) -> bool {
    ('\u{300}'..='\u{36f}').contains(&c)
}

/// Lowercase, no diacritics, `đ` → `d`, `y` → `i`.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            push_folded_base(&mut out, c);
            continue;
        }
        decompose_canonical(c, |d| {
            if !is_combining(d) {
                push_folded_base(&mut out, d);
            }
        });
    }
    out
}

fn push_folded_base(out: &mut String, c: char) {
    match c {
        'đ' | 'Đ' => out.push('d'),
        'y' | 'Y' => out.push('i'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => out.extend(c.to_lowercase()),
    }
}

/// Lowercase NFC word with `y` → `i` and the tone written as a trailing digit (1–5) instead of on
/// a vowel, so tone placement does not matter.
pub fn accent_key(word: &str) -> String {
    let mut base = String::with_capacity(word.len() + 1);
    let mut tone = None;
    for c in word.nfd() {
        if is_tone_mark(c) {
            tone = Some(c);
        } else if c == 'y' || c == 'Y' {
            base.push('i');
        } else {
            base.extend(c.to_lowercase());
        }
    }
    let mut key: String = base.nfc().collect();
    if let Some(tone) = tone {
        key.push(match tone {
            ACUTE => '1',
            GRAVE => '2',
            HOOK_ABOVE => '3',
            TILDE => '4',
            _ => '5',
        });
    }
    key
}

/// Whether the word carries any Vietnamese diacritic (a tone mark, a modified letter or đ).
pub fn has_diacritics(word: &str) -> bool {
    !word.is_ascii()
}

/// Splits text into words: runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// What a word typed as raw Telex or VNI keystrokes would have composed to (`ddawng` → `đăng`,
/// `ky1` → `ký`), or `None` when the keystrokes compose to the word itself.
pub fn compose_keystrokes(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    if !lower.is_ascii() || lower.len() > 12 || !lower.chars().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let method = if lower.chars().any(|c| c.is_ascii_digit()) {
        &vi::VNI
    } else {
        &vi::TELEX
    };
    let mut out = String::new();
    vi::transform_buffer(method, lower.chars(), &mut out);
    let out: String = out.nfc().collect();
    (out != lower && !out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_every_diacritic_and_folds_d_and_y() {
        assert_eq!(fold("Đăng ký khai sinh"), "dang ki khai sinh");
        assert_eq!(fold("CHỨNG THỰC"), "chung thuc");
        assert_eq!(fold("đ Đ"), "d d");
        assert_eq!(fold("Kí"), fold("ký"));
        // Decomposed input folds like composed input.
        assert_eq!(fold("Nguye\u{302}\u{303}n"), "nguien");
    }

    #[test]
    fn accent_key_ignores_tone_placement_but_keeps_tone_and_letters() {
        assert_eq!(accent_key("hoà"), accent_key("hòa"));
        assert_eq!(accent_key("thuý"), accent_key("thúy"));
        assert_eq!(accent_key("kí"), accent_key("ký"));
        assert_ne!(accent_key("hoà"), accent_key("hoá"));
        assert_ne!(accent_key("đăng"), accent_key("dang"));
        assert_ne!(accent_key("đăng"), accent_key("đằng"));
        assert_eq!(accent_key("Đăng"), "đăng");
    }

    #[test]
    fn raw_keystrokes_compose() {
        assert_eq!(compose_keystrokes("ddawng").as_deref(), Some("đăng"));
        assert_eq!(compose_keystrokes("kys").as_deref(), Some("ký"));
        assert_eq!(compose_keystrokes("ky1").as_deref(), Some("ký"));
        assert_eq!(compose_keystrokes("khai"), None);
        assert_eq!(compose_keystrokes("004222"), None);
    }
}
