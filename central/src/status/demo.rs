//! Demo dossiers: a dozen showcase dossiers covering every status of the national lifecycle, with
//! fixed status tokens so receipt images committed to the repository (`docs/demo-receipts/`) stay
//! valid, plus about three hundred background dossiers over the last twelve months so the
//! statistics look like a province's. Dates are relative to the day of seeding; a showcase code's
//! date part is its received date. Demo only: fixed tokens are public, so never seed a real server.

use motcua_protocol::{DossierCode, DossierStatus, ProcedureCode, StatusChange, StatusToken};
use rusqlite::OptionalExtension;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use super::store::{DossierStore, NewDossier, insert_dossier, new_token, token_hash};
use super::{StatusError, VIETNAM};

/// How many background dossiers `seed_demo_dossiers` adds.
pub const BACKGROUND_DOSSIERS: usize = 300;

/// A showcase dossier: where it stands, and the steps that took it there (day after receipt,
/// Vietnam time, office note). Every step lies on a day before the seeding day.
struct Showcase {
    slug: &'static str,
    about: &'static str,
    token: &'static str,
    agency: &'static str,
    sequence: &'static str,
    procedure: &'static str,
    received_days_ago: i64,
    due_after_days: i64,
    steps: &'static [(u8, i64, u8, u8, Option<&'static str>)],
}

const SHOWCASE: [Showcase; 12] = [
    Showcase {
        slug: "registered",
        about: "registered online the evening before, waiting to be accepted",
        token: "AbP9wl8MFnqAqxiW6BGw0O",
        agency: "G09.20",
        sequence: "0092637",
        procedure: "1.001193",
        received_days_ago: 1,
        due_after_days: 1,
        steps: &[(1, 0, 20, 15, None)],
    },
    Showcase {
        slug: "accepted",
        about: "temporary residence, accepted at the desk",
        token: "D3skRy0AijusTzaWZHUmBn",
        agency: "H45.12",
        sequence: "0031508",
        procedure: "1.004222",
        received_days_ago: 1,
        due_after_days: 5,
        steps: &[(2, 0, 9, 10, None)],
    },
    Showcase {
        slug: "not-accepted",
        about: "building permit not accepted: filed at the wrong office (see the note)",
        token: "AHcU5HiwdiEdR5AcIjpojE",
        agency: "H45.12",
        sequence: "0031422",
        procedure: "1.009794",
        received_days_ago: 4,
        due_after_days: 21,
        steps: &[
            (1, 0, 14, 5, None),
            (
                3,
                1,
                10,
                30,
                Some(
                    "Công trình thuộc thẩm quyền cấp phép của Sở Xây dựng; đề nghị nộp hồ sơ tại Trung tâm Phục vụ Hành chính công tỉnh.",
                ),
            ),
        ],
    },
    Showcase {
        slug: "processing",
        about: "land registration being processed, on schedule",
        token: "D5xf_OcRrrMp_-oBJpqX4N",
        agency: "G09.20",
        sequence: "0092311",
        procedure: "1.012756",
        received_days_ago: 6,
        due_after_days: 28,
        steps: &[(2, 0, 8, 45, None), (4, 1, 9, 0, None)],
    },
    Showcase {
        slug: "supplement-requested",
        about: "household business: a missing paper named in the note",
        token: "DorxGU8v3FuzeCZxhiVF8K",
        agency: "H45.12",
        sequence: "0031477",
        procedure: "1.001612",
        received_days_ago: 3,
        due_after_days: 5,
        steps: &[
            (2, 0, 10, 20, None),
            (4, 1, 8, 30, None),
            (
                5,
                2,
                15,
                40,
                Some(
                    "Thiếu bản sao hợp đồng thuê địa điểm kinh doanh (hoặc giấy tờ chứng minh quyền sử dụng địa điểm kinh doanh).",
                ),
            ),
        ],
    },
    Showcase {
        slug: "payment-requested",
        about: "land transfer: fees and taxes to pay (see the note)",
        token: "DNZ0TrG639u_V1dhqHmPL-",
        agency: "G09.20",
        sequence: "0092158",
        procedure: "1.012760",
        received_days_ago: 8,
        due_after_days: 14,
        steps: &[
            (2, 0, 9, 5, None),
            (4, 1, 8, 0, None),
            (
                6,
                6,
                16,
                10,
                Some(
                    "Nộp lệ phí trước bạ và thuế thu nhập cá nhân theo thông báo của cơ quan thuế.",
                ),
            ),
        ],
    },
    Showcase {
        slug: "withdrawal-requested",
        about: "marriage with a foreign national, withdrawn by the applicant",
        token: "AMPxt22umrvqcecRFvfUl8",
        agency: "G09.20",
        sequence: "0092240",
        procedure: "2.000806",
        received_days_ago: 5,
        due_after_days: 21,
        steps: &[
            (2, 0, 14, 0, None),
            (4, 1, 9, 15, None),
            (
                7,
                4,
                10,
                0,
                Some("Người nộp hồ sơ có đơn đề nghị rút hồ sơ."),
            ),
        ],
    },
    Showcase {
        slug: "stopped",
        about: "permanent residence, processing stopped (see the note)",
        token: "D5xxem3D_a3LIzC6y-q-BK",
        agency: "H45.12",
        sequence: "0031190",
        procedure: "1.004194",
        received_days_ago: 10,
        due_after_days: 10,
        steps: &[
            (2, 0, 8, 30, None),
            (4, 1, 9, 0, None),
            (
                8,
                5,
                11,
                20,
                Some(
                    "Chỗ ở đề nghị đăng ký thường trú đang có tranh chấp, theo kết quả xác minh của Công an xã.",
                ),
            ),
        ],
    },
    Showcase {
        slug: "resolved-early",
        about: "criminal record certificate ready four days early",
        token: "Bg2HlWvAsDAP4vpWeOQcK4",
        agency: "H45.12",
        sequence: "0031032",
        procedure: "2.000488",
        received_days_ago: 12,
        due_after_days: 14,
        steps: &[
            (2, 0, 9, 40, None),
            (4, 1, 8, 15, None),
            (9, 10, 15, 0, None),
        ],
    },
    Showcase {
        slug: "returned-on-time",
        about: "marital status certificate, resolved on the appointment date and handed over",
        token: "Ay7DZ_0ZBp3ifV-dpT86sH",
        agency: "G09.20",
        sequence: "0092102",
        procedure: "1.004873",
        received_days_ago: 9,
        due_after_days: 4,
        steps: &[
            (2, 0, 10, 0, None),
            (4, 1, 8, 0, None),
            (9, 4, 10, 30, None),
            (10, 4, 15, 45, None),
        ],
    },
    Showcase {
        slug: "returned-late",
        about: "building permit extension, resolved two days late with the office's apology",
        token: "A_wo4XVppmdYR0Oy3pyLyH",
        agency: "H45.12",
        sequence: "0030876",
        procedure: "1.009797",
        received_days_ago: 20,
        due_after_days: 7,
        steps: &[
            (2, 0, 9, 0, None),
            (4, 1, 8, 30, None),
            (
                9,
                9,
                16,
                0,
                Some(
                    "Trễ hạn do phải kiểm tra hiện trạng công trình; cơ quan giải quyết đã gửi văn bản xin lỗi.",
                ),
            ),
            (10, 11, 9, 10, None),
        ],
    },
    Showcase {
        slug: "overdue",
        about: "unemployment benefit still being processed, a week past the appointment date",
        token: "DW3T32hQMnD_yYVdHsxNo8",
        agency: "G09.20",
        sequence: "0091734",
        procedure: "1.000401",
        received_days_ago: 35,
        due_after_days: 28,
        steps: &[(2, 0, 8, 50, None), (4, 2, 9, 0, None)],
    },
];

/// One showcase dossier as the kiosk's demo mode and the receipt images need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShowcaseDossier {
    /// A short English name for files and logs, e.g. `supplement-requested`.
    pub slug: &'static str,
    /// What the dossier shows, in English, for READMEs and the demo's command output.
    pub about: &'static str,
    pub code: DossierCode,
    pub token: StatusToken,
    pub status: DossierStatus,
}

fn at_vietnam(day: Date, hour: u8, minute: u8) -> Result<OffsetDateTime, StatusError> {
    let time = Time::from_hms(hour, minute, 0).map_err(|e| StatusError::Invalid(e.to_string()))?;
    Ok(PrimitiveDateTime::new(day, time).assume_offset(VIETNAM))
}

fn showcase_token(showcase: &Showcase) -> Result<StatusToken, StatusError> {
    StatusToken::parse(showcase.token).map_err(|e| StatusError::Invalid(e.to_string()))
}

fn showcase_code(showcase: &Showcase, received: Date) -> Result<DossierCode, StatusError> {
    DossierCode::parse(&format!(
        "{}-{:04}{:02}{:02}-{}",
        showcase.agency,
        received.year(),
        u8::from(received.month()),
        received.day(),
        showcase.sequence
    ))
    .map_err(|e| StatusError::Invalid(e.to_string()))
}

fn final_status(showcase: &Showcase) -> DossierStatus {
    showcase
        .steps
        .last()
        .and_then(|step| DossierStatus::from_number(step.0))
        .unwrap_or(DossierStatus::Accepted)
}

/// The showcase dossiers as `seed_demo_dossiers(store, today)` creates them: code (its date part
/// depends on `today`), fixed token, status.
pub fn demo_showcase(today: Date) -> Vec<(DossierCode, StatusToken, DossierStatus)> {
    demo_showcase_detailed(today)
        .into_iter()
        .map(|d| (d.code, d.token, d.status))
        .collect()
}

/// `demo_showcase` with each dossier's slug.
pub fn demo_showcase_detailed(today: Date) -> Vec<ShowcaseDossier> {
    SHOWCASE
        .iter()
        .filter_map(|s| {
            let received = today - Duration::days(s.received_days_ago);
            Some(ShowcaseDossier {
                slug: s.slug,
                about: s.about,
                code: showcase_code(s, received).ok()?,
                token: showcase_token(s).ok()?,
                status: final_status(s),
            })
        })
        .collect()
}

/// The showcase dossiers as they are in `store`, whenever they were seeded: a demo database kept
/// from an earlier day has codes dated that day, which `demo_showcase(today)` cannot know.
pub fn seeded_showcase(store: &DossierStore) -> Result<Vec<ShowcaseDossier>, StatusError> {
    let mut out = Vec::new();
    for showcase in &SHOWCASE {
        if let Some(dossier) = store.find_by_presented_token(showcase.token)? {
            out.push(ShowcaseDossier {
                slug: showcase.slug,
                about: showcase.about,
                code: dossier.code,
                token: dossier.token,
                status: dossier.status,
            });
        }
    }
    Ok(out)
}

/// Adds the showcase and background dossiers, dated relative to `today`, and returns how many it
/// added: none if the demo dossiers are already there (the showcase tokens are fixed, so seeding
/// twice would collide). Procedures come from the demo catalog; the catalog is not checked, so a
/// server with another catalog shows them under "Khác".
pub fn seed_demo_dossiers(store: &mut DossierStore, today: Date) -> Result<usize, StatusError> {
    let marker = token_hash(SHOWCASE[0].token);
    let seeded: Option<i64> = store
        .conn()
        .query_row(
            "SELECT 1 FROM dossiers WHERE token_hash = ?1",
            [&marker[..]],
            |r| r.get(0),
        )
        .optional()?;
    if seeded.is_some() {
        return Ok(0);
    }
    let now = OffsetDateTime::now_utc();
    let tx = store.conn_mut().transaction()?;
    let mut added = 0;
    for showcase in &SHOWCASE {
        let received = today - Duration::days(showcase.received_days_ago);
        let mut history = Vec::new();
        for &(status, day, hour, minute, note) in showcase.steps {
            let status = DossierStatus::from_number(status)
                .ok_or_else(|| StatusError::Invalid(format!("demo status {status}")))?;
            history.push((
                StatusChange {
                    status,
                    at: at_vietnam(received + Duration::days(day), hour, minute)?,
                    note: note.map(str::to_owned),
                },
                "demo",
            ));
        }
        let procedure = ProcedureCode::parse(showcase.procedure)
            .map_err(|e| StatusError::Invalid(e.to_string()))?;
        insert_dossier(
            &tx,
            &NewDossier {
                code: &showcase_code(showcase, received)?,
                procedure_code: &procedure,
                received_on: received,
                due_on: received + Duration::days(showcase.due_after_days),
                token: &showcase_token(showcase)?,
                created_at: now,
            },
            &history,
        )?;
        added += 1;
    }
    let procedures = demo_procedures();
    for index in 0..BACKGROUND_DOSSIERS {
        let Some(dossier) = background(index, today, &procedures)? else {
            continue;
        };
        insert_dossier(
            &tx,
            &NewDossier {
                code: &dossier.code,
                procedure_code: &dossier.procedure,
                received_on: dossier.received_on,
                due_on: dossier.due_on,
                token: &new_token(),
                created_at: now,
            },
            &dossier
                .history
                .iter()
                .map(|c| (c.clone(), "demo"))
                .collect::<Vec<_>>(),
        )?;
        added += 1;
    }
    tx.commit()?;
    Ok(added)
}

/// Demo catalog procedures with their time limit in calendar days, roughly: "N ngày làm việc" is
/// N working days, about N·7/5 calendar days; a same-day procedure gets one day.
fn demo_procedures() -> Vec<(ProcedureCode, i64)> {
    let Ok(catalog) = motcua_protocol::parse_catalog(crate::DEMO_CATALOG) else {
        return Vec::new();
    };
    catalog
        .procedures
        .into_iter()
        .map(|p| {
            let days = days_in(&p.processing_time);
            (p.code, days)
        })
        .collect()
}

fn days_in(processing_time: &str) -> i64 {
    let words: Vec<&str> = processing_time.split_whitespace().collect();
    let working = words.windows(2).find_map(|w| {
        (w[1].starts_with("ngày"))
            .then(|| w[0].parse::<i64>().ok())
            .flatten()
    });
    match working {
        Some(n) if n > 0 => (n * 7 + 4) / 5,
        _ => 1,
    }
}

struct Background {
    code: DossierCode,
    procedure: ProcedureCode,
    received_on: Date,
    due_on: Date,
    history: Vec<StatusChange>,
}

/// SplitMix64: the same index gives the same dossier on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const AGENCIES: [&str; 5] = ["G09.20", "G09.21", "H45.12", "H45.15", "G09.34"];

/// Background dossier `index`: received 1–365 days before `today`, mostly resolved (about half
/// early, a third on time, the rest late), some still in progress, a few not accepted, withdrawn
/// or stopped.
fn background(
    index: usize,
    today: Date,
    procedures: &[(ProcedureCode, i64)],
) -> Result<Option<Background>, StatusError> {
    let mut rng = Rng(0x6D6F_7463_7561_0000 ^ index as u64);
    let Some((procedure, days)) = procedures
        .get(rng.below(procedures.len() as u64) as usize)
        .cloned()
    else {
        return Ok(None);
    };
    let received = today - Duration::days(1 + rng.below(365) as i64);
    let due = received + Duration::days(days);
    let agency = AGENCIES[rng.below(AGENCIES.len() as u64) as usize];
    let code = DossierCode::parse(&format!(
        "{agency}-{:04}{:02}{:02}-{:07}",
        received.year(),
        u8::from(received.month()),
        received.day(),
        100_000 + index
    ))
    .map_err(|e| StatusError::Invalid(e.to_string()))?;
    let first = at_vietnam(received, 8 + rng.below(8) as u8, rng.below(60) as u8)?;
    let mut history = vec![StatusChange {
        status: DossierStatus::Accepted,
        at: first,
        note: None,
    }];
    // Each step during office hours of its day, and always after the step before it.
    let mut push = |status: DossierStatus, day: Date, rng: &mut Rng| -> Result<(), StatusError> {
        let mut at = at_vietnam(day, 8 + rng.below(9) as u8, rng.below(60) as u8)?;
        if let Some(previous) = history.last().map(|c| c.at)
            && at <= previous
        {
            at = previous + Duration::minutes(20 + rng.below(60) as i64);
        }
        history.push(StatusChange {
            status,
            at,
            note: None,
        });
        Ok(())
    };
    let last_day = today - Duration::days(1);
    let next_day = (received + Duration::days(1)).min(last_day);
    let roll = rng.below(100);
    if roll < 3 {
        push(DossierStatus::NotAccepted, received, &mut rng)?;
    } else if roll < 6 {
        push(DossierStatus::Processing, next_day, &mut rng)?;
        push(DossierStatus::WithdrawalRequested, next_day, &mut rng)?;
    } else if roll < 7 {
        push(DossierStatus::Processing, next_day, &mut rng)?;
        push(DossierStatus::Stopped, next_day, &mut rng)?;
    } else {
        let kind = rng.below(100);
        let resolve = if kind < 55 && days > 1 {
            due - Duration::days(1 + rng.below(days as u64 - 1) as i64)
        } else if kind < 88 {
            due
        } else {
            due + Duration::days(1 + rng.below(10) as i64)
        };
        if resolve > last_day {
            // Not resolved yet: being processed, or waiting for papers or fees.
            push(DossierStatus::Processing, next_day, &mut rng)?;
            match rng.below(10) {
                0 => push(DossierStatus::SupplementRequested, last_day, &mut rng)?,
                1 => push(DossierStatus::PaymentRequested, last_day, &mut rng)?,
                _ => {}
            }
        } else {
            if resolve > received {
                push(DossierStatus::Processing, next_day.min(resolve), &mut rng)?;
            }
            push(DossierStatus::Resolved, resolve, &mut rng)?;
            let collected = resolve + Duration::days(1 + rng.below(3) as i64);
            if collected <= last_day && rng.below(100) < 90 {
                push(DossierStatus::Returned, collected, &mut rng)?;
            }
        }
    }
    Ok(Some(Background {
        code,
        procedure,
        received_on: received,
        due_on: due,
        history,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn showcase_covers_every_status_with_valid_fixed_tokens() {
        let today = date!(2026 - 06 - 15);
        let showcase = demo_showcase(today);
        assert_eq!(showcase.len(), SHOWCASE.len());
        for status in DossierStatus::ALL {
            assert!(
                showcase.iter().any(|(_, _, s)| *s == status),
                "no showcase dossier with status {status:?}"
            );
        }
        let (code, token, _) = &showcase[0];
        assert_eq!(code.as_str(), "G09.20-20260614-0092637");
        assert_eq!(token.as_str(), "AbP9wl8MFnqAqxiW6BGw0O");
        let mut tokens: Vec<&str> = showcase.iter().map(|(_, t, _)| t.as_str()).collect();
        tokens.sort_unstable();
        tokens.dedup();
        assert_eq!(tokens.len(), SHOWCASE.len(), "tokens are distinct");
        for s in &SHOWCASE {
            assert!(
                s.steps.iter().all(|step| step.1 < s.received_days_ago),
                "{}: every step lies before the seeding day",
                s.slug
            );
            assert!(
                s.steps
                    .windows(2)
                    .all(|w| (w[0].1, w[0].2, w[0].3) <= (w[1].1, w[1].2, w[1].3)),
                "{}: steps in time order",
                s.slug
            );
        }
    }

    #[test]
    fn time_limits_from_the_catalog_text() {
        assert_eq!(days_in("05 ngày làm việc kể từ ngày nhận đủ hồ sơ"), 7);
        assert_eq!(days_in("Không quá 20 ngày làm việc"), 28);
        assert_eq!(
            days_in(
                "Ngay trong ngày làm việc; trường hợp nhận sau 15 giờ thì trả trong ngày làm việc tiếp theo"
            ),
            1
        );
        assert_eq!(days_in("30 ngày kể từ ngày nhận đủ hồ sơ hợp lệ"), 42);
        assert!(demo_procedures().len() >= 60);
    }

    #[test]
    fn background_dossiers_are_deterministic_and_in_the_past() {
        let today = date!(2026 - 06 - 15);
        let procedures = demo_procedures();
        let a = background(7, today, &procedures).unwrap().unwrap();
        let b = background(7, today, &procedures).unwrap().unwrap();
        assert_eq!(a.code, b.code);
        assert_eq!(a.history, b.history);
        for index in 0..BACKGROUND_DOSSIERS {
            let d = background(index, today, &procedures).unwrap().unwrap();
            assert!(d.received_on < today && d.due_on >= d.received_on);
            assert!(
                d.history.windows(2).all(|w| w[0].at < w[1].at),
                "{}",
                d.code
            );
            assert!(
                d.history
                    .iter()
                    .all(|c| super::super::vietnam_date(c.at) < today),
                "{}",
                d.code
            );
        }
    }
}
