//! What every public HTML page shares: language, layout, security headers, money.

use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn from_query(lang: Option<&str>) -> Self {
        if lang == Some("en") {
            Self::En
        } else {
            Self::Vi
        }
    }

    pub fn pick(self, vi: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Vi => vi,
            Self::En => en,
        }
    }
}

/// "8.000 đ" in Vietnamese, "8,000 VND" in English.
pub fn format_vnd(amount: u64, lang: Lang) -> String {
    motcua_protocol::AmountVnd(amount).format(lang == Lang::En)
}

pub struct Page(Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = self.0.into_string().into_response();
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        );
        headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
        response
    }
}

/// The layout around every public page; `own_path` is where the language switch points.
pub fn page_shell(lang: Lang, title: &str, own_path: &str, body: Markup) -> Page {
    let switch_href = match lang {
        Lang::Vi => format!("{own_path}?lang=en"),
        Lang::En => own_path.to_owned(),
    };
    shell(lang, title, &switch_href, body)
}

/// The layout for pages that must not echo their own address (a "not found" page for a secret
/// token, a rate-limit page): the language switch is a relative `?lang=` link, so the page is
/// byte-for-byte the same whatever was asked for.
pub fn page_shell_anywhere(lang: Lang, title: &str, body: Markup) -> Page {
    let switch_href = match lang {
        Lang::Vi => "?lang=en",
        Lang::En => "?lang=vi",
    };
    shell(lang, title, switch_href, body)
}

/// The public pages' answer when the server itself failed: the same for every address.
pub fn unavailable_page(lang: Lang) -> Page {
    page_shell_anywhere(
        lang,
        lang.pick("Tạm thời gián đoạn", "Temporarily unavailable"),
        html! { div.notfound {
            h1 { (lang.pick("Hệ thống tạm thời gián đoạn", "The service is temporarily unavailable")) }
            p { (lang.pick("Vui lòng thử lại sau ít phút.", "Please try again in a few minutes.")) }
        } },
    )
}

fn shell(lang: Lang, title: &str, switch_href: &str, body: Markup) -> Page {
    let switch_label = match lang {
        Lang::Vi => "English",
        Lang::En => "Tiếng Việt",
    };
    Page(html! {
        (DOCTYPE)
        html lang=(if lang == Lang::Vi { "vi" } else { "en" }) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="stylesheet" href="/static/public.css";
            }
            body {
                header {
                    span.brand { (lang.pick("Dịch vụ hành chính công", "Public administrative services")) }
                    a href=(switch_href) { (switch_label) }
                }
                main { (body) }
                footer { (lang.pick("Thông tin do Trung tâm Phục vụ Hành chính công cung cấp.",
                    "Information provided by the Public Administration Service Center.")) }
            }
        }
    })
}

/// The layout of staff pages (the fleet view): Vietnamese, a wider column for tables, and never
/// cached or indexed, since they show the state of the center's machines.
pub fn staff_page(title: &str, body: Markup) -> Response {
    let mut response = Page(html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                link rel="stylesheet" href="/static/public.css";
            }
            body.staff {
                header {
                    span.brand { "Quản lý kiosk" }
                    a href="/fleet" { "Tất cả kiosk" }
                }
                main { (body) }
            }
        }
    })
    .into_response();
    let headers = response.headers_mut();
    headers.insert(
        axum::http::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    headers.insert(
        axum::http::HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/css; charset=utf-8"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/public.css"),
    )
}
