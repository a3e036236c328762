//! The page a visitor's phone opens from the kiosk's QR code, `/tai-len/<token>`: a plain form
//! (no scripts) whose file input opens the camera, and the page that answers it. Vietnamese, with
//! an English switch. The first phone to open the link claims it with a cookie; any other client
//! gets "this link was already used", and unknown or expired links the same plain "not found".
//! File names and contents are never logged.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use motcua_protocol::{ClientId, MediaType, PhoneUploadFile, Sha256Hex};
use rand::Rng;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;

use super::files::{SNIFF_BYTES, sync_dir};
use super::multipart::{Multipart, MultipartError, boundary};
use super::phone_api::PHONE_PAGE_PREFIX;
use super::phone_store::{Access, Session};
use super::purge::purge_expired_sessions;
use super::upload::drain;
use crate::http::{ApiError, AppState, blocking};
use crate::pages::{Lang, Page, page_shell, page_shell_anywhere};
use crate::status::VIETNAM;

/// The cookie that marks the phone that claimed a session.
pub const CLAIM_COOKIE: &str = "motcua_tai_len";
/// Slack for multipart framing on top of the files' own bytes.
const FORM_OVERHEAD: u64 = 1024 * 1024;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// Why a file was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NotAllowed,
    TooLarge,
    Empty,
    TooMany,
}

#[derive(Debug, Clone)]
pub enum Outcome {
    Received { name: String, file: PhoneUploadFile },
    Refused { name: String, why: Refusal },
}

/// A problem with the request as a whole (files before it were kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Problem {
    Malformed,
    TooLarge,
}

enum Gate {
    Open {
        session: Session,
        new_cookie: Option<String>,
    },
    NotFound,
    AlreadyUsed,
}

fn claim_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == CLAIM_COOKIE).then(|| value.trim().to_owned())
        })
}

async fn gate(
    state: &AppState,
    presented: String,
    cookie: Option<String>,
) -> Result<Gate, ApiError> {
    purge_expired_sessions(state).await?;
    blocking(&state.phone_uploads, move |store| {
        let Some(session) = store.by_token(&presented, OffsetDateTime::now_utc())? else {
            return Ok(Gate::NotFound);
        };
        Ok(match store.access(&session, cookie.as_deref())? {
            Access::Granted { new_cookie } => Gate::Open {
                session,
                new_cookie,
            },
            Access::AlreadyUsed => Gate::AlreadyUsed,
        })
    })
    .await
}

/// `GET /tai-len/<token>`: the upload form.
pub async fn upload_page(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::from_query(query.lang.as_deref());
    let presented = token.map(|Path(t)| t).unwrap_or_default();
    let response = match gate(&state, presented.clone(), claim_cookie(&headers)).await {
        Ok(Gate::Open {
            session,
            new_cookie,
        }) => {
            let body = html! {
                (intro(lang, &state))
                @if session.file_count > 0 {
                    p.sent { (sent_so_far(session.file_count, lang)) }
                }
                (form(lang, &presented))
                (expiry_note(session.expires_at, lang))
            };
            let page = page_shell(lang, title(lang), &own_path(&presented), body);
            with_cookie(page.into_response(), new_cookie, &state, session.expires_at)
        }
        Ok(Gate::NotFound) => (StatusCode::NOT_FOUND, not_found(lang)).into_response(),
        Ok(Gate::AlreadyUsed) => (StatusCode::FORBIDDEN, already_used(lang)).into_response(),
        Err(e) => failed(e, lang),
    };
    private(response)
}

/// `POST /tai-len/<token>`: receives the form's files, then shows what was kept.
pub async fn receive_upload(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    Query(query): Query<PageQuery>,
    request: Request,
) -> Response {
    let lang = Lang::from_query(query.lang.as_deref());
    let presented = token.map(|Path(t)| t).unwrap_or_default();
    let cookie = claim_cookie(request.headers());
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = request.into_body();
    let response = match gate(&state, presented.clone(), cookie).await {
        Ok(Gate::Open {
            session,
            new_cookie,
        }) => {
            let expires_at = session.expires_at;
            let answer = match content_type.as_deref().and_then(boundary) {
                None => {
                    drain(body).await;
                    Ok((Vec::new(), Some(Problem::Malformed)))
                }
                Some(boundary) => receive(&state, &session, body, &boundary).await,
            };
            match answer {
                Ok((outcomes, problem)) => {
                    let received = outcomes
                        .iter()
                        .filter(|o| matches!(o, Outcome::Received { .. }))
                        .count();
                    tracing::info!(session = %session.id, received, refused = outcomes.len() - received, "phone upload received");
                    let status = match problem {
                        None => StatusCode::OK,
                        Some(Problem::Malformed) => StatusCode::BAD_REQUEST,
                        Some(Problem::TooLarge) => StatusCode::PAYLOAD_TOO_LARGE,
                    };
                    let body = html! {
                        (result(&outcomes, problem, lang, &state))
                        p.sent { (sent_so_far(session.file_count + received, lang)) }
                        (form(lang, &presented))
                        (expiry_note(expires_at, lang))
                    };
                    let page = page_shell(lang, title(lang), &own_path(&presented), body);
                    with_cookie(
                        (status, page).into_response(),
                        new_cookie,
                        &state,
                        expires_at,
                    )
                }
                Err(e) => failed(e, lang),
            }
        }
        // A phone still sending its photos must get to read the answer: see `drain`.
        Ok(Gate::NotFound) => {
            drain(body).await;
            (StatusCode::NOT_FOUND, not_found(lang)).into_response()
        }
        Ok(Gate::AlreadyUsed) => {
            drain(body).await;
            (StatusCode::FORBIDDEN, already_used(lang)).into_response()
        }
        Err(e) => {
            drain(body).await;
            failed(e, lang)
        }
    };
    private(response)
}

fn random_file_id() -> Result<ClientId, ApiError> {
    let mut bytes = [0u8; 8];
    rand::rng().fill(&mut bytes);
    ClientId::parse(&hex::encode(bytes)).map_err(|_| ApiError::Internal("file id".into()))
}

/// What the visitor called the file: its last path component, short, printable.
fn shown_name(filename: Option<&str>) -> String {
    let name = filename
        .unwrap_or_default()
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default();
    let mut cleaned: String = name.chars().filter(|c| !c.is_control()).take(80).collect();
    if cleaned.is_empty() {
        cleaned.push('—');
    }
    cleaned
}

/// Streams every `file` part of the form to the session's directory, checking each by size and
/// by content. Returns what became of each file, and a problem with the request if it broke off.
async fn receive(
    state: &AppState,
    session: &Session,
    body: Body,
    boundary: &str,
) -> Result<(Vec<Outcome>, Option<Problem>), ApiError> {
    let max_file = state.config.max_upload_file_bytes.get();
    let max_files =
        usize::try_from(state.config.max_files_per_submission.get()).unwrap_or(usize::MAX);
    let limit = state
        .config
        .max_submission_bytes
        .get()
        .saturating_add(FORM_OVERHEAD);
    let mut form = Multipart::new(body, boundary, limit);
    let mut outcomes = Vec::new();
    let mut count = session.file_count;
    let dir = state.files.phone_dir(&session.id);
    loop {
        let part = match form.next_part().await {
            Ok(Some(part)) => part,
            Ok(None) => return Ok((outcomes, None)),
            Err(e) => return Ok((outcomes, Some(problem(e)))),
        };
        if part.name.as_deref() != Some("file") {
            continue;
        }
        let chosen = part.filename.as_deref().is_some_and(|n| !n.is_empty());
        let name = shown_name(part.filename.as_deref());
        if count >= max_files {
            // Drained by the next `next_part`.
            outcomes.push(Outcome::Refused {
                name,
                why: Refusal::TooMany,
            });
            continue;
        }
        let file_id = random_file_id()?;
        tokio::fs::create_dir_all(&dir).await?;
        let part_path = dir.join(format!("{}.part", file_id.as_str()));
        let mut out = Some(tokio::fs::File::create(&part_path).await?);
        let mut hasher = Sha256::new();
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let mut size: u64 = 0;
        let mut too_large = false;
        loop {
            let chunk = match form.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(e) => {
                    drop(out.take());
                    remove_quietly(&part_path).await;
                    return Ok((outcomes, Some(problem(e))));
                }
            };
            if too_large {
                continue;
            }
            if size + chunk.len() as u64 > max_file {
                too_large = true;
                drop(out.take());
                remove_quietly(&part_path).await;
                continue;
            }
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(&chunk);
            size += chunk.len() as u64;
            if let Some(out) = out.as_mut() {
                out.write_all(&chunk).await?;
            }
        }
        let refusal = if too_large {
            Some(Refusal::TooLarge)
        } else if size == 0 {
            Some(Refusal::Empty)
        } else if MediaType::sniff(&head).is_none() {
            Some(Refusal::NotAllowed)
        } else {
            None
        };
        let Some(mut out) = out.take() else {
            outcomes.push(Outcome::Refused {
                name,
                why: Refusal::TooLarge,
            });
            continue;
        };
        if let Some(why) = refusal {
            drop(out);
            remove_quietly(&part_path).await;
            // An empty part with no file name is the form sent with no file chosen.
            if chosen || why != Refusal::Empty {
                outcomes.push(Outcome::Refused { name, why });
            }
            continue;
        }
        out.flush().await?;
        out.sync_all().await?;
        drop(out);
        let final_path = dir.join(file_id.as_str());
        tokio::fs::rename(&part_path, &final_path).await?;
        let synced = dir.clone();
        tokio::task::spawn_blocking(move || sync_dir(&synced)).await??;
        let file = PhoneUploadFile {
            file_id,
            media_type: MediaType::sniff(&head).unwrap_or(MediaType::Jpeg),
            size,
            sha256: Sha256Hex::from_digest(&hasher.finalize().into()),
            received_at: OffsetDateTime::now_utc(),
        };
        let (session_id, record) = (session.id.clone(), file.clone());
        let added = blocking(&state.phone_uploads, move |store| {
            Ok(store.add_file(&session_id, &record, max_files, OffsetDateTime::now_utc())?)
        })
        .await?;
        if added {
            count += 1;
            outcomes.push(Outcome::Received { name, file });
        } else {
            remove_quietly(&final_path).await;
            outcomes.push(Outcome::Refused {
                name,
                why: Refusal::TooMany,
            });
        }
    }
}

fn problem(e: MultipartError) -> Problem {
    match e {
        MultipartError::TooLarge => Problem::TooLarge,
        MultipartError::Malformed(_) | MultipartError::Broken => Problem::Malformed,
    }
}

async fn remove_quietly(path: &std::path::Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, "cannot remove a refused phone upload");
    }
}

fn own_path(token: &str) -> String {
    format!("{PHONE_PAGE_PREFIX}{token}")
}

fn title(lang: Lang) -> &'static str {
    lang.pick("Gửi ảnh giấy tờ", "Send photos of your documents")
}

/// "100 MB", "350 KB", "12 byte" (Vietnamese decimal comma).
pub fn format_size(bytes: u64, lang: Lang) -> String {
    const MB: u64 = 1024 * 1024;
    let text = if bytes >= MB {
        let tenths = (bytes * 10 + MB / 2) / MB;
        if tenths.is_multiple_of(10) {
            format!("{} MB", tenths / 10)
        } else {
            format!("{}.{} MB", tenths / 10, tenths % 10)
        }
    } else if bytes >= 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{bytes} byte")
    };
    match lang {
        Lang::Vi => text.replace('.', ","),
        Lang::En => text,
    }
}

fn intro(lang: Lang, state: &AppState) -> Markup {
    let limit = format_size(state.config.max_upload_file_bytes.get(), lang);
    html! {
        h1 { (title(lang)) }
        p.lead { (match lang {
            Lang::Vi => format!("Chụp ảnh từng trang giấy tờ hoặc chọn tệp có sẵn: ảnh JPEG, PNG hoặc tệp PDF, mỗi tệp tối đa {limit}. Sau đó bấm «Gửi»."),
            Lang::En => format!("Photograph each page of your documents or choose files: JPEG or PNG photos or PDF files, up to {limit} each. Then press “Send”."),
        }) }
    }
}

fn form(lang: Lang, token: &str) -> Markup {
    let action = match lang {
        Lang::Vi => own_path(token),
        Lang::En => format!("{}?lang=en", own_path(token)),
    };
    html! {
        form.upload method="post" enctype="multipart/form-data" action=(action) {
            label for="file" { (lang.pick("Chọn hoặc chụp ảnh giấy tờ", "Choose or take photos")) }
            input #file type="file" name="file" accept="image/jpeg,image/png,application/pdf" capture="environment" multiple;
            button type="submit" { (lang.pick("Gửi", "Send")) }
        }
    }
}

fn sent_so_far(count: usize, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("Máy kiosk đã nhận {count} tệp từ điện thoại này."),
        Lang::En => format!("The kiosk has received {count} files from this phone."),
    }
}

fn expiry_note(expires_at: OffsetDateTime, lang: Lang) -> Markup {
    let local = expires_at.to_offset(VIETNAM);
    let at = format!("{:02}:{:02}", local.hour(), local.minute());
    html! { p.meta { (match lang {
        Lang::Vi => format!("Đường dẫn này chỉ dùng được trên một điện thoại và hết hạn lúc {at} (giờ Việt Nam)."),
        Lang::En => format!("This link works on one phone only and expires at {at} (Vietnam time)."),
    }) } }
}

fn media_name(media_type: MediaType, lang: Lang) -> &'static str {
    match media_type {
        MediaType::Jpeg => lang.pick("Ảnh JPEG", "JPEG photo"),
        MediaType::Png => lang.pick("Ảnh PNG", "PNG picture"),
        MediaType::Pdf => lang.pick("Tệp PDF", "PDF file"),
    }
}

fn refusal_text(why: Refusal, lang: Lang, state: &AppState) -> String {
    match why {
        Refusal::NotAllowed => lang
            .pick(
                "không phải ảnh JPEG, PNG hoặc tệp PDF",
                "is not a JPEG or PNG photo or a PDF file",
            )
            .to_owned(),
        Refusal::TooLarge => {
            let limit = format_size(state.config.max_upload_file_bytes.get(), lang);
            match lang {
                Lang::Vi => format!("lớn hơn {limit}, mức tối đa cho một tệp"),
                Lang::En => format!("is larger than {limit}, the most one file may be"),
            }
        }
        Refusal::Empty => lang.pick("là tệp trống", "is empty").to_owned(),
        Refusal::TooMany => {
            let max = state.config.max_files_per_submission.get();
            match lang {
                Lang::Vi => format!("vượt quá {max} tệp cho một lần nộp hồ sơ"),
                Lang::En => format!("is more than the {max} files one submission may have"),
            }
        }
    }
}

fn result(outcomes: &[Outcome], problem: Option<Problem>, lang: Lang, state: &AppState) -> Markup {
    let received: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Received { name, file } => Some((name, file)),
            Outcome::Refused { .. } => None,
        })
        .collect();
    let refused: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Refused { name, why } => Some((name, *why)),
            Outcome::Received { .. } => None,
        })
        .collect();
    let n = received.len();
    html! {
        h1 { (title(lang)) }
        @if outcomes.is_empty() && problem.is_none() {
            p.lead { (lang.pick("Bạn chưa chọn tệp nào.", "No file was chosen.")) }
        } @else {
            p.done { (match lang {
                Lang::Vi => format!("Đã nhận {n} tệp. Bạn có thể chụp thêm hoặc quay lại máy kiosk."),
                Lang::En => format!("Received {n} files. You can take more photos or go back to the kiosk."),
            }) }
        }
        @if !received.is_empty() {
            ul.received {
                @for (name, file) in &received {
                    li { b { (name) } " — " (media_name(file.media_type, lang)) ", " (format_size(file.size, lang)) }
                }
            }
        }
        @if !refused.is_empty() {
            div.refused {
                h2 { (lang.pick("Không nhận được", "Not accepted")) }
                ul {
                    @for (name, why) in &refused {
                        li { b { (name) } ": " (refusal_text(*why, lang, state)) }
                    }
                }
            }
        }
        @match problem {
            Some(Problem::TooLarge) => p.refused { (lang.pick(
                "Lần gửi này quá lớn và đã bị dừng; các tệp ở trên đã được nhận. Hãy gửi ít tệp hơn mỗi lần.",
                "This upload was too large and was stopped; the files above were received. Please send fewer files at a time.")) },
            Some(Problem::Malformed) => p.refused { (lang.pick(
                "Không đọc được dữ liệu gửi lên; hãy chọn tệp và gửi lại.",
                "What was sent could not be read; please choose the files and send them again.")) },
            None => {},
        }
    }
}

/// The same bytes for every link that opens nothing: unknown, malformed or expired.
fn not_found(lang: Lang) -> Page {
    page_shell_anywhere(
        lang,
        lang.pick(
            "Đường dẫn không còn hiệu lực",
            "This link is no longer valid",
        ),
        html! { div.notfound {
            h1 { (lang.pick("Đường dẫn không còn hiệu lực", "This link is no longer valid")) }
            p { (lang.pick(
                "Đường dẫn đã hết hạn hoặc không đúng. Hãy tạo mã QR mới trên máy kiosk.",
                "The link has expired or is wrong. Please make a new QR code at the kiosk.")) }
        } },
    )
}

fn already_used(lang: Lang) -> Page {
    page_shell_anywhere(
        lang,
        lang.pick("Đường dẫn đã được sử dụng", "This link was already used"),
        html! { div.notfound {
            h1 { (lang.pick("Đường dẫn này đã được sử dụng", "This link was already used")) }
            p { (lang.pick(
                "Mỗi mã QR chỉ dùng được trên một điện thoại. Hãy tạo mã mới trên máy kiosk.",
                "Each QR code works on one phone only. Please make a new one at the kiosk.")) }
        } },
    )
}

fn failed(error: ApiError, lang: Lang) -> Response {
    tracing::error!(error = %error, "phone upload page failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        crate::pages::unavailable_page(lang),
    )
        .into_response()
}

fn with_cookie(
    mut response: Response,
    cookie: Option<String>,
    state: &AppState,
    expires_at: OffsetDateTime,
) -> Response {
    if let Some(value) = cookie {
        let max_age = (expires_at - OffsetDateTime::now_utc())
            .whole_seconds()
            .max(0);
        let secure = if state.config.public_base().starts_with("https://") {
            "; Secure"
        } else {
            ""
        };
        let header = format!(
            "{CLAIM_COOKIE}={value}; Path=/tai-len; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        );
        if let Ok(value) = HeaderValue::from_str(&header) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

/// For one phone's eyes: never cached, never indexed.
fn private(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(format_size(100 * 1024 * 1024, Lang::Vi), "100 MB");
        assert_eq!(format_size(1_300_000, Lang::Vi), "1,2 MB");
        assert_eq!(format_size(1_300_000, Lang::En), "1.2 MB");
        assert_eq!(format_size(2000, Lang::En), "2 KB");
        assert_eq!(format_size(12, Lang::En), "12 byte");
    }

    #[test]
    fn names_are_cut_to_their_last_component() {
        assert_eq!(shown_name(Some("C:\\Users\\an\\IMG_1.jpg")), "IMG_1.jpg");
        assert_eq!(shown_name(Some("a/b/c.pdf")), "c.pdf");
        assert_eq!(shown_name(None), "—");
        assert_eq!(shown_name(Some(&"x".repeat(200))).len(), 80);
    }

    #[test]
    fn the_claim_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; motcua_tai_len=abc123 ; b=2"),
        );
        assert_eq!(claim_cookie(&headers).as_deref(), Some("abc123"));
        assert_eq!(claim_cookie(&HeaderMap::new()), None);
    }
}
