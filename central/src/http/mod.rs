//! The HTTP face of the server: one router, its shared state, and the OpenAPI document.

pub mod error;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;

use crate::catalog::{self, CatalogStore};
use crate::config::CentralConfig;

#[derive(Clone)]
pub struct AppState {
    pub catalog: Arc<Mutex<CatalogStore>>,
    pub config: Arc<CentralConfig>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua central server",
        description = "Procedure catalog and services for motcua self-service kiosks."
    ),
    tags(
        (name = "catalog", description = "The procedure catalog kiosks sync"),
        (name = "operations", description = "Health of the server"),
    )
)]
struct ApiDoc;

/// The whole application; tests and the embedded demo server use exactly this.
pub fn app(state: AppState) -> Router {
    let (router, api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(catalog::api::get_catalog))
        .routes(routes!(catalog::api::health))
        .split_for_parts();
    let api = Arc::new(api);
    router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { axum::Json(api.as_ref().clone()) }),
        )
        .route("/thu-tuc/{code}", get(catalog::page::procedure_page))
        .route("/forms/{name}", get(catalog::forms::form_file))
        .route("/static/public.css", get(crate::pages::stylesheet))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
