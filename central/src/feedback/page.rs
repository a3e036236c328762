//! The public page of a feedback, `/phan-anh/<reference>`: what the reference on the visitor's
//! slip opens. Plain HTML, no scripts, Vietnamese with an English switch, like the status page.
//! It shows the topic, the visitor's words, the day they were sent and the answer; never the phone
//! number or the kiosk. The words are the visitor's and the answer staff's: maud escapes both.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use motcua_protocol::{FEEDBACK_PAGE_PREFIX, FeedbackReference, FeedbackTopic, FeedbackView};
use serde::Deserialize;

use crate::http::{AppState, blocking};
use crate::pages::{Lang, Page, page_shell, page_shell_anywhere};
use crate::status::page::{format_day, private};
use crate::status::vietnam_date;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

pub async fn feedback_page(
    State(state): State<AppState>,
    reference: Result<Path<String>, PathRejection>,
    Query(query): Query<PageQuery>,
) -> Response {
    let lang = Lang::from_query(query.lang.as_deref());
    // A malformed reference is just another unknown one: the same page.
    let reference = reference
        .ok()
        .and_then(|Path(text)| FeedbackReference::parse(&text).ok());
    let found = match reference {
        Some(reference) => {
            blocking(&state.feedback, move |store| Ok(store.view(&reference)?)).await
        }
        None => Ok(None),
    };
    let response = match found {
        Ok(Some(view)) => {
            let own_path = format!("{FEEDBACK_PAGE_PREFIX}{}", view.reference.as_str());
            let title = lang.pick("Phản ánh, kiến nghị", "Feedback");
            page_shell(lang, title, &own_path, render(&view, lang)).into_response()
        }
        Ok(None) => (StatusCode::NOT_FOUND, not_found(lang)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "feedback page lookup failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                crate::pages::unavailable_page(lang),
            )
                .into_response()
        }
    };
    private(response)
}

/// The same bytes for every reference that finds nothing, well-formed or not.
fn not_found(lang: Lang) -> Page {
    page_shell_anywhere(
        lang,
        lang.pick("Không tìm thấy phản ánh", "Feedback not found"),
        html! { div.notfound {
            h1 { (lang.pick("Không tìm thấy phản ánh", "Feedback not found")) }
            p { (lang.pick(
                "Vui lòng kiểm tra lại mã phản ánh (PA và 12 chữ số) trên phiếu của quý khách, hoặc hỏi cán bộ tại Bộ phận Một cửa.",
                "Please check the feedback reference (PA and 12 digits) on your slip, or ask the staff at the one-stop desk.")) }
        } },
    )
}

pub fn topic_label(topic: FeedbackTopic, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => topic.label_vi(),
        Lang::En => topic.label_en(),
    }
}

pub fn render(view: &FeedbackView, lang: Lang) -> Markup {
    html! {
        p.meta { (lang.pick("Mã phản ánh", "Feedback reference")) " " span.code { (view.reference.as_str()) } }
        h1 { (lang.pick("Phản ánh, kiến nghị", "Feedback")) }
        div.facts {
            div.fact { b { (lang.pick("Về", "About")) } (topic_label(view.topic, lang)) }
            div.fact { b { (lang.pick("Ngày gửi", "Sent on")) } (format_day(vietnam_date(view.submitted_at))) }
        }
        h2 { (lang.pick("Nội dung phản ánh", "What you wrote")) }
        div.visitor-text { (view.text.as_str()) }
        h2 { (lang.pick("Trả lời", "Answer")) }
        @match &view.answer {
            Some(answer) => {
                p.meta { (lang.pick("Trả lời ngày", "Answered on")) " " (format_day(vietnam_date(answer.answered_at))) }
                div.answer-text { (answer.text.as_str()) }
            }
            None => {
                p.not-answered { strong { (lang.pick("Chưa có trả lời", "Not answered yet")) } }
                p.meta { (lang.pick(
                    "Cán bộ sẽ trả lời tại trang này; nếu quý khách để lại số điện thoại, cán bộ có thể gọi lại.",
                    "Staff will answer on this page; if you left a phone number, they may call you back.")) }
            }
        }
        p.meta { (lang.pick("Ngày theo giờ Việt Nam (UTC+7). Trang này không hiện số điện thoại của quý khách.",
            "Dates in Vietnam time (UTC+7). This page does not show your phone number.")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_protocol::{FeedbackAnswer, VisitorText};
    use time::macros::datetime;

    #[test]
    fn words_are_escaped_and_dates_are_vietnam_days() {
        let mut view = FeedbackView {
            reference: FeedbackReference::parse("PA-1234-5678-9012").unwrap(),
            topic: FeedbackTopic::Facilities,
            text: VisitorText::parse("<script>alert(1)</script>\nDòng hai").unwrap(),
            // 18:00 UTC on 21 November is the 22nd in Vietnam.
            submitted_at: datetime!(2026-11-21 18:00 UTC),
            answer: None,
        };
        let page = render(&view, Lang::Vi).into_string();
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;\nDòng hai"),
            "{page}"
        );
        assert!(
            page.contains("22/11/2026") && page.contains("Cơ sở vật chất"),
            "{page}"
        );
        assert!(page.contains("Chưa có trả lời"), "{page}");
        view.answer = Some(FeedbackAnswer {
            text: VisitorText::parse("<img src=x onerror=alert(1)>").unwrap(),
            answered_at: datetime!(2026-11-23 02:00 UTC),
        });
        let page = render(&view, Lang::En).into_string();
        assert!(!page.contains("<img"), "{page}");
        assert!(
            page.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{page}"
        );
        assert!(page.contains("Answered on 23/11/2026") && page.contains("Facilities"));
        assert!(!page.contains("Not answered yet"));
    }
}
