//! The API for the province's one-stop system (docs/integration.md): register a dossier when it is
//! received at a desk, then push each status change as an event.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use motcua_protocol::{DossierCode, DossierRegistration, DossierView, EventReceipt, StatusEvent};
use time::OffsetDateTime;

use super::today_in_vietnam;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, ApiJson, AppState, blocking};
use crate::operations::IntegrationAuth;

/// Register a dossier received at a one-stop desk, so its receipt can carry a status QR code.
/// Repeating the same registration is harmless; the answer's `status_url` is what the QR encodes.
#[utoipa::path(
    put,
    path = "/api/v1/integration/dossiers/{code}",
    tag = "integration",
    params(("code" = inline(DossierCode), Path, description = "Dossier code, e.g. G09.20-20260609-0092637")),
    request_body = DossierRegistration,
    security(("integration" = [])),
    responses(
        (status = 201, description = "Registered", body = DossierView),
        (status = 200, description = "Already registered with the same procedure and dates; nothing changed", body = DossierView),
        (status = 400, description = "Malformed dossier code or JSON", body = ErrorBody),
        (status = 401, description = "No valid integration token", body = ErrorBody),
        (status = 409, description = "Already registered with a different procedure or dates", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "Unknown procedure, appointment before the received date, or a value of the wrong type", body = ErrorBody),
    )
)]
pub async fn register_dossier(
    auth: IntegrationAuth,
    State(state): State<AppState>,
    Path(code): Path<String>,
    ApiJson(registration): ApiJson<DossierRegistration>,
) -> Result<(StatusCode, Json<DossierView>), ApiError> {
    let code = DossierCode::parse(&code).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let base = state.config.public_base();
    let (created, view) = blocking(&state.dossiers, move |store| {
        let registered = store.register(&code, &registration, OffsetDateTime::now_utc())?;
        Ok((
            registered.created,
            registered.dossier.view(&base, today_in_vietnam()),
        ))
    })
    .await?;
    if created {
        tracing::info!(integration = %auth.integration, code = %view.code, "dossier registered");
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// Apply a status change. Idempotent by `event_id`: the same event again changes nothing and
/// answers `duplicate`; the same `event_id` with other content is refused. Events may arrive out
/// of order: each takes its place in the history by `at`, and the current status is that of the
/// latest `at`.
#[utoipa::path(
    post,
    path = "/api/v1/integration/status-events",
    tag = "integration",
    request_body = StatusEvent,
    security(("integration" = [])),
    responses(
        (status = 200, description = "Applied, or a duplicate of an event already applied", body = EventReceipt),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid integration token", body = ErrorBody),
        (status = 404, description = "Unknown dossier: register it first", body = ErrorBody),
        (status = 409, description = "This event_id was already used for a different change", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "A value breaks a rule: event_id, note, at in the future, status outside 1–10", body = ErrorBody),
    )
)]
pub async fn status_event(
    auth: IntegrationAuth,
    State(state): State<AppState>,
    ApiJson(event): ApiJson<StatusEvent>,
) -> Result<Json<EventReceipt>, ApiError> {
    let base = state.config.public_base();
    let integration = auth.integration;
    let receipt = blocking(&state.dossiers, move |store| {
        let (outcome, dossier) =
            store.apply_event(&event, &integration, OffsetDateTime::now_utc())?;
        Ok(EventReceipt {
            outcome,
            dossier: dossier.view(&base, today_in_vietnam()),
        })
    })
    .await?;
    Ok(Json(receipt))
}
