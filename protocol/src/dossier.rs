//! Dossiers (hồ sơ) as both sides see them: the dossier code, the national status lifecycle, the
//! status token behind a receipt's QR code, and what a status lookup returns.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::ProcedureCode;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// A dossier code as one-stop systems issue it: `<agency id>-<yyyymmdd>-<sequence>`, e.g.
/// `G09.20-20260609-0092637`. Sequential and guessable: never the only secret behind a public page.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "G09.20-20260609-0092637",
    pattern = r"^[A-Z0-9][A-Z0-9.]{0,19}-[2-9][0-9]{3}(?:(?:0[13578]|1[02])(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)(?:0[1-9]|[12][0-9]|30)|02(?:0[1-9]|1[0-9]|2[0-9]))-[0-9]{1,10}$")]
pub struct DossierCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "malformed dossier code {0:?}: expected agency-yyyymmdd-number, like G09.20-20260609-0092637"
)]
pub struct DossierCodeError(pub String);

impl DossierCode {
    /// Accepts surrounding spaces and lower-case letters (people type codes), stores the canonical
    /// upper-case form. The date part must be a real calendar date.
    pub fn parse(text: &str) -> Result<Self, DossierCodeError> {
        let error = || DossierCodeError(text.chars().take(40).collect());
        let canonical = text.trim().to_ascii_uppercase();
        let mut parts = canonical.rsplitn(3, '-');
        let (Some(sequence), Some(date), Some(agency)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(error());
        };
        let agency_ok = (1..=20).contains(&agency.len())
            && agency.starts_with(|c: char| c.is_ascii_alphanumeric())
            && agency
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.');
        let sequence_ok =
            (1..=10).contains(&sequence.len()) && sequence.bytes().all(|b| b.is_ascii_digit());
        if agency_ok && sequence_ok && parse_compact_date(date).is_some() {
            Ok(Self(canonical))
        } else {
            Err(error())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The day the code was issued, from its middle part.
    pub fn date(&self) -> Option<Date> {
        self.0.split('-').rev().nth(1).and_then(parse_compact_date)
    }

    /// The code with its date and all but the last four digits of its number hidden, for public
    /// pages: `G09.20-********-***2637`.
    pub fn masked(&self) -> String {
        let mut parts = self.0.rsplitn(3, '-');
        let sequence = parts.next().unwrap_or_default();
        let _date = parts.next();
        let agency = parts.next().unwrap_or_default();
        let keep = sequence.len().min(4);
        let hidden = sequence.len() - keep;
        format!(
            "{agency}-********-{}{}",
            "*".repeat(hidden),
            &sequence[hidden..]
        )
    }
}

fn parse_compact_date(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[0..4].parse().ok()?;
    let month: u8 = text[4..6].parse().ok()?;
    let day: u8 = text[6..8].parse().ok()?;
    let month = time::Month::try_from(month).ok()?;
    Date::from_calendar_date(year, month, day)
        .ok()
        .filter(|d| d.year() >= 2000)
}

impl TryFrom<String> for DossierCode {
    type Error = DossierCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<DossierCode> for String {
    fn from(code: DossierCode) -> Self {
        code.0
    }
}

impl fmt::Display for DossierCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The random secret in a receipt's QR code: 128 bits, as 22 characters of unpadded base64url.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "q3Jv0cX8b1mN2pQ4rS6tUw", pattern = r"^[A-Za-z0-9_-]{22}$")]
pub struct StatusToken(String);

impl fmt::Debug for StatusToken {
    // A token in a log line would be a key to the status page.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StatusToken(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed status token: expected 22 characters of A-Z, a-z, 0-9, '-' or '_'")]
pub struct StatusTokenError;

impl StatusToken {
    pub const LEN: usize = 22;

    pub fn parse(text: &str) -> Result<Self, StatusTokenError> {
        let well_formed = text.len() == Self::LEN
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(StatusTokenError)
        }
    }

    /// A token from 16 random bytes (the caller supplies them from a CSPRNG).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut bits: u128 = u128::from_be_bytes(bytes);
        let mut out = [0u8; Self::LEN];
        // 22 × 6 = 132 bits: the top 4 bits of the first character are always zero.
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(bits & 63) as usize];
            bits >>= 6;
        }
        Self(out.iter().map(|&b| b as char).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for StatusToken {
    type Error = StatusTokenError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<StatusToken> for String {
    fn from(token: StatusToken) -> Self {
        token.0
    }
}

/// The path of the public status page for a token, under the server's public base URL.
pub const STATUS_PAGE_PREFIX: &str = "/ho-so/";

/// The public status page's full address: what a receipt's QR code encodes.
pub fn status_url(public_base: &str, token: &StatusToken) -> String {
    format!(
        "{}{STATUS_PAGE_PREFIX}{}",
        public_base.trim_end_matches('/'),
        token.as_str()
    )
}

/// The national portal's dossier lifecycle (1–10). On the wire: the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum DossierStatus {
    /// 1 Mới đăng ký
    Registered,
    /// 2 Được tiếp nhận
    Accepted,
    /// 3 Không được tiếp nhận
    NotAccepted,
    /// 4 Đang xử lý
    Processing,
    /// 5 Yêu cầu bổ sung giấy tờ
    SupplementRequested,
    /// 6 Yêu cầu thực hiện nghĩa vụ tài chính
    PaymentRequested,
    /// 7 Công dân yêu cầu rút hồ sơ
    WithdrawalRequested,
    /// 8 Dừng xử lý
    Stopped,
    /// 9 Đã xử lý xong
    Resolved,
    /// 10 Đã trả kết quả
    Returned,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dossier status {0}: expected a number from 1 to 10")]
pub struct DossierStatusError(pub String);

impl DossierStatus {
    pub const ALL: [Self; 10] = [
        Self::Registered,
        Self::Accepted,
        Self::NotAccepted,
        Self::Processing,
        Self::SupplementRequested,
        Self::PaymentRequested,
        Self::WithdrawalRequested,
        Self::Stopped,
        Self::Resolved,
        Self::Returned,
    ];

    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn from_number(number: u8) -> Option<Self> {
        Self::ALL.get(usize::from(number).checked_sub(1)?).copied()
    }

    /// The national portal's own wording.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Registered => "Mới đăng ký",
            Self::Accepted => "Được tiếp nhận",
            Self::NotAccepted => "Không được tiếp nhận",
            Self::Processing => "Đang xử lý",
            Self::SupplementRequested => "Yêu cầu bổ sung giấy tờ",
            Self::PaymentRequested => "Yêu cầu thực hiện nghĩa vụ tài chính",
            Self::WithdrawalRequested => "Công dân yêu cầu rút hồ sơ",
            Self::Stopped => "Dừng xử lý",
            Self::Resolved => "Đã xử lý xong",
            Self::Returned => "Đã trả kết quả",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Registered => "Registered",
            Self::Accepted => "Accepted",
            Self::NotAccepted => "Not accepted",
            Self::Processing => "Being processed",
            Self::SupplementRequested => "More documents requested",
            Self::PaymentRequested => "Payment of fees requested",
            Self::WithdrawalRequested => "Withdrawal requested by the citizen",
            Self::Stopped => "Processing stopped",
            Self::Resolved => "Resolved",
            Self::Returned => "Result handed over",
        }
    }

    /// Resolved (9) or handed over (10): the dossier's result exists.
    pub fn is_resolved(self) -> bool {
        matches!(self, Self::Resolved | Self::Returned)
    }

    /// Not accepted, withdrawn or stopped: no result will come, and no deadline applies.
    pub fn is_closed_without_result(self) -> bool {
        matches!(
            self,
            Self::NotAccepted | Self::WithdrawalRequested | Self::Stopped
        )
    }
}

// utoipa cannot derive a schema for an enum sent as a number (`value_type` is for structs), so
// the schema is written out: an integer from 1 to 10.
impl utoipa::PartialSchema for DossierStatus {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        let meaning = Self::ALL
            .iter()
            .map(|s| format!("{} {}", s.number(), s.name_vi()))
            .collect::<Vec<_>>()
            .join(", ");
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Integer))
            .minimum(Some(1))
            .maximum(Some(10))
            .description(Some(format!(
                "The national portal's dossier status: {meaning}"
            )))
            .into()
    }
}

impl utoipa::ToSchema for DossierStatus {}

impl TryFrom<u8> for DossierStatus {
    type Error = DossierStatusError;
    fn try_from(value: u8) -> Result<Self, Self::Error> {
        Self::from_number(value).ok_or_else(|| DossierStatusError(value.to_string()))
    }
}

impl From<DossierStatus> for u8 {
    fn from(status: DossierStatus) -> Self {
        status.number()
    }
}

impl std::str::FromStr for DossierStatus {
    type Err = DossierStatusError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim()
            .parse::<u8>()
            .ok()
            .and_then(Self::from_number)
            .ok_or_else(|| DossierStatusError(text.chars().take(20).collect()))
    }
}

/// A dossier against its appointment date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    /// Resolved before the appointment date.
    Early,
    /// Resolved on the appointment date.
    OnTime,
    /// Resolved after the appointment date.
    Late,
    /// Still being handled, the appointment date not yet passed.
    InProgress,
    /// Still being handled, the appointment date passed.
    Overdue,
    /// Not accepted, withdrawn or stopped: no deadline applies.
    NotApplicable,
}

impl Timeliness {
    /// Judges a dossier: `resolved_on` is the day it first reached status 9 or 10.
    pub fn judge(status: DossierStatus, due: Date, resolved_on: Option<Date>, today: Date) -> Self {
        if status.is_closed_without_result() {
            return Self::NotApplicable;
        }
        match resolved_on {
            Some(day) if status.is_resolved() => match day.cmp(&due) {
                std::cmp::Ordering::Less => Self::Early,
                std::cmp::Ordering::Equal => Self::OnTime,
                std::cmp::Ordering::Greater => Self::Late,
            },
            _ if today > due => Self::Overdue,
            _ => Self::InProgress,
        }
    }
}

/// One step of a dossier's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    pub status: DossierStatus,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// What the office wrote, e.g. which paper is missing for status 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A dossier's status as a kiosk shows it (`GET /api/v1/dossiers/...`). Holds no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DossierView {
    pub code: DossierCode,
    pub procedure_code: ProcedureCode,
    /// From the catalog; empty when the procedure is no longer published.
    pub procedure_name: String,
    pub field: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    /// The appointment date for the result (ngày hẹn trả).
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    pub status: DossierStatus,
    pub timeliness: Timeliness,
    /// Oldest first.
    pub history: Vec<StatusChange>,
    /// The public status page, for a QR code phones open.
    pub status_url: String,
}

/// A status change pushed by a province's one-stop system
/// (`POST /api/v1/integration/status-events`). Sending the same `event_id` again has no further
/// effect; sending it with different content is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusEvent {
    /// Unique per event in the sending system; 1–100 printable ASCII characters.
    #[schema(pattern = r"^[!-~]{1,100}$")]
    pub event_id: String,
    pub dossier_code: DossierCode,
    pub status: DossierStatus,
    /// When the change happened; default: when the server receives it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<OffsetDateTime>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What the server did with a status event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventOutcome {
    Applied,
    /// This `event_id` was applied before; nothing changed.
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EventReceipt {
    pub outcome: EventOutcome,
    pub dossier: DossierView,
}

/// A dossier received at a one-stop desk, registered so its receipt can carry a status QR
/// (`PUT /api/v1/integration/dossiers/{code}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DossierRegistration {
    pub procedure_code: ProcedureCode,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub received_on: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub due_on: Date,
    /// Default 2 (accepted).
    #[serde(default)]
    pub status: Option<DossierStatus>,
}

/// Counts for one field in one month (`GET /api/v1/statistics`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ResolutionCounts {
    /// Dossiers received in the month.
    pub received: u64,
    /// Dossiers resolved in the month, by their appointment date.
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    /// Of those received in the month, how many are still being handled.
    pub in_progress: u64,
}

impl ResolutionCounts {
    pub fn resolved(&self) -> u64 {
        self.early + self.on_time + self.late
    }

    /// Share of resolved dossiers resolved early or on time, 0–100; `None` with nothing resolved.
    pub fn on_time_percent(&self) -> Option<f64> {
        let resolved = self.resolved();
        (resolved > 0).then(|| (self.early + self.on_time) as f64 * 100.0 / resolved as f64)
    }

    pub fn add(&mut self, other: &Self) {
        self.received += other.received;
        self.early += other.early;
        self.on_time += other.on_time;
        self.late += other.late;
        self.in_progress += other.in_progress;
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldStatistics {
    pub field: String,
    #[serde(flatten)]
    pub counts: ResolutionCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MonthStatistics {
    /// `yyyy-mm`.
    pub month: String,
    pub total: ResolutionCounts,
    pub fields: Vec<FieldStatistics>,
}

/// Resolution statistics, newest month first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Statistics {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub generated_at: OffsetDateTime,
    pub months: Vec<MonthStatistics>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    /// The pattern the OpenAPI document gives for a dossier code (API conformance checks hold
    /// the server to it) accepts exactly the canonical codes `parse` accepts, but 29 February of
    /// a year that has none.
    #[test]
    fn the_documented_pattern_is_what_parse_accepts() {
        let schema =
            serde_json::to_value(<DossierCode as utoipa::PartialSchema>::schema()).unwrap();
        let pattern = regex::Regex::new(schema["pattern"].as_str().unwrap()).unwrap();
        let mut checked = 0;
        for agency in [
            "G09.20",
            "0",
            "A.",
            ".A",
            "a1",
            "ABCDEFGHIJKLMNOPQRST",
            "ABCDEFGHIJKLMNOPQRSTU",
        ] {
            for year in [1999, 2000, 2023, 2024, 2100, 9999] {
                for month in 0..=13 {
                    for day in 0..=32 {
                        for sequence in ["1", "0092637", "1234567890", "12345678901", "", "12a"] {
                            let code = format!("{agency}-{year:04}{month:02}{day:02}-{sequence}");
                            let parsed =
                                DossierCode::parse(&code).is_ok_and(|c| c.as_str() == code);
                            let leap_day_of_common_year =
                                month == 2 && day == 29 && time::util::days_in_year(year) == 365;
                            if leap_day_of_common_year {
                                assert!(!parsed, "{code}");
                            } else {
                                assert_eq!(pattern.is_match(&code), parsed, "{code}");
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 7 * 6 * 14 * 33 * 6);
    }

    #[test]
    fn dossier_codes_parse_strictly() {
        let code = DossierCode::parse(" g09.20-20260609-0092637 ").unwrap();
        assert_eq!(code.as_str(), "G09.20-20260609-0092637");
        assert_eq!(code.date(), Some(date!(2026 - 06 - 09)));
        assert_eq!(code.masked(), "G09.20-********-***2637");
        assert_eq!(
            DossierCode::parse("H1-20261122-12").unwrap().masked(),
            "H1-********-12"
        );
        for bad in [
            "",
            "G09.20",
            "G09.20-20260609",
            "G09.20-20260231-0092637",
            "G09.20-2026069-0092637",
            "G09.20-20260609-",
            "-20260609-1",
            ".G09-20260609-1",
            "G09 20-20260609-1",
            "G09.20-20260609-12345678901",
            "G09.20-20260609-00926x7",
            "G09.20-19990609-1",
            "G09.20-20260609-1'; DROP TABLE dossiers; --",
            "https://example.com/G09.20-20260609-1",
        ] {
            assert!(DossierCode::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn tokens_are_22_url_safe_characters_carrying_128_bits() {
        let a = StatusToken::from_random_bytes([0; 16]);
        let b = StatusToken::from_random_bytes([255; 16]);
        assert_eq!(a.as_str(), "AAAAAAAAAAAAAAAAAAAAAA");
        assert_eq!(b.as_str(), "D_____________________");
        let mut one = [0u8; 16];
        one[15] = 1;
        assert_eq!(
            StatusToken::from_random_bytes(one).as_str(),
            "AAAAAAAAAAAAAAAAAAAAAB"
        );
        assert!(StatusToken::parse(a.as_str()).is_ok());
        for bad in [
            "",
            "short",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAA/AAAAAAAAAAA",
        ] {
            assert!(StatusToken::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(format!("{a:?}"), "StatusToken(…)");
        assert_eq!(
            status_url("https://dv.example/", &a),
            "https://dv.example/ho-so/AAAAAAAAAAAAAAAAAAAAAA"
        );
    }

    #[test]
    fn statuses_are_numbered_as_on_the_national_portal() {
        for (index, status) in DossierStatus::ALL.iter().enumerate() {
            assert_eq!(usize::from(status.number()), index + 1);
            assert_eq!(
                serde_json::to_string(status).unwrap(),
                (index + 1).to_string()
            );
        }
        assert_eq!("5".parse(), Ok(DossierStatus::SupplementRequested));
        assert!("0".parse::<DossierStatus>().is_err());
        assert!("11".parse::<DossierStatus>().is_err());
        assert!(serde_json::from_str::<DossierStatus>("11").is_err());
        assert_eq!(DossierStatus::Returned.name_vi(), "Đã trả kết quả");
    }

    #[test]
    fn timeliness_against_the_appointment_date() {
        let due = date!(2026 - 11 - 20);
        let judge = |status, resolved, today| Timeliness::judge(status, due, resolved, today);
        let before = Some(date!(2026 - 11 - 19));
        let after = Some(date!(2026 - 11 - 21));
        assert_eq!(
            judge(DossierStatus::Resolved, before, due),
            Timeliness::Early
        );
        assert_eq!(
            judge(DossierStatus::Returned, Some(due), due),
            Timeliness::OnTime
        );
        assert_eq!(judge(DossierStatus::Resolved, after, due), Timeliness::Late);
        assert_eq!(
            judge(DossierStatus::Processing, None, due),
            Timeliness::InProgress
        );
        assert_eq!(
            judge(DossierStatus::Processing, None, date!(2026 - 11 - 21)),
            Timeliness::Overdue
        );
        assert_eq!(
            judge(DossierStatus::Stopped, None, date!(2026 - 12 - 30)),
            Timeliness::NotApplicable
        );
    }

    #[test]
    fn on_time_rate() {
        let counts = ResolutionCounts {
            received: 10,
            early: 3,
            on_time: 5,
            late: 2,
            in_progress: 1,
        };
        assert_eq!(counts.on_time_percent(), Some(80.0));
        assert_eq!(ResolutionCounts::default().on_time_percent(), None);
    }
}
