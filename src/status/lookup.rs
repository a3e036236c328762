//! One dossier lookup, as the screen and the command line both do it: ask the server; when it
//! cannot answer, fall back to the last status this kiosk saw, marked as possibly outdated. A
//! receipt printed before its dossier was delivered names a dossier the server does not know
//! yet: while this kiosk's outbox holds it, that is what the visitor is told.

use motcua_protocol::{DossierCode, DossierView, StatusToken};

use super::cache::Seen;
use super::client::{StatusClient, StatusError};
use crate::storage::StorageHandle;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupKey {
    Code(DossierCode),
    Token(StatusToken),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    /// The server's answer, just now.
    Current(DossierView),
    /// The server could not answer; this is what it said at `seen_at` (unix seconds).
    Outdated { view: DossierView, seen_at: i64 },
    /// The server answered: no such dossier.
    NotFound,
    /// The server could not answer and this kiosk never saw the dossier.
    Unavailable,
    /// Confirmed on this kiosk and not delivered yet (a receipt's QR code scanned early).
    Waiting,
}

pub async fn look_up(
    client: &StatusClient,
    storage: &StorageHandle,
    key: LookupKey,
    now: i64,
) -> Lookup {
    // Asked before the server: a dossier delivered in between is then on the server, so
    // "waiting" is never said of one the server has.
    let waiting_here = match &key {
        LookupKey::Token(token) => waiting_in_outbox(storage, token.clone()).await,
        LookupKey::Code(_) => false,
    };
    let answer = match &key {
        LookupKey::Code(code) => client.by_code(code).await,
        LookupKey::Token(token) => client.by_token(token).await,
    };
    match answer {
        Ok(view) => {
            let stored = view.clone();
            match storage.call(move |s| s.status.remember(&stored, now)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("cannot cache a dossier status: {e}"),
                Err(e) => tracing::warn!("cannot cache a dossier status: {e}"),
            }
            Lookup::Current(view)
        }
        Err(_) if waiting_here => Lookup::Waiting,
        Err(StatusError::NotFound) => Lookup::NotFound,
        Err(error) => {
            if matches!(error, StatusError::Unauthorized) {
                // Staff must see this; visitors still get what the cache knows.
                tracing::error!("status lookup refused: {error}");
            } else if error.server_unavailable() {
                tracing::warn!("status lookup failed, answering from the cache: {error}");
            } else {
                tracing::error!("status lookup failed: {error}");
            }
            match cached(storage, key).await {
                Some(Seen { value, seen_at }) => Lookup::Outdated {
                    view: value,
                    seen_at,
                },
                None => Lookup::Unavailable,
            }
        }
    }
}

async fn waiting_in_outbox(storage: &StorageHandle, token: StatusToken) -> bool {
    match storage
        .call(move |s| s.outbox.is_dossier_waiting(&token))
        .await
    {
        Ok(Ok(waiting)) => waiting,
        Ok(Err(e)) => {
            tracing::warn!("cannot read the outbox: {e}");
            false
        }
        Err(e) => {
            tracing::warn!("cannot read the outbox: {e}");
            false
        }
    }
}

async fn cached(storage: &StorageHandle, key: LookupKey) -> Option<Seen<DossierView>> {
    let found = storage
        .call(move |s| match &key {
            LookupKey::Code(code) => s.status.by_code(code),
            LookupKey::Token(token) => s.status.by_token(token),
        })
        .await;
    match found {
        Ok(Ok(seen)) => seen,
        Ok(Err(e)) => {
            tracing::warn!("cannot read the status cache: {e}");
            None
        }
        Err(e) => {
            tracing::warn!("cannot read the status cache: {e}");
            None
        }
    }
}
