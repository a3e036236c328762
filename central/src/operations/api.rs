//! `POST /api/v1/kiosks/enroll`: a kiosk trades its one-time code for its credential.

use axum::Json;
use axum::extract::State;
use motcua_protocol::{EnrollRequest, EnrollResponse};
use time::OffsetDateTime;

use crate::http::error::ErrorBody;
use crate::http::{ApiError, ApiJson, AppState, blocking};

/// Exchange a one-time enrollment code (from `motcua-central kiosk add NAME`) for the kiosk's
/// bearer credential. Each code works once, for 24 hours.
#[utoipa::path(
    post,
    path = "/api/v1/kiosks/enroll",
    tag = "operations",
    request_body = EnrollRequest,
    responses(
        (status = 200, description = "Enrolled; the credential is shown this once", body = EnrollResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Unknown or expired code, or a revoked kiosk", body = ErrorBody),
        (status = 409, description = "The code was already used", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "The JSON is not {\"code\": string}", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn enroll(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let response = blocking(&state.operations, move |store| {
        Ok(store.enroll(&request.code, OffsetDateTime::now_utc())?)
    })
    .await?;
    tracing::info!(kiosk = %response.kiosk_name, "kiosk enrolled");
    Ok(Json(response))
}
