//! The receipt as a 1-bit picture for thermal printers: their code pages have no Vietnamese, so
//! the text is drawn here with the embedded font, dot for dot at the printer's resolution
//! (203 dpi: 576 dots across 80 mm paper, 384 across 58 mm). QR codes are whole dots per module
//! with their quiet zone, so they stay crisp.

use ab_glyph::{Font, point};
use qrcode::{EcLevel, QrCode};

use super::layout::{QrKind, ReceiptContent};
use super::text::{Span, Weight, fonts, printable, wrap};

/// 80 mm paper at 203 dpi.
pub const WIDTH_80MM: u32 = 576;
/// 58 mm paper at 203 dpi.
pub const WIDTH_58MM: u32 = 384;
/// White modules around a QR code, as the QR specification asks.
pub const QUIET_ZONE: u32 = 4;

/// Dots left blank at each side of the paper.
const MARGIN: u32 = 8;

/// Text sizes in dots (pixels per em) on 80 mm paper. At 203 dpi, 26 dots is a 3.3 mm em:
/// comfortable to read. Narrower paper takes them 7/8 as large.
const CENTER_SIZE: f32 = 28.0;
const TITLE_SIZE: f32 = 32.0;
const BODY_SIZE: f32 = 26.0;
const EMPHASIS_SIZE: f32 = 32.0;
const NOTE_SIZE: f32 = 23.0;

/// Paper narrower than this takes smaller text.
const NARROW_BELOW: u32 = 500;

/// A black-and-white picture; `true` is a dot the printer burns.
#[derive(Clone, PartialEq, Eq)]
pub struct Bitmap {
    width: u32,
    height: u32,
    dark: Vec<bool>,
}

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Bitmap({}×{}, {} dark)",
            self.width,
            self.height,
            self.dark_pixels()
        )
    }
}

impl Bitmap {
    /// All white.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            dark: vec![false; width as usize * height as usize],
        }
    }

    pub fn width(&self) -> u32 {
        self.width
    }

    pub fn height(&self) -> u32 {
        self.height
    }

    /// Whether the dot at (x, y) is dark; outside the picture is white.
    pub fn get(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.height && self.dark[(y * self.width + x) as usize]
    }

    /// Sets a dot; rows below the picture are added as needed, columns outside are ignored.
    pub fn set(&mut self, x: u32, y: u32, dark: bool) {
        if x >= self.width {
            return;
        }
        if y >= self.height {
            self.grow(y + 1);
        }
        self.dark[(y * self.width + x) as usize] = dark;
    }

    /// Makes the picture at least `height` rows tall (new rows white).
    pub fn grow(&mut self, height: u32) {
        if height > self.height {
            self.height = height;
            self.dark
                .resize(self.width as usize * height as usize, false);
        }
    }

    pub fn dark_pixels(&self) -> usize {
        self.dark.iter().filter(|d| **d).count()
    }

    /// Dark dots in row `y`.
    pub fn dark_in_row(&self, y: u32) -> usize {
        (0..self.width).filter(|x| self.get(*x, y)).count()
    }

    /// Bytes per row when packed 8 dots a byte.
    pub fn row_bytes(&self) -> u32 {
        self.width.div_ceil(8)
    }

    /// Row `y` packed 8 dots a byte, the leftmost dot in the high bit, 1 = dark (ESC/POS order).
    pub fn packed_row(&self, y: u32) -> Vec<u8> {
        let mut row = vec![0u8; self.row_bytes() as usize];
        for x in 0..self.width {
            if self.get(x, y) {
                row[(x / 8) as usize] |= 0x80 >> (x % 8);
            }
        }
        row
    }

    /// A picture from rows packed as [`Bitmap::packed_row`] gives them.
    pub fn from_packed(width_bytes: u32, height: u32, data: &[u8]) -> Self {
        let mut bitmap = Self::new(width_bytes * 8, height);
        for y in 0..height {
            for x in 0..width_bytes * 8 {
                let byte = data
                    .get((y * width_bytes + x / 8) as usize)
                    .copied()
                    .unwrap_or(0);
                if byte & (0x80 >> (x % 8)) != 0 {
                    bitmap.dark[(y * bitmap.width + x) as usize] = true;
                }
            }
        }
        bitmap
    }

    /// Copies `other` with its top-left corner at (x, y), growing downwards as needed.
    pub fn paste(&mut self, other: &Bitmap, x: u32, y: u32) {
        self.grow(y + other.height);
        for oy in 0..other.height {
            for ox in 0..other.width {
                if other.get(ox, oy) {
                    self.set(x + ox, y + oy, true);
                }
            }
        }
    }

    /// Rows `from..to` as their own picture.
    pub fn rows(&self, from: u32, to: u32) -> Bitmap {
        let to = to.min(self.height);
        let from = from.min(to);
        Bitmap {
            width: self.width,
            height: to - from,
            dark: self.dark[(from * self.width) as usize..(to * self.width) as usize].to_vec(),
        }
    }
}

/// The picture as a 1-bit greyscale PNG (for previews, tests and the screen).
pub fn to_png(bitmap: &Bitmap) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, bitmap.width.max(1), bitmap.height.max(1));
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let mut writer = encoder
            .write_header()
            .expect("writing a PNG header to memory cannot fail");
        let mut data = Vec::with_capacity((bitmap.row_bytes() * bitmap.height) as usize);
        for y in 0..bitmap.height.max(1) {
            // In greyscale 1 is white: the inverse of the printer's order.
            data.extend(bitmap.packed_row(y).iter().map(|b| !b));
        }
        if bitmap.width == 0 {
            data = vec![0xFF; bitmap.height.max(1) as usize];
        }
        writer
            .write_image_data(&data)
            .expect("writing PNG data to memory cannot fail");
    }
    out
}

/// A QR code as whole `scale`-dot modules with its quiet zone.
pub fn qr_bitmap(payload: &str, scale: u32) -> Option<Bitmap> {
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    let modules = code.width() as u32;
    let side = (modules + 2 * QUIET_ZONE) * scale;
    let mut bitmap = Bitmap::new(side, side);
    for (index, color) in code.to_colors().iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (index as u32 % modules, index as u32 / modules);
        for dy in 0..scale {
            for dx in 0..scale {
                bitmap.set(
                    (mx + QUIET_ZONE) * scale + dx,
                    (my + QUIET_ZONE) * scale + dy,
                    true,
                );
            }
        }
    }
    Some(bitmap)
}

/// Modules across `payload`'s QR code (error correction M), without the quiet zone.
pub fn qr_modules(payload: &str) -> Option<u32> {
    QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .ok()
        .map(|c| c.width() as u32)
}

/// Dots per module for a QR code on paper `width` dots wide: the largest whole number that keeps
/// the code with its quiet zone within 70 % of the printable width, from 2 to 8 (1 mm).
pub fn qr_scale(modules: u32, width: u32) -> u32 {
    let room = (width.saturating_sub(2 * MARGIN)) * 7 / 10;
    (room / (modules + 2 * QUIET_ZONE)).clamp(2, 8)
}

/// A part of the printed receipt, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Image(Bitmap),
    /// A QR code the printer draws itself (ESC/POS `GS ( k`), centered, `module_dots` a module;
    /// the images around it carry its quiet zone.
    NativeQr {
        payload: String,
        module_dots: u8,
    },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
}

/// Draws top to bottom on a growing bitmap.
struct Canvas {
    bitmap: Bitmap,
    y: u32,
    /// Text size factor for the paper's width.
    k: f32,
}

impl Canvas {
    fn new(width: u32) -> Self {
        Self {
            bitmap: Bitmap::new(width, 0),
            y: 0,
            k: if width < NARROW_BELOW { 0.875 } else { 1.0 },
        }
    }

    fn content_width(&self) -> u32 {
        self.bitmap.width - 2 * MARGIN
    }

    fn gap(&mut self, dots: u32) {
        self.y += dots;
        self.bitmap.grow(self.y);
    }

    fn line_height(size: f32) -> u32 {
        let (ascent, descent) = fonts().vertical_em(Weight::Regular);
        ((ascent - descent) * size).ceil() as u32
    }

    /// Wraps and draws `spans` at `size` (for 80 mm paper); `ink` false draws white (on a dark
    /// bar).
    fn text(&mut self, spans: &[Span], size: f32, align: Align, ink: bool) {
        let fonts = fonts();
        let size = size * self.k;
        let max = self.content_width() as f32;
        let lines = wrap(spans, max, |t, w| fonts.width_em(w, t) * size);
        let (ascent, _) = fonts.vertical_em(Weight::Regular);
        let line_height = Self::line_height(size);
        for line in lines {
            let width: f32 = line
                .iter()
                .map(|s| fonts.width_em(s.weight, &s.text) * size)
                .sum();
            let mut x = MARGIN as f32
                + match align {
                    Align::Left => 0.0,
                    Align::Center => ((max - width) / 2.0).max(0.0),
                };
            let baseline = self.y as f32 + ascent * size;
            self.bitmap.grow(self.y + line_height);
            for span in &line {
                let face = fonts.face(span.weight);
                let scale = fonts.px_scale(span.weight, size);
                for c in span.text.chars() {
                    let glyph = face
                        .glyph_id(c)
                        .with_scale_and_position(scale, point(x, baseline));
                    if let Some(outline) = face.outline_glyph(glyph) {
                        let bounds = outline.px_bounds();
                        let bitmap = &mut self.bitmap;
                        outline.draw(|gx, gy, coverage| {
                            let px = bounds.min.x as i32 + gx as i32;
                            let py = bounds.min.y as i32 + gy as i32;
                            if coverage >= 0.5 && px >= 0 && py >= 0 {
                                bitmap.set(px as u32, py as u32, ink);
                            }
                        });
                    }
                    x += fonts.advance_em(span.weight, c) * size;
                }
            }
            self.y += line_height;
        }
    }

    /// A line of text white on a black bar across the paper.
    fn inverted(&mut self, text: &str, size: f32) {
        let top = self.y;
        let spans = [Span::new(text, Weight::Bold)];
        let fonts = fonts();
        let scaled = size * self.k;
        let lines = wrap(&spans, self.content_width() as f32, |t, w| {
            fonts.width_em(w, t) * scaled
        })
        .len() as u32;
        let height = lines * Self::line_height(scaled) + 12;
        for y in top..top + height {
            for x in MARGIN..self.bitmap.width - MARGIN {
                self.bitmap.set(x, y, true);
            }
        }
        self.y += 6;
        self.text(&spans, size, Align::Center, false);
        self.y = top + height;
    }

    /// A dashed line across the paper.
    fn rule(&mut self) {
        self.gap(10);
        for y in self.y..self.y + 2 {
            for x in MARGIN..self.bitmap.width - MARGIN {
                if (x - MARGIN) % 14 < 8 {
                    self.bitmap.set(x, y, true);
                }
            }
        }
        self.gap(2 + 14);
    }

    fn image(&mut self, image: &Bitmap) {
        let x = (self.bitmap.width.saturating_sub(image.width)) / 2;
        self.bitmap.paste(image, x, self.y);
        self.y += image.height;
    }

    fn finish(mut self) -> Bitmap {
        self.bitmap.grow(self.y);
        self.bitmap
    }
}

/// The size (for 80 mm paper, as [`Canvas::text`] takes it) at most `size` at which bold `text`
/// fits on one line of `canvas`, but not below three quarters of the body size.
fn fitting_size(text: &str, size: f32, canvas: &Canvas) -> f32 {
    let width = fonts().width_em(Weight::Bold, text) * canvas.k;
    let fits = canvas.content_width() as f32 / width.max(f32::EPSILON);
    size.min(fits.floor()).max(BODY_SIZE * 0.75)
}

/// Paper width rounded down to whole bytes, at least 128 dots.
fn usable_width(width_dots: u32) -> u32 {
    (width_dots.max(128) / 8) * 8
}

/// The receipt as pieces to print: all one image, or with `native_status_qr` the status code
/// (and the test page's code) left to the printer's own QR command between two images.
pub fn render_pieces(
    content: &ReceiptContent,
    width_dots: u32,
    native_status_qr: bool,
) -> Vec<Piece> {
    let width = usable_width(width_dots);
    let mut pieces = Vec::new();
    let mut canvas = Canvas::new(width);

    canvas.gap(8);
    canvas.text(
        &[Span::new(printable(&content.center_name), Weight::Medium)],
        CENTER_SIZE,
        Align::Center,
        true,
    );
    canvas.rule();
    canvas.text(
        &[Span::new(&content.title, Weight::Bold)],
        TITLE_SIZE,
        Align::Center,
        true,
    );
    if let Some(notice) = &content.notice {
        canvas.gap(8);
        canvas.inverted(notice, BODY_SIZE);
    }
    canvas.gap(14);
    for field in &content.fields {
        if field.emphasis {
            canvas.text(
                &[Span::new(format!("{}:", field.label), Weight::Regular)],
                BODY_SIZE,
                Align::Left,
                true,
            );
            // A code or a date must read as one piece: smaller rather than broken.
            let size = fitting_size(&field.value, EMPHASIS_SIZE, &canvas);
            canvas.text(
                &[Span::new(&field.value, Weight::Bold)],
                size,
                Align::Center,
                true,
            );
        } else {
            canvas.text(
                &[
                    Span::new(format!("{}: ", field.label), Weight::Regular),
                    Span::new(&field.value, Weight::Medium),
                ],
                BODY_SIZE,
                Align::Left,
                true,
            );
        }
        canvas.gap(4);
    }
    if !content.notes.is_empty() {
        canvas.gap(6);
        for note in &content.notes {
            canvas.text(
                &[Span::new(format!("• {note}"), Weight::Regular)],
                NOTE_SIZE,
                Align::Left,
                true,
            );
        }
    }

    for code in &content.codes {
        canvas.rule();
        let Some(modules) = qr_modules(&code.payload) else {
            tracing::warn!(kind = ?code.kind, "text too long for a QR code; printed as text");
            canvas.text(
                &[Span::new(&code.payload, Weight::Regular)],
                NOTE_SIZE,
                Align::Left,
                true,
            );
            continue;
        };
        let scale = qr_scale(modules, width);
        if native_status_qr && matches!(code.kind, QrKind::Status | QrKind::Test | QrKind::Feedback)
        {
            // The quiet zone is white paper above and below the printer's code.
            canvas.gap(QUIET_ZONE * scale);
            pieces.push(Piece::Image(canvas.finish()));
            pieces.push(Piece::NativeQr {
                payload: code.payload.clone(),
                module_dots: scale as u8,
            });
            canvas = Canvas::new(width);
            canvas.gap(QUIET_ZONE * scale);
        } else if let Some(image) = qr_bitmap(&code.payload, scale) {
            canvas.image(&image);
        }
        canvas.text(
            &[Span::new(&code.caption, Weight::Bold)],
            BODY_SIZE,
            Align::Center,
            true,
        );
        if let Some(detail) = &code.detail {
            canvas.text(
                &[Span::new(detail, Weight::Regular)],
                NOTE_SIZE,
                Align::Center,
                true,
            );
        }
    }
    canvas.gap(24);
    pieces.push(Piece::Image(canvas.finish()));
    pieces
}

/// The whole receipt as one picture `width_dots` wide (every QR code drawn here).
pub fn render(content: &ReceiptContent, width_dots: u32) -> Bitmap {
    let mut out = Bitmap::new(usable_width(width_dots), 0);
    for piece in render_pieces(content, width_dots, false) {
        if let Piece::Image(image) = piece {
            let y = out.height();
            out.paste(&image, 0, y);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::layout::tests::{account, delivered};
    use super::*;

    fn line_picture(text: &str) -> Bitmap {
        let mut canvas = Canvas::new(WIDTH_80MM);
        canvas.text(
            &[Span::new(text, Weight::Bold)],
            TITLE_SIZE,
            Align::Left,
            true,
        );
        canvas.finish()
    }

    fn first_dark_row(bitmap: &Bitmap) -> Option<u32> {
        (0..bitmap.height()).find(|y| bitmap.dark_in_row(*y) > 0)
    }

    #[test]
    fn diacritics_are_drawn_above_and_below_the_letters() {
        let plain = line_picture("AE");
        let marked = line_picture("ẤỆ");
        assert_eq!(plain.height(), marked.height(), "same line height");
        // The circumflex and acute stand above the capital's top…
        assert!(first_dark_row(&marked).unwrap() + 4 < first_dark_row(&plain).unwrap());
        // …and the dot below Ệ under its baseline.
        let last = |b: &Bitmap| (0..b.height()).rev().find(|y| b.dark_in_row(*y) > 0);
        assert!(last(&marked).unwrap() > last(&plain).unwrap() + 2);
        // And no missing-glyph boxes: the shapes differ from the plain letters.
        assert!(marked.dark_pixels() > plain.dark_pixels());
    }

    #[test]
    fn a_dossier_code_shrinks_to_one_line_on_narrow_paper() {
        let code = "G09.20-20261122-0000017";
        let wide = Canvas::new(WIDTH_80MM);
        assert_eq!(fitting_size(code, EMPHASIS_SIZE, &wide), EMPHASIS_SIZE);
        let narrow = Canvas::new(WIDTH_58MM);
        let size = fitting_size(code, EMPHASIS_SIZE, &narrow);
        assert!(size < EMPHASIS_SIZE);
        let lines = wrap(
            &[Span::new(code, Weight::Bold)],
            narrow.content_width() as f32,
            |t, w| fonts().width_em(w, t) * size * narrow.k,
        );
        assert_eq!(lines.len(), 1, "at {size}");
    }

    #[test]
    fn qr_modules_are_whole_dots_with_a_white_quiet_zone() {
        let image = qr_bitmap("http://127.0.0.1:8080/ho-so/x", 6).unwrap();
        let modules = qr_modules("http://127.0.0.1:8080/ho-so/x").unwrap();
        assert_eq!(image.width(), (modules + 8) * 6);
        for i in 0..QUIET_ZONE * 6 {
            assert_eq!(image.dark_in_row(i), 0, "quiet zone row {i}");
        }
        // The top-left finder pattern: a 7-module dark square edge starting right after the
        // quiet zone, each module exactly 6 dots.
        let start = QUIET_ZONE * 6;
        for x in start..start + 7 * 6 {
            assert!(image.get(x, start));
        }
        assert!(!image.get(start - 1, start));
        assert!(!image.get(start + 7 * 6, start + 6));
    }

    #[test]
    fn qr_scale_fits_the_paper() {
        for width in [WIDTH_58MM, WIDTH_80MM] {
            for modules in [21, 33, 45, 57] {
                let scale = qr_scale(modules, width);
                assert!(
                    (modules + 8) * scale <= width - 2 * MARGIN,
                    "{width} {modules}"
                );
            }
        }
        assert_eq!(
            qr_scale(33, WIDTH_80MM),
            8,
            "1 mm modules when there is room"
        );
    }

    #[test]
    fn packing_round_trips_and_puts_the_left_dot_in_the_high_bit() {
        let mut bitmap = Bitmap::new(16, 2);
        bitmap.set(0, 0, true);
        bitmap.set(9, 1, true);
        assert_eq!(bitmap.packed_row(0), [0x80, 0x00]);
        assert_eq!(bitmap.packed_row(1), [0x00, 0x40]);
        let data: Vec<u8> = (0..2).flat_map(|y| bitmap.packed_row(y)).collect();
        assert_eq!(Bitmap::from_packed(2, 2, &data), bitmap);
    }

    #[test]
    fn the_receipt_fits_the_paper_and_has_ink_in_its_text() {
        let content = ReceiptContent::new(
            &delivered(8000),
            "Trung tâm Phục vụ Hành chính công",
            Some("Nguyễn Văn An"),
            Some(&account()),
        );
        for width in [WIDTH_58MM, WIDTH_80MM] {
            let bitmap = render(&content, width);
            assert_eq!(bitmap.width(), width);
            // Nothing drawn in the side margins.
            for y in 0..bitmap.height() {
                for x in (0..MARGIN).chain(width - MARGIN..width) {
                    assert!(
                        !bitmap.get(x, y),
                        "ink in the margin at {x},{y} (width {width})"
                    );
                }
            }
            let inked_rows = (0..bitmap.height())
                .filter(|y| bitmap.dark_in_row(*y) > 0)
                .count();
            assert!(
                inked_rows as u32 > bitmap.height() / 2,
                "{width}: {inked_rows}"
            );
        }
    }

    #[test]
    fn native_status_code_splits_the_picture_around_it() {
        let content = ReceiptContent::new(&delivered(8000), "Trung tâm", None, Some(&account()));
        let pieces = render_pieces(&content, WIDTH_80MM, true);
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        assert!(matches!(&pieces[0], Piece::Image(_)));
        match &pieces[1] {
            Piece::NativeQr {
                payload,
                module_dots,
            } => {
                assert_eq!(
                    payload,
                    "http://127.0.0.1:8080/ho-so/AbCdEfGhIjKlMnOpQrStUv"
                );
                assert_eq!(*module_dots, 8);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&pieces[2], Piece::Image(_)));
    }

    #[test]
    fn png_is_the_picture() {
        let mut bitmap = Bitmap::new(10, 3);
        bitmap.set(2, 1, true);
        let png = to_png(&bitmap);
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (10, 3));
        assert_eq!(info.bit_depth, png::BitDepth::One);
        // Row 1, dot 2 is black (0), its neighbours white (1).
        let row = &buf[info.line_size..2 * info.line_size];
        assert_eq!(row[0] & 0b1110_0000, 0b1100_0000);
    }
}
