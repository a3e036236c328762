//! QR codes for the screen, drawn module by module so they stay crisp at any size.

use qrcode::{EcLevel, QrCode};
use slint::{Rgb8Pixel, SharedPixelBuffer};

/// Modules of white border the QR specification asks for.
pub const QUIET_ZONE: u32 = 4;

/// `text` as a QR image with its quiet zone, `scale` pixels per module. Built off the UI thread
/// (`SharedPixelBuffer` is `Send`; `slint::Image` is not). `None` if `text` is too long for a QR.
pub fn qr_pixels(text: &str, scale: u32) -> Option<SharedPixelBuffer<Rgb8Pixel>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let modules = code.width() as u32;
    let side = (modules + 2 * QUIET_ZONE) * scale;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(side, side);
    let colors = code.to_colors();
    let pixels = buffer.make_mut_slice();
    for pixel in pixels.iter_mut() {
        *pixel = Rgb8Pixel {
            r: 255,
            g: 255,
            b: 255,
        };
    }
    for (index, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (index as u32 % modules, index as u32 / modules);
        for dy in 0..scale {
            let row = ((my + QUIET_ZONE) * scale + dy) * side;
            for dx in 0..scale {
                pixels[(row + (mx + QUIET_ZONE) * scale + dx) as usize] =
                    Rgb8Pixel { r: 0, g: 0, b: 0 };
            }
        }
    }
    Some(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn has_a_white_quiet_zone_and_dark_finder_corner() {
        let buffer = qr_pixels("http://127.0.0.1:8080/thu-tuc/1.001193", 4).unwrap();
        let side = buffer.width();
        let px = |x: u32, y: u32| buffer.as_slice()[(y * side + x) as usize];
        assert_eq!(
            px(0, 0),
            Rgb8Pixel {
                r: 255,
                g: 255,
                b: 255
            }
        );
        assert_eq!(
            px(QUIET_ZONE * 4 - 1, QUIET_ZONE * 4 - 1),
            Rgb8Pixel {
                r: 255,
                g: 255,
                b: 255
            }
        );
        // Top-left finder pattern starts right after the quiet zone.
        assert_eq!(
            px(QUIET_ZONE * 4, QUIET_ZONE * 4),
            Rgb8Pixel { r: 0, g: 0, b: 0 }
        );
        assert!(qr_pixels(&"x".repeat(5000), 4).is_none());
    }
}
