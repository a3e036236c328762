//! The staff PIN that opens staff mode on the kiosk screen. Only its Argon2id hash is stored (OWASP
//! parameters: 19 MiB, 2 passes, 1 lane), in the data directory with mode 0600. Five wrong PINs in
//! a row lock staff mode, 30 seconds the first time and twice as long each further time (at most
//! an hour). Every attempt is logged, never the PIN.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

const PIN_FILE: &str = "staff-pin";
pub const MAX_FAILURES: u32 = 5;
const FIRST_LOCKOUT: Duration = Duration::from_secs(30);
const LONGEST_LOCKOUT: Duration = Duration::from_secs(3600);

#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("a staff PIN is 6 to 12 digits")]
    BadFormat,
    #[error("no staff PIN is set; set one with `motcua-kiosk staff-pin`")]
    NotSet,
    #[error("the staff PIN file {path} is unreadable: {reason}")]
    Unreadable { path: String, reason: String },
    #[error(
        "the staff PIN file {path} can be read by other users (mode {mode:o}); run `chmod 600 {path}`"
    )]
    TooOpen { path: String, mode: u32 },
    #[error("cannot store the staff PIN: {0}")]
    Store(String),
}

pub fn pin_path(data_dir: &Path) -> PathBuf {
    data_dir.join(PIN_FILE)
}

fn argon2() -> Argon2<'static> {
    // OWASP's first Argon2id recommendation: m = 19 MiB, t = 2, p = 1.
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn check_format(pin: &str) -> Result<(), PinError> {
    if (6..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(PinError::BadFormat)
    }
}

/// Hashes and stores a new PIN, replacing the old one.
pub fn set_pin(data_dir: &Path, pin: &str) -> Result<(), PinError> {
    check_format(pin)?;
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|e| PinError::Store(e.to_string()))?;
    let hash = argon2()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| PinError::Store(e.to_string()))?
        .to_string();
    super::private_file::write(data_dir, PIN_FILE, hash.as_bytes())
        .map_err(|e| PinError::Store(e.to_string()))?;
    tracing::info!("staff PIN changed");
    Ok(())
}

/// The stored hash (PHC string).
pub fn load_hash(data_dir: &Path) -> Result<String, PinError> {
    let path = pin_path(data_dir);
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(PinError::NotSet),
        Err(e) => {
            return Err(PinError::Unreadable {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    let mode = super::private_file::mode(&path).map_err(|e| PinError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    if mode & 0o077 != 0 {
        return Err(PinError::TooOpen { path: shown, mode });
    }
    let hash = text.trim().to_owned();
    PasswordHash::new(&hash).map_err(|e| PinError::Unreadable {
        path: shown,
        reason: e.to_string(),
    })?;
    Ok(hash)
}

/// Whether `pin` matches `hash` (Argon2's own comparison, in constant time).
pub fn verify(hash: &str, pin: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| argon2().verify_password(pin.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// The outcome of one attempt at the PIN pad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    Opened,
    /// Wrong; this many tries are left before the lockout.
    Wrong {
        left: u32,
    },
    /// Wrong, or tried while locked: no PIN is checked until then.
    Locked {
        for_secs: u64,
    },
}

/// Counts failures and lockouts. Kept in memory: restarting the kiosk takes staff access to the
/// machine, which is what the PIN protects in the first place.
#[derive(Debug)]
pub struct PinGuard {
    failures: u32,
    lockouts: u32,
    locked_until: Option<Instant>,
    first_lockout: Duration,
}

impl Default for PinGuard {
    fn default() -> Self {
        Self::with_first_lockout(FIRST_LOCKOUT)
    }
}

impl PinGuard {
    /// A guard whose first lockout lasts `first_lockout` (tests use a second).
    pub fn with_first_lockout(first_lockout: Duration) -> Self {
        Self {
            failures: 0,
            lockouts: 0,
            locked_until: None,
            first_lockout,
        }
    }

    /// Seconds staff mode stays locked, if it is.
    pub fn locked_for(&self, now: Instant) -> Option<u64> {
        let until = self.locked_until?;
        (until > now).then(|| (until - now).as_secs_f64().ceil() as u64)
    }

    /// Before checking a PIN: refuses while locked.
    pub fn admit(&self, now: Instant) -> Result<(), Attempt> {
        match self.locked_for(now) {
            Some(for_secs) => {
                tracing::warn!(for_secs, "staff PIN attempt while staff mode is locked");
                Err(Attempt::Locked { for_secs })
            }
            None => Ok(()),
        }
    }

    /// Records the result of a checked PIN.
    pub fn record(&mut self, correct: bool, now: Instant) -> Attempt {
        if correct {
            tracing::info!("staff mode opened");
            *self = Self::with_first_lockout(self.first_lockout);
            return Attempt::Opened;
        }
        self.failures += 1;
        if self.failures < MAX_FAILURES {
            let left = MAX_FAILURES - self.failures;
            tracing::warn!(left, "wrong staff PIN");
            return Attempt::Wrong { left };
        }
        let lockout = self
            .first_lockout
            .saturating_mul(1 << self.lockouts.min(16))
            .min(LONGEST_LOCKOUT);
        self.lockouts += 1;
        self.failures = 0;
        self.locked_until = Some(now + lockout);
        tracing::warn!(
            lockout_secs = lockout.as_secs(),
            "wrong staff PIN {MAX_FAILURES} times: staff mode locked"
        );
        Attempt::Locked {
            for_secs: lockout.as_secs(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_the_hash_is_stored_readable_by_the_owner_alone() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(load_hash(dir.path()), Err(PinError::NotSet)));
        for bad in ["12345", "1234567890123", "12345a", "１２３４５６"] {
            assert!(
                matches!(set_pin(dir.path(), bad), Err(PinError::BadFormat)),
                "{bad}"
            );
        }
        set_pin(dir.path(), "271828").unwrap();
        let stored = std::fs::read_to_string(pin_path(dir.path())).unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(!stored.contains("271828"));
        let hash = load_hash(dir.path()).unwrap();
        assert!(verify(&hash, "271828"));
        assert!(!verify(&hash, "271829"));
        std::fs::set_permissions(pin_path(dir.path()), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        assert!(matches!(
            load_hash(dir.path()),
            Err(PinError::TooOpen { .. })
        ));
    }

    #[test]
    fn five_wrong_pins_lock_for_longer_each_time() {
        let start = Instant::now();
        let mut guard = PinGuard::default();
        for left in (1..MAX_FAILURES).rev() {
            assert_eq!(guard.admit(start), Ok(()));
            assert_eq!(guard.record(false, start), Attempt::Wrong { left });
        }
        assert_eq!(guard.record(false, start), Attempt::Locked { for_secs: 30 });
        assert_eq!(
            guard.admit(start + Duration::from_secs(10)),
            Err(Attempt::Locked { for_secs: 20 })
        );
        let later = start + Duration::from_secs(31);
        assert_eq!(guard.admit(later), Ok(()));
        for _ in 1..MAX_FAILURES {
            guard.record(false, later);
        }
        assert_eq!(guard.record(false, later), Attempt::Locked { for_secs: 60 });
        // The right PIN after the lockout opens and forgets the past.
        let after = later + Duration::from_secs(61);
        assert_eq!(guard.record(true, after), Attempt::Opened);
        assert_eq!(guard.locked_for(after), None);
        for _ in 1..MAX_FAILURES {
            guard.record(false, after);
        }
        assert_eq!(guard.record(false, after), Attempt::Locked { for_secs: 30 });
    }
}
