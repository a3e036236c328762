//! The fleet API: kiosks report their health (`POST /api/v1/kiosks/heartbeat`); staff read the
//! fleet and set a kiosk's remote configuration (docs/fleet.md).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_protocol::{Heartbeat, HeartbeatResponse, RemoteConfig};
use time::OffsetDateTime;

use super::fleet::{FleetKiosk, MAX_SETTINGS_BYTES};
use super::fleet_alerts::AlertRules;
use super::{KioskAuth, StaffAuth};
use crate::http::error::ErrorBody;
use crate::http::{ApiError, ApiJson, AppState, blocking, content_type_is};

/// Content types `PUT .../config` takes: the TOML text as is.
const SETTINGS_TYPES: [&str; 2] = ["text/plain", "application/toml"];

/// Fleet data describes the center's machines: never kept by a proxy or the browser.
fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Report this kiosk's health. The answer carries the remote configuration stored for the kiosk
/// when its version differs from `config_version`.
#[utoipa::path(
    post,
    path = "/api/v1/kiosks/heartbeat",
    tag = "operations",
    request_body = Heartbeat,
    security(("kiosk" = [])),
    responses(
        (status = 200, description = "Stored as the kiosk's latest health", body = HeartbeatResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential, or a revoked kiosk", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "A field breaks a limit (at most 10 errors of at most 300 characters, a version of at most 64)", body = ErrorBody),
    )
)]
pub async fn heartbeat(
    auth: KioskAuth,
    State(state): State<AppState>,
    ApiJson(heartbeat): ApiJson<Heartbeat>,
) -> Result<Json<HeartbeatResponse>, ApiError> {
    let kiosk = auth.kiosk.clone();
    let config = blocking(&state.operations, move |store| {
        Ok(store.record_heartbeat(&kiosk, &heartbeat, OffsetDateTime::now_utc())?)
    })
    .await?;
    if let Some(config) = &config {
        // Debug only: a kiosk that refuses a configuration is sent it with every heartbeat.
        tracing::debug!(kiosk = %auth.kiosk, version = config.version, "remote configuration sent");
    }
    Ok(Json(HeartbeatResponse { config }))
}

/// Every kiosk with its latest health, its stored configuration and its alerts.
#[utoipa::path(
    get,
    path = "/api/v1/fleet",
    tag = "operations",
    security(("staff" = [])),
    responses(
        (status = 200, description = "All kiosks by name, revoked ones included", body = Vec<FleetKiosk>),
        (status = 401, description = "No valid staff sign-in (WWW-Authenticate: Basic)", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn fleet(_staff: StaffAuth, State(state): State<AppState>) -> Result<Response, ApiError> {
    let rules = AlertRules::from_config(&state.config);
    let kiosks = blocking(&state.operations, move |store| {
        Ok(store.fleet(OffsetDateTime::now_utc(), &rules)?)
    })
    .await?;
    Ok(no_store(Json(kiosks)))
}

/// The remote configuration stored for a kiosk.
#[utoipa::path(
    get,
    path = "/api/v1/fleet/kiosks/{name}/config",
    tag = "operations",
    params(("name" = String, Path, description = "The kiosk's name")),
    security(("staff" = [])),
    responses(
        (status = 200, description = "The stored configuration", body = RemoteConfig),
        (status = 401, description = "No valid staff sign-in", body = ErrorBody),
        (status = 404, description = "No such kiosk, or no configuration stored for it", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn get_config(
    _staff: StaffAuth,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let shown = name.clone();
    let stored = blocking(&state.operations, move |store| {
        Ok(store.kiosk_config(&name)?)
    })
    .await?;
    let config = stored.ok_or_else(|| {
        ApiError::NotFound(format!(
            "no remote configuration is stored for kiosk {shown}"
        ))
    })?;
    Ok(no_store(Json(config.remote())))
}

/// Store a kiosk's remote configuration: TOML with the keys of `kiosk.toml` that may change
/// remotely (docs/fleet.md). Its version is the previous one plus one (the first is 1); the same
/// settings again change nothing. The kiosk gets it with the answer to its next heartbeat.
#[utoipa::path(
    put,
    path = "/api/v1/fleet/kiosks/{name}/config",
    tag = "operations",
    params(("name" = String, Path, description = "The kiosk's name")),
    request_body(content = String, content_type = "text/plain", description = "The settings as TOML (also accepted as application/toml), at most 64 KiB"),
    security(("staff" = [])),
    responses(
        (status = 200, description = "Stored; the configuration the kiosk will get", body = RemoteConfig),
        (status = 401, description = "No valid staff sign-in", body = ErrorBody),
        (status = 404, description = "No such kiosk", body = ErrorBody),
        (status = 409, description = "The kiosk is revoked", body = ErrorBody),
        (status = 413, description = "Larger than 64 KiB", body = ErrorBody),
        (status = 415, description = "Not text/plain or application/toml", body = ErrorBody),
        (status = 422, description = "Not TOML, or a key that cannot be set remotely; nothing stored", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn put_config(
    staff: StaffAuth,
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if !settings_content_type(&headers) {
        return Err(ApiError::UnsupportedMediaType(
            "send the settings as TOML text with Content-Type: text/plain or application/toml"
                .into(),
        ));
    }
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "the settings must be at most {MAX_SETTINGS_BYTES} bytes"
            ))
        } else {
            ApiError::BadRequest(rejection.body_text())
        }
    })?;
    let settings = String::from_utf8(body.to_vec())
        .map_err(|_| ApiError::BadRequest("the settings must be UTF-8 text".into()))?;
    let kiosk = name.clone();
    let by = staff.staff.clone();
    let stored = blocking(&state.operations, move |store| {
        Ok(store.set_kiosk_config(&kiosk, &settings, &by, OffsetDateTime::now_utc())?)
    })
    .await?;
    tracing::info!(kiosk = %name, staff = %staff.staff, version = stored.version, "remote configuration set");
    Ok(no_store(Json(stored.remote())))
}

fn settings_content_type(headers: &HeaderMap) -> bool {
    SETTINGS_TYPES
        .iter()
        .any(|wanted| content_type_is(headers, wanted))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::CONTENT_TYPE;

    #[test]
    fn settings_are_taken_as_plain_text_or_toml() {
        let with = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            settings_content_type(&headers)
        };
        assert!(with("text/plain"));
        assert!(with("text/plain; charset=utf-8"));
        assert!(with("Application/TOML"));
        assert!(!with("application/json"));
        assert!(!with("text/plainx"));
        assert!(!settings_content_type(&HeaderMap::new()));
    }
}
