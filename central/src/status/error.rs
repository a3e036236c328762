use motcua_protocol::DossierCode;

use crate::db::DbError;

/// Every way a dossier operation can fail. The HTTP layer maps each to a status code; the command
/// line prints the message as it is, so messages name the thing at fault.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    #[error("unknown dossier {0}")]
    UnknownDossier(DossierCode),
    #[error("unknown procedure {0}: it is not in the catalog")]
    UnknownProcedure(String),
    #[error("the appointment date {due} is before the received date {received}")]
    DueBeforeReceived { received: String, due: String },
    #[error("dossier {code} already exists with a different {difference}")]
    DossierConflict {
        code: DossierCode,
        difference: String,
    },
    #[error("event {event_id:?} was already received with a different {difference}")]
    EventConflict {
        event_id: String,
        difference: String,
    },
    /// The request is well-formed JSON but a value breaks a rule (event id, note, time).
    #[error("{0}")]
    Invalid(String),
    #[error("stored dossier data is damaged: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for StatusError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Db(DbError::Sqlite(e))
    }
}
