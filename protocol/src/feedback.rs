//! What visitors say about the service: a satisfaction rating ("Đánh giá mức độ hài lòng") and
//! feedback ("Phản ánh, kiến nghị") that staff answer.
//!
//! Both are confirmed on the kiosk, kept in its outbox and delivered like dossiers, once, under
//! an idempotency key:
//! - `PUT /api/v1/ratings/{key}` with a [`RatingManifest`] → [`RatingReceipt`];
//! - `PUT /api/v1/feedback/{key}` with a [`FeedbackManifest`] → [`FeedbackReceipt`].
//!
//! The feedback's [`FeedbackReference`] is drawn on the kiosk, so the visitor leaves with it even
//! while the server is unreachable; with it anyone can read the answer
//! (`GET /api/v1/feedback/{reference}`, or the page `/phan-anh/{reference}`).
//!
//! Free text is a [`VisitorText`]: control and bidirectional-override characters are removed and
//! the length is limited when it is parsed, on the kiosk and again on the server. Markup is not
//! removed but never interpreted: every page escapes it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;

use crate::{DossierCode, PhoneNumber};

/// The three faces.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    VerySatisfied,
    Satisfied,
    Dissatisfied,
}

impl Satisfaction {
    pub const ALL: [Self; 3] = [Self::VerySatisfied, Self::Satisfied, Self::Dissatisfied];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerySatisfied => "very_satisfied",
            Self::Satisfied => "satisfied",
            Self::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::VerySatisfied => "Rất hài lòng",
            Self::Satisfied => "Hài lòng",
            Self::Dissatisfied => "Không hài lòng",
        }
    }
}

/// What the feedback is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackTopic {
    /// Thái độ phục vụ
    StaffConduct,
    /// Thời gian giải quyết
    ProcessingTime,
    /// Thủ tục, giấy tờ
    Procedures,
    /// Cơ sở vật chất
    Facilities,
    /// Khác
    Other,
}

impl FeedbackTopic {
    pub const ALL: [Self; 5] = [
        Self::StaffConduct,
        Self::ProcessingTime,
        Self::Procedures,
        Self::Facilities,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StaffConduct => "staff_conduct",
            Self::ProcessingTime => "processing_time",
            Self::Procedures => "procedures",
            Self::Facilities => "facilities",
            Self::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Self::StaffConduct => "Thái độ phục vụ",
            Self::ProcessingTime => "Thời gian giải quyết",
            Self::Procedures => "Thủ tục, giấy tờ",
            Self::Facilities => "Cơ sở vật chất",
            Self::Other => "Khác",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Self::StaffConduct => "Staff conduct",
            Self::ProcessingTime => "Processing time",
            Self::Procedures => "Procedures and papers",
            Self::Facilities => "Facilities",
            Self::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitorTextError {
    #[error("the text is empty")]
    Empty,
    #[error("the text is {found} characters long; at most {max} are allowed")]
    TooLong { max: usize, found: usize },
}

/// Whether `c` is removed from visitor text: control characters (newline and tab aside) and the
/// invisible bidirectional controls that can make a text read differently from what it says.
fn is_neutralised(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Free text a visitor or staff member typed, cleaned and limited: at most `MAX` characters
/// after control characters are removed and the ends trimmed; never empty.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct VisitorText<const MAX: usize>(String);

impl<const MAX: usize> fmt::Debug for VisitorText<MAX> {
    // Comments and feedback can name people; they stay out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VisitorText({} chars)", self.0.chars().count())
    }
}

impl<const MAX: usize> VisitorText<MAX> {
    pub const MAX_CHARS: usize = MAX;

    pub fn parse(text: &str) -> Result<Self, VisitorTextError> {
        let cleaned: String = text
            .replace("\r\n", "\n")
            .chars()
            .filter(|&c| !is_neutralised(c))
            .collect();
        let cleaned = cleaned.trim();
        let found = cleaned.chars().count();
        if found == 0 {
            Err(VisitorTextError::Empty)
        } else if found > MAX {
            Err(VisitorTextError::TooLong { max: MAX, found })
        } else {
            Ok(Self(cleaned.to_owned()))
        }
    }

    /// `None` for blank text; a present but too long text is still an error.
    pub fn parse_optional(text: &str) -> Result<Option<Self>, VisitorTextError> {
        match Self::parse(text) {
            Err(VisitorTextError::Empty) => Ok(None),
            other => other.map(Some),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> From<VisitorText<MAX>> for String {
    fn from(value: VisitorText<MAX>) -> Self {
        value.0
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for VisitorText<MAX> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl<const MAX: usize> utoipa::PartialSchema for VisitorText<MAX> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX))
            .description(Some(
                "Free text; control characters are removed and the ends trimmed before the \
                 length is checked",
            ))
            .into()
    }
}

impl<const MAX: usize> utoipa::ToSchema for VisitorText<MAX> {}

/// A rating's optional comment.
pub type Comment = VisitorText<500>;
/// The body of a feedback.
pub type FeedbackText = VisitorText<2000>;
/// Staff's answer to a feedback.
pub type AnswerText = VisitorText<4000>;
/// The field or counter a rating is about.
pub type ServicePoint = VisitorText<120>;

/// The reference a visitor keeps to read the answer to their feedback: `PA-` and 12 digits in
/// groups of four, drawn at random on the kiosk (about 40 bits; lookups are rate limited). Digits
/// only, so it is typed on the kiosk's number pad and read out over the phone.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "PA-4821-0937-5512", pattern = r"^PA-[0-9]{4}-[0-9]{4}-[0-9]{4}$")]
pub struct FeedbackReference(String);

impl fmt::Debug for FeedbackReference {
    // The reference opens the feedback's text and answer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FeedbackReference(…)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed feedback reference: expected PA followed by 12 digits, like PA-4821-0937-5512")]
pub struct FeedbackReferenceError;

impl FeedbackReference {
    const DIGITS: usize = 12;

    /// Accepts the reference as printed, or typed without `PA`, dashes or spaces.
    pub fn parse(text: &str) -> Result<Self, FeedbackReferenceError> {
        let compact: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        let digits = compact.strip_prefix("PA").unwrap_or(&compact);
        if digits.len() == Self::DIGITS && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(format!(
                "PA-{}-{}-{}",
                &digits[0..4],
                &digits[4..8],
                &digits[8..12]
            )))
        } else {
            Err(FeedbackReferenceError)
        }
    }

    /// A reference from 8 random bytes (the caller supplies them from a CSPRNG).
    pub fn from_random_bytes(bytes: [u8; 8]) -> Self {
        let number = u64::from_be_bytes(bytes) % 1_000_000_000_000;
        let digits = format!("{number:012}");
        Self(format!(
            "PA-{}-{}-{}",
            &digits[0..4],
            &digits[4..8],
            &digits[8..12]
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FeedbackReference {
    type Error = FeedbackReferenceError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FeedbackReference> for String {
    fn from(value: FeedbackReference) -> Self {
        value.0
    }
}

impl fmt::Display for FeedbackReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The public page of a feedback: `PREFIX` + the reference.
pub const FEEDBACK_PAGE_PREFIX: &str = "/phan-anh/";

pub fn feedback_url(public_base: &str, reference: &FeedbackReference) -> String {
    format!(
        "{}{FEEDBACK_PAGE_PREFIX}{}",
        public_base.trim_end_matches('/'),
        reference.as_str()
    )
}

/// A visitor's rating, as the kiosk delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingManifest {
    pub satisfaction: Satisfaction,
    /// The dossier the visitor was served for, from their receipt's QR code or typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dossier_code: Option<DossierCode>,
    /// The field or counter that served them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 120)]
    pub service_point: Option<ServicePoint>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub comment: Option<Comment>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub rated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingReceipt {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
}

/// A visitor's feedback, as the kiosk delivers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackManifest {
    pub reference: FeedbackReference,
    pub topic: FeedbackTopic,
    #[schema(value_type = String, max_length = 2000)]
    pub text: FeedbackText,
    /// For a reply by phone; never shown on the public page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackReceipt {
    pub reference: FeedbackReference,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
}

/// Staff's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackAnswer {
    #[schema(value_type = String, max_length = 4000)]
    pub text: AnswerText,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub answered_at: OffsetDateTime,
}

/// A feedback as whoever holds its reference sees it: no phone number, no kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackView {
    pub reference: FeedbackReference,
    pub topic: FeedbackTopic,
    #[schema(value_type = String)]
    pub text: FeedbackText,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: OffsetDateTime,
    pub answer: Option<FeedbackAnswer>,
}

/// How many of each face.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingCounts {
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
}

impl RatingCounts {
    pub fn add(&mut self, satisfaction: Satisfaction, count: u64) {
        match satisfaction {
            Satisfaction::VerySatisfied => self.very_satisfied += count,
            Satisfaction::Satisfied => self.satisfied += count,
            Satisfaction::Dissatisfied => self.dissatisfied += count,
        }
    }

    pub fn total(&self) -> u64 {
        self.very_satisfied + self.satisfied + self.dissatisfied
    }

    /// Share of ratings that are "very satisfied" or "satisfied", in percent; `None` without any.
    pub fn satisfied_percent(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| (self.very_satisfied + self.satisfied) as f64 * 100.0 / total as f64)
    }
}

/// The ratings of one month, field or kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingGroup {
    /// `2026-11` for a month; the field (or "Không nêu" when none was given) or the kiosk's name.
    pub key: String,
    pub counts: RatingCounts,
}

/// Ratings per month (Vietnam calendar months, newest first), and per field and per kiosk over
/// the same months.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RatingStatistics {
    pub months: Vec<RatingGroup>,
    pub fields: Vec<RatingGroup>,
    pub kiosks: Vec<RatingGroup>,
    pub total: RatingCounts,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_removed_before_the_limit() {
        let text = VisitorText::<10>::parse("  a\u{1b}[31mb\u{202E}c\r\nd\u{0}  ").unwrap();
        assert_eq!(text.as_str(), "a[31mbc\nd");
        // Ten characters once cleaned, though more were typed.
        assert!(VisitorText::<10>::parse("\u{7}0123456789\u{7}").is_ok());
        assert_eq!(
            VisitorText::<10>::parse("01234567890"),
            Err(VisitorTextError::TooLong { max: 10, found: 11 })
        );
        assert_eq!(
            VisitorText::<10>::parse(" \u{1b}\n "),
            Err(VisitorTextError::Empty)
        );
        assert_eq!(VisitorText::<10>::parse_optional("  "), Ok(None));
        // Vietnamese counts in characters, not bytes.
        assert!(VisitorText::<10>::parse("Rất hài lòng").is_err());
        assert!(VisitorText::<12>::parse("Rất hài lòng").is_ok());
    }

    #[test]
    fn too_long_text_is_refused_when_deserialized() {
        let long = "x".repeat(501);
        let json = format!(
            r#"{{"satisfaction":"satisfied","comment":"{long}","rated_at":"2026-11-22T09:00:00+07:00"}}"#
        );
        let error = serde_json::from_str::<RatingManifest>(&json).unwrap_err();
        assert!(error.to_string().contains("at most 500"), "{error}");
    }

    #[test]
    fn references_parse_as_typed_and_print_in_groups() {
        let reference = FeedbackReference::parse("pa 4821 0937-5512").unwrap();
        assert_eq!(reference.as_str(), "PA-4821-0937-5512");
        assert_eq!(FeedbackReference::parse("482109375512").unwrap(), reference);
        assert!(FeedbackReference::parse("PA-4821-0937-551").is_err());
        assert!(FeedbackReference::parse("PA-4821-0937-551X").is_err());
        let drawn = FeedbackReference::from_random_bytes([0xff; 8]);
        assert_eq!(FeedbackReference::parse(drawn.as_str()), Ok(drawn.clone()));
        assert_ne!(drawn, FeedbackReference::from_random_bytes([1; 8]));
        assert_eq!(format!("{drawn:?}"), "FeedbackReference(…)");
    }

    #[test]
    fn counts_add_up() {
        let mut counts = RatingCounts::default();
        assert_eq!(counts.satisfied_percent(), None);
        counts.add(Satisfaction::VerySatisfied, 2);
        counts.add(Satisfaction::Satisfied, 1);
        counts.add(Satisfaction::Dissatisfied, 1);
        assert_eq!(counts.total(), 4);
        assert_eq!(counts.satisfied_percent(), Some(75.0));
    }

    #[test]
    fn names_round_trip() {
        for s in Satisfaction::ALL {
            assert_eq!(Satisfaction::parse(s.as_str()), Some(s));
        }
        for t in FeedbackTopic::ALL {
            assert_eq!(FeedbackTopic::parse(t.as_str()), Some(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
        }
    }
}
