//! The kiosk's status lookups (by the code a visitor types, or the token in a scanned receipt QR)
//! and the public resolution statistics.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use motcua_protocol::{DossierCode, DossierView, Statistics, StatusToken};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;

use super::{stats, today_in_vietnam};
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState, blocking};
use crate::operations::KioskAuth;

/// A dossier's status by its code, as a visitor types it on the kiosk.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/{code}",
    tag = "status",
    params(("code" = inline(DossierCode), Path, description = "Dossier code, e.g. G09.20-20260609-0092637 (case and surrounding spaces do not matter)")),
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "The dossier's status and history", body = DossierView),
        (status = 400, description = "Malformed dossier code", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No such dossier", body = ErrorBody),
    )
)]
pub async fn dossier_by_code(
    _kiosk: KioskAuth,
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<DossierView>, ApiError> {
    let code = DossierCode::parse(&code).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let base = state.config.public_base();
    let shown = code.clone();
    let view = blocking(&state.dossiers, move |store| {
        Ok(store.view_by_code(&code, &base, today_in_vietnam())?)
    })
    .await?;
    view.map(Json)
        .ok_or_else(|| ApiError::NotFound(format!("unknown dossier {shown}")))
}

/// A dossier's status by the token in its receipt's QR code.
#[utoipa::path(
    get,
    path = "/api/v1/dossiers/by-token/{token}",
    tag = "status",
    params(("token" = inline(StatusToken), Path, description = "The 22-character status token")),
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "The dossier's status and history", body = DossierView),
        (status = 400, description = "Malformed token", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential", body = ErrorBody),
        (status = 404, description = "No dossier has this token", body = ErrorBody),
    )
)]
pub async fn dossier_by_token(
    _kiosk: KioskAuth,
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<DossierView>, ApiError> {
    let token = StatusToken::parse(&token).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let base = state.config.public_base();
    let view = blocking(&state.dossiers, move |store| {
        Ok(store.view_by_token(&token, &base, today_in_vietnam())?)
    })
    .await?;
    view.map(Json)
        .ok_or_else(|| ApiError::NotFound("no dossier has this status token".into()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// How many months back, counting the current one (Vietnam time): 1 to 36, default 12.
    #[param(minimum = 1, maximum = 36)]
    months: Option<u32>,
}

/// Dossiers received and resolved (early, on time, late) per month and field, newest month first.
/// Public: no personal data, only counts.
#[utoipa::path(
    get,
    path = "/api/v1/statistics",
    tag = "status",
    params(StatisticsQuery),
    responses(
        (status = 200, description = "Counts per month and field", body = Statistics,
         headers(("Cache-Control" = String, description = "public, max-age=300"))),
        (status = 400, description = "months out of range", body = ErrorBody),
    )
)]
pub async fn statistics(
    State(state): State<AppState>,
    query: Result<Query<StatisticsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let months = query.months.unwrap_or(stats::DEFAULT_MONTHS);
    if !(1..=stats::MAX_MONTHS).contains(&months) {
        return Err(ApiError::BadRequest(format!(
            "months must be from 1 to {}, not {months}",
            stats::MAX_MONTHS
        )));
    }
    let statistics = blocking(&state.dossiers, move |store| {
        Ok(stats::statistics(
            store,
            months,
            today_in_vietnam(),
            OffsetDateTime::now_utc(),
        )?)
    })
    .await?;
    Ok(([(CACHE_CONTROL, "public, max-age=300")], Json(statistics)).into_response())
}
