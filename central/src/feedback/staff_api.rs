//! What staff do with feedback and ratings over HTTP (HTTP Basic, like the fleet API): read the
//! feedback with the phone numbers to call back, answer it, and read rating statistics.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use motcua_protocol::{AnswerText, FeedbackReference, RatingStatistics};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};

use super::{FeedbackError, FeedbackItem, stats};
use crate::http::error::ErrorBody;
use crate::http::{ApiError, ApiJson, AppState, blocking};
use crate::operations::StaffAuth;
use crate::status::today_in_vietnam;

/// Feedback holds visitors' words and phone numbers: never kept by a proxy or the browser.
fn no_store(response: impl IntoResponse) -> Response {
    let mut response = response.into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `true`: only feedback without an answer.
    unanswered: Option<bool>,
}

/// Every feedback, most recently submitted first, with its phone number and kiosk.
#[utoipa::path(
    get,
    path = "/api/v1/feedback",
    tag = "feedback",
    params(ListQuery),
    security(("staff" = [])),
    responses(
        (status = 200, description = "The feedback, newest first", body = Vec<FeedbackItem>),
        (status = 400, description = "unanswered is not true or false", body = ErrorBody),
        (status = 401, description = "No valid staff sign-in (WWW-Authenticate: Basic)", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn list_feedback(
    _staff: StaffAuth,
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let unanswered = query.unanswered.unwrap_or(false);
    let items = blocking(&state.feedback, move |store| Ok(store.list(unanswered)?)).await?;
    Ok(no_store(Json(items)))
}

/// A staff answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[schema(value_type = String, max_length = 4000)]
    pub text: AnswerText,
}

/// Answer a feedback; answering again replaces the answer. The answer shows on the public page of
/// the feedback at once.
#[utoipa::path(
    post,
    path = "/api/v1/feedback/{reference}/answer",
    tag = "feedback",
    params(("reference" = inline(FeedbackReference), Path, description = "The feedback's reference, e.g. PA-4821-0937-5512")),
    request_body = AnswerRequest,
    security(("staff" = [])),
    responses(
        (status = 200, description = "The feedback with its new answer", body = FeedbackItem),
        (status = 400, description = "Malformed reference or JSON", body = ErrorBody),
        (status = 401, description = "No valid staff sign-in", body = ErrorBody),
        (status = 404, description = "No feedback has this reference", body = ErrorBody),
        (status = 415, description = "The body is not application/json", body = ErrorBody),
        (status = 422, description = "An empty answer, or one over 4,000 characters", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn answer_feedback(
    staff: StaffAuth,
    State(state): State<AppState>,
    Path(reference): Path<String>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Response, ApiError> {
    let reference = FeedbackReference::parse(&reference).map_err(FeedbackError::from)?;
    let by = staff.staff.clone();
    let item = blocking(&state.feedback, move |store| {
        Ok(store.answer(&reference, &request.text, &by, OffsetDateTime::now_utc())?)
    })
    .await?;
    tracing::info!(staff = %staff.staff, topic = item.topic.as_str(), "feedback answered");
    Ok(no_store(Json(item)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// How many months back, counting the current one (Vietnam time): 1 to 36, default 12.
    #[param(minimum = 1, maximum = 36)]
    months: Option<u32>,
}

/// Ratings per Vietnam calendar month of `rated_at` (newest first, months without ratings
/// included), and per field and per kiosk over the same months.
#[utoipa::path(
    get,
    path = "/api/v1/ratings/statistics",
    tag = "feedback",
    params(StatisticsQuery),
    security(("staff" = [])),
    responses(
        (status = 200, description = "Counts of each face", body = RatingStatistics),
        (status = 400, description = "months out of range", body = ErrorBody),
        (status = 401, description = "No valid staff sign-in", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins from this address; see Retry-After", body = ErrorBody),
    )
)]
pub async fn rating_statistics(
    _staff: StaffAuth,
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
    let statistics = blocking(&state.feedback, move |store| {
        Ok(stats::statistics(store, months, today_in_vietnam())?)
    })
    .await?;
    Ok(no_store(Json(statistics)))
}
