//! `/tra-cuu`: the catalog search as a web page, the way a browser-based kiosk would show it. It
//! exists as the peer of the native kiosk in `bench/kiosk_vs_chromium.py` (docs/BENCHMARKS.md,
//! issue 8): a full-screen Vietnamese page that downloads the catalog from `/api/v1/catalog` on
//! load and filters it as the visitor types, in the browser.
//!
//! The script is a same-origin file (`/static/search.js`): the page's CSP allows scripts from
//! this server only, and requests to this server only; nothing inline.

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::IntoResponse;
use maud::{DOCTYPE, html};

/// Like the other public pages', plus scripts and requests to this same server.
const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
                   img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn search_page() -> impl IntoResponse {
    let body = html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Tra cứu thủ tục" }
                link rel="stylesheet" href="/static/search.css";
                script src="/static/search.js" defer {}
            }
            body.search {
                header { h1 { "Tra cứu thủ tục hành chính" } }
                main {
                    input #q type="search" autocomplete="off" spellcheck="false"
                        placeholder="Nhập tên thủ tục, ví dụ: đăng ký khai sinh" aria-label="Tìm thủ tục";
                    p #status role="status" { "Đang tải danh mục thủ tục…" }
                    ol #results {}
                }
            }
        }
    };
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, CSP),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (X_FRAME_OPTIONS, "DENY"),
            (REFERRER_POLICY, "no-referrer"),
            (CACHE_CONTROL, "no-cache"),
        ],
        body.into_string(),
    )
}

pub async fn script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("../../static/search.js"),
    )
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("../../static/search.css"),
    )
}
