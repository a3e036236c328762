//! The public procedure page for phones: what a visitor gets by scanning the kiosk's
//! "Quét mã để xem trên điện thoại" QR code. Plain HTML, no scripts, Vietnamese with an English
//! switch; every text from the catalog is escaped by maud.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use motcua_protocol::{OnlineLevel, Procedure};
use serde::Deserialize;

use crate::http::{ApiError, AppState};
use crate::pages::{Lang, format_vnd, page_shell};

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

pub async fn procedure_page(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, ApiError> {
    let lang = Lang::from_query(query.lang.as_deref());
    let catalog = state.catalog.clone();
    let lookup = code.clone();
    let procedure = tokio::task::spawn_blocking(move || {
        let store = catalog
            .lock()
            .map_err(|_| ApiError::Internal("catalog lock poisoned".into()))?;
        Ok::<_, ApiError>(store.get(&lookup)?)
    })
    .await??;
    let own_path = format!(
        "/thu-tuc/{}",
        code.chars()
            .filter(|c| c.is_ascii_digit() || *c == '.')
            .collect::<String>()
    );
    Ok(match procedure {
        Some(procedure) => page_shell(lang, &procedure.name, &own_path, render(&procedure, lang)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            page_shell(
                lang,
                lang.pick("Không tìm thấy thủ tục", "Procedure not found"),
                &own_path,
                html! { div.notfound { h1 { (lang.pick("Không tìm thấy thủ tục này", "This procedure was not found")) }
                    p { (lang.pick("Thủ tục có thể đã được bãi bỏ hoặc thay thế. Vui lòng hỏi cán bộ tại Bộ phận Một cửa.",
                        "It may have been abolished or replaced. Please ask the staff at the one-stop desk.")) } } },
            ),
        )
            .into_response(),
    })
}

fn online_label(level: OnlineLevel, lang: Lang) -> &'static str {
    match level {
        OnlineLevel::Full => lang.pick("Dịch vụ công trực tuyến toàn trình", "Fully online"),
        OnlineLevel::Partial => lang.pick("Dịch vụ công trực tuyến một phần", "Partly online"),
        OnlineLevel::None => lang.pick(
            "Chỉ nộp trực tiếp hoặc qua bưu chính",
            "In person or by post only",
        ),
    }
}

/// Whether a document's form link may become a link on the page: a path on this server or an
/// `https` address; never `javascript:` or another scheme, nor `//host` or `/\host`, which
/// browsers resolve to another host (the kiosk drops `//host` too, `src/app/detail.rs`).
fn is_form_link(url: &str) -> bool {
    let on_this_server = url
        .strip_prefix('/')
        .is_some_and(|rest| !rest.starts_with(['/', '\\']));
    on_this_server || url.starts_with("https://")
}

fn render(p: &Procedure, lang: Lang) -> Markup {
    html! {
        p.meta { (lang.pick("Mã thủ tục", "Procedure code")) " " (p.code.as_str()) " · " (p.field) }
        h1 { (p.name) }
        span class={ "badge " (p.online.as_str()) } { (online_label(p.online, lang)) }
        div.facts {
            div.fact { b { (lang.pick("Thời hạn giải quyết", "Time limit")) } (p.processing_time) }
            div.fact { b { (lang.pick("Phí, lệ phí", "Fees")) }
                @if p.fees.is_empty() || p.fees.iter().all(|f| f.amount_vnd.0 == 0) {
                    (lang.pick("Miễn phí", "Free"))
                }
                @for fee in &p.fees {
                    @if fee.amount_vnd.0 > 0 || !fee.note.is_empty() {
                        div { (fee.name) ": " strong { (format_vnd(fee.amount_vnd.0, lang)) }
                            @if !fee.note.is_empty() { " — " (fee.note) } }
                    }
                }
            }
            div.fact { b { (lang.pick("Cơ quan thực hiện", "Agency")) } (p.agency) " (" (p.level) ")" }
            div.fact { b { (lang.pick("Nơi nộp hồ sơ", "Where to submit")) } (p.address) }
        }
        h2 { (lang.pick("Các bước thực hiện", "Steps")) }
        ol { @for step in &p.steps { li { (step) } } }
        h2 { (lang.pick("Thành phần hồ sơ", "Documents to bring")) }
        table {
            tr { th { (lang.pick("Giấy tờ", "Document")) } th { (lang.pick("Bản chính", "Originals")) } th { (lang.pick("Bản sao", "Copies")) } }
            @for doc in &p.documents {
                tr {
                    td { (doc.name)
                        @if let Some(url) = doc.form_url.as_deref().filter(|u| is_form_link(u)) {
                            br; a href=(url) { (lang.pick("Tải mẫu đơn", "Download the form")) }
                        }
                    }
                    td.n { (doc.originals) } td.n { (doc.copies) }
                }
            }
        }
        h2 { (lang.pick("Yêu cầu, điều kiện", "Conditions")) }
        p { (p.requirements) }
        h2 { (lang.pick("Kết quả", "Result")) }
        p { (p.result) }
        h2 { (lang.pick("Căn cứ pháp lý", "Legal basis")) }
        ul { @for law in &p.legal_basis { li { (law) } } }
    }
}

#[cfg(test)]
mod tests {
    use super::is_form_link;

    #[test]
    fn form_links_stay_on_this_server_or_use_https() {
        for link in [
            "/forms/1.001193-to-khai.pdf",
            "https://dichvucong.gov.vn/mau.pdf",
        ] {
            assert!(is_form_link(link), "{link}");
        }
        for link in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://example.com/mau.pdf",
            "//example.com/mau.pdf",
            "/\\example.com/mau.pdf",
            "forms/mau.pdf",
            "",
        ] {
            assert!(!is_form_link(link), "{link}");
        }
    }
}
