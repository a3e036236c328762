use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::full_download::{Encoding, PreparedCatalog};
use super::store::{DeltaJson, resume_point};
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
    let encoding = Encoding::negotiate(headers.get(ACCEPT_ENCODING).and_then(|v| v.to_str().ok()));
    let catalog = state.catalog.clone();
    let full_downloads = state.full_downloads.clone();
    let answer = tokio::task::spawn_blocking(move || {
        let answer = {
            let store = catalog
                .lock()
                .map_err(|_| ApiError::Internal("catalog lock poisoned".into()))?;
            let current = store.current()?;
            let since = query.since.as_deref();
            if since.is_none_or(|s| s == current.to_string())
                && if_none_match
                    .as_deref()
                    .is_some_and(|tags| etag_matches(tags, &current.etag()))
            {
                return Ok::<_, ApiError>(Answer::NotModified);
            }
            match resume_point(since, &current) {
                Some(_) => Answer::Changes(store.delta(since)?),
                None => Answer::Full(full_downloads.get(&current, || store.delta(None))?),
            }
        };
        // Compressing a new version takes a second or two: not while holding the catalog.
        if let Answer::Full(prepared) = &answer {
            prepared.body(encoding);
        }
        Ok(answer)
    })
    .await??;

    let (cursor, body, coding) = match answer {
        Answer::NotModified => return Ok(StatusCode::NOT_MODIFIED.into_response()),
        Answer::Changes(delta) => (delta.cursor, Body::from(delta.body), None),
        Answer::Full(prepared) => (
            prepared.cursor.clone(),
            Body::from(prepared.body(encoding)),
            encoding.header_value(),
        ),
    };
    let etag =
        HeaderValue::from_str(&cursor.etag()).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut response = (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (ETAG, etag),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (VARY, HeaderValue::from_static("accept-encoding")),
        ],
        body,
    )
        .into_response();
    if let Some(coding) = coding {
        // Already compressed: the compression layer leaves a response with a Content-Encoding be.
        response
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    Ok(response)
}

enum Answer {
    NotModified,
    Changes(DeltaJson),
    Full(Arc<PreparedCatalog>),
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
