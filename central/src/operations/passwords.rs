//! Staff passwords: generated, hashed with Argon2id, verified. Unlike kiosk credentials (256
//! random bits, a fast hash is enough) a staff password may be chosen by a person, so a stolen
//! database must not give it away cheaply.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;

use super::OperationsError;

/// OWASP's recommended Argon2id parameters: 19 MiB of memory, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// Shortest password `--password-stdin` accepts. Generated ones are 80 random bits.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted anywhere: hashing cost must not grow with what a client sends.
pub const MAX_PASSWORD_BYTES: usize = 256;

/// Lower case and digits without 0/o, 1/i: typed on a phone's keyboard from a printout.
const ALPHABET: &[u8; 32] = b"23456789abcdefghjklmnpqrstuvwxyz";

fn argon2() -> Result<Argon2<'static>, OperationsError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| OperationsError::PasswordHash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// A new password like `k7qm-x2cp-9hrt-bw4e`: 16 symbols of 5 random bits each.
pub fn generate() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    let symbols: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
        .collect();
    symbols
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Refuses passwords a person chose badly enough to matter here.
pub fn check_chosen(password: &str) -> Result<(), OperationsError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(OperationsError::WeakPassword(format!(
            "the password has {chars} characters; use at least {MIN_PASSWORD_CHARS}, or let \
             `staff add` generate one"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(OperationsError::WeakPassword(format!(
            "the password is longer than {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if password.chars().any(char::is_control) {
        // Browsers' sign-in boxes cannot type them: such a password could never sign in.
        return Err(OperationsError::WeakPassword(
            "the password must not contain control characters".into(),
        ));
    }
    Ok(())
}

/// The Argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) of `password`.
pub fn hash(password: &str) -> Result<String, OperationsError> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt =
        SaltString::encode_b64(&salt).map_err(|e| OperationsError::PasswordHash(e.to_string()))?;
    Ok(argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| OperationsError::PasswordHash(e.to_string()))?
        .to_string())
}

/// Whether `password` matches `stored` (a PHC string). The comparison inside is constant-time;
/// a malformed stored hash matches nothing. Slow on purpose (tens of milliseconds): call it off
/// the async workers.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::error!("a stored staff password hash is malformed");
        return false;
    };
    argon2().is_ok_and(|a| a.verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Verifies `password` against a hash of a random password that nobody knows: for an unknown
/// staff name, so that a wrong name takes as long as a wrong password and names cannot be probed
/// by timing.
pub fn verify_nobody(password: &str) {
    static NOBODY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(stored) = NOBODY.get_or_init(|| hash(&generate()).ok()) {
        let _ = verify(password, stored);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_passwords_are_grouped_random_and_verify() {
        let password = generate();
        assert_eq!(password.len(), 19);
        assert_eq!(password.matches('-').count(), 3);
        assert!(!password.contains(['0', 'o', '1', 'i']), "{password}");
        assert_ne!(password, generate());
        assert!(check_chosen(&password).is_ok());
        let stored = hash(&password).unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(verify(&password, &stored));
        assert!(!verify("k7qm-x2cp-9hrt-bw4f", &stored));
        assert!(!verify(&password, "not a hash"));
        assert_ne!(hash(&password).unwrap(), stored, "salted");
    }

    #[test]
    fn chosen_passwords_must_be_usable() {
        assert!(check_chosen("đủ-dài-rồi-nhé").is_ok());
        assert!(check_chosen("colons:are:fine").is_ok());
        for bad in ["short", "tab\there-is-long", &"x".repeat(257)] {
            assert!(check_chosen(bad).is_err(), "{bad:?}");
        }
    }
}
