use std::fmt;

use serde::{Deserialize, Serialize};

/// A procedure code as published on the national portal: one digit, a dot, six digits (`1.004222`).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "1.004222", pattern = r"^\d\.\d{6}$")]
pub struct ProcedureCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed procedure code {0:?}: expected one digit, a dot and six digits, like 1.004222")]
pub struct ProcedureCodeError(pub String);

impl ProcedureCode {
    pub fn parse(text: &str) -> Result<Self, ProcedureCodeError> {
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == 8
            && bytes[0].is_ascii_digit()
            && bytes[1] == b'.'
            && bytes[2..].iter().all(u8::is_ascii_digit);
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(ProcedureCodeError(text.chars().take(40).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six digits after the dot, which is what people usually remember of a code.
    pub fn serial(&self) -> &str {
        &self.0[2..]
    }
}

impl TryFrom<String> for ProcedureCode {
    type Error = ProcedureCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ProcedureCode> for String {
    fn from(code: ProcedureCode) -> Self {
        code.0
    }
}

impl fmt::Display for ProcedureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes_and_rejects_lookalikes() {
        assert_eq!(ProcedureCode::parse("1.004222").unwrap().serial(), "004222");
        for bad in [
            "",
            "1.00422",
            "1.0042222",
            "1,004222",
            "a.004222",
            "10.04222",
            " 1.004222",
            "1.00422x",
        ] {
            assert!(
                ProcedureCode::parse(bad).is_err(),
                "{bad:?} must be rejected"
            );
        }
    }
}
