//! The receipt as an A5 PDF for ordinary printers (through CUPS `lp`): the embedded Be Vietnam
//! Pro faces as CID fonts, subset to the glyphs used, with a ToUnicode map so the Vietnamese text
//! can be searched and copied; QR codes as vector squares.

use std::collections::{BTreeMap, BTreeSet};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use qrcode::{EcLevel, QrCode};

use super::layout::ReceiptContent;
use super::raster::QUIET_ZONE;
use super::text::{Span, Weight, fonts, printable, wrap};

/// A5 portrait, 148 × 210 mm, in points.
pub const A5_WIDTH_PT: f32 = 148.0 / 25.4 * 72.0;
pub const A5_HEIGHT_PT: f32 = 210.0 / 25.4 * 72.0;

const MARGIN: f32 = 32.0;
const CONTENT_WIDTH: f32 = A5_WIDTH_PT - 2.0 * MARGIN;

const HEADER_SIZE: f32 = 9.0;
const TITLE_SIZE: f32 = 14.0;
const BODY_SIZE: f32 = 12.0;
const NOTE_SIZE: f32 = 9.5;
const CAPTION_SIZE: f32 = 10.0;
const NATIONAL_NAME: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
const NATIONAL_MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
/// Side of every QR code with its quiet zone, in points (46 mm): codes side by side are the
/// same size, whatever their module counts.
const QR_SIDE_PT: f32 = 130.0;

#[derive(Debug, Clone)]
enum Op {
    Text {
        weight: Weight,
        size: f32,
        x: f32,
        /// Baseline, from the bottom of the page.
        y: f32,
        text: String,
        white: bool,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
}

/// Lays out top to bottom, starting a new page when the next thing does not fit.
struct Layout {
    pages: Vec<Vec<Op>>,
    /// Top of the next line, from the bottom of the page.
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: A5_HEIGHT_PT - MARGIN,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("there is always a page")
    }

    fn room_for(&mut self, height: f32) {
        if self.y - height < MARGIN && !self.ops().is_empty() {
            self.pages.push(Vec::new());
            self.y = A5_HEIGHT_PT - MARGIN;
        }
    }

    fn line_height(size: f32) -> f32 {
        let (ascent, descent) = fonts().vertical_em(Weight::Regular);
        (ascent - descent) * size
    }

    /// Wraps `spans` to `width` and sets them from `left`.
    fn text_in(&mut self, spans: &[Span], size: f32, align: Align, left: f32, width: f32) {
        let fonts = fonts();
        let (ascent, _) = fonts.vertical_em(Weight::Regular);
        for line in wrap(spans, width, |t, w| fonts.width_em(w, t) * size) {
            let line_height = Self::line_height(size);
            self.room_for(line_height);
            let line_width: f32 = line
                .iter()
                .map(|s| fonts.width_em(s.weight, &s.text) * size)
                .sum();
            let mut x = left
                + match align {
                    Align::Left => 0.0,
                    Align::Center => ((width - line_width) / 2.0).max(0.0),
                };
            let baseline = self.y - ascent * size;
            for span in line {
                let advance = fonts.width_em(span.weight, &span.text) * size;
                self.ops().push(Op::Text {
                    weight: span.weight,
                    size,
                    x,
                    y: baseline,
                    text: span.text,
                    white: false,
                });
                x += advance;
            }
            self.y -= line_height;
        }
    }

    fn text(&mut self, spans: &[Span], size: f32, align: Align) {
        self.text_in(spans, size, align, MARGIN, CONTENT_WIDTH);
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    /// A line of bold white text on a black bar.
    fn inverted(&mut self, text: &str, size: f32) {
        let fonts = fonts();
        let spans = [Span::new(text, Weight::Bold)];
        let lines = wrap(&spans, CONTENT_WIDTH - 12.0, |t, w| {
            fonts.width_em(w, t) * size
        });
        let height = lines.len() as f32 * Self::line_height(size) + 8.0;
        self.room_for(height);
        let top = self.y;
        self.ops().push(Op::Rect {
            x: MARGIN,
            y: top - height,
            w: CONTENT_WIDTH,
            h: height,
        });
        self.y -= 4.0;
        let first = self.ops().len();
        self.text_in(
            &spans,
            size,
            Align::Center,
            MARGIN + 6.0,
            CONTENT_WIDTH - 12.0,
        );
        for op in &mut self.ops()[first..] {
            if let Op::Text { white, .. } = op {
                *white = true;
            }
        }
        self.y = top - height;
    }

    fn rule(&mut self) {
        self.gap(6.0);
        let y = self.y;
        self.ops().push(Op::Rect {
            x: MARGIN,
            y,
            w: CONTENT_WIDTH,
            h: 0.6,
        });
        self.gap(8.0);
    }

    /// A QR code with its quiet zone, its top-left corner at (x, top), `module` points a module;
    /// dark modules are merged into horizontal runs.
    fn qr(&mut self, payload: &str, x: f32, top: f32, module: f32) -> Option<f32> {
        let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
        let n = code.width();
        let colors = code.to_colors();
        let origin_x = x + QUIET_ZONE as f32 * module;
        let origin_top = top - QUIET_ZONE as f32 * module;
        for row in 0..n {
            let mut col = 0;
            while col < n {
                if colors[row * n + col] != qrcode::Color::Dark {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                self.ops().push(Op::Rect {
                    x: origin_x + start as f32 * module,
                    y: origin_top - (row + 1) as f32 * module,
                    w: (col - start) as f32 * module,
                    h: module,
                });
            }
        }
        Some((n as u32 + 2 * QUIET_ZONE) as f32 * module)
    }
}

fn lay_out(content: &ReceiptContent) -> Vec<Vec<Op>> {
    let mut layout = Layout::new();
    let column = (CONTENT_WIDTH - 16.0) / 2.0;

    // The heading of official papers: the issuing office on the left, the national motto on
    // one line on the right.
    let motto_width = fonts().width_em(Weight::Bold, NATIONAL_NAME) * HEADER_SIZE + 2.0;
    let office_width = CONTENT_WIDTH - motto_width - 12.0;
    let top = layout.y;
    layout.text_in(
        &[Span::new(printable(&content.center_name), Weight::Medium)],
        HEADER_SIZE,
        Align::Center,
        MARGIN,
        office_width,
    );
    let left_bottom = layout.y;
    layout.y = top;
    let motto_left = MARGIN + CONTENT_WIDTH - motto_width;
    layout.text_in(
        &[Span::new(NATIONAL_NAME, Weight::Bold)],
        HEADER_SIZE,
        Align::Center,
        motto_left,
        motto_width,
    );
    layout.text_in(
        &[Span::new(NATIONAL_MOTTO, Weight::Medium)],
        HEADER_SIZE,
        Align::Center,
        motto_left,
        motto_width,
    );
    // The motto underlined, as on every official paper.
    let motto = fonts().width_em(Weight::Medium, NATIONAL_MOTTO) * HEADER_SIZE;
    let y = layout.y + 1.0;
    layout.ops().push(Op::Rect {
        x: motto_left + (motto_width - motto) / 2.0,
        y,
        w: motto,
        h: 0.5,
    });
    layout.y = layout.y.min(left_bottom);
    layout.gap(18.0);

    layout.text(
        &[Span::new(&content.title, Weight::Bold)],
        TITLE_SIZE,
        Align::Center,
    );
    if let Some(notice) = &content.notice {
        layout.gap(6.0);
        layout.inverted(notice, BODY_SIZE);
    }
    layout.gap(12.0);
    for field in &content.fields {
        let value_weight = if field.emphasis {
            Weight::Bold
        } else {
            Weight::Medium
        };
        layout.text(
            &[
                Span::new(format!("{}: ", field.label), Weight::Regular),
                Span::new(&field.value, value_weight),
            ],
            BODY_SIZE,
            Align::Left,
        );
        layout.gap(3.0);
    }
    if !content.notes.is_empty() {
        layout.gap(4.0);
        for note in &content.notes {
            layout.text(
                &[Span::new(format!("• {note}"), Weight::Regular)],
                NOTE_SIZE,
                Align::Left,
            );
        }
    }

    // QR codes side by side, two to a row, each with its caption under it.
    for pair in content.codes.chunks(2) {
        layout.rule();
        let columns: Vec<(f32, f32)> = if pair.len() == 1 {
            vec![(MARGIN + (CONTENT_WIDTH - column) / 2.0, column)]
        } else {
            vec![(MARGIN, column), (MARGIN + column + 16.0, column)]
        };
        let modules: Vec<u32> = pair
            .iter()
            .map(|c| super::raster::qr_modules(&c.payload).unwrap_or(21))
            .collect();
        let code_height = QR_SIDE_PT.min(column);
        layout.room_for(code_height + 3.0 * Layout::line_height(CAPTION_SIZE));
        let top = layout.y;
        let mut bottom = top;
        for ((code, (left, width)), n) in pair.iter().zip(columns).zip(&modules) {
            layout.y = top;
            let module = code_height / (n + 2 * QUIET_ZONE) as f32;
            let x = left + (width - code_height) / 2.0;
            match layout.qr(&code.payload, x, top, module) {
                Some(drawn) => layout.y = top - drawn,
                None => layout.text_in(
                    &[Span::new(&code.payload, Weight::Regular)],
                    NOTE_SIZE,
                    Align::Left,
                    left,
                    width,
                ),
            }
            layout.text_in(
                &[Span::new(&code.caption, Weight::Bold)],
                CAPTION_SIZE,
                Align::Center,
                left,
                width,
            );
            if let Some(detail) = &code.detail {
                layout.text_in(
                    &[Span::new(detail, Weight::Regular)],
                    NOTE_SIZE,
                    Align::Center,
                    left,
                    width,
                );
            }
            bottom = bottom.min(layout.y);
        }
        layout.y = bottom;
    }
    layout.pages
}

/// A font face as embedded: its subset, and the CID (new glyph id) of each character used.
struct Embedded {
    weight: Weight,
    cids: BTreeMap<char, u16>,
    subset: Vec<u8>,
    /// Advance widths in thousandths of an em, by CID.
    widths: Vec<f32>,
}

fn embed(weight: Weight, chars: &BTreeSet<char>) -> Embedded {
    let fonts = fonts();
    let mut remapper = subsetter::GlyphRemapper::new();
    remapper.remap(0);
    let mut cids = BTreeMap::new();
    for &c in chars {
        let glyph = fonts.glyph(weight, c).0;
        cids.insert(c, remapper.remap(glyph));
    }
    let subset = subsetter::subset(weight.font_data(), 0, &remapper).unwrap_or_else(|e| {
        // Never seen with the embedded font; the whole font still prints correctly.
        tracing::warn!("font subsetting failed ({e}); embedding the whole font");
        Vec::new()
    });
    let (subset, cids) = if subset.is_empty() {
        let whole = chars
            .iter()
            .map(|&c| (c, fonts.glyph(weight, c).0))
            .collect();
        (weight.font_data().to_vec(), whole)
    } else {
        (subset, cids)
    };
    let face = fonts.face(weight);
    let upem = ab_glyph::Font::units_per_em(face).unwrap_or(1000.0);
    let max_cid = cids.values().copied().max().unwrap_or(0);
    let mut widths = vec![0.0; usize::from(max_cid) + 1];
    for (&c, &cid) in &cids {
        let glyph = fonts.glyph(weight, c);
        widths[usize::from(cid)] = ab_glyph::Font::h_advance_unscaled(face, glyph) * 1000.0 / upem;
    }
    Embedded {
        weight,
        cids,
        subset,
        widths,
    }
}

/// Six capital letters naming a subset, from what it contains (PDF 9.6.4).
fn subset_tag(weight: Weight, chars: &BTreeSet<char>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ weight as u64;
    for c in chars {
        hash ^= u64::from(u32::from(*c));
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| (b'A' + ((hash >> (i * 8)) % 26) as u8) as char)
        .collect()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}

fn font_resource_name(weight: Weight) -> Name<'static> {
    match weight {
        Weight::Regular => Name(b"F0"),
        Weight::Medium => Name(b"F1"),
        Weight::Bold => Name(b"F2"),
    }
}

/// The receipt as an A5 PDF document.
pub fn render_pdf(content: &ReceiptContent) -> Vec<u8> {
    let pages = lay_out(content);
    let mut used: BTreeMap<Weight, BTreeSet<char>> = BTreeMap::new();
    for op in pages.iter().flatten() {
        if let Op::Text { weight, text, .. } = op {
            used.entry(*weight).or_default().extend(text.chars());
        }
    }
    let embedded: Vec<Embedded> = used.iter().map(|(w, chars)| embed(*w, chars)).collect();

    let mut next = 1;
    let mut id = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog_id = id();
    let tree_id = id();
    let info_id = id();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (id(), id())).collect();
    let font_ids: Vec<[Ref; 5]> = embedded
        .iter()
        .map(|_| [id(), id(), id(), id(), id()])
        .collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(tree_id).lang(TextStr("vi"));
    pdf.pages(tree_id)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    pdf.document_info(info_id)
        .title(TextStr(&printable(&content.title)))
        .creator(TextStr("motcua-kiosk"))
        .producer(TextStr("motcua-kiosk (pdf-writer)"));

    for ((page_id, content_id), ops) in page_ids.iter().zip(&pages) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, A5_WIDTH_PT, A5_HEIGHT_PT))
            .parent(tree_id)
            .contents(*content_id);
        let mut resources = page.resources();
        let mut fonts_dict = resources.fonts();
        for (font, ids) in embedded.iter().zip(&font_ids) {
            fonts_dict.pair(font_resource_name(font.weight), ids[0]);
        }
        fonts_dict.finish();
        resources.finish();
        page.finish();

        let mut stream = Content::new();
        for op in ops {
            match op {
                Op::Rect { x, y, w, h } => {
                    stream.set_fill_gray(0.0);
                    stream.rect(*x, *y, *w, *h);
                    stream.fill_nonzero();
                }
                Op::Text {
                    weight,
                    size,
                    x,
                    y,
                    text,
                    white,
                } => {
                    let font = embedded
                        .iter()
                        .find(|f| f.weight == *weight)
                        .expect("every weight used is embedded");
                    let mut encoded = Vec::with_capacity(text.len() * 2);
                    for c in text.chars() {
                        let cid = font.cids.get(&c).copied().unwrap_or(0);
                        encoded.extend_from_slice(&cid.to_be_bytes());
                    }
                    stream.set_fill_gray(if *white { 1.0 } else { 0.0 });
                    stream.begin_text();
                    stream.set_font(font_resource_name(*weight), *size);
                    stream.next_line(*x, *y);
                    stream.show(Str(&encoded));
                    stream.end_text();
                }
            }
        }
        let data = deflate(&stream.finish().into_vec());
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }

    let system_info = SystemInfo {
        registry: Str(b"Adobe"),
        ordering: Str(b"Identity"),
        supplement: 0,
    };
    for (font, [type0_id, cid_id, descriptor_id, file_id, cmap_id]) in embedded.iter().zip(font_ids)
    {
        let chars = &used[&font.weight];
        let base_name = format!(
            "{}+{}",
            subset_tag(font.weight, chars),
            font.weight.postscript_name()
        );
        let base = Name(base_name.as_bytes());
        pdf.type0_font(type0_id)
            .base_font(base)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid_id)
            .to_unicode(cmap_id);
        let mut cid = pdf.cid_font(cid_id);
        cid.subtype(CidFontType::Type2)
            .base_font(base)
            .system_info(system_info)
            .font_descriptor(descriptor_id)
            .cid_to_gid_map_predefined(Name(b"Identity"))
            .default_width(0.0);
        cid.widths().consecutive(0, font.widths.iter().copied());
        cid.finish();

        let (ascent, descent) = fonts().vertical_em(font.weight);
        let (ascent, descent) = (ascent * 1000.0, descent * 1000.0);
        pdf.font_descriptor(descriptor_id)
            .name(base)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(-600.0, descent, 1800.0, ascent))
            .italic_angle(0.0)
            .ascent(ascent)
            .descent(descent)
            .cap_height(700.0)
            .stem_v(if font.weight == Weight::Bold {
                140.0
            } else {
                90.0
            })
            .font_file2(file_id);

        let compressed = deflate(&font.subset);
        pdf.stream(file_id, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), font.subset.len() as i32);

        let mut cmap = UnicodeCmap::new(Name(b"Custom"), system_info);
        for (&c, &cid) in &font.cids {
            cmap.pair(cid, c);
        }
        let cmap = cmap.finish();
        pdf.cmap(cmap_id, cmap.as_slice());
    }

    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{account, delivered};
    use super::*;

    fn inflate(data: &[u8]) -> Vec<u8> {
        miniz_oxide::inflate::decompress_to_vec_zlib(data).unwrap()
    }

    #[test]
    fn is_one_a5_page_with_subset_fonts() {
        let content = ReceiptContent::new(
            &delivered(8000),
            "Trung tâm Phục vụ Hành chính công",
            Some("Nguyễn Văn An"),
            Some(&account()),
        );
        let pdf = render_pdf(&content);
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        let boxes: Vec<&str> = text
            .match_indices("/MediaBox [")
            .map(|(i, _)| &text[i..i + 40])
            .collect();
        assert_eq!(boxes.len(), 1, "one page: {boxes:?}");
        let numbers: Vec<f32> = boxes[0]["/MediaBox [".len()..]
            .split(']')
            .next()
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        assert_eq!(numbers.len(), 4);
        assert!(
            (numbers[2] - 419.53).abs() < 0.1 && (numbers[3] - 595.28).abs() < 0.1,
            "A5: {numbers:?}"
        );
        assert!(text.contains("+BeVietnamPro-Bold"));
        assert!(text.contains("/FontFile2"));
        assert!(text.contains("/ToUnicode"));
        // Subsets, not the whole fonts (each face is over 100 kB).
        assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
    }

    #[test]
    fn a_long_receipt_flows_onto_more_pages() {
        let mut content = ReceiptContent::new(&delivered(0), "Trung tâm", None, None);
        content.notes = (0..120).map(|i| format!("Ghi chú số {i}")).collect();
        let pages = lay_out(&content);
        assert!(pages.len() >= 2);
        for ops in &pages {
            for op in ops {
                if let Op::Text { y, .. } = op {
                    assert!(*y > MARGIN - 10.0 && *y < A5_HEIGHT_PT - MARGIN, "{y}");
                }
            }
        }
    }

    #[test]
    fn cids_map_back_to_the_characters() {
        let chars: BTreeSet<char> = "Huế đ".chars().collect();
        let font = embed(Weight::Regular, &chars);
        assert_eq!(font.cids.len(), 5);
        // Distinct characters get distinct, small CIDs (a subset renumbers from 1).
        let cids: BTreeSet<u16> = font.cids.values().copied().collect();
        assert_eq!(cids.len(), 5);
        assert!(cids.iter().all(|c| (1..=5).contains(c)));
        assert!(font.widths[usize::from(font.cids[&'H'])] > 500.0);
        assert!(!font.subset.is_empty() && font.subset.len() < 20_000);
        let _ = inflate(&deflate(&font.subset));
    }
}
