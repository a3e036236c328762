//! Downloadable forms (mẫu đơn, tờ khai) that procedure records link to as `/forms/FILE`. The
//! province puts the files in `<data dir>/forms/`; a missing form gets a page that says where to
//! get a paper copy instead of a bare error.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::http::AppState;
use crate::pages::{Lang, page_shell};

/// Only plain file names: letters, digits, dot, dash, underscore; no path, no leading dot.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

fn content_type(name: &str) -> &'static str {
    match name
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("doc") => "application/msword",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xls") => "application/vnd.ms-excel",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}

pub async fn form_file(State(state): State<AppState>, Path(name): Path<String>) -> Response {
    if safe_name(&name) {
        let path = state.config.data_dir.join("forms").join(&name);
        if let Ok(bytes) = tokio::fs::read(&path).await {
            return (
                [
                    (CONTENT_TYPE, content_type(&name).to_owned()),
                    (
                        CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                ],
                bytes,
            )
                .into_response();
        }
    }
    let lang = Lang::Vi;
    (
        StatusCode::NOT_FOUND,
        page_shell(
            lang,
            "Mẫu đơn chưa có trên máy chủ",
            "/",
            html! { div.notfound {
                h1 { "Mẫu đơn này chưa có bản điện tử" }
                p { "Quý khách vui lòng nhận mẫu giấy tại Bộ phận Một cửa, hoặc tải trên Cổng Dịch vụ công quốc gia." }
                p.meta { "This form is not available online yet; please ask for a paper copy at the one-stop desk." }
            } },
        ),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn only_plain_file_names() {
        assert!(safe_name("1.001193-to-khai.pdf"));
        for bad in [
            "",
            "../central.db",
            "..",
            ".hidden",
            "a/b.pdf",
            "a\\b.pdf",
            "%2e%2e",
            "x y.pdf",
        ] {
            assert!(!safe_name(bad), "{bad:?}");
        }
    }
}
