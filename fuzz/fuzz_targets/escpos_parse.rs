//! The strict ESC/POS parser (`escpos::parse_escpos`, used by the printing tests and previews)
//! and the paper-status byte, on arbitrary bytes.
//!
//! Asserts: parsing never panics; a stream that parses, written out again command by command,
//! parses to the same commands; an error's offset is within the stream (its end for a stream cut
//! short); a paper-status byte is recognised exactly by its fixed bits. Short pages are also
//! drawn by the page emulator (`render_page`), whose page is as wide as the paper and covers
//! every raster block and feed.

#![no_main]

use libfuzzer_sys::fuzz_target;
use motcua_kiosk::submission::receipt::escpos::{
    Command, DLE, EOT, ESC, GS, LF, paper_status, parse_escpos, render_page,
};

fuzz_target!(|data: &[u8]| {
    if let Some(&first) = data.first() {
        let status = paper_status(first);
        assert_eq!(status.is_some(), first & 0b1001_0011 == 0b0001_0010);
    }
    match parse_escpos(data) {
        Ok(commands) => {
            let written = write(&commands);
            assert_eq!(parse_escpos(&written).as_ref(), Ok(&commands));
            if let Some(height) = short_page(&commands) {
                let page = render_page(&commands, 576);
                assert_eq!(page.width(), 576);
                assert!(page.height() >= height, "{} < {height}", page.height());
            }
        }
        // A stream cut inside a command is reported where the missing bytes start, which can be
        // the end of the stream.
        Err(error) => assert!(error.offset <= data.len(), "{error}"),
    }
});

/// The paper a stream feeds before its first cut, when it is short enough to draw quickly
/// (QR codes drawn by the emulator are left out of the count, and small ones only are drawn).
fn short_page(commands: &[Command]) -> Option<u32> {
    let mut height = 0u32;
    for command in commands {
        match command {
            Command::FeedLines(n) => height += u32::from(*n) * 30,
            Command::FeedDots(n) => height += u32::from(*n),
            Command::LineFeed => height += 30,
            Command::Raster { height: h, .. } => height += u32::from(*h),
            // Drawing a large QR code dot by dot takes long; the parser is what is fuzzed here.
            Command::QrModuleSize(n) if *n > 8 => return None,
            Command::QrStore(data) if data.len() > 64 => return None,
            Command::Cut { .. } => break,
            _ => {}
        }
        if height > 20_000 {
            return None;
        }
    }
    Some(height)
}

fn write(commands: &[Command]) -> Vec<u8> {
    let mut out = Vec::new();
    let qr = |out: &mut Vec<u8>, function: u8, params: &[u8]| {
        let length = params.len() + 2;
        out.extend_from_slice(&[
            GS,
            b'(',
            b'k',
            length as u8,
            (length >> 8) as u8,
            49,
            function,
        ]);
        out.extend_from_slice(params);
    };
    for command in commands {
        match command {
            Command::Init => out.extend_from_slice(&[ESC, b'@']),
            Command::Justify(n) => out.extend_from_slice(&[ESC, b'a', *n]),
            Command::FeedLines(n) => out.extend_from_slice(&[ESC, b'd', *n]),
            Command::FeedDots(n) => out.extend_from_slice(&[ESC, b'J', *n]),
            Command::LineFeed => out.push(LF),
            Command::Raster {
                mode,
                width_bytes,
                height,
                data,
            } => {
                out.extend_from_slice(&[GS, b'v', b'0', *mode]);
                out.extend_from_slice(&width_bytes.to_le_bytes());
                out.extend_from_slice(&height.to_le_bytes());
                out.extend_from_slice(data);
            }
            Command::QrModel(n) => qr(&mut out, 65, &[*n, 0]),
            Command::QrModuleSize(n) => qr(&mut out, 67, &[*n]),
            Command::QrErrorCorrection(n) => qr(&mut out, 69, &[*n]),
            Command::QrStore(data) => {
                let mut params = vec![48];
                params.extend_from_slice(data);
                qr(&mut out, 80, &params);
            }
            Command::QrPrint => qr(&mut out, 81, &[48]),
            Command::Cut { partial, feed } => match feed {
                None => out.extend_from_slice(&[GS, b'V', if *partial { 1 } else { 0 }]),
                Some(n) => out.extend_from_slice(&[GS, b'V', if *partial { 66 } else { 65 }, *n]),
            },
            Command::StatusQuery(n) => out.extend_from_slice(&[DLE, EOT, *n]),
        }
    }
    out
}
