//! The embedded font (Be Vietnam Pro, SIL OFL) and word wrapping shared by the thermal raster and
//! the PDF: both measure with the same advance widths, so a line breaks at the same word on paper
//! of the same width.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, GlyphId};
use unicode_normalization::UnicodeNormalization;

static REGULAR: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/ui/fonts/BeVietnamPro-Regular.ttf"
));
static MEDIUM: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/ui/fonts/BeVietnamPro-Medium.ttf"
));
static BOLD: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/ui/fonts/BeVietnamPro-Bold.ttf"
));

/// Which of the three embedded faces a run of text uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weight {
    Regular,
    Medium,
    Bold,
}

impl Weight {
    pub const ALL: [Weight; 3] = [Weight::Regular, Weight::Medium, Weight::Bold];

    /// The TrueType file of this face.
    pub fn font_data(self) -> &'static [u8] {
        match self {
            Weight::Regular => REGULAR,
            Weight::Medium => MEDIUM,
            Weight::Bold => BOLD,
        }
    }

    /// The PostScript name of this face.
    pub fn postscript_name(self) -> &'static str {
        match self {
            Weight::Regular => "BeVietnamPro-Regular",
            Weight::Medium => "BeVietnamPro-Medium",
            Weight::Bold => "BeVietnamPro-Bold",
        }
    }
}

pub(crate) struct Fonts {
    faces: [FontRef<'static>; 3],
}

/// The parsed embedded faces (parsed once; the data is in the binary).
pub(crate) fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts {
        faces: Weight::ALL.map(|w| {
            FontRef::try_from_slice(w.font_data()).expect("the embedded font is a valid TrueType")
        }),
    })
}

impl Fonts {
    pub fn face(&self, weight: Weight) -> &FontRef<'static> {
        &self.faces[weight as usize]
    }

    fn units_per_em(&self, weight: Weight) -> f32 {
        self.face(weight).units_per_em().unwrap_or(1000.0)
    }

    /// Advance width of `c` in `weight`, in ems (multiply by the size).
    pub fn advance_em(&self, weight: Weight, c: char) -> f32 {
        let face = self.face(weight);
        face.h_advance_unscaled(face.glyph_id(c)) / self.units_per_em(weight)
    }

    /// Width of `text` in ems. No kerning: the PDF places glyphs by their advances alone, and the
    /// raster must break lines where the PDF does.
    pub fn width_em(&self, weight: Weight, text: &str) -> f32 {
        text.chars().map(|c| self.advance_em(weight, c)).sum()
    }

    /// (ascent, descent) in ems; descent is negative.
    pub fn vertical_em(&self, weight: Weight) -> (f32, f32) {
        let face = self.face(weight);
        let upem = self.units_per_em(weight);
        (
            face.ascent_unscaled() / upem,
            face.descent_unscaled() / upem,
        )
    }

    /// ab_glyph's scale for text `em` pixels per em (its scale counts the line's height, not
    /// the em).
    pub fn px_scale(&self, weight: Weight, em: f32) -> ab_glyph::PxScale {
        let face = self.face(weight);
        ab_glyph::PxScale::from(em * face.height_unscaled() / self.units_per_em(weight))
    }

    /// The glyph drawn for `c`; `GlyphId(0)` (the empty box) when the font lacks it.
    pub fn glyph(&self, weight: Weight, c: char) -> GlyphId {
        self.face(weight).glyph_id(c)
    }
}

/// Text as printed: NFC (precomposed letters, which the font has for every Vietnamese letter), and
/// no control characters.
pub(crate) fn printable(text: &str) -> String {
    text.nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A run of text in one weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub weight: Weight,
}

impl Span {
    pub fn new(text: impl Into<String>, weight: Weight) -> Self {
        Self {
            text: text.into(),
            weight,
        }
    }
}

/// One word: the pieces of it in each weight (a word may change weight mid-way, `"(1.001193)"`
/// after a bold name keeps together only if no space separates them).
type Word = Vec<Span>;

fn words(spans: &[Span]) -> Vec<Word> {
    let mut words: Vec<Word> = Vec::new();
    let mut open = false; // whether the last word may still grow
    for span in spans {
        let mut piece = String::new();
        for c in span.text.chars() {
            if c.is_whitespace() {
                if !piece.is_empty() {
                    push_piece(
                        &mut words,
                        &mut open,
                        std::mem::take(&mut piece),
                        span.weight,
                    );
                }
                open = false;
            } else {
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            push_piece(&mut words, &mut open, piece, span.weight);
        }
    }
    words
}

fn push_piece(words: &mut Vec<Word>, open: &mut bool, text: String, weight: Weight) {
    match words.last_mut() {
        Some(word) if *open => word.push(Span { text, weight }),
        _ => words.push(vec![Span { text, weight }]),
    }
    *open = true;
}

fn word_width(word: &Word, measure: &impl Fn(&str, Weight) -> f32) -> f32 {
    word.iter().map(|s| measure(&s.text, s.weight)).sum()
}

/// Splits a word wider than a whole line at characters (a long link or code), each piece at most
/// `max_width` (at least one character per piece).
fn split_word(word: Word, max_width: f32, measure: &impl Fn(&str, Weight) -> f32) -> Vec<Word> {
    let mut pieces = Vec::new();
    let mut current: Word = Vec::new();
    let mut width = 0.0;
    for span in word {
        for c in span.text.chars() {
            let mut buf = [0u8; 4];
            let w = measure(c.encode_utf8(&mut buf), span.weight);
            if width + w > max_width && !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
                width = 0.0;
            }
            match current.last_mut() {
                Some(last) if last.weight == span.weight => last.text.push(c),
                _ => current.push(Span::new(c.to_string(), span.weight)),
            }
            width += w;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// Breaks `spans` into lines no wider than `max_width` as `measure` counts, at spaces; a word
/// wider than a line is cut between characters. Each line is a list of runs (adjacent runs of the
/// same weight merged, one space between words, none at either end).
pub fn wrap(
    spans: &[Span],
    max_width: f32,
    measure: impl Fn(&str, Weight) -> f32,
) -> Vec<Vec<Span>> {
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut width = 0.0;
    for word in words(spans) {
        let pieces = if word_width(&word, &measure) > max_width {
            split_word(word, max_width, &measure)
        } else {
            vec![word]
        };
        for piece in pieces {
            let w = word_width(&piece, &measure);
            // The space between two words belongs to the run before it ("Phí: " + "8.000 đ").
            let space_weight = line.last().map_or(piece[0].weight, |s| s.weight);
            let space = measure(" ", space_weight);
            if !line.is_empty() && width + space + w > max_width {
                lines.push(std::mem::take(&mut line));
                width = 0.0;
            }
            if !line.is_empty() {
                append(&mut line, " ", space_weight);
                width += space;
            }
            for span in piece {
                append(&mut line, &span.text, span.weight);
            }
            width += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn append(line: &mut Vec<Span>, text: &str, weight: Weight) {
    match line.last_mut() {
        Some(last) if last.weight == weight => last.text.push_str(text),
        _ => line.push(Span::new(text, weight)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide, bold ones two: easy to reason about.
    fn units(text: &str, weight: Weight) -> f32 {
        let per = if weight == Weight::Bold { 2.0 } else { 1.0 };
        text.chars().count() as f32 * per
    }

    fn plain(lines: &[Vec<Span>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn wraps_at_spaces_without_exceeding_the_width() {
        let spans = [Span::new("Đăng ký khai sinh cho trẻ em", Weight::Regular)];
        let lines = wrap(&spans, 10.0, units);
        assert_eq!(plain(&lines), ["Đăng ký", "khai sinh", "cho trẻ em"]);
        for line in &lines {
            let width: f32 = line.iter().map(|s| units(&s.text, s.weight)).sum();
            assert!(width <= 10.0, "{line:?}");
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut_between_characters() {
        let spans = [Span::new("Mã: G09.20-20261122-0000001", Weight::Regular)];
        let lines = wrap(&spans, 8.0, units);
        assert_eq!(plain(&lines), ["Mã:", "G09.20-2", "0261122-", "0000001"]);
    }

    #[test]
    fn weights_are_kept_and_measured_per_run() {
        // "Phí: " regular (5 units with the space) + "8.000 đ" bold (2 units a character).
        let spans = [
            Span::new("Phí: ", Weight::Regular),
            Span::new("8.000 đ", Weight::Bold),
        ];
        let one_line = wrap(&spans, 4.0 + 1.0 + 10.0 + 2.0 + 2.0, units);
        assert_eq!(
            one_line,
            [vec![
                Span::new("Phí: ", Weight::Regular),
                Span::new("8.000 đ", Weight::Bold)
            ]]
        );
        // One unit narrower and the bold "đ" goes to the next line, still bold.
        let two_lines = wrap(&spans, 18.0, units);
        assert_eq!(plain(&two_lines), ["Phí: 8.000", "đ"]);
        assert_eq!(two_lines[1], [Span::new("đ", Weight::Bold)]);
    }

    #[test]
    fn pieces_without_a_space_between_them_stay_one_word() {
        let spans = [
            Span::new("ab", Weight::Regular),
            Span::new("cd", Weight::Bold),
            Span::new(" ef", Weight::Regular),
        ];
        // "abcd" is 2 + 4 = 6 units: it must not break between "ab" and "cd".
        let lines = wrap(&spans, 7.0, units);
        assert_eq!(plain(&lines), ["abcd", "ef"]);
    }

    #[test]
    fn runs_of_spaces_and_empty_text_give_no_empty_lines() {
        assert!(wrap(&[Span::new("   ", Weight::Regular)], 5.0, units).is_empty());
        let lines = wrap(&[Span::new("  a   b  ", Weight::Regular)], 5.0, units);
        assert_eq!(plain(&lines), ["a b"]);
    }

    #[test]
    fn the_font_has_every_vietnamese_letter_in_every_weight() {
        let letters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
        let text: String = letters
            .chars()
            .flat_map(|c| [c].into_iter().chain(c.to_uppercase()))
            .collect();
        for weight in Weight::ALL {
            for c in text.chars() {
                assert_ne!(fonts().glyph(weight, c).0, 0, "{weight:?} lacks {c}");
            }
        }
    }

    #[test]
    fn printable_text_is_nfc() {
        // "ế" typed as e + circumflex + acute (decomposed) becomes the one precomposed letter.
        let decomposed = "Hu\u{0065}\u{0302}\u{0301}";
        assert_eq!(printable(decomposed), "Huế");
        assert_eq!(printable("a\tb\n"), "a b ");
    }
}
