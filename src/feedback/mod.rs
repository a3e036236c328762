//! What visitors say about the service (docs/feedback.md): a satisfaction rating with an optional
//! dossier, field and comment, and feedback that staff answer. Both are parsed here from what the
//! visitor typed, kept in the outbox and delivered like dossiers; the answer is read back with the
//! reference the visitor took away.

mod answer;
mod input;

pub use answer::{Lookup, look_up};
pub use input::{FeedbackInput, FeedbackProblem, RatingInput};
