//! The public status page for phones, `/ho-so/<token>`: what a receipt's QR code opens. Plain
//! HTML, no scripts, Vietnamese with an English switch. It shows the procedure, the masked dossier
//! code, the appointment date, how the dossier stands against it, what to do next, and the
//! history; nothing that identifies a person is stored, so nothing of the kind can appear.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use motcua_protocol::{DossierStatus, STATUS_PAGE_PREFIX, Timeliness};
use serde::Deserialize;
use time::{Date, OffsetDateTime};

use super::{Dossier, VIETNAM, today_in_vietnam};
use crate::http::{AppState, blocking};
use crate::pages::{Lang, page_shell, page_shell_anywhere};

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

pub async fn status_page(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    Query(query): Query<PageQuery>,
) -> Response {
    let lang = Lang::from_query(query.lang.as_deref());
    // A path that does not even decode is just another unknown token: same query, same page.
    let presented = token.map(|Path(t)| t).unwrap_or_default();
    let found = blocking(&state.dossiers, move |store| {
        Ok(store.find_by_presented_token(&presented)?)
    })
    .await;
    let response = match found {
        Ok(Some(dossier)) => {
            let own_path = format!("{STATUS_PAGE_PREFIX}{}", dossier.token.as_str());
            let title = lang.pick("Tình trạng hồ sơ", "Dossier status");
            page_shell(
                lang,
                title,
                &own_path,
                render(&dossier, lang, today_in_vietnam()),
            )
            .into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, not_found(lang)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "status page lookup failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::pages::unavailable_page(lang),
            )
                .into_response()
        }
    };
    private(response)
}

/// A status page is for one person's eyes: never cached by proxies, never indexed.
pub(crate) fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// The same bytes for every token that finds nothing, well-formed or not.
fn not_found(lang: Lang) -> crate::pages::Page {
    page_shell_anywhere(
        lang,
        lang.pick("Không tìm thấy hồ sơ", "Dossier not found"),
        html! { div.notfound {
            h1 { (lang.pick("Không tìm thấy hồ sơ", "Dossier not found")) }
            p { (lang.pick(
                "Vui lòng quét lại mã QR trên giấy tiếp nhận hồ sơ, hoặc hỏi cán bộ tại Bộ phận Một cửa.",
                "Please scan the QR code on your receipt again, or ask the staff at the one-stop desk.")) }
        } },
    )
}

pub fn status_name(status: DossierStatus, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => status.name_vi(),
        Lang::En => status.name_en(),
    }
}

/// `None` when no deadline applies (not accepted, withdrawn, stopped).
pub fn timeliness_label(timeliness: Timeliness, lang: Lang) -> Option<&'static str> {
    Some(match timeliness {
        Timeliness::Early => lang.pick("Trả kết quả trước hạn", "Resolved early"),
        Timeliness::OnTime => lang.pick("Trả kết quả đúng hạn", "Resolved on time"),
        Timeliness::Late => lang.pick("Trả kết quả trễ hạn", "Resolved late"),
        Timeliness::InProgress => {
            lang.pick("Đang giải quyết, còn trong hạn", "In progress, on schedule")
        }
        Timeliness::Overdue => lang.pick("Đang giải quyết, đã quá hạn", "In progress, overdue"),
        Timeliness::NotApplicable => return None,
    })
}

fn timeliness_class(timeliness: Timeliness) -> &'static str {
    match timeliness {
        Timeliness::Early | Timeliness::OnTime => "good",
        Timeliness::Late | Timeliness::Overdue => "bad",
        Timeliness::InProgress | Timeliness::NotApplicable => "neutral",
    }
}

/// One plain sentence: what the citizen should do now.
pub fn next_step(status: DossierStatus, lang: Lang) -> &'static str {
    use DossierStatus::*;
    match status {
        Registered => lang.pick(
            "Hồ sơ đã được đăng ký và đang chờ cán bộ tiếp nhận; quý khách chưa cần làm gì thêm.",
            "Your dossier is registered and waiting to be accepted; there is nothing to do yet.",
        ),
        Accepted => lang.pick(
            "Hồ sơ đã được tiếp nhận; quý khách chờ đến ngày hẹn trả kết quả.",
            "Your dossier was accepted; please wait for the appointment date.",
        ),
        NotAccepted => lang.pick(
            "Hồ sơ không được tiếp nhận; xem lý do trong ghi chú, hoặc hỏi cán bộ tại Bộ phận Một cửa.",
            "Your dossier was not accepted; see the reason in the note, or ask at the one-stop desk.",
        ),
        Processing => lang.pick(
            "Hồ sơ đang được xử lý; quý khách chờ đến ngày hẹn trả kết quả.",
            "Your dossier is being processed; please wait for the appointment date.",
        ),
        SupplementRequested => lang.pick(
            "Quý khách mang các giấy tờ còn thiếu ghi trong ghi chú đến Bộ phận Một cửa để bổ sung hồ sơ.",
            "Please bring the missing papers listed in the note to the one-stop desk.",
        ),
        PaymentRequested => lang.pick(
            "Quý khách nộp phí, lệ phí theo thông báo (tại Bộ phận Một cửa hoặc trực tuyến) để hồ sơ được xử lý tiếp.",
            "Please pay the fees as notified (at the one-stop desk or online) so your dossier can proceed.",
        ),
        WithdrawalRequested => lang.pick(
            "Hồ sơ được rút theo yêu cầu của quý khách; mang giấy tiếp nhận đến Bộ phận Một cửa để nhận lại giấy tờ.",
            "Your dossier is being withdrawn as you asked; bring your receipt to the one-stop desk to take back your papers.",
        ),
        Stopped => lang.pick(
            "Hồ sơ đã dừng xử lý; xem lý do trong ghi chú, hoặc hỏi cán bộ tại Bộ phận Một cửa.",
            "Processing of your dossier has stopped; see the reason in the note, or ask at the one-stop desk.",
        ),
        Resolved => lang.pick(
            "Kết quả đã có: quý khách đến Bộ phận Một cửa nhận kết quả, mang theo giấy tiếp nhận hồ sơ và căn cước công dân.",
            "The result is ready: come to the one-stop desk to collect it, and bring your receipt and your ID card.",
        ),
        Returned => lang.pick(
            "Quý khách đã nhận kết quả; không cần làm gì thêm.",
            "You have received the result; there is nothing more to do.",
        ),
    }
}

/// dd/mm/yyyy, as on Vietnamese forms.
pub fn format_day(date: Date) -> String {
    format!(
        "{:02}/{:02}/{:04}",
        date.day(),
        u8::from(date.month()),
        date.year()
    )
}

/// dd/mm/yyyy HH:MM in Vietnam time.
pub fn format_moment(at: OffsetDateTime) -> String {
    let local = at.to_offset(VIETNAM);
    format!(
        "{} {:02}:{:02}",
        format_day(local.date()),
        local.hour(),
        local.minute()
    )
}

fn note_text(note: &str) -> Markup {
    html! { @for (i, line) in note.lines().enumerate() { @if i > 0 { br; } (line) } }
}

pub fn render(dossier: &Dossier, lang: Lang, today: Date) -> Markup {
    let timeliness = dossier.timeliness(today);
    let latest_note = dossier.history.last().and_then(|c| c.note.as_deref());
    html! {
        p.meta { (lang.pick("Mã hồ sơ", "Dossier code")) " " span.code { (dossier.code.masked()) } }
        h1 { (dossier.procedure_name.as_deref().unwrap_or(lang.pick("Hồ sơ thủ tục hành chính", "Administrative dossier"))) }
        section class={ "status-now s" (dossier.status.number()) } {
            span.label { (lang.pick("Tình trạng hiện tại", "Current status")) }
            strong.status-name { (status_name(dossier.status, lang)) }
            @if let Some(label) = timeliness_label(timeliness, lang) {
                span class={ "badge timeliness " (timeliness_class(timeliness)) } { (label) }
            }
            p.next-step { (next_step(dossier.status, lang)) }
            @if let Some(note) = latest_note {
                div.note { b { (lang.pick("Ghi chú của cơ quan giải quyết", "Note from the office")) } (note_text(note)) }
            }
        }
        div.facts {
            div.fact { b { (lang.pick("Ngày hẹn trả kết quả", "Appointment date for the result")) } (format_day(dossier.due_on)) }
        }
        h2 { (lang.pick("Quá trình xử lý", "History")) }
        ol.timeline {
            @for (i, change) in dossier.history.iter().enumerate().rev() {
                li class=(if i + 1 == dossier.history.len() { "current" } else { "past" }) {
                    time datetime=(super::rules::rfc3339(change.at)) { (format_moment(change.at)) }
                    span.step { (status_name(change.status, lang)) }
                    // The latest note is already shown with the current status.
                    @if let Some(note) = change.note.as_deref().filter(|_| i + 1 < dossier.history.len()) {
                        p.note { (note_text(note)) }
                    }
                }
            }
        }
        p.meta { (lang.pick("Giờ Việt Nam (UTC+7). Trang này không chứa thông tin cá nhân.",
            "Vietnam time (UTC+7). This page holds no personal information.")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn dates_in_vietnamese_form_and_vietnam_time() {
        assert_eq!(format_day(date!(2026 - 06 - 09)), "09/06/2026");
        // 17:30 UTC on the 9th is 00:30 on the 10th in Vietnam.
        assert_eq!(
            format_moment(datetime!(2026-06-09 17:30 UTC)),
            "10/06/2026 00:30"
        );
    }

    #[test]
    fn every_status_has_a_next_step_in_both_languages() {
        for status in DossierStatus::ALL {
            let vi = next_step(status, Lang::Vi);
            let en = next_step(status, Lang::En);
            assert!(!vi.is_empty() && !en.is_empty() && vi != en, "{status:?}");
        }
        assert!(next_step(DossierStatus::Resolved, Lang::Vi).contains("căn cước"));
        assert!(next_step(DossierStatus::SupplementRequested, Lang::En).contains("missing papers"));
    }
}
