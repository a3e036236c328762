//! Extractors that admit a request only with a live credential of the right kind:
//! `Authorization: Bearer <credential>`. A kiosk credential never opens an integration route and
//! an integration token never opens a kiosk route: they live in different tables.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use time::OffsetDateTime;

use super::kiosks::KioskLookup;
use crate::http::{ApiError, AppState, blocking};

/// Longer than any credential we issue; anything longer is not looked up at all.
const MAX_CREDENTIAL_LEN: usize = 256;

/// The kiosk a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskAuth {
    pub kiosk: String,
}

/// The integration client a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationAuth {
    pub integration: String,
}

fn bearer(parts: &Parts) -> Result<String, ApiError> {
    let missing = || {
        ApiError::Unauthorized("missing credential: send Authorization: Bearer <credential>".into())
    };
    let value = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| missing())?;
    let (scheme, credential) = value.trim().split_once(' ').ok_or_else(missing)?;
    let credential = credential.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || credential.is_empty() {
        return Err(missing());
    }
    Ok(credential.to_owned())
}

fn unknown() -> ApiError {
    ApiError::Unauthorized("unknown credential".into())
}

impl FromRequestParts<AppState> for KioskAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let credential = bearer(parts)?;
        if credential.len() > MAX_CREDENTIAL_LEN {
            return Err(unknown());
        }
        let lookup = blocking(&state.operations, move |store| {
            Ok(store.authenticate_kiosk(&credential, OffsetDateTime::now_utc())?)
        })
        .await?;
        match lookup {
            KioskLookup::Kiosk(kiosk) => Ok(Self { kiosk }),
            KioskLookup::Revoked(name) => Err(ApiError::Unauthorized(format!(
                "the credential of kiosk {name} was revoked; enroll the kiosk again"
            ))),
            KioskLookup::Unknown => Err(unknown()),
        }
    }
}

impl FromRequestParts<AppState> for IntegrationAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        if token.len() > MAX_CREDENTIAL_LEN {
            return Err(unknown());
        }
        let found = blocking(&state.operations, move |store| {
            Ok(store.authenticate_integration(&token)?)
        })
        .await?;
        found
            .map(|integration| Self { integration })
            .ok_or_else(|| ApiError::Unauthorized("unknown or revoked integration token".into()))
    }
}
