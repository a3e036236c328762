//! The security headers every answer carries unless its handler chose its own. The HTML pages set
//! a policy fitted to them (`pages.rs`, `catalog/search_page.rs`); everything else (JSON,
//! stylesheets, scripts, form downloads, axum's own rejections and bare 404s) gets the strictest
//! one, so that a response a browser is led to open as a document can run nothing, load nothing,
//! be framed by no one, and is never sniffed into HTML.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, HeaderName, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware::Next;
use axum::response::Response;

/// For answers that are not pages: nothing may run or load, and nothing may embed them.
pub const NOTHING_ALLOWED: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const DEFAULTS: [(HeaderName, &str); 4] = [
    (CONTENT_SECURITY_POLICY, NOTHING_ALLOWED),
    (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (X_FRAME_OPTIONS, "DENY"),
    (REFERRER_POLICY, "no-referrer"),
];

pub async fn add_missing(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in DEFAULTS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}
