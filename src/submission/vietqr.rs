//! VietQR payment codes (NAPAS, EMVCo merchant-presented mode), so a visitor can pay a procedure's
//! fee with any Vietnamese banking app: the amount and purpose arrive filled in.

use std::fmt::Write;

/// Where the center receives fees: a bank (by its NAPAS BIN) and an account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentAccount {
    /// Six digits, e.g. `970415` (VietinBank).
    pub bank_bin: String,
    pub account: String,
    /// Shown next to the code so the visitor knows whom they pay.
    pub account_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VietQrError {
    #[error("bank_bin must be 6 digits")]
    BankBin,
    #[error("account must be 1–19 letters or digits")]
    Account,
}

impl PaymentAccount {
    pub fn validate(&self) -> Result<(), VietQrError> {
        if self.bank_bin.len() != 6 || !self.bank_bin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(VietQrError::BankBin);
        }
        if !(1..=19).contains(&self.account.len())
            || !self.account.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err(VietQrError::Account);
        }
        Ok(())
    }
}

fn tlv(out: &mut String, tag: &str, value: &str) {
    let _ = write!(out, "{tag}{:02}{value}", value.len());
}

/// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR.
pub fn crc16_ccitt_false(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &byte in data {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// Only what every banking app accepts in the purpose field: ASCII letters, digits, spaces and a
/// few signs, at most 25 characters (Vietnamese is folded to plain letters).
fn purpose_text(purpose: &str) -> String {
    let mut plain = String::new();
    for c in purpose.chars() {
        match c {
            'đ' => plain.push('d'),
            'Đ' => plain.push('D'),
            c => unicode_normalization::char::decompose_canonical(c, |d| {
                if d.is_ascii() {
                    plain.push(d);
                }
            }),
        }
    }
    plain
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.'))
        .take(25)
        .collect::<String>()
        .trim()
        .to_uppercase()
}

/// The dynamic VietQR payload for paying `amount_vnd` to `account` with `purpose`.
pub fn payload(
    account: &PaymentAccount,
    amount_vnd: u64,
    purpose: &str,
) -> Result<String, VietQrError> {
    account.validate()?;
    let mut beneficiary = String::new();
    tlv(&mut beneficiary, "00", &account.bank_bin);
    tlv(&mut beneficiary, "01", &account.account);
    let mut merchant = String::new();
    tlv(&mut merchant, "00", "A000000727");
    tlv(&mut merchant, "01", &beneficiary);
    tlv(&mut merchant, "02", "QRIBFTTA");
    let mut additional = String::new();
    let purpose = purpose_text(purpose);
    if !purpose.is_empty() {
        tlv(&mut additional, "08", &purpose);
    }

    let mut out = String::new();
    tlv(&mut out, "00", "01");
    tlv(&mut out, "01", if amount_vnd > 0 { "12" } else { "11" });
    tlv(&mut out, "38", &merchant);
    tlv(&mut out, "53", "704");
    if amount_vnd > 0 {
        tlv(&mut out, "54", &amount_vnd.to_string());
    }
    tlv(&mut out, "58", "VN");
    if !additional.is_empty() {
        tlv(&mut out, "62", &additional);
    }
    out.push_str("6304");
    let crc = crc16_ccitt_false(out.as_bytes());
    let _ = write!(out, "{crc:04X}");
    Ok(out)
}

/// Splits an EMVCo payload into (tag, value) pairs, checking every length; `None` if malformed.
pub fn parse_tlv(text: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let tag = rest.get(0..2)?;
        let len: usize = rest.get(2..4)?.parse().ok()?;
        let value = rest.get(4..4 + len)?;
        out.push((tag.to_owned(), value.to_owned()));
        rest = &rest[4 + len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> PaymentAccount {
        PaymentAccount {
            bank_bin: "970415".into(),
            account: "113366668888".into(),
            account_name: "TRUNG TAM PHUC VU HCC".into(),
        }
    }

    #[test]
    fn crc_matches_the_published_check_value() {
        // The catalogue check value of CRC-16/CCITT-FALSE.
        assert_eq!(crc16_ccitt_false(b"123456789"), 0x29B1);
    }

    #[test]
    fn payload_has_the_napas_tags_and_a_valid_crc() {
        let text = payload(&account(), 8000, "Lệ phí hồ sơ G09.20-20261122-0000001").unwrap();
        let fields = parse_tlv(&text).unwrap();
        let get = |tag: &str| {
            fields
                .iter()
                .find(|(t, _)| t == tag)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(get("00"), "01");
        assert_eq!(get("01"), "12", "dynamic: the amount is fixed");
        assert_eq!(get("53"), "704");
        assert_eq!(get("54"), "8000");
        assert_eq!(get("58"), "VN");
        let merchant = parse_tlv(&get("38")).unwrap();
        assert_eq!(merchant[0], ("00".into(), "A000000727".into()));
        assert_eq!(merchant[2], ("02".into(), "QRIBFTTA".into()));
        let beneficiary = parse_tlv(&merchant[1].1).unwrap();
        assert_eq!(beneficiary[0].1, "970415");
        assert_eq!(beneficiary[1].1, "113366668888");
        let purpose = parse_tlv(&get("62")).unwrap();
        assert_eq!(purpose[0].0, "08");
        assert_eq!(purpose[0].1, "LE PHI HO SO G09.20-20261");
        // Tag 63 is last, and its CRC covers everything before it including "6304".
        let (body, crc) = text.split_at(text.len() - 4);
        assert!(body.ends_with("6304"));
        assert_eq!(crc, format!("{:04X}", crc16_ccitt_false(body.as_bytes())));
        assert_eq!(fields.last().unwrap().0, "63");
    }

    #[test]
    fn bad_accounts_are_refused() {
        let mut bad = account();
        bad.bank_bin = "97041".into();
        assert_eq!(payload(&bad, 1, "x"), Err(VietQrError::BankBin));
        let mut bad = account();
        bad.account = "12 34".into();
        assert_eq!(payload(&bad, 1, "x"), Err(VietQrError::Account));
    }
}
