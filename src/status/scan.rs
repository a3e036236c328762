//! What a QR code or barcode scanner read, parsed strictly. Only two things open a dossier's
//! status: the status page address of *our* central server, or a bare dossier code; our feedback
//! page's address opens the answer to that feedback. Everything else gets a precise explanation,
//! and nothing scanned is ever opened in a browser.

use motcua_protocol::{
    DossierCode, FEEDBACK_PAGE_PREFIX, FeedbackReference, STATUS_PAGE_PREFIX, StatusToken,
};

/// Longer than any receipt QR we print; anything this long is someone else's code.
pub const MAX_SCAN_LEN: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scanned {
    /// Our status page address: the token inside it.
    StatusLink(StatusToken),
    /// A dossier code, scanned from a barcode or typed.
    Code(DossierCode),
    /// Our status page address whose token is damaged or cut short.
    DamagedLink,
    /// Our feedback page address (shown when a feedback is sent): the reference inside it.
    FeedbackLink(FeedbackReference),
    /// The QR code on the front of a citizen ID card (CCCD). Its content (name, ID number,
    /// address) is dropped here, not kept: it is for filling forms, not for status.
    CitizenCard,
    /// Another site's address, another organisation's code, or text of no known kind.
    NotOurs,
    /// Bytes that are not text (a serial scanner with the wrong encoding, line noise).
    Unreadable,
}

impl Scanned {
    /// English, for the command line and logs; the kiosk screen has its own translated texts.
    pub fn explanation(&self) -> &'static str {
        match self {
            Self::StatusLink(_) | Self::Code(_) => "a dossier",
            Self::FeedbackLink(_) => "a feedback sent at a kiosk",
            Self::DamagedLink => {
                "this QR code points to the center's status page but is damaged or incomplete; \
                 type the dossier code printed on the receipt instead"
            }
            Self::CitizenCard => {
                "this is the QR code of a citizen ID card (CCCD); it is used to fill in forms, \
                 not to check a dossier's status; scan the QR code on the receipt instead"
            }
            Self::NotOurs => "this QR code is not a receipt of the center",
            Self::Unreadable => "the scanner sent something that is not text; please scan again",
        }
    }
}

/// Parses raw bytes from a serial scanner.
pub fn parse_scanned_bytes(bytes: &[u8], public_base: &str) -> Scanned {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_scanned(text, public_base),
        Err(_) => Scanned::Unreadable,
    }
}

/// Parses what a scanner read or a person typed. `public_base` is the central server's public
/// address, the only one whose status links are accepted.
pub fn parse_scanned(text: &str, public_base: &str) -> Scanned {
    let text = text.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    if text.is_empty() || text.len() > MAX_SCAN_LEN {
        return Scanned::NotOurs;
    }
    if text.chars().any(char::is_control) {
        return Scanned::NotOurs;
    }
    if is_citizen_card(text) {
        return Scanned::CitizenCard;
    }
    if strip_scheme(text).is_some() {
        return parse_link(text, public_base);
    }
    match DossierCode::parse(text) {
        Ok(code) => Scanned::Code(code),
        Err(_) => Scanned::NotOurs,
    }
}

fn strip_scheme(text: &str) -> Option<&str> {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    if lower.starts_with("https://") {
        text.get(8..)
    } else if lower.starts_with("http://") {
        text.get(7..)
    } else {
        None
    }
}

fn parse_link(text: &str, public_base: &str) -> Scanned {
    let base = public_base.trim_end_matches('/');
    // Scheme and host compare case-insensitively; some scanners upper-case a QR URL.
    let same_origin = text.len() >= base.len()
        && text.is_char_boundary(base.len())
        && text[..base.len()].eq_ignore_ascii_case(base);
    if !same_origin {
        return Scanned::NotOurs;
    }
    let path = &text[base.len()..];
    if let Some(reference) = path.strip_prefix(FEEDBACK_PAGE_PREFIX) {
        return match FeedbackReference::parse(reference) {
            Ok(reference) => Scanned::FeedbackLink(reference),
            Err(_) => Scanned::DamagedLink,
        };
    }
    let Some(token) = path.strip_prefix(STATUS_PAGE_PREFIX) else {
        return Scanned::NotOurs;
    };
    match StatusToken::parse(token) {
        Ok(token) => Scanned::StatusLink(token),
        Err(_) => Scanned::DamagedLink,
    }
}

/// The CCCD front QR: `12-digit ID|old ID|name|ddmmyyyy|gender|address|ddmmyyyy`.
fn is_citizen_card(text: &str) -> bool {
    let mut parts = text.split('|');
    let id = parts.next().unwrap_or_default();
    let rest = parts.count();
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) && (5..=7).contains(&rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://dichvucong.example.gov.vn";
    const TOKEN: &str = "q3Jv0cX8b1mN2pQ4rS6tUw";

    #[test]
    fn our_links_and_codes_open_a_dossier() {
        let link = format!("{BASE}/ho-so/{TOKEN}");
        assert_eq!(
            parse_scanned(&link, BASE),
            Scanned::StatusLink(StatusToken::parse(TOKEN).unwrap())
        );
        assert_eq!(
            parse_scanned(&format!("{link}\r\n"), &format!("{BASE}/")),
            Scanned::StatusLink(StatusToken::parse(TOKEN).unwrap())
        );
        let upper = format!("HTTPS://DICHVUCONG.EXAMPLE.GOV.VN/ho-so/{TOKEN}");
        assert!(matches!(
            parse_scanned(&upper, BASE),
            Scanned::StatusLink(_)
        ));
        assert_eq!(
            parse_scanned("g09.20-20260609-0092637", BASE),
            Scanned::Code(DossierCode::parse("G09.20-20260609-0092637").unwrap())
        );
    }

    #[test]
    fn our_feedback_links_open_the_answer() {
        assert_eq!(
            parse_scanned(&format!("{BASE}/phan-anh/PA-4821-0937-5512"), BASE),
            Scanned::FeedbackLink(FeedbackReference::parse("482109375512").unwrap())
        );
        assert_eq!(
            parse_scanned(&format!("{BASE}/phan-anh/PA-4821-0937"), BASE),
            Scanned::DamagedLink
        );
        assert_eq!(
            parse_scanned("https://elsewhere.example/phan-anh/PA-4821-0937-5512", BASE),
            Scanned::NotOurs
        );
    }

    #[test]
    fn everything_else_is_explained() {
        let cases: Vec<(String, Scanned)> = vec![
            (format!("{BASE}/ho-so/{}", &TOKEN[..10]), Scanned::DamagedLink),
            (format!("{BASE}/ho-so/{TOKEN}x"), Scanned::DamagedLink),
            (format!("{BASE}/ho-so/{TOKEN}?a=1"), Scanned::DamagedLink),
            (format!("{BASE}/thu-tuc/1.004222"), Scanned::NotOurs),
            (format!("{BASE}.evil.example/ho-so/{TOKEN}"), Scanned::NotOurs),
            (format!("https://evil.example/ho-so/{TOKEN}"), Scanned::NotOurs),
            (format!("http://dichvucong.example.gov.vn/ho-so/{TOKEN}"), Scanned::NotOurs),
            ("https://zalo.me/g/abcdef".into(), Scanned::NotOurs),
            ("javascript:alert(1)".into(), Scanned::NotOurs),
            ("<script>alert(1)</script>".into(), Scanned::NotOurs),
            ("G09.20-20260609-1' OR '1'='1".into(), Scanned::NotOurs),
            ("'; DROP TABLE dossier_status_cache; --".into(), Scanned::NotOurs),
            ("x".repeat(10_000), Scanned::NotOurs),
            ("".into(), Scanned::NotOurs),
            ("G09.20-20260609\u{0}-1".into(), Scanned::NotOurs),
            (
                "001089012345|123456789|Nguyễn Văn A|01011989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021".into(),
                Scanned::CitizenCard,
            ),
            (
                "00000200000000020000|3|3|3|3|3|3|3".into(),
                Scanned::NotOurs,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_scanned(&text, BASE), expected, "{text:?}");
        }
        assert_eq!(
            parse_scanned_bytes(&[0x47, 0xff, 0xfe, 0x30], BASE),
            Scanned::Unreadable
        );
        assert_eq!(
            parse_scanned_bytes("Đ".repeat(3).as_bytes(), BASE),
            Scanned::NotOurs
        );
    }
}
