//! Every visitor-facing string of the screens exists in Vietnamese and English: the sources are
//! English `@tr()` strings, the Vietnamese is in the bundled .po file. A string without a
//! Vietnamese translation fails this test (fix: `scripts/update-translations`).

use std::collections::HashMap;
use std::path::Path;

fn tr_strings(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("@tr(\"") {
        rest = &rest[start + 5..];
        let mut value = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => {
                    rest = &rest[i + 1..];
                    break;
                }
                c => value.push(c),
            }
        }
        found.push(value);
    }
    found
}

fn slint_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            slint_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "slint") {
            out.push(path);
        }
    }
}

/// msgid → msgstr of a .po file (single-line entries, as scripts/update-translations writes them).
fn po_entries(text: &str) -> HashMap<String, String> {
    let mut entries = HashMap::new();
    let mut msgid = None;
    for line in text.lines() {
        if let Some(id) = line
            .strip_prefix("msgid \"")
            .and_then(|l| l.strip_suffix('"'))
        {
            msgid = Some(id.replace("\\\"", "\""));
        } else if let Some(string) = line
            .strip_prefix("msgstr \"")
            .and_then(|l| l.strip_suffix('"'))
            && let Some(id) = msgid.take()
        {
            entries.insert(id, string.replace("\\\"", "\""));
        }
    }
    entries
}

#[test]
fn every_screen_string_has_a_vietnamese_translation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    slint_files(&root.join("ui"), &mut files);
    let po = std::fs::read_to_string(root.join("ui/translations/vi/LC_MESSAGES/motcua-kiosk.po"))
        .unwrap();
    let translations = po_entries(&po);
    let mut missing = Vec::new();
    let mut count = 0;
    for file in &files {
        for msgid in tr_strings(&std::fs::read_to_string(file).unwrap()) {
            count += 1;
            let translated = translations
                .get(&msgid)
                .is_some_and(|s| !s.trim().is_empty());
            let placeholders_match = translations
                .get(&msgid)
                .is_some_and(|s| s.matches("{}").count() == msgid.matches("{}").count());
            if !translated || !placeholders_match {
                missing.push(format!(
                    "{}: {msgid:?}",
                    file.strip_prefix(root).unwrap().display()
                ));
            }
        }
    }
    assert!(
        count > 40,
        "expected the screens to have many strings, found {count}"
    );
    assert!(
        missing.is_empty(),
        "untranslated or mismatched strings:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_visitor_text_outside_tr() {
    // Text shown to visitors must go through @tr(), except data, numbers, and the language
    // switch that names each language in itself.
    let allowed = [
        "English",
        "Tiếng Việt",
        "DEMO",
        "ABC",
        "123",
        "⌫",
        "›",
        "PDF",
    ];
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    slint_files(&root.join("ui"), &mut files);
    let mut offenders = Vec::new();
    for file in &files {
        for (n, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
            let line = line.trim();
            if let Some(rest) = line
                .strip_prefix("text:")
                .or_else(|| line.split_once(" text: ").map(|(_, r)| r))
            {
                let rest = rest.trim();
                if let Some(literal) = rest.strip_prefix('"') {
                    let literal = literal.split('"').next().unwrap_or("");
                    if !allowed.contains(&literal) && literal.chars().any(char::is_alphabetic) {
                        offenders.push(format!("{}:{}: {line}", file.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "literal visitor text without @tr():\n{}",
        offenders.join("\n")
    );
}
