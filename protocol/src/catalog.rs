use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::ProcedureCode;

/// The value of a catalog file's `format` field.
pub const CATALOG_FORMAT: &str = "motcua-catalog/1";

/// A whole catalog file (`docs/catalog-format.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CatalogFile {
    pub format: String,
    pub procedures: Vec<Procedure>,
}

impl CatalogFile {
    pub fn new(procedures: Vec<Procedure>) -> Self {
        Self {
            format: CATALOG_FORMAT.to_owned(),
            procedures,
        }
    }
}

/// How much of a procedure can be done online (mức độ dịch vụ công trực tuyến).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnlineLevel {
    /// Toàn trình: submitted and resolved entirely online.
    Full,
    /// Một phần: submitted online, some steps in person.
    Partial,
    /// Not available online.
    None,
}

impl OnlineLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Partial => "partial",
            Self::None => "none",
        }
    }
}

impl<'de> Deserialize<'de> for OnlineLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const EXPECTED: &str = "expected \"full\", \"partial\" or \"none\"";
        match Value::deserialize(deserializer)? {
            Value::String(text) => match text.as_str() {
                "full" => Ok(Self::Full),
                "partial" => Ok(Self::Partial),
                "none" => Ok(Self::None),
                other => Err(serde::de::Error::custom(format!(
                    "unknown online level {:?}: {EXPECTED}",
                    other.chars().take(40).collect::<String>()
                ))),
            },
            other => Err(serde::de::Error::custom(format!(
                "online level must be a string, not {other}: {EXPECTED}"
            ))),
        }
    }
}

/// An amount of money in Vietnamese đồng; never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[schema(value_type = u64)]
pub struct AmountVnd(pub u64);

impl AmountVnd {
    /// "8.000 đ" for Vietnamese readers, "8,000 VND" for English ones.
    pub fn format(self, english: bool) -> String {
        let digits = self.0.to_string();
        let separator = if english { ',' } else { '.' };
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(separator);
            }
            grouped.push(c);
        }
        if english {
            format!("{grouped} VND")
        } else {
            format!("{grouped} đ")
        }
    }
}

impl<'de> Deserialize<'de> for AmountVnd {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = i128::deserialize(deserializer)?;
        if raw < 0 {
            return Err(serde::de::Error::custom(format!(
                "negative fee amount {raw}"
            )));
        }
        u64::try_from(raw)
            .map(AmountVnd)
            .map_err(|_| serde::de::Error::custom(format!("fee amount {raw} is too large")))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Fee {
    pub name: String,
    pub amount_vnd: AmountVnd,
    #[serde(default)]
    pub note: String,
}

/// One entry of "thành phần hồ sơ".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RequiredDocument {
    pub name: String,
    #[serde(default)]
    pub originals: u32,
    #[serde(default)]
    pub copies: u32,
    /// Template to download; a path starting with `/` is relative to the central server.
    #[serde(default)]
    pub form_url: Option<String>,
    /// Whether a dossier is incomplete without it. Absent: see [`RequiredDocument::is_required`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

impl RequiredDocument {
    /// As published, a document that applies only in some cases says so in a parenthesis or at
    /// the start of its name ("(trường hợp …)", "(nếu …)", "Trường hợp …"), and one that is only
    /// shown at the desk says "(xuất trình)": neither is required to submit online. A "nếu" deeper
    /// in a parenthesis offers an alternative, not a condition. `required` in the catalog
    /// overrides this reading.
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or_else(|| {
            let name = self.name.to_lowercase();
            let conditional = ["(trường hợp", "(nếu", "(xuất trình", "trong trường hợp"]
                .iter()
                .any(|marker| name.contains(marker))
                || name.starts_with("trường hợp")
                || name.starts_with("nếu");
            !conditional
        })
    }
}

/// One administrative procedure record (thủ tục hành chính).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Procedure {
    pub code: ProcedureCode,
    pub name: String,
    pub field: String,
    pub agency: String,
    pub level: String,
    pub online: OnlineLevel,
    pub processing_time: String,
    pub fees: Vec<Fee>,
    pub steps: Vec<String>,
    pub documents: Vec<RequiredDocument>,
    pub requirements: String,
    pub result: String,
    pub legal_basis: Vec<String>,
    pub address: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Fields this version does not know yet; kept and passed on so a newer server does not
    /// break an older kiosk.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::{AmountVnd, RequiredDocument};

    #[test]
    fn conditional_and_shown_documents_are_not_required() {
        let doc = |name: &str, required| RequiredDocument {
            name: name.into(),
            originals: 1,
            copies: 0,
            form_url: None,
            required,
        };
        assert!(doc("Tờ khai đăng ký khai sinh theo mẫu", None).is_required());
        assert!(!doc("Văn bản ủy quyền (trường hợp ủy quyền)", None).is_required());
        assert!(!doc("Căn cước công dân (xuất trình)", None).is_required());
        assert!(!doc("Giấy chứng nhận kết hôn của cha, mẹ (nếu có)", None).is_required());
        assert!(doc("Giấy tờ (nếu có)", Some(true)).is_required());
        assert!(
            doc("Giấy chứng sinh (hoặc văn bản của người làm chứng; giấy cam đoan nếu không có người làm chứng)", None)
                .is_required(),
            "an alternative inside the parenthesis is not a condition"
        );
        assert!(!doc("Trường hợp ủy quyền: văn bản ủy quyền", None).is_required());
        assert!(!doc("Tờ khai", Some(false)).is_required());
    }

    #[test]
    fn money_in_each_language() {
        assert_eq!(AmountVnd(8000).format(false), "8.000 đ");
        assert_eq!(AmountVnd(1_250_000).format(true), "1,250,000 VND");
        assert_eq!(AmountVnd(0).format(false), "0 đ");
        assert_eq!(AmountVnd(100).format(false), "100 đ");
        assert_eq!(AmountVnd(100_000).format(false), "100.000 đ");
    }
}
