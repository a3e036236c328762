//! The fleet view for staff: `/fleet`, a table of every kiosk with what needs attention first,
//! and `/fleet/kiosks/<name>`, one kiosk in full (what the QR code on the kiosk's staff screen
//! opens, so it reads on a phone). `/fleet` ends with the visitors' ratings and how much feedback
//! waits for an answer (`feedback::fleet_section`). Plain HTML in Vietnamese, no scripts;
//! everything a kiosk reported is untrusted text and goes through maud's escaping.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};
use motcua_protocol::PrinterState;
use time::OffsetDateTime;

use super::StaffAuth;
use super::fleet::FleetKiosk;
use super::fleet_alerts::{Alert, AlertRules};
use crate::feedback::fleet_section;
use crate::http::{AppState, blocking};
use crate::pages::staff_page;
use crate::status::page::format_moment;

pub async fn fleet_page(_staff: StaffAuth, State(state): State<AppState>) -> Response {
    let rules = AlertRules::from_config(&state.config);
    let now = OffsetDateTime::now_utc();
    let found = blocking(
        &state.operations,
        move |store| Ok(store.fleet(now, &rules)?),
    )
    .await;
    let today = crate::status::vietnam_date(now);
    let ratings = blocking(&state.feedback, move |store| {
        Ok(fleet_section::load(store, today)?)
    })
    .await;
    match found {
        Ok(kiosks) => {
            let ratings = match ratings {
                Ok(ratings) => fleet_section::render(&ratings),
                Err(e) => {
                    tracing::error!(error = %e, "ratings for the fleet page failed");
                    html! { h2 { "Đánh giá mức độ hài lòng" } p.meta { "Tạm thời không đọc được đánh giá." } }
                }
            };
            let body = html! { (render_fleet(kiosks, now)) (ratings) };
            staff_page("Tình trạng kiosk", body)
        }
        Err(e) => unavailable(&e.to_string()),
    }
}

pub async fn kiosk_page(
    _staff: StaffAuth,
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Response {
    let rules = AlertRules::from_config(&state.config);
    let now = OffsetDateTime::now_utc();
    let wanted = name.clone();
    let found = blocking(&state.operations, move |store| {
        Ok(store.fleet_kiosk(&wanted, now, &rules)?)
    })
    .await;
    match found {
        Ok(Some(kiosk)) => staff_page(&format!("Kiosk {}", kiosk.name), render_kiosk(&kiosk, now)),
        Ok(None) => {
            let body = html! { div.notfound {
                h1 { "Không có kiosk này" }
                p { "Không có kiosk tên " b { (name) } "." }
                p { a href="/fleet" { "Xem tất cả kiosk" } }
            } };
            with_status(
                StatusCode::NOT_FOUND,
                staff_page("Không có kiosk này", body),
            )
        }
        Err(e) => unavailable(&e.to_string()),
    }
}

fn with_status(status: StatusCode, mut response: Response) -> Response {
    *response.status_mut() = status;
    response
}

fn unavailable(detail: &str) -> Response {
    tracing::error!(%detail, "fleet page failed");
    let body = html! { div.notfound {
        h1 { "Hệ thống tạm thời gián đoạn" }
        p { "Vui lòng thử lại sau ít phút." }
    } };
    with_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        staff_page("Tạm thời gián đoạn", body),
    )
}

/// Problems first, then kiosks that are fine, revoked ones last; by name within each.
fn order(kiosk: &FleetKiosk) -> u8 {
    match (kiosk.revoked_at.is_some(), kiosk.alerts.is_empty()) {
        (true, _) => 2,
        (false, false) => 0,
        (false, true) => 1,
    }
}

pub fn render_fleet(mut kiosks: Vec<FleetKiosk>, now: OffsetDateTime) -> Markup {
    kiosks.sort_by_key(order);
    let attention = kiosks.iter().filter(|k| !k.alerts.is_empty()).count();
    html! {
        h1 { "Tình trạng kiosk" }
        p.meta {
            (kiosks.len()) " kiosk · "
            @if attention == 0 { "tất cả bình thường" } @else { strong { (attention) " cần chú ý" } }
            " · cập nhật lúc " (format_moment(now)) " (giờ Việt Nam). Tải lại trang để cập nhật."
        }
        @if kiosks.is_empty() {
            p { "Chưa có kiosk nào. Thêm kiosk bằng lệnh " code { "motcua-central kiosk add TÊN" } "." }
        } @else {
            div.table-scroll { table.fleet {
                thead { tr {
                    th { "Kiosk" } th { "Tình trạng" } th { "Lần báo cuối" } th { "Phiên bản" }
                    th { "Danh mục đồng bộ" } th { "Hồ sơ chờ gửi" } th { "Máy in" }
                    th { "Ổ đĩa trống" } th { "Cấu hình (chạy / đã lưu)" }
                } }
                tbody { @for kiosk in &kiosks { (fleet_row(kiosk, now)) } }
            } }
        }
    }
}

fn fleet_row(kiosk: &FleetKiosk, now: OffsetDateTime) -> Markup {
    let health = kiosk.health.as_ref();
    let class = if kiosk.revoked_at.is_some() {
        "revoked"
    } else if kiosk.alerts.is_empty() {
        "fine"
    } else {
        "attention"
    };
    html! {
        tr class=(class) {
            td { a href={ "/fleet/kiosks/" (kiosk.name) } { (kiosk.name) } }
            td.state { (state_badges(kiosk, now)) }
            td.when { (moment(kiosk.last_seen)) }
            td { (health.map_or("-", |h| h.version.as_str())) }
            td.when { (moment(health.and_then(|h| h.catalog_synced_at))) }
            td { (health.map_or_else(|| "-".to_owned(), |h| outbox_text(h.outbox_depth, h.outbox_oldest_age_secs))) }
            td { (health.map_or("-", |h| printer_label(h.printer))) }
            td { (health.and_then(|h| h.disk_free_bytes).map_or_else(|| "-".to_owned(), bytes_text)) }
            td {
                (config_text(kiosk))
                @if let Some(error) = health.and_then(|h| h.config_error.as_deref()) {
                    div.refused-config { "Từ chối: " (error) }
                }
            }
        }
    }
}

fn state_badges(kiosk: &FleetKiosk, now: OffsetDateTime) -> Markup {
    html! {
        @if kiosk.revoked_at.is_some() {
            span.badge.revoked { "Đã thu hồi" }
        } @else if kiosk.alerts.is_empty() {
            span.badge.ok { "Bình thường" }
        } @else {
            @for alert in &kiosk.alerts {
                span.badge.alert data-alert=(alert.code()) { (alert_text(*alert, kiosk, now)) } " "
            }
        }
    }
}

pub fn render_kiosk(kiosk: &FleetKiosk, now: OffsetDateTime) -> Markup {
    let health = kiosk.health.as_ref();
    html! {
        p.meta { a href="/fleet" { "← Tất cả kiosk" } }
        h1 { "Kiosk " (kiosk.name) }
        section.kiosk-state { (state_badges(kiosk, now)) }
        div.facts {
            (fact("Lần báo cuối", &match kiosk.last_seen {
                Some(_) => format!("{} ({} trước)", moment(kiosk.last_seen),
                    duration_text(seconds_since(kiosk.last_seen, now))),
                None => "Chưa từng báo về".to_owned(),
            }))
            (fact("Phiên bản", health.map_or("-", |h| h.version.as_str())))
            (fact("Đã chạy liên tục", &health.map_or_else(|| "-".to_owned(), |h| duration_text(h.uptime_secs))))
            (fact("Danh mục đồng bộ lúc", &moment(health.and_then(|h| h.catalog_synced_at))))
            (fact("Mốc danh mục", health.and_then(|h| h.catalog_cursor.as_deref()).unwrap_or("-")))
            (fact("Hồ sơ chờ gửi", &health.map_or_else(|| "-".to_owned(), |h| outbox_text(h.outbox_depth, h.outbox_oldest_age_secs))))
            (fact("Máy in", health.map_or("-", |h| printer_label(h.printer))))
            (fact("Ổ đĩa trống", &health.and_then(|h| h.disk_free_bytes).map_or_else(|| "-".to_owned(), bytes_text)))
            (fact("Cấu hình (đang chạy / đã lưu)", &config_text(kiosk)))
            @if let Some(stored) = &kiosk.stored_config {
                (fact("Cấu hình đã lưu bởi", &format!("{} lúc {}", stored.set_by, moment(Some(stored.set_at)))))
            }
            (fact("Đăng ký lúc", &match kiosk.enrolled_at {
                Some(_) => moment(kiosk.enrolled_at),
                None => "Chưa dùng mã đăng ký".to_owned(),
            }))
            @if kiosk.revoked_at.is_some() {
                (fact("Thu hồi lúc", &moment(kiosk.revoked_at)))
            }
        }
        @if let Some(error) = health.and_then(|h| h.config_error.as_deref()) {
            div.refused {
                h2 { "Kiosk từ chối cấu hình mới" }
                p { (error) }
            }
        }
        h2 { "Lỗi gần đây" }
        @match health.map(|h| &h.last_errors) {
            Some(errors) if !errors.is_empty() => {
                ol.errors { @for error in errors { li { (error) } } }
            }
            _ => { p.meta { "Không có lỗi nào được báo." } }
        }
        h2 { "Cấu hình từ xa đã lưu" }
        @match &kiosk.stored_config {
            Some(stored) => {
                p.meta { "Phiên bản " (stored.version) }
                pre.settings { (stored.settings) }
            }
            None => { p.meta { "Chưa có cấu hình từ xa: kiosk chạy theo tệp cấu hình của nó." } }
        }
        p.meta {
            "Đổi cấu hình: " code { "motcua-central kiosk config " (kiosk.name) " --file settings.toml" }
            " hoặc " code { "PUT /api/v1/fleet/kiosks/" (kiosk.name) "/config" } "."
        }
    }
}

fn fact(label: &str, value: &str) -> Markup {
    html! { div.fact { b { (label) } (value) } }
}

/// What the alert means for staff, with the numbers behind it.
pub fn alert_text(alert: Alert, kiosk: &FleetKiosk, now: OffsetDateTime) -> String {
    let health = kiosk.health.as_ref();
    match alert {
        Alert::Silent => match kiosk.last_seen {
            None => "Chưa từng báo về".to_owned(),
            Some(_) => format!(
                "Mất liên lạc {}",
                duration_text(seconds_since(kiosk.last_seen, now))
            ),
        },
        Alert::OutboxStuck => match health {
            Some(h) => format!(
                "Hồ sơ chờ gửi bị kẹt: {}",
                outbox_text(h.outbox_depth, h.outbox_oldest_age_secs)
            ),
            None => "Hồ sơ chờ gửi bị kẹt".to_owned(),
        },
        Alert::Printer => format!(
            "Máy in: {}",
            health.map_or("-", |h| printer_label(h.printer))
        ),
        Alert::DiskLow => format!(
            "Ổ đĩa sắp đầy: còn {}",
            health
                .and_then(|h| h.disk_free_bytes)
                .map_or_else(|| "-".to_owned(), bytes_text)
        ),
        Alert::ConfigRefused => "Từ chối cấu hình mới".to_owned(),
    }
}

pub fn printer_label(state: PrinterState) -> &'static str {
    match state {
        PrinterState::None => "Không có máy in",
        PrinterState::Unknown => "Chưa rõ (chưa in lần nào)",
        PrinterState::Ready => "Sẵn sàng",
        PrinterState::PaperLow => "Sắp hết giấy",
        PrinterState::OutOfPaper => "Hết giấy",
        PrinterState::Offline => "Mất kết nối",
        PrinterState::Failed => "Bị lỗi",
    }
}

fn config_text(kiosk: &FleetKiosk) -> String {
    let running = kiosk
        .health
        .as_ref()
        .map_or_else(|| "-".to_owned(), |h| h.config_version.to_string());
    match &kiosk.stored_config {
        None => format!("{running} / chưa có"),
        Some(stored) => {
            let pending = kiosk
                .health
                .as_ref()
                .is_some_and(|h| h.config_version != stored.version);
            if pending {
                format!("{running} / {} (chưa áp dụng)", stored.version)
            } else {
                format!("{running} / {}", stored.version)
            }
        }
    }
}

fn outbox_text(depth: u64, oldest_age_secs: Option<u64>) -> String {
    match (depth, oldest_age_secs) {
        (0, _) => "0".to_owned(),
        (n, Some(age)) => format!("{n}, lâu nhất {}", duration_text(age)),
        (n, None) => n.to_string(),
    }
}

fn moment(unix: Option<i64>) -> String {
    unix.and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .map(format_moment)
        .unwrap_or_else(|| "-".to_owned())
}

fn seconds_since(unix: Option<i64>, now: OffsetDateTime) -> u64 {
    unix.map_or(0, |t| {
        u64::try_from(now.unix_timestamp().saturating_sub(t)).unwrap_or(0)
    })
}

/// "45 giây", "12 phút", "3 giờ 5 phút", "2 ngày 3 giờ": the two largest units.
pub fn duration_text(secs: u64) -> String {
    let (days, hours, minutes) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs} giây"),
        (0, 0, m) => format!("{m} phút"),
        (0, h, 0) => format!("{h} giờ"),
        (0, h, m) => format!("{h} giờ {m} phút"),
        (d, 0, _) => format!("{d} ngày"),
        (d, h, _) => format!("{d} ngày {h} giờ"),
    }
}

/// "12,3 GB" (powers of 1024, a decimal comma as Vietnamese writes it).
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit]).replace('.', ",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operations::fleet::tests::heartbeat;

    #[test]
    fn durations_and_sizes_read_in_vietnamese() {
        assert_eq!(duration_text(45), "45 giây");
        assert_eq!(duration_text(12 * 60 + 5), "12 phút");
        assert_eq!(duration_text(3 * 3600), "3 giờ");
        assert_eq!(duration_text(3 * 3600 + 5 * 60), "3 giờ 5 phút");
        assert_eq!(duration_text(2 * 86_400 + 3 * 3600 + 59), "2 ngày 3 giờ");
        assert_eq!(duration_text(86_400 + 60), "1 ngày");
        assert_eq!(bytes_text(512), "512 B");
        assert_eq!(bytes_text(1536), "1,5 KB");
        assert_eq!(bytes_text(12_884_901_888 + 322_122_547), "12,3 GB");
    }

    #[test]
    fn reported_text_is_escaped_and_alerts_are_named() {
        let now = OffsetDateTime::from_unix_timestamp(1_780_000_000).unwrap();
        let mut health = heartbeat();
        health.version = "<b>x</b>".into();
        health.last_errors = vec!["<script>alert(1)</script>".into()];
        health.config_error = Some("\"><img src=x>".into());
        health.printer = PrinterState::OutOfPaper;
        let mut kiosk = FleetKiosk {
            name: "quay-1".into(),
            enrolled_at: Some(0),
            revoked_at: None,
            last_seen: Some(now.unix_timestamp() - 7200),
            health: Some(health),
            stored_config: None,
            alerts: vec![],
        };
        kiosk.alerts = AlertRules::default().alerts(&kiosk, now);
        for page in [
            render_kiosk(&kiosk, now).into_string(),
            render_fleet(vec![kiosk.clone()], now).into_string(),
        ] {
            assert!(!page.contains("<script>") && !page.contains("<b>x") && !page.contains("<img"));
            assert!(page.contains("&lt;b&gt;x&lt;/b&gt;"), "{page}");
            assert!(page.contains("Mất liên lạc 2 giờ"), "{page}");
            assert!(page.contains("Máy in: Hết giấy"), "{page}");
        }
        assert!(
            render_kiosk(&kiosk, now)
                .into_string()
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
    }
}
