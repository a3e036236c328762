//! The status QR code printed on a receipt, as a PNG: error correction level M (survives a crease
//! or a smudge on thermal paper), the standard 4-module quiet zone, 8 pixels per module.

use std::path::Path;

use qrcode::{Color, EcLevel, QrCode};

pub const PIXELS_PER_MODULE: usize = 8;
pub const QUIET_ZONE_MODULES: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("cannot encode {length} bytes as a QR code: {source}")]
    Encode {
        length: usize,
        source: qrcode::types::QrError,
    },
    #[error("cannot write PNG: {0}")]
    Png(#[from] png::EncodingError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// An 8-bit grayscale PNG of `text` as a QR code.
pub fn qr_png(text: &str) -> Result<Vec<u8>, QrError> {
    let code =
        QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).map_err(|source| {
            QrError::Encode {
                length: text.len(),
                source,
            }
        })?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QUIET_ZONE_MODULES;
    let side = side_modules * PIXELS_PER_MODULE;
    let mut pixels = vec![255u8; side * side];
    for y in 0..modules {
        for x in 0..modules {
            if colors[y * modules + x] != Color::Dark {
                continue;
            }
            let top = (y + QUIET_ZONE_MODULES) * PIXELS_PER_MODULE;
            let left = (x + QUIET_ZONE_MODULES) * PIXELS_PER_MODULE;
            for row in top..top + PIXELS_PER_MODULE {
                pixels[row * side + left..row * side + left + PIXELS_PER_MODULE].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        // `side` is at most (177 + 8) × 8 pixels, far inside u32.
        let side = side as u32;
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
        writer.finish()?;
    }
    Ok(out)
}

pub fn write_qr_png(text: &str, path: &Path) -> Result<(), QrError> {
    let png = qr_png(text)?;
    std::fs::write(path, png).map_err(|source| QrError::Write {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_url_is_a_version_4_code_with_its_quiet_zone() {
        let url = "http://127.0.0.1:8080/ho-so/AAAAAAAAAAAAAAAAAAAAAA";
        let png = qr_png(url).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        // 50 bytes at level M need version 4 (version 3 holds 42): 33 modules, plus 2 × 4 quiet,
        // × 8 pixels.
        assert_eq!(info.width, (33 + 8) * 8);
        assert_eq!(info.height, info.width);
        assert_eq!(info.color_type, png::ColorType::Grayscale);
    }
}
