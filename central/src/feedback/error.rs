use std::time::Duration;

use crate::db::DbError;

/// Every way a rating or feedback operation can fail. The HTTP layer maps each to a status code;
/// the command line prints the message as it is. No message repeats what a visitor typed, their
/// phone number or a feedback's reference.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// 422
    #[error(
        "this idempotency key was already used for a different {0}; use a new key for a new {0}"
    )]
    ContentConflict(&'static str),
    /// 409
    #[error(
        "this feedback reference is already used by another feedback; references are drawn at \
         random on the kiosk: draw a new one and send the feedback under a new idempotency key"
    )]
    ReferenceTaken,
    /// 404
    #[error("no feedback has this reference")]
    UnknownFeedback,
    /// 400
    #[error(transparent)]
    BadReference(#[from] motcua_protocol::FeedbackReferenceError),
    /// 429, with `Retry-After`.
    #[error("kiosk {kiosk} sent too many new ratings and feedback; retry after {} seconds", whole_seconds(*.wait))]
    RateLimited { kiosk: String, wait: Duration },
    /// The kiosk a request was authenticated as is not in the database (it cannot happen unless
    /// the row was deleted by hand).
    #[error("no kiosk named {0}")]
    UnknownKiosk(String),
    #[error("stored feedback data is damaged: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for FeedbackError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::Sqlite(e))
    }
}

/// Whole seconds, rounded up and at least 1: "0" would invite an immediate retry that fails again.
pub fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}
