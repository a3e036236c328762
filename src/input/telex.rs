//! Telex composition for the on-screen keyboard.
//!
//! Slint has no input-method API, so the keyboard composes Vietnamese itself: it keeps the raw
//! keystrokes of the word being typed and re-composes that one word on every key with the `vi`
//! crate (which mis-composes buffers that contain spaces). Finished text is NFC.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;

/// The text of one input field as it is being typed.
#[derive(Debug, Default, Clone)]
pub struct Composer {
    /// Everything before the word being typed, already final.
    committed: String,
    /// Raw keystrokes of the word being typed.
    raw: String,
}

/// Longest word we compose; anything longer is not Vietnamese and is kept as typed.
const MAX_WORD_KEYS: usize = 24;

fn compose(raw: &str) -> String {
    if raw.chars().count() > MAX_WORD_KEYS {
        return raw.to_owned();
    }
    let mut out = String::new();
    vi::transform_buffer(&vi::TELEX, raw.chars(), &mut out);
    out.nfc().collect()
}

/// The Telex keystrokes that compose to `word` (`đăng` → `ddawng`), or `None` if the word does not
/// come back unchanged through composition.
pub fn to_telex(word: &str) -> Option<String> {
    let mut raw = String::with_capacity(word.len() + 2);
    let mut tone = None;
    for c in word.chars() {
        let upper = c.is_uppercase();
        let mut base = None;
        let mut modifier = None;
        if c == 'đ' || c == 'Đ' {
            base = Some(if upper { 'D' } else { 'd' });
            modifier = Some('d');
        } else {
            decompose_canonical(c, |d| match d {
                '\u{302}' => modifier = Some('^'),
                '\u{306}' | '\u{31b}' => modifier = Some('w'),
                '\u{301}' => tone = Some('s'),
                '\u{300}' => tone = Some('f'),
                '\u{309}' => tone = Some('r'),
                '\u{303}' => tone = Some('x'),
                '\u{323}' => tone = Some('j'),
                other => base = Some(other),
            });
        }
        let base = base?;
        raw.push(base);
        match modifier {
            Some('^') => raw.push(if upper {
                base.to_ascii_uppercase()
            } else {
                base.to_ascii_lowercase()
            }),
            Some('w') => raw.push(if upper { 'W' } else { 'w' }),
            Some('d') => raw.push(if upper { 'D' } else { 'd' }),
            _ => {}
        }
    }
    if let Some(tone) = tone {
        raw.push(tone);
    }
    (compose(&raw) == word.nfc().collect::<String>()).then_some(raw)
}

impl Composer {
    pub fn new() -> Self {
        Self::default()
    }

    /// The whole text as the visitor sees it.
    pub fn text(&self) -> String {
        let mut text = self.committed.clone();
        text.push_str(&compose(&self.raw));
        text
    }

    pub fn is_empty(&self) -> bool {
        self.committed.is_empty() && self.raw.is_empty()
    }

    /// One key of the on-screen keyboard: letters compose, anything else ends the word.
    pub fn key(&mut self, key: char) {
        if key.is_ascii_alphabetic() {
            self.raw.push(key);
        } else {
            self.commit_word();
            self.committed.push(key);
        }
    }

    /// Types every character of `keys` in turn.
    pub fn type_keys(&mut self, keys: &str) {
        keys.chars().for_each(|c| self.key(c));
    }

    /// Deletes the last visible character (not the last keystroke): `ký` ⌫ → `k`.
    pub fn backspace(&mut self) {
        if self.raw.is_empty() {
            self.committed.pop();
            self.reopen_last_word();
            return;
        }
        let mut word = compose(&self.raw);
        word.pop();
        match to_telex(&word) {
            Some(raw) => self.raw = raw,
            None => {
                self.raw.clear();
                self.committed.push_str(&word);
            }
        }
    }

    pub fn clear(&mut self) {
        self.committed.clear();
        self.raw.clear();
    }

    /// Takes over text typed some other way (a physical keyboard, a scanner); further keys
    /// continue composing its last word.
    pub fn set_text(&mut self, text: &str) {
        self.committed = text.nfc().collect();
        self.raw.clear();
        self.reopen_last_word();
    }

    fn commit_word(&mut self) {
        let word = compose(&self.raw);
        self.committed.push_str(&word);
        self.raw.clear();
    }

    /// Moves a trailing word of `committed` back into raw keystrokes so tone keys typed after a
    /// backspace still apply to it, as visitors expect from phone keyboards.
    fn reopen_last_word(&mut self) {
        let start = self
            .committed
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphabetic())
            .last()
            .map(|(i, _)| i);
        let Some(start) = start else { return };
        if let Some(raw) = to_telex(&self.committed[start..]) {
            self.committed.truncate(start);
            self.raw = raw;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(keys: &str) -> String {
        let mut composer = Composer::new();
        for key in keys.chars() {
            match key {
                '<' => composer.backspace(),
                key => composer.key(key),
            }
        }
        composer.text()
    }

    /// Raw keys (`<` is backspace) → the text the visitor must see.
    const TABLE: &[(&str, &str)] = &[
        ("ddawng kys", "đăng ký"),
        ("ddawng kys khai sinh", "đăng ký khai sinh"),
        ("chuwngs thuwcj", "chứng thực"),
        ("baor trowj xax hooij", "bảo trợ xã hội"),
        ("giaays pheps", "giấy phép"),
        ("hoaf", "hoà"),
        ("hofa", "hoà"),
        ("thuyr", "thuỷ"),
        ("tuwf", "từ"),
        ("nguwowif", "người"),
        ("dduwowngf", "đường"),
        ("xaay duwngj", "xây dựng"),
        ("cuw tru", "cư tru"),
        ("cuw trus", "cư trú"),
        ("cuw truws", "cư trứ"),
        ("Ddawng kys", "Đăng ký"),
        ("DDAWNG", "ĐĂNG"),
        ("kys<", "k"),
        ("ddawng<", "đăn"),
        ("ddawng<g", "đăng"),
        ("ddawng<<<", "đ"),
        ("ddawng<<<<", ""),
        ("khai <s", "khái"),
        ("ddawng ky <s", "đăng ký"),
        ("aa", "â"),
        ("aaa", "aa"),
        ("dd", "đ"),
        ("1.004222", "1.004222"),
        ("so 12a", "so 12a"),
        ("", ""),
        ("<<", ""),
    ];

    #[test]
    fn telex_composition_table() {
        let failures: Vec<String> = TABLE
            .iter()
            .filter_map(|(keys, want)| {
                let got = typed(keys);
                (got != *want).then(|| format!("{keys:?}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn output_is_nfc() {
        let text = typed("ddawng kys nguwowif");
        assert_eq!(text, text.nfc().collect::<String>());
    }

    #[test]
    fn telex_round_trip() {
        for word in ["đăng", "ký", "người", "Đường", "thuỷ", "hoà", "khai"] {
            let raw = to_telex(word).unwrap_or_else(|| panic!("{word}"));
            assert_eq!(compose(&raw), word, "{word} via {raw}");
        }
    }

    #[test]
    fn set_text_keeps_composing_the_last_word() {
        let mut composer = Composer::new();
        composer.set_text("dang ky");
        composer.key('s');
        assert_eq!(composer.text(), "dang ký");
    }
}
