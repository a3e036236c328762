//! ESC/POS, the command language of receipt printers: the receipt's picture as `GS v 0` raster
//! bands, the status QR code as the printer's own `GS ( k` QR commands (optional), a feed and a
//! partial cut. Also a strict parser of what we send, and a page emulator that turns a parsed
//! stream back into the picture a printer would print, for tests and previews.

use super::layout::ReceiptContent;
use super::raster::{Bitmap, Piece, qr_bitmap, render_pieces};

pub const ESC: u8 = 0x1B;
pub const GS: u8 = 0x1D;
pub const DLE: u8 = 0x10;
pub const EOT: u8 = 0x04;
pub const LF: u8 = 0x0A;

/// `DLE EOT 4`: "transmit roll paper sensor status" in real time, answered with one byte.
pub const PAPER_STATUS_QUERY: [u8; 3] = [DLE, EOT, 4];

/// Rows per `GS v 0` block: small enough for the input buffer of cheap printers.
pub const BAND_ROWS: u32 = 128;

/// Lines fed before the cut so the last printed line clears the cutter.
const FEED_LINES_BEFORE_CUT: u8 = 3;

/// How the receipt is sent to an ESC/POS printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscPosOptions {
    /// Printable width in dots (576 for 80 mm paper, 384 for 58 mm, at 203 dpi).
    pub width_dots: u32,
    /// Print the status QR code with the printer's own `GS ( k` commands instead of as part of
    /// the picture. The payment code always stays in the picture.
    pub native_status_qr: bool,
}

/// The paper sensor's answer to [`PAPER_STATUS_QUERY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaperStatus {
    /// Bits 2 and 3: the roll is nearly used up (printing still works).
    pub near_end: bool,
    /// Bits 5 and 6: no paper.
    pub out: bool,
}

/// Reads a `DLE EOT 4` answer: bit 0 = 0, bit 1 = 1, bit 4 = 1, bit 7 = 0, else it is not one
/// (an automatic status block, or noise) and `None`.
pub fn paper_status(byte: u8) -> Option<PaperStatus> {
    (byte & 0b1001_0011 == 0b0001_0010).then_some(PaperStatus {
        near_end: byte & 0b0000_1100 == 0b0000_1100,
        out: byte & 0b0110_0000 == 0b0110_0000,
    })
}

/// Appends `bitmap` as `GS v 0` blocks of at most [`BAND_ROWS`] rows each.
pub fn raster_bands(bitmap: &Bitmap, out: &mut Vec<u8>) {
    let width_bytes = bitmap.row_bytes();
    let mut y = 0;
    while y < bitmap.height() {
        let rows = BAND_ROWS.min(bitmap.height() - y);
        out.extend_from_slice(&[
            GS,
            b'v',
            b'0',
            0, // normal density
            (width_bytes & 0xFF) as u8,
            (width_bytes >> 8) as u8,
            (rows & 0xFF) as u8,
            (rows >> 8) as u8,
        ]);
        for row in y..y + rows {
            out.extend_from_slice(&bitmap.packed_row(row));
        }
        y += rows;
    }
}

fn qr_function(out: &mut Vec<u8>, function: u8, params: &[u8]) {
    let length = params.len() + 2; // cn + fn
    out.extend_from_slice(&[
        GS,
        b'(',
        b'k',
        (length & 0xFF) as u8,
        (length >> 8) as u8,
        49,
        function,
    ]);
    out.extend_from_slice(params);
}

/// Appends the printer's own QR code for `payload`, centered: model 2, `module_dots` dots a
/// module (1–16), error correction M, store, print.
pub fn native_qr(payload: &[u8], module_dots: u8, out: &mut Vec<u8>) {
    out.extend_from_slice(&[ESC, b'a', 1]);
    qr_function(out, 65, &[50, 0]); // model 2
    qr_function(out, 67, &[module_dots.clamp(1, 16)]);
    qr_function(out, 69, &[49]); // error correction level M
    let mut store = vec![48];
    store.extend_from_slice(payload);
    qr_function(out, 80, &store);
    qr_function(out, 81, &[48]); // print the stored symbol
    out.extend_from_slice(&[ESC, b'a', 0]);
}

/// The whole byte stream for `content`: `ESC @`, the picture (and native QR), a feed, a cut.
pub fn encode(content: &ReceiptContent, options: &EscPosOptions) -> Vec<u8> {
    let pieces = render_pieces(content, options.width_dots, options.native_status_qr);
    encode_pieces(&pieces)
}

pub(crate) fn encode_pieces(pieces: &[Piece]) -> Vec<u8> {
    let mut out = vec![ESC, b'@'];
    for piece in pieces {
        match piece {
            Piece::Image(bitmap) => raster_bands(bitmap, &mut out),
            Piece::NativeQr {
                payload,
                module_dots,
            } => native_qr(payload.as_bytes(), *module_dots, &mut out),
        }
    }
    out.extend_from_slice(&[ESC, b'd', FEED_LINES_BEFORE_CUT]);
    out.extend_from_slice(&[GS, b'V', 66, 0]); // feed to the cutter, partial cut
    out
}

/// One command of an ESC/POS stream, as [`parse_escpos`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ESC @`
    Init,
    /// `ESC a n`: 0 left, 1 center, 2 right.
    Justify(u8),
    /// `ESC d n`: print and feed `n` lines.
    FeedLines(u8),
    /// `ESC J n`: print and feed `n` dots.
    FeedDots(u8),
    /// `LF`
    LineFeed,
    /// `GS v 0`: a raster block.
    Raster {
        mode: u8,
        width_bytes: u16,
        height: u16,
        data: Vec<u8>,
    },
    /// `GS ( k` function 165: QR model (49 = 1, 50 = 2).
    QrModel(u8),
    /// `GS ( k` function 167: dots per module.
    QrModuleSize(u8),
    /// `GS ( k` function 169: 48 L, 49 M, 50 Q, 51 H.
    QrErrorCorrection(u8),
    /// `GS ( k` function 180: the QR code's data.
    QrStore(Vec<u8>),
    /// `GS ( k` function 181: print the stored symbol.
    QrPrint,
    /// `GS V`: cut; `partial` for a partial cut, `feed` for function B's feed amount.
    Cut { partial: bool, feed: Option<u8> },
    /// `DLE EOT n`: a real-time status query.
    StatusQuery(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed ESC/POS at byte {offset}: {message}")]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Reads a stream of the commands this module sends (and a few common ones). Anything else is
/// an error: a test should notice a stray byte, not skip it.
pub fn parse_escpos(bytes: &[u8]) -> Result<Vec<Command>, ParseError> {
    let mut commands = Vec::new();
    let mut at = 0;
    let error = |offset: usize, message: &str| ParseError {
        offset,
        message: message.to_owned(),
    };
    let take = |at: usize, n: usize| -> Result<&[u8], ParseError> {
        bytes
            .get(at..at + n)
            .ok_or_else(|| error(at, "stream ends inside a command"))
    };
    while at < bytes.len() {
        let start = at;
        match bytes[at] {
            LF => {
                commands.push(Command::LineFeed);
                at += 1;
            }
            ESC => {
                let op = take(at + 1, 1)?[0];
                match op {
                    b'@' => {
                        commands.push(Command::Init);
                        at += 2;
                    }
                    b'a' | b'd' | b'J' => {
                        let n = take(at + 2, 1)?[0];
                        commands.push(match op {
                            b'a' => Command::Justify(n),
                            b'd' => Command::FeedLines(n),
                            _ => Command::FeedDots(n),
                        });
                        at += 3;
                    }
                    other => return Err(error(start, &format!("unknown ESC {other:#04x}"))),
                }
            }
            GS => {
                let op = take(at + 1, 1)?[0];
                match op {
                    b'v' => {
                        let head = take(at + 2, 6)?;
                        if head[0] != b'0' {
                            return Err(error(start, "GS v must be followed by '0'"));
                        }
                        let mode = head[1];
                        let width_bytes = u16::from_le_bytes([head[2], head[3]]);
                        let height = u16::from_le_bytes([head[4], head[5]]);
                        let size = usize::from(width_bytes) * usize::from(height);
                        let data = take(at + 8, size)?.to_vec();
                        commands.push(Command::Raster {
                            mode,
                            width_bytes,
                            height,
                            data,
                        });
                        at += 8 + size;
                    }
                    b'(' => {
                        let head = take(at + 2, 3)?;
                        if head[0] != b'k' {
                            return Err(error(start, "only GS ( k is understood"));
                        }
                        let length = usize::from(u16::from_le_bytes([head[1], head[2]]));
                        if length < 2 {
                            return Err(error(start, "GS ( k too short"));
                        }
                        let body = take(at + 5, length)?;
                        let (cn, function, params) = (body[0], body[1], &body[2..]);
                        if cn != 49 {
                            return Err(error(start, "GS ( k for a symbol other than QR"));
                        }
                        let one = || {
                            (params.len() == 1)
                                .then(|| params[0])
                                .ok_or_else(|| error(start, "QR function needs one byte"))
                        };
                        commands.push(match function {
                            65 => {
                                if params.len() != 2 {
                                    return Err(error(start, "QR model needs two bytes"));
                                }
                                Command::QrModel(params[0])
                            }
                            67 => Command::QrModuleSize(one()?),
                            69 => Command::QrErrorCorrection(one()?),
                            80 => {
                                if params.first() != Some(&48) {
                                    return Err(error(start, "QR store must use m = 48"));
                                }
                                Command::QrStore(params[1..].to_vec())
                            }
                            81 => {
                                one()?;
                                Command::QrPrint
                            }
                            other => {
                                return Err(error(start, &format!("unknown QR function {other}")));
                            }
                        });
                        at += 5 + length;
                    }
                    b'V' => {
                        let m = take(at + 2, 1)?[0];
                        match m {
                            0 | 48 => {
                                commands.push(Command::Cut {
                                    partial: false,
                                    feed: None,
                                });
                                at += 3;
                            }
                            1 | 49 => {
                                commands.push(Command::Cut {
                                    partial: true,
                                    feed: None,
                                });
                                at += 3;
                            }
                            65 | 66 => {
                                let n = take(at + 3, 1)?[0];
                                commands.push(Command::Cut {
                                    partial: m == 66,
                                    feed: Some(n),
                                });
                                at += 4;
                            }
                            other => {
                                return Err(error(start, &format!("unknown cut mode {other}")));
                            }
                        }
                    }
                    other => return Err(error(start, &format!("unknown GS {other:#04x}"))),
                }
            }
            DLE => {
                let head = take(at + 1, 2)?;
                if head[0] != EOT {
                    return Err(error(start, "only DLE EOT is understood"));
                }
                commands.push(Command::StatusQuery(head[1]));
                at += 3;
            }
            other => return Err(error(start, &format!("unexpected byte {other:#04x}"))),
        }
    }
    Ok(commands)
}

/// The QR payloads a stream stores for the printer to draw.
pub fn stored_qr_payloads(commands: &[Command]) -> Vec<Vec<u8>> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::QrStore(data) => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// The raster blocks alone, stacked (what the picture is without the printer's own QR codes).
pub fn raster_image(commands: &[Command]) -> Option<Bitmap> {
    let mut out: Option<Bitmap> = None;
    for command in commands {
        if let Command::Raster {
            width_bytes,
            height,
            data,
            ..
        } = command
        {
            let block = Bitmap::from_packed(u32::from(*width_bytes), u32::from(*height), data);
            let image = out.get_or_insert_with(|| Bitmap::new(block.width(), 0));
            let y = image.height();
            image.paste(&block, 0, y);
        }
    }
    out
}

/// What a printer `width_dots` wide would print for `commands`: raster blocks one below the
/// other, the printer's QR codes drawn where they are printed (justified as told), feeds as
/// blank paper (a line is 30 dots). Stops at the first cut.
pub fn render_page(commands: &[Command], width_dots: u32) -> Bitmap {
    const LINE_DOTS: u32 = 30;
    let mut page = Bitmap::new(width_dots, 0);
    let mut y = 0;
    let mut justify = 0;
    let mut module = 3;
    let mut stored: Option<Vec<u8>> = None;
    for command in commands {
        match command {
            Command::Init => {
                justify = 0;
                module = 3;
                stored = None;
            }
            Command::Justify(n) => justify = *n % 48,
            Command::FeedLines(n) => y += u32::from(*n) * LINE_DOTS,
            Command::FeedDots(n) => y += u32::from(*n),
            Command::LineFeed => y += LINE_DOTS,
            Command::Raster {
                width_bytes,
                height,
                data,
                ..
            } => {
                let block = Bitmap::from_packed(u32::from(*width_bytes), u32::from(*height), data);
                page.paste(&block, 0, y);
                y += block.height();
            }
            Command::QrModuleSize(n) => module = u32::from(*n),
            Command::QrStore(data) => stored = Some(data.clone()),
            Command::QrPrint => {
                let Some(data) = &stored else { continue };
                let text = String::from_utf8_lossy(data);
                // Printers draw no quiet zone: the emulator crops ours.
                if let Some(code) = qr_bitmap(&text, module) {
                    let quiet = super::raster::QUIET_ZONE * module;
                    let side = code.width() - 2 * quiet;
                    let mut symbol = Bitmap::new(side, side);
                    for sy in 0..side {
                        for sx in 0..side {
                            symbol.set(sx, sy, code.get(sx + quiet, sy + quiet));
                        }
                    }
                    let x = match justify {
                        1 => width_dots.saturating_sub(side) / 2,
                        2 => width_dots.saturating_sub(side),
                        _ => 0,
                    };
                    page.paste(&symbol, x, y);
                    y += side;
                }
            }
            Command::Cut { .. } => break,
            Command::QrModel(_) | Command::QrErrorCorrection(_) | Command::StatusQuery(_) => {}
        }
    }
    page.grow(y);
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_hold_at_most_band_rows_and_every_row() {
        let mut bitmap = Bitmap::new(20, 300);
        bitmap.set(0, 0, true);
        bitmap.set(19, 299, true);
        let mut out = Vec::new();
        raster_bands(&bitmap, &mut out);
        // 20 dots → 3 bytes a row; 300 rows → 128 + 128 + 44.
        assert_eq!(&out[..8], &[GS, b'v', b'0', 0, 3, 0, 128, 0]);
        assert_eq!(out.len(), 3 * 8 + 3 * 300);
        let commands = parse_escpos(&out).unwrap();
        let heights: Vec<u16> = commands
            .iter()
            .map(|c| match c {
                Command::Raster { height, .. } => *height,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(heights, [128, 128, 44]);
        let back = raster_image(&commands).unwrap();
        assert_eq!(back.height(), 300);
        assert!(back.get(0, 0) && back.get(19, 299));
        assert_eq!(back.dark_pixels(), 2);
    }

    #[test]
    fn native_qr_commands_have_the_lengths_printers_expect() {
        let mut out = Vec::new();
        native_qr(b"http://x/ho-so/abc", 8, &mut out);
        // GS ( k pL pH 49 80 48 data: pL pH = data + 3.
        let store = out
            .windows(7)
            .position(|w| w == [GS, b'(', b'k', 21, 0, 49, 80])
            .expect("store command with length 18 + 3");
        assert_eq!(out[store + 7], 48);
        assert_eq!(&out[store + 8..store + 26], b"http://x/ho-so/abc");
        let commands = parse_escpos(&out).unwrap();
        assert_eq!(
            commands,
            [
                Command::Justify(1),
                Command::QrModel(50),
                Command::QrModuleSize(8),
                Command::QrErrorCorrection(49),
                Command::QrStore(b"http://x/ho-so/abc".to_vec()),
                Command::QrPrint,
                Command::Justify(0),
            ]
        );
    }

    #[test]
    fn parser_refuses_truncated_and_unknown_commands() {
        let mut bitmap = Vec::new();
        raster_bands(&Bitmap::new(8, 4), &mut bitmap);
        let truncated = &bitmap[..bitmap.len() - 1];
        assert_eq!(parse_escpos(truncated).unwrap_err().offset, 8);
        assert_eq!(parse_escpos(b"\x1b@A").unwrap_err().offset, 2);
        assert!(parse_escpos(&[ESC, b'!', 0]).is_err());
        assert!(parse_escpos(&[GS, b'V']).is_err());
        assert_eq!(
            parse_escpos(&[DLE, EOT, 4, ESC, b'@', GS, b'V', 66, 0, GS, b'V', 1]).unwrap(),
            [
                Command::StatusQuery(4),
                Command::Init,
                Command::Cut {
                    partial: true,
                    feed: Some(0)
                },
                Command::Cut {
                    partial: true,
                    feed: None
                },
            ]
        );
    }

    #[test]
    fn paper_status_bits() {
        assert_eq!(
            paper_status(0x12),
            Some(PaperStatus {
                near_end: false,
                out: false
            })
        );
        assert_eq!(
            paper_status(0x1E),
            Some(PaperStatus {
                near_end: true,
                out: false
            })
        );
        assert_eq!(
            paper_status(0x72),
            Some(PaperStatus {
                near_end: false,
                out: true
            })
        );
        // An automatic status block's first byte (bit 1 clear) is not an answer.
        assert_eq!(paper_status(0x10), None);
        assert_eq!(paper_status(0x92), None);
    }

    #[test]
    fn page_emulation_places_the_printers_qr_between_the_pictures() {
        let mut top = Bitmap::new(64, 10);
        top.set(0, 9, true);
        let mut out = vec![ESC, b'@'];
        raster_bands(&top, &mut out);
        native_qr(b"A", 2, &mut out);
        raster_bands(&top, &mut out);
        out.extend_from_slice(&[GS, b'V', 66, 0]);
        let page = render_page(&parse_escpos(&out).unwrap(), 64);
        // Version 1: 21 modules of 2 dots, centered: (64 - 42) / 2 = 11.
        assert_eq!(page.height(), 10 + 42 + 10);
        assert!(page.get(11, 10), "finder pattern's corner");
        assert!(!page.get(10, 10));
        assert!(page.get(0, 10 + 42 + 9), "second picture below the code");
    }
}
