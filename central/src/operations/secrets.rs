//! Making, hashing and comparing the secrets that protect the kiosk and integration APIs.
//! Secrets are shown once and stored only as SHA-256 hashes; with 256 random bits there is nothing
//! for a slow password hash to protect against, and lookups stay one indexed query.

use rand::Rng;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const KIOSK_CREDENTIAL_PREFIX: &str = "mk_";
pub const INTEGRATION_TOKEN_PREFIX: &str = "mi_";

/// No 0/O, 1/I: codes are read off a terminal and typed on a kiosk's touch keyboard. 32 symbols,
/// so one random byte masked to 5 bits picks each one without bias.
const ENROLLMENT_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
pub const ENROLLMENT_CODE_LEN: usize = 10;

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::rng().fill(&mut bytes);
    bytes
}

pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// Constant-time equality for secrets (different lengths are simply unequal).
pub fn equal(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// `prefix` + 64 hex digits (256 random bits). The prefix tells a reader which kind of secret a
/// leaked string is, and keeps the two kinds from ever being confused.
pub fn new_credential(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(random_bytes::<32>()))
}

/// A one-time enrollment code like `K7QM-X2CP-9H`: 50 random bits, short enough to type.
pub fn new_enrollment_code() -> String {
    let bytes = random_bytes::<ENROLLMENT_CODE_LEN>();
    let symbols: String = bytes
        .iter()
        .map(|b| char::from(ENROLLMENT_ALPHABET[usize::from(b & 31)]))
        .collect();
    format!("{}-{}-{}", &symbols[..4], &symbols[4..8], &symbols[8..])
}

/// The canonical form that is hashed: upper case, without dashes or spaces. `None` if it cannot
/// be a code at all.
pub fn normalize_enrollment_code(input: &str) -> Option<String> {
    let symbols: String = input
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = symbols.len() == ENROLLMENT_CODE_LEN
        && symbols.bytes().all(|b| ENROLLMENT_ALPHABET.contains(&b));
    valid.then_some(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrollment_codes_are_grouped_unambiguous_and_typed_loosely() {
        let code = new_enrollment_code();
        assert_eq!(code.len(), 12);
        assert_eq!(code.matches('-').count(), 2);
        assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
        let loose = code.to_lowercase().replace('-', " ");
        assert_eq!(
            normalize_enrollment_code(&loose).unwrap(),
            code.replace('-', "")
        );
        assert_eq!(normalize_enrollment_code("ABCD-EFGH-J"), None);
        assert_eq!(normalize_enrollment_code("ABCD-EFGH-J0"), None);
        assert_ne!(new_enrollment_code(), new_enrollment_code());
    }

    #[test]
    fn credentials_carry_their_kind_and_256_bits() {
        let kiosk = new_credential(KIOSK_CREDENTIAL_PREFIX);
        assert!(kiosk.starts_with("mk_") && kiosk.len() == 3 + 64);
        assert_ne!(kiosk, new_credential(KIOSK_CREDENTIAL_PREFIX));
        assert!(equal(&hash(&kiosk), &hash(&kiosk)));
        assert!(!equal(&hash(&kiosk), &hash("mk_other")));
        assert!(!equal(b"abc", b"abcd"));
    }
}
