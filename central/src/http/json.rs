//! A JSON body extractor whose rejections are `ApiError`s, so a bad body gets the same
//! `{"error": "..."}` shape as every other API error instead of axum's plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(rejection_error(&rejection)),
        }
    }
}

fn rejection_error(rejection: &JsonRejection) -> ApiError {
    if super::is_body_timeout(rejection) {
        return ApiError::RequestTimeout("the request body sent nothing for too long".into());
    }
    let message = rejection.body_text();
    // axum answers JSON that parses but does not fit the type (a status of 11, an unknown field,
    // a malformed dossier code) with 422, a body over the route's limit with 413, a body that is
    // not `application/json` with 415, everything else (syntax) with 400.
    match rejection.status() {
        StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable(message),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(message),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(message),
        _ => ApiError::BadRequest(message),
    }
}
