//! The ratings section of the staff fleet page (`/fleet`): the three faces per month (the last
//! 12) and per kiosk, the share satisfied, and how much feedback waits for an answer. Plain
//! tables, like the rest of that page; kiosk names and fields are escaped by maud.

use maud::{Markup, html};
use motcua_protocol::{RatingGroup, RatingStatistics, Satisfaction};
use time::Date;

use super::stats::{self, percent_text};
use super::{FeedbackError, FeedbackStore};

/// Months of ratings the fleet page shows.
pub const FLEET_MONTHS: u32 = 12;

pub struct FleetRatings {
    pub statistics: RatingStatistics,
    pub unanswered: u64,
}

pub fn load(store: &FeedbackStore, today: Date) -> Result<FleetRatings, FeedbackError> {
    Ok(FleetRatings {
        statistics: stats::statistics(store, FLEET_MONTHS, today)?,
        unanswered: store.unanswered_count()?,
    })
}

/// "2026-11" as "11/2026".
fn month_text(key: &str) -> String {
    match key.split_once('-') {
        Some((year, month)) => format!("{month}/{year}"),
        None => key.to_owned(),
    }
}

fn table(first: &str, groups: &[RatingGroup], label: impl Fn(&str) -> String) -> Markup {
    html! {
        div.table-scroll { table.fleet.ratings {
            thead { tr {
                th { (first) }
                @for face in Satisfaction::ALL { th { (face.label_vi()) } }
                th { "Tỷ lệ hài lòng" }
            } }
            tbody { @for group in groups {
                tr {
                    td { (label(&group.key)) }
                    td.n { (group.counts.very_satisfied) }
                    td.n { (group.counts.satisfied) }
                    td.n { (group.counts.dissatisfied) }
                    td.n { (percent_text(&group.counts)) }
                }
            } }
        } }
    }
}

pub fn render(ratings: &FleetRatings) -> Markup {
    let statistics = &ratings.statistics;
    html! {
        section.ratings id="danh-gia" {
            h2 { "Đánh giá mức độ hài lòng" }
            p.meta {
                "Phản ánh chưa trả lời: "
                @if ratings.unanswered == 0 { "0" } @else { strong.unanswered { (ratings.unanswered) } }
                " · trả lời bằng lệnh " code { "motcua-central feedback answer MÃ \"…\"" }
                " hoặc " code { "POST /api/v1/feedback/MÃ/answer" } "."
            }
            p.meta {
                (statistics.total.total()) " lượt đánh giá trong " (FLEET_MONTHS) " tháng gần nhất · tỷ lệ hài lòng "
                (percent_text(&statistics.total))
                " (Rất hài lòng và Hài lòng trên tổng số; theo giờ của kiosk lúc đánh giá)."
            }
            h3 { "Theo tháng" }
            (table("Tháng", &statistics.months, month_text))
            h3 { "Theo kiosk" }
            @if statistics.kiosks.is_empty() {
                p.meta { "Chưa có đánh giá nào." }
            } @else {
                (table("Kiosk", &statistics.kiosks, str::to_owned))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_protocol::RatingCounts;

    #[test]
    fn counts_and_shares_per_month_and_kiosk() {
        let counts = RatingCounts {
            very_satisfied: 4,
            satisfied: 2,
            dissatisfied: 1,
        };
        let ratings = FleetRatings {
            statistics: RatingStatistics {
                months: vec![
                    RatingGroup {
                        key: "2026-11".into(),
                        counts,
                    },
                    RatingGroup {
                        key: "2026-10".into(),
                        counts: RatingCounts::default(),
                    },
                ],
                fields: vec![],
                kiosks: vec![RatingGroup {
                    key: "<b>quay</b>".into(),
                    counts,
                }],
                total: counts,
            },
            unanswered: 3,
        };
        let page = render(&ratings).into_string();
        for expected in [
            "Đánh giá mức độ hài lòng",
            "<td>11/2026</td>",
            "<td>10/2026</td>",
            "85,7 %",
            "Không hài lòng",
            "<strong class=\"unanswered\">3</strong>",
            "&lt;b&gt;quay&lt;/b&gt;",
        ] {
            assert!(page.contains(expected), "missing {expected:?} in {page}");
        }
    }
}
