//! Expired phone upload sessions and their files go away: on every access to the phone upload
//! routes, and once a minute in the background.

use std::time::Duration;

use time::OffsetDateTime;
use tokio::task::JoinHandle;

use crate::http::{ApiError, AppState, blocking};

pub const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Deletes expired sessions and their files; returns how many sessions went.
pub async fn purge_expired_sessions(state: &AppState) -> Result<usize, ApiError> {
    let expired = blocking(&state.phone_uploads, |store| {
        Ok(store.purge_expired(OffsetDateTime::now_utc())?)
    })
    .await?;
    let count = expired.len();
    if count > 0 {
        let files = state.files.clone();
        tokio::task::spawn_blocking(move || {
            for session in expired {
                if let Err(e) = files.remove_phone_session(&session) {
                    tracing::warn!(error = %e, %session, "cannot remove an expired phone upload");
                }
            }
        })
        .await?;
    }
    Ok(count)
}

/// Removes directories of sessions that no longer exist (left by a crash between deleting a
/// session and its files).
async fn remove_orphans(state: &AppState) -> Result<(), ApiError> {
    let dir = state.files.phone_dir("");
    let names: Vec<String> = tokio::task::spawn_blocking(move || match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().into_string().ok())
            .collect(),
        Err(_) => Vec::new(),
    })
    .await?;
    if names.is_empty() {
        return Ok(());
    }
    let orphans = blocking(&state.phone_uploads, move |store| {
        let mut orphans = Vec::new();
        for name in names {
            if !store.exists(&name)? {
                orphans.push(name);
            }
        }
        Ok(orphans)
    })
    .await?;
    let files = state.files.clone();
    tokio::task::spawn_blocking(move || {
        for session in orphans {
            if let Err(e) = files.remove_phone_session(&session) {
                tracing::warn!(error = %e, %session, "cannot remove an orphaned phone upload");
            }
        }
    })
    .await?;
    Ok(())
}

/// The background purge, every `PURGE_EVERY`, until the task is aborted.
pub fn spawn_purger(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = remove_orphans(&state).await {
            tracing::warn!(error = %e, "cannot look for orphaned phone uploads");
        }
        let mut tick = tokio::time::interval(PURGE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match purge_expired_sessions(&state).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "expired phone upload sessions removed"),
                Err(e) => tracing::warn!(error = %e, "cannot purge phone upload sessions"),
            }
        }
    })
}
