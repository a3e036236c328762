//! The kiosk's delivery of ratings and feedback (`PUT` under an idempotency key, like a
//! submission's manifest), and the public lookup of a feedback by its reference.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use motcua_protocol::{
    ClientId, FeedbackManifest, FeedbackReceipt, FeedbackReference, FeedbackView, RatingManifest,
    RatingReceipt,
};
use serde::de::DeserializeOwned;
use time::OffsetDateTime;

use super::FeedbackError;
use crate::http::error::ErrorBody;
use crate::http::{ApiError, AppState, blocking, content_type_is};
use crate::operations::KioskAuth;
use crate::submission::api::small_body;
use crate::submission::rules::redact_json_error;

/// Largest body of a rating or feedback: the longest feedback text (2,000 characters of up to 4
/// bytes, escaped) fits many times over.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

fn idempotency_key(text: &str) -> Result<ClientId, ApiError> {
    ClientId::parse(text).map_err(|e| ApiError::BadRequest(format!("idempotency key: {e}")))
}

/// The JSON body as `T`: 415 without `application/json`, 413 over `MAX_BODY_BYTES`, 400 for a
/// syntax error, 422 for a value that breaks a rule (the message says which, e.g. "the text is 812
/// characters long; at most 500 are allowed", and never repeats the value).
async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, ApiError> {
    if !content_type_is(headers, "application/json") {
        return Err(ApiError::UnsupportedMediaType(
            "send the body with Content-Type: application/json".into(),
        ));
    }
    let bytes = small_body(body, MAX_BODY_BYTES).await?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let message = redact_json_error(&e);
        match e.classify() {
            serde_json::error::Category::Data => ApiError::Unprocessable(message),
            _ => ApiError::BadRequest(message),
        }
    })
}

/// What a `put` asks of the per-kiosk limit before storing something new.
fn admission(state: &AppState, kiosk: &str) -> impl FnOnce() -> Result<(), FeedbackError> + use<> {
    let limiter = state.feedback_limiter.clone();
    let kiosk = kiosk.to_owned();
    move || {
        limiter
            .check(&kiosk)
            .map_err(|wait| FeedbackError::RateLimited { kiosk, wait })
    }
}

/// Store a visitor's rating under the kiosk's idempotency key (a new key per rating; keys are per
/// kiosk). Repeating the same PUT, e.g. after a lost answer, is harmless and never rate limited.
#[utoipa::path(
    put,
    path = "/api/v1/ratings/{idempotency_key}",
    tag = "feedback",
    params(("idempotency_key" = inline(ClientId), Path, description = "Made by the kiosk, one per rating: 1–64 of A-Z a-z 0-9 - _")),
    request_body(content = RatingManifest, description = "At most 16 KiB of JSON"),
    security(("kiosk" = [])),
    responses(
        (status = 201, description = "Stored", body = RatingReceipt),
        (status = 200, description = "This key already holds the same rating: the receipt first issued", body = RatingReceipt),
        (status = 400, description = "Malformed key or JSON syntax", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential, or a revoked kiosk", body = ErrorBody),
        (status = 413, description = "Body over 16 KiB", body = ErrorBody),
        (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
        (status = 422, description = "This key holds a different rating; or a field breaks a rule (a comment over 500 characters, a service point over 120, an unknown face, a malformed dossier code)", body = ErrorBody),
        (status = 429, description = "The kiosk sent more new ratings and feedback than feedback_per_kiosk_per_hour allows",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn put_rating(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<RatingReceipt>), ApiError> {
    let key = idempotency_key(&key)?;
    let manifest: RatingManifest = json_body(&headers, body).await?;
    let satisfaction = manifest.satisfaction;
    let admit = admission(&state, &auth.kiosk);
    let (kiosk, shown_key) = (auth.kiosk.clone(), key.clone());
    let put = blocking(&state.feedback, move |store| {
        Ok(store.put_rating(&kiosk, &key, &manifest, OffsetDateTime::now_utc(), admit)?)
    })
    .await?;
    if put.created {
        tracing::info!(kiosk = %auth.kiosk, key = %shown_key.as_str(), satisfaction = satisfaction.as_str(), "rating stored");
        Ok((StatusCode::CREATED, Json(put.receipt)))
    } else {
        Ok((StatusCode::OK, Json(put.receipt)))
    }
}

/// Store a visitor's feedback under the kiosk's idempotency key. Its reference is drawn at random
/// on the kiosk; one already used by another feedback is refused (409), and the kiosk draws a new
/// one. Repeating the same PUT is harmless and never rate limited.
#[utoipa::path(
    put,
    path = "/api/v1/feedback/{id}",
    tag = "feedback",
    params(("id" = inline(ClientId), Path, description = "The idempotency key, made by the kiosk, one per feedback: 1–64 of A-Z a-z 0-9 - _")),
    request_body(content = FeedbackManifest, description = "At most 16 KiB of JSON"),
    security(("kiosk" = [])),
    responses(
        (status = 201, description = "Stored", body = FeedbackReceipt),
        (status = 200, description = "This key already holds the same feedback: the receipt first issued", body = FeedbackReceipt),
        (status = 400, description = "Malformed key or JSON syntax", body = ErrorBody),
        (status = 401, description = "No valid kiosk credential, or a revoked kiosk", body = ErrorBody),
        (status = 409, description = "Another feedback already has this reference: draw a new one and send under a new key", body = ErrorBody),
        (status = 413, description = "Body over 16 KiB", body = ErrorBody),
        (status = 415, description = "Not Content-Type: application/json", body = ErrorBody),
        (status = 422, description = "This key holds a different feedback; or a field breaks a rule (a text over 2,000 characters or empty, an unknown topic, a malformed reference or mobile number)", body = ErrorBody),
        (status = 429, description = "The kiosk sent more new ratings and feedback than feedback_per_kiosk_per_hour allows",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn put_feedback(
    auth: KioskAuth,
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<FeedbackReceipt>), ApiError> {
    let key = idempotency_key(&key)?;
    let manifest: FeedbackManifest = json_body(&headers, body).await?;
    let topic = manifest.topic;
    let admit = admission(&state, &auth.kiosk);
    let (kiosk, shown_key) = (auth.kiosk.clone(), key.clone());
    let put = blocking(&state.feedback, move |store| {
        Ok(store.put_feedback(&kiosk, &key, &manifest, OffsetDateTime::now_utc(), admit)?)
    })
    .await?;
    if put.created {
        tracing::info!(kiosk = %auth.kiosk, key = %shown_key.as_str(), topic = topic.as_str(), "feedback stored");
        Ok((StatusCode::CREATED, Json(put.receipt)))
    } else {
        Ok((StatusCode::OK, Json(put.receipt)))
    }
}

/// A feedback and its answer, for whoever holds its reference: no phone number, no kiosk.
/// Rate limited per client address like the status page.
#[utoipa::path(
    get,
    path = "/api/v1/feedback/{id}",
    tag = "feedback",
    params(("id" = inline(FeedbackReference), Path, description = "The feedback's reference, e.g. PA-4821-0937-5512 (also without PA, dashes or spaces)")),
    responses(
        (status = 200, description = "The feedback and its answer, if any", body = FeedbackView,
         headers(("Cache-Control" = String, description = "no-store"))),
        (status = 400, description = "Malformed reference", body = ErrorBody),
        (status = 404, description = "No feedback has this reference", body = ErrorBody),
        (status = 429, description = "Too many requests from this address", body = ErrorBody,
         headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub async fn feedback_view(
    State(state): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    let reference = FeedbackReference::parse(&reference).map_err(FeedbackError::from)?;
    let view: Option<FeedbackView> =
        blocking(&state.feedback, move |store| Ok(store.view(&reference)?)).await?;
    let view = view.ok_or(FeedbackError::UnknownFeedback)?;
    let mut response = Json(view).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
