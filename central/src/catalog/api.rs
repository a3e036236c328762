use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::http::{ApiError, AppState};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogQuery {
    /// The cursor from the kiosk's previous successful sync. Absent, malformed or from another
    /// server database: the full catalog is returned (`full: true`).
    since: Option<String>,
}

/// Download the catalog, whole or as the changes since a cursor.
#[utoipa::path(
    get,
    path = "/api/v1/catalog",
    tag = "catalog",
    params(CatalogQuery),
    responses(
        (status = 200, description = "Full catalog or changes since the cursor", body = motcua_protocol::CatalogDelta,
         headers(("ETag" = String, description = "Identifies this catalog version; send it back as If-None-Match"))),
        (status = 304, description = "Nothing changed since the version named in If-None-Match"),
        (status = 500, description = "Server error", body = crate::http::error::ErrorBody),
    )
)]
pub async fn get_catalog(
    State(state): State<AppState>,
    Query(query): Query<CatalogQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let if_none_match = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let catalog = state.catalog.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let store = catalog
            .lock()
            .map_err(|_| ApiError::Internal("catalog lock poisoned".into()))?;
        let current = store.current()?;
        let etag = current.etag();
        let since_is_current = query
            .since
            .as_deref()
            .is_none_or(|s| s == current.to_string());
        if since_is_current
            && if_none_match
                .as_deref()
                .is_some_and(|tags| etag_matches(tags, &etag))
        {
            return Ok::<_, ApiError>(None);
        }
        Ok(Some(store.delta(query.since.as_deref())?))
    })
    .await??;

    let Some(delta) = answer else {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    };
    let etag = HeaderValue::from_str(&delta.cursor.etag())
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (ETAG, etag),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        delta.body,
    )
        .into_response())
}

fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

/// Liveness and what the server holds.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "operations",
    responses((status = 200, description = "The server is up", body = motcua_protocol::Health))
)]
pub async fn health(
    State(state): State<AppState>,
) -> Result<axum::Json<motcua_protocol::Health>, ApiError> {
    let catalog = state.catalog.clone();
    let health = tokio::task::spawn_blocking(move || {
        let store = catalog
            .lock()
            .map_err(|_| ApiError::Internal("catalog lock poisoned".into()))?;
        Ok::<_, ApiError>(motcua_protocol::Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            procedures: store.count()?,
            catalog_cursor: store.current()?.to_string(),
        })
    })
    .await??;
    Ok(axum::Json(health))
}

#[cfg(test)]
mod tests {
    use super::etag_matches;

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(etag_matches("\"a.1\"", "\"a.1\""));
        assert!(etag_matches("W/\"a.1\"", "\"a.1\""));
        assert!(etag_matches("\"x.0\", \"a.1\"", "\"a.1\""));
        assert!(etag_matches("*", "\"a.1\""));
        assert!(!etag_matches("\"a.2\"", "\"a.1\""));
    }
}
