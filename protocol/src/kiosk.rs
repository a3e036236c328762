//! How a kiosk gets and uses its credential.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/kiosks/enroll`: the one-time code from `motcua-central kiosk add NAME`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    pub code: String,
}

/// The kiosk's credential, sent as `Authorization: Bearer <credential>` on every kiosk request.
/// Shown once; the server keeps only its hash.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnrollResponse {
    pub kiosk_name: String,
    pub credential: String,
}

impl std::fmt::Debug for EnrollResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollResponse")
            .field("kiosk_name", &self.kiosk_name)
            .finish_non_exhaustive()
    }
}
