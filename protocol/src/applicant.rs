//! Who submits a dossier: parsed once at the edge (screen, CLI, HTTP), so everything past it holds
//! only valid values. Every error says precisely what is wrong; none repeats the personal data.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::Date;

/// Province codes of citizen IDs (Circular 07/2016/TT-BCA), in use before and after the 2025
/// merger of provinces: IDs keep the code of the province of birth registration.
const PROVINCE_CODES: [u16; 63] = [
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37,
    38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77,
    79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CitizenIdError {
    #[error("a citizen ID has exactly 12 digits")]
    Length,
    #[error("a citizen ID has only digits")]
    NotDigits,
    #[error("the first three digits are not a province code")]
    Province,
    #[error("the birth year in the ID does not match the birth date")]
    BirthYear,
}

/// Căn cước công dân: 12 digits = province (3) + century/gender (1) + birth year (2) + 6 digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "001089012345", pattern = r"^\d{12}$")]
pub struct CitizenId(String);

impl fmt::Debug for CitizenId {
    // Personal data stays out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CitizenId(…)")
    }
}

impl CitizenId {
    pub fn parse(text: &str) -> Result<Self, CitizenIdError> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(CitizenIdError::NotDigits);
        }
        if digits.len() != 12 {
            return Err(CitizenIdError::Length);
        }
        let province: u16 = digits[..3].parse().map_err(|_| CitizenIdError::NotDigits)?;
        if !PROVINCE_CODES.contains(&province) {
            return Err(CitizenIdError::Province);
        }
        Ok(Self(digits))
    }

    /// The birth year the ID encodes: century from the 4th digit (0/1 → 1900s, 2/3 → 2000s, …).
    pub fn birth_year(&self) -> i32 {
        let b = self.0.as_bytes();
        let century = i32::from(b[3] - b'0') / 2;
        let year = i32::from(b[4] - b'0') * 10 + i32::from(b[5] - b'0');
        1900 + century * 100 + year
    }

    /// Checks the ID against a birth date given separately.
    pub fn check_birth_date(&self, birth: Date) -> Result<(), CitizenIdError> {
        if self.birth_year() == birth.year() {
            Ok(())
        } else {
            Err(CitizenIdError::BirthYear)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CitizenId {
    type Error = CitizenIdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CitizenId> for String {
    fn from(id: CitizenId) -> Self {
        id.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error(
        "a mobile number is 10 digits starting with 03, 05, 07, 08 or 09 (or +84 and 9 digits)"
    )]
    Format,
}

/// A Vietnamese mobile number, stored as `0` + 9 digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "0912345678", pattern = r"^0[35789]\d{8}$")]
pub struct PhoneNumber(String);

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumber(…)")
    }
}

impl PhoneNumber {
    /// `^(0|\+84)(3|5|7|8|9)\d{8}$`, after dropping spaces, dots and dashes people type.
    pub fn parse(text: &str) -> Result<Self, PhoneError> {
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let national = if let Some(rest) = compact.strip_prefix("+84") {
            rest
        } else if let Some(rest) = compact.strip_prefix('0') {
            rest
        } else {
            return Err(PhoneError::Format);
        };
        let valid = national.len() == 9
            && national.bytes().all(|b| b.is_ascii_digit())
            && matches!(national.as_bytes()[0], b'3' | b'5' | b'7' | b'8' | b'9');
        if valid {
            Ok(Self(format!("0{national}")))
        } else {
            Err(PhoneError::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PhoneNumber> for String {
    fn from(phone: PhoneNumber) -> Self {
        phone.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextFieldError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long (at most {0} characters)")]
    TooLong(usize),
    #[error("contains characters that cannot be part of it")]
    Forbidden,
}

/// Free text a person types (name, address): NFC is the caller's job; here, length and no
/// control characters or markup brackets.
fn clean_text(text: &str, max: usize) -> Result<String, TextFieldError> {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err(TextFieldError::Empty);
    }
    if collapsed.chars().count() > max {
        return Err(TextFieldError::TooLong(max));
    }
    if collapsed
        .chars()
        .any(|c| c.is_control() || matches!(c, '<' | '>' | '{' | '}' | '\\'))
    {
        return Err(TextFieldError::Forbidden);
    }
    Ok(collapsed)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("an e-mail address looks like name@example.com")]
    Format,
}

/// An e-mail address, checked for shape only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "an@example.com")]
pub struct Email(String);

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(…)")
    }
}

impl Email {
    pub fn parse(text: &str) -> Result<Self, EmailError> {
        let text = text.trim();
        let (local, domain) = text.split_once('@').ok_or(EmailError::Format)?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && domain.len() <= 190
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && text
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '\\' | ','))
            && !domain.contains('@');
        if valid {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err(EmailError::Format)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// The applicant of a dossier, all fields valid and consistent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "ApplicantInput")]
pub struct Applicant {
    pub full_name: String,
    pub citizen_id: CitizenId,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub birth_date: Date,
    pub phone: PhoneNumber,
    pub address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
}

impl fmt::Debug for Applicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Applicant(…)")
    }
}

/// The applicant as typed, before parsing (the JSON a CLI user writes; the form's fields).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicantInput {
    pub full_name: String,
    pub citizen_id: String,
    /// `yyyy-mm-dd` or `dd/mm/yyyy`.
    pub birth_date: String,
    pub phone: String,
    pub address: String,
    #[serde(default)]
    pub email: Option<String>,
}

impl fmt::Debug for ApplicantInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApplicantInput(…)")
    }
}

/// Which field is wrong and why, for a message next to that field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicantError {
    #[error("full name {0}")]
    FullName(TextFieldError),
    #[error("citizen ID: {0}")]
    CitizenId(CitizenIdError),
    #[error("birth date: write it as dd/mm/yyyy, a real date in the past")]
    BirthDate,
    #[error("phone: {0}")]
    Phone(PhoneError),
    #[error("address {0}")]
    Address(TextFieldError),
    #[error("e-mail: {0}")]
    Email(EmailError),
}

/// `dd/mm/yyyy` (as people write it) or `yyyy-mm-dd`.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let (day, month, year) = if let Some((y, rest)) = text.split_once('-') {
        let (m, d) = rest.split_once('-')?;
        (d, m, y)
    } else {
        let mut parts = text.split('/');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        (d, m, y)
    };
    if year.len() != 4 || day.is_empty() || day.len() > 2 || month.is_empty() || month.len() > 2 {
        return None;
    }
    let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

impl ApplicantInput {
    /// Every field's problem, in form order; empty when the input is valid.
    pub fn problems(&self, today: Date) -> Vec<ApplicantError> {
        match self.parse(today) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    }

    pub fn parse(&self, today: Date) -> Result<Applicant, Vec<ApplicantError>> {
        let mut problems = Vec::new();
        let full_name = clean_text(&self.full_name, 100)
            .map_err(|e| problems.push(ApplicantError::FullName(e)))
            .ok();
        let citizen_id = CitizenId::parse(&self.citizen_id)
            .map_err(|e| problems.push(ApplicantError::CitizenId(e)))
            .ok();
        let birth_date = parse_date(&self.birth_date)
            .filter(|d| *d <= today && d.year() >= 1900)
            .or_else(|| {
                problems.push(ApplicantError::BirthDate);
                None
            });
        if let (Some(id), Some(birth)) = (&citizen_id, birth_date)
            && let Err(e) = id.check_birth_date(birth)
        {
            problems.push(ApplicantError::CitizenId(e));
        }
        let phone = PhoneNumber::parse(&self.phone)
            .map_err(|e| problems.push(ApplicantError::Phone(e)))
            .ok();
        let address = clean_text(&self.address, 300)
            .map_err(|e| problems.push(ApplicantError::Address(e)))
            .ok();
        let email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            None => None,
            Some(text) => match Email::parse(text) {
                Ok(email) => Some(email),
                Err(e) => {
                    problems.push(ApplicantError::Email(e));
                    None
                }
            },
        };
        match (full_name, citizen_id, birth_date, phone, address) {
            (Some(full_name), Some(citizen_id), Some(birth_date), Some(phone), Some(address))
                if problems.is_empty() =>
            {
                Ok(Applicant {
                    full_name,
                    citizen_id,
                    birth_date,
                    phone,
                    address,
                    email,
                })
            }
            _ => Err(problems),
        }
    }
}

impl TryFrom<ApplicantInput> for Applicant {
    type Error = String;
    fn try_from(input: ApplicantInput) -> Result<Self, Self::Error> {
        // Wire data: judged against the far future so a kiosk's clock skew never refuses it.
        let far =
            Date::from_calendar_date(9999, time::Month::December, 31).map_err(|e| e.to_string())?;
        input.parse(far).map_err(|problems| {
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

impl From<&Applicant> for ApplicantInput {
    fn from(a: &Applicant) -> Self {
        Self {
            full_name: a.full_name.clone(),
            citizen_id: a.citizen_id.as_str().to_owned(),
            birth_date: format!(
                "{:04}-{:02}-{:02}",
                a.birth_date.year(),
                u8::from(a.birth_date.month()),
                a.birth_date.day()
            ),
            phone: a.phone.as_str().to_owned(),
            address: a.address.clone(),
            email: a.email.as_ref().map(|e| e.as_str().to_owned()),
        }
    }
}

/// The fields the QR code on the front of a CCCD card carries:
/// `ID|old ID|full name|ddmmyyyy|gender|address|ddmmyyyy (issued)`.
#[derive(Clone, PartialEq, Eq)]
pub struct CitizenCard {
    pub citizen_id: CitizenId,
    pub full_name: String,
    pub birth_date: Option<Date>,
    pub address: String,
}

impl fmt::Debug for CitizenCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CitizenCard(…)")
    }
}

impl CitizenCard {
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.trim().split('|').collect();
        if !(6..=8).contains(&parts.len()) {
            return None;
        }
        let citizen_id = CitizenId::parse(parts[0]).ok()?;
        let birth = parts[3];
        // Digits only: slicing 8 bytes of other text at 2 and 4 could cut a character.
        let birth_date = (birth.len() == 8 && birth.bytes().all(|b| b.is_ascii_digit()))
            .then(|| {
                parse_date(&format!(
                    "{}/{}/{}",
                    &birth[0..2],
                    &birth[2..4],
                    &birth[4..8]
                ))
            })
            .flatten();
        Some(Self {
            citizen_id,
            full_name: clean_text(parts[2], 100).ok()?,
            birth_date,
            address: clean_text(parts[5], 300).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn citizen_ids() {
        let id = CitizenId::parse("001 089 012345").unwrap();
        assert_eq!(id.as_str(), "001089012345");
        assert_eq!(id.birth_year(), 1989);
        assert_eq!(CitizenId::parse("079203001234").unwrap().birth_year(), 2003);
        assert_eq!(CitizenId::parse("00108901234"), Err(CitizenIdError::Length));
        assert_eq!(
            CitizenId::parse("0010890123456"),
            Err(CitizenIdError::Length)
        );
        assert_eq!(
            CitizenId::parse("00108901234a"),
            Err(CitizenIdError::NotDigits)
        );
        assert_eq!(
            CitizenId::parse("003089012345"),
            Err(CitizenIdError::Province)
        );
        assert_eq!(
            CitizenId::parse("097089012345"),
            Err(CitizenIdError::Province)
        );
        assert_eq!(
            id.check_birth_date(date!(1990 - 01 - 01)),
            Err(CitizenIdError::BirthYear)
        );
        assert_eq!(format!("{id:?}"), "CitizenId(…)");
    }

    #[test]
    fn phones() {
        for ok in [
            "0912345678",
            "+84912345678",
            "091 234 5678",
            "0386.123.456",
            "0585-123-456",
        ] {
            assert!(PhoneNumber::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            PhoneNumber::parse("+84912345678").unwrap().as_str(),
            "0912345678"
        );
        for bad in [
            "0212345678",
            "091234567",
            "09123456789",
            "84912345678",
            "09123456a8",
            "",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    fn input() -> ApplicantInput {
        ApplicantInput {
            full_name: "  Nguyễn   Văn An ".into(),
            citizen_id: "001089012345".into(),
            birth_date: "15/03/1989".into(),
            phone: "0912345678".into(),
            address: "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội".into(),
            email: Some(" ".into()),
        }
    }

    #[test]
    fn applicant_is_parsed_whole_or_every_problem_is_named() {
        let today = date!(2026 - 11 - 22);
        let applicant = input().parse(today).unwrap();
        assert_eq!(applicant.full_name, "Nguyễn Văn An");
        assert_eq!(applicant.birth_date, date!(1989 - 03 - 15));
        assert_eq!(applicant.email, None);
        let bad = ApplicantInput {
            full_name: "<script>".into(),
            citizen_id: "001089012345".into(),
            birth_date: "31/02/1989".into(),
            phone: "123".into(),
            address: "".into(),
            email: Some("not-an-email".into()),
        };
        assert_eq!(
            bad.problems(today),
            vec![
                ApplicantError::FullName(TextFieldError::Forbidden),
                ApplicantError::BirthDate,
                ApplicantError::Phone(PhoneError::Format),
                ApplicantError::Address(TextFieldError::Empty),
                ApplicantError::Email(EmailError::Format),
            ]
        );
        let mismatch = ApplicantInput {
            birth_date: "15/03/1990".into(),
            ..input()
        };
        assert_eq!(
            mismatch.problems(today),
            vec![ApplicantError::CitizenId(CitizenIdError::BirthYear)]
        );
        let future = ApplicantInput {
            birth_date: "2027-01-01".into(),
            ..input()
        };
        assert_eq!(future.problems(today), vec![ApplicantError::BirthDate]);
        // On the wire: the same rules, and no personal data in Debug output.
        let json = serde_json::to_string(&applicant).unwrap();
        let back: Applicant = serde_json::from_str(&json).unwrap();
        assert_eq!(back, applicant);
        assert_eq!(format!("{back:?}"), "Applicant(…)");
        let wrong = json.replace("0912345678", "12345");
        assert!(serde_json::from_str::<Applicant>(&wrong).is_err());
    }

    #[test]
    fn citizen_card_qr() {
        let card = CitizenCard::parse(
            "001089012345|123456789|Nguyễn Văn An|15031989|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021",
        )
        .unwrap();
        assert_eq!(card.full_name, "Nguyễn Văn An");
        assert_eq!(card.birth_date, Some(date!(1989 - 03 - 15)));
        assert_eq!(card.address, "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội");
        assert!(CitizenCard::parse("001089012345|x").is_none());
        assert!(CitizenCard::parse("abc|1|2|3|4|5|6").is_none());
    }

    /// Found by fuzzing (fuzz/corpus/scan/crash-cccd-birth-date-not-ascii): a birth date of 8
    /// bytes that are not 8 digits used to be sliced at bytes 2 and 4, inside 'ầ', and panicked.
    #[test]
    fn citizen_card_qr_with_a_birth_date_that_is_not_digits() {
        let card = CitizenCard::parse("079190004321|272727272|T|ầnNữ|12 ợi, phường Binh|15082020")
            .unwrap();
        assert_eq!(card.full_name, "T");
        assert_eq!(card.birth_date, None);
        assert!(
            CitizenCard::parse("001089012345|1|An|1503198x|Nam|Huế|1")
                .unwrap()
                .birth_date
                .is_none()
        );
    }
}
