//! Reading the answer to a feedback with its reference: from the central server, or from the
//! kiosk's own outbox while the feedback is still waiting to be sent.

use motcua_protocol::{FeedbackReference, FeedbackView};

use crate::status::{StatusClient, StatusError};

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Box<FeedbackView>),
    /// Confirmed on this kiosk and not delivered yet.
    Waiting,
    NotFound,
}

/// The server's answer; when it does not know the reference, or cannot be reached, and this
/// kiosk still holds the feedback: "waiting to be sent".
pub async fn look_up(
    client: &StatusClient,
    reference: &FeedbackReference,
    waiting_here: bool,
) -> Result<Lookup, StatusError> {
    match client.feedback(reference).await {
        Ok(view) => Ok(Lookup::Found(Box::new(view))),
        Err(_) if waiting_here => Ok(Lookup::Waiting),
        Err(StatusError::NotFound) => Ok(Lookup::NotFound),
        Err(e) => Err(e),
    }
}
