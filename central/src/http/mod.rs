//! The HTTP face of the server: one router, its shared state, and the OpenAPI document.

pub mod error;
pub mod failure_limit;
mod json;
pub mod rate_limit;
mod security_headers;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub use error::ApiError;
pub use json::ApiJson;
pub use rate_limit::ClientLimiter;

use motcua_protocol::{FEEDBACK_PAGE_PREFIX, STATUS_PAGE_PREFIX};

use crate::catalog::{self, CatalogStore, FullDownloads};
use crate::config::CentralConfig;
use crate::feedback::{self, FeedbackStore, KioskLimiter};
use crate::operations::{self, OperationsStore, StaffGuard};
use crate::status::{self, DossierStore};
use crate::submission::{self, FileStore, PhoneUploadStore, SubmissionStore, UploadLocks};

/// Each store has its own connection to the same database file, so a slow statistics query does
/// not hold up catalog syncs; SQLite's WAL mode lets them read side by side.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Mutex<CatalogStore>>,
    /// The whole catalog, prepared once per version for kiosks' full syncs.
    pub full_downloads: Arc<FullDownloads>,
    pub dossiers: Arc<Mutex<DossierStore>>,
    pub operations: Arc<Mutex<OperationsStore>>,
    pub status_limiter: Arc<ClientLimiter>,
    /// Failed staff sign-ins per client address, and recently verified sign-ins.
    pub staff_guard: Arc<StaffGuard>,
    pub submissions: Arc<Mutex<SubmissionStore>>,
    pub phone_uploads: Arc<Mutex<PhoneUploadStore>>,
    /// Files with a `PATCH` in progress.
    pub upload_locks: Arc<UploadLocks>,
    pub files: Arc<FileStore>,
    /// Ratings and feedback.
    pub feedback: Arc<Mutex<FeedbackStore>>,
    /// New ratings and feedback per kiosk.
    pub feedback_limiter: Arc<KioskLimiter>,
    pub config: Arc<CentralConfig>,
}

/// Whether the request's media type (parameters such as `charset` aside) is `wanted`.
pub fn content_type_is(headers: &axum::http::HeaderMap, wanted: &str) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

/// Whether a request body error is the body idle timeout (see `app`), through any wrapping.
pub fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// Runs `work` on a store on a blocking thread: SQLite calls block, and must not stall the
/// async workers.
pub async fn blocking<S, T, F>(store: &Arc<Mutex<S>>, work: F) -> Result<T, ApiError>
where
    S: Send + 'static,
    T: Send + 'static,
    F: FnOnce(&mut S) -> Result<T, ApiError> + Send + 'static,
{
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        let mut guard = store
            .lock()
            .map_err(|_| ApiError::Internal("store lock poisoned".into()))?;
        work(&mut guard)
    })
    .await?
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua central server",
        description = "Procedure catalog and services for motcua self-service kiosks."
    ),
    tags(
        (name = "catalog", description = "The procedure catalog kiosks sync"),
        (name = "status", description = "Dossier status for kiosks, and public resolution statistics"),
        (name = "integration", description = "For the province's one-stop system: register dossiers, push status changes (see docs/integration.md)"),
        (name = "submission", description = "Dossiers submitted online at kiosks: manifest, resumable file uploads, receipt; phone uploads; the export feed for the one-stop system (see docs/integration.md)"),
        (name = "operations", description = "Health of the server, kiosk enrollment, kiosk heartbeats, and the fleet view and remote configuration for staff (see docs/fleet.md)"),
        (name = "feedback", description = "Satisfaction ratings and feedback from kiosks, the public lookup of a feedback by its reference, staff answers and rating statistics (see docs/feedback.md)"),
    ),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |description: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(description))
                    .build(),
            )
        };
        components.add_security_scheme(
            "kiosk",
            bearer("A kiosk's credential, from POST /api/v1/kiosks/enroll"),
        );
        components.add_security_scheme(
            "integration",
            bearer("An integration token, from `motcua-central integration add NAME`"),
        );
        components.add_security_scheme(
            "staff",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "A staff account's name and password, from `motcua-central staff add NAME`; \
                         failed sign-ins are limited per client address",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole application; tests and the embedded demo server use exactly this.
pub fn app(state: AppState) -> Router {
    let limited = || from_fn_with_state(state.clone(), rate_limit::limit_by_client);
    let enrollment = OpenApiRouter::new()
        .routes(routes!(operations::api::enroll))
        .route_layer(limited());
    // Public, behind a reference: limited per client address like the status page. The kiosk's
    // PUT on the same path is limited per kiosk instead (feedback::limit).
    let feedback_lookup = OpenApiRouter::new()
        .routes(routes!(feedback::api::feedback_view))
        .route_layer(limited());
    // File uploads stream to disk; their body limit is the largest file allowed, not axum's 2 MB.
    let upload_limit =
        usize::try_from(state.config.max_upload_file_bytes.get()).unwrap_or(usize::MAX);
    let body_idle_timeout = state.config.body_idle_timeout();
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalog::api::get_catalog))
        .routes(routes!(catalog::api::health))
        .routes(routes!(status::api::dossier_by_code))
        .routes(routes!(status::api::dossier_by_token))
        .routes(routes!(status::api::statistics))
        .routes(routes!(status::integration::register_dossier))
        .routes(routes!(status::integration::status_event))
        .routes(routes!(submission::api::put_submission))
        .routes(
            routes!(
                submission::api::upload_offset,
                submission::api::append_bytes
            )
            .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .routes(routes!(submission::api::complete_submission))
        .routes(routes!(submission::export::submission_feed))
        .routes(routes!(submission::export::download_file))
        .routes(routes!(submission::phone_api::create_session))
        .routes(routes!(
            submission::phone_api::list_files,
            submission::phone_api::end_session
        ))
        .routes(routes!(submission::phone_api::get_file))
        .routes(routes!(operations::fleet_api::heartbeat))
        .routes(routes!(operations::fleet_api::fleet))
        .routes(
            routes!(
                operations::fleet_api::get_config,
                operations::fleet_api::put_config
            )
            .layer(DefaultBodyLimit::max(operations::fleet::MAX_SETTINGS_BYTES)),
        )
        .routes(routes!(feedback::api::put_rating))
        .routes(routes!(feedback::api::put_feedback))
        .routes(routes!(feedback::staff_api::list_feedback))
        .routes(routes!(feedback::staff_api::answer_feedback))
        .routes(routes!(feedback::staff_api::rating_statistics))
        .merge(enrollment)
        .merge(feedback_lookup)
        .split_for_parts();
    let api = Arc::new(api);
    let status_page = Router::new()
        // Anything under the prefix gets the status page's own "not found", slashes and all.
        .route("/ho-so/{*token}", get(status::page::status_page))
        .route(STATUS_PAGE_PREFIX, get(status::page::status_page))
        .route_layer(limited());
    let feedback_page = Router::new()
        .route("/phan-anh/{*reference}", get(feedback::page::feedback_page))
        .route(FEEDBACK_PAGE_PREFIX, get(feedback::page::feedback_page))
        .route_layer(limited());
    let phone_page = Router::new()
        .route(
            "/tai-len/{*token}",
            get(submission::phone_page::upload_page).post(submission::phone_page::receive_upload),
        )
        .route_layer(limited());
    router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { axum::Json(api.as_ref().clone()) }),
        )
        .merge(status_page)
        .merge(phone_page)
        .merge(feedback_page)
        .route("/fleet", get(operations::fleet_page::fleet_page))
        .route(
            "/fleet/kiosks/{name}",
            get(operations::fleet_page::kiosk_page),
        )
        .route("/thu-tuc/{code}", get(catalog::page::procedure_page))
        .route("/forms/{name}", get(catalog::forms::form_file))
        .route("/static/public.css", get(crate::pages::stylesheet))
        // The web peer of the kiosk's search, for bench/kiosk_vs_chromium.py.
        .route("/tra-cuu", get(catalog::search_page::search_page))
        .route("/static/search.js", get(catalog::search_page::script))
        .route("/static/search.css", get(catalog::search_page::stylesheet))
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn(security_headers::add_missing))
        // Every request body: one that sends nothing for this long ends with an error, which the
        // JSON readers answer with 408 and an upload counts as broken off (keeping its bytes).
        .layer(RequestBodyTimeoutLayer::new(body_idle_timeout))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
            tracing::debug_span!("request", method = %request.method(), path = %loggable_path(request.uri().path()))
        }))
        .with_state(state)
}

/// Path prefixes whose rest is a secret: the status page's token, the phone upload link, a
/// feedback's reference (its page, its JSON, its answer; the kiosk's idempotency keys under the
/// same prefix are hidden with them, as a key cannot be told from a reference by its path).
const SECRET_PREFIXES: [&str; 5] = [
    STATUS_PAGE_PREFIX,
    submission::phone_api::PHONE_PAGE_PREFIX,
    "/api/v1/dossiers/by-token/",
    FEEDBACK_PAGE_PREFIX,
    "/api/v1/feedback/",
];

/// A status page's, phone upload page's or feedback's address is its secret: request logs show
/// the route, never the token or reference.
fn loggable_path(path: &str) -> &str {
    SECRET_PREFIXES
        .into_iter()
        .find(|prefix| path.starts_with(prefix))
        .unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn secrets_in_paths_stay_out_of_request_logs() {
        for (path, logged) in [
            ("/ho-so/Qk9yZ2VkVG9rZW5Gb3JMb2c", "/ho-so/"),
            ("/tai-len/UGhvbmVMaW5rRm9yTG9nczE", "/tai-len/"),
            ("/phan-anh/PA-4821-0937-5512", "/phan-anh/"),
            ("/api/v1/feedback/PA-4821-0937-5512", "/api/v1/feedback/"),
            (
                "/api/v1/feedback/PA-4821-0937-5512/answer",
                "/api/v1/feedback/",
            ),
            ("/api/v1/feedback", "/api/v1/feedback"),
            ("/api/v1/ratings/key-1", "/api/v1/ratings/key-1"),
            ("/fleet", "/fleet"),
        ] {
            assert_eq!(loggable_path(path), logged, "{path}");
        }
    }
}
