//! From what the visitor typed and touched to a manifest the outbox can keep, or the reasons it
//! cannot be one yet.

use motcua_protocol::{
    Comment, DossierCode, FeedbackManifest, FeedbackReference, FeedbackText, FeedbackTopic,
    PhoneNumber, RatingManifest, Satisfaction, ServicePoint, VisitorTextError,
};
use time::OffsetDateTime;

/// Why the visitor's input cannot be sent yet; each has its own explanation on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackProblem {
    NoFace,
    BadDossierCode,
    CommentTooLong { max: usize },
    NoTopic,
    NoText,
    TextTooLong { max: usize },
    BadPhone,
}

#[derive(Default, Clone, PartialEq, Eq)]
pub struct RatingInput {
    pub face: Option<Satisfaction>,
    pub dossier_code: String,
    pub service_point: Option<String>,
    pub comment: String,
}

impl RatingInput {
    pub fn parse(&self, now: OffsetDateTime) -> Result<RatingManifest, Vec<FeedbackProblem>> {
        let mut problems = Vec::new();
        if self.face.is_none() {
            problems.push(FeedbackProblem::NoFace);
        }
        let code = self.dossier_code.trim();
        let dossier_code = if code.is_empty() {
            None
        } else {
            DossierCode::parse(code)
                .map_err(|_| problems.push(FeedbackProblem::BadDossierCode))
                .ok()
        };
        let comment = Comment::parse_optional(&self.comment).unwrap_or_else(|e| {
            if let VisitorTextError::TooLong { max, .. } = e {
                problems.push(FeedbackProblem::CommentTooLong { max });
            }
            None
        });
        // The field comes from the catalog's own list; one that is somehow unusable is dropped.
        let service_point = self
            .service_point
            .as_deref()
            .and_then(|p| ServicePoint::parse(p).ok());
        match (self.face, problems.is_empty()) {
            (Some(satisfaction), true) => Ok(RatingManifest {
                satisfaction,
                dossier_code,
                service_point,
                comment,
                rated_at: now,
            }),
            _ => Err(problems),
        }
    }
}

#[derive(Default, Clone, PartialEq, Eq)]
pub struct FeedbackInput {
    pub topic: Option<FeedbackTopic>,
    pub text: String,
    pub phone: String,
}

impl FeedbackInput {
    /// The manifest under a fresh reference: the one the visitor is shown and may keep.
    pub fn parse(&self, now: OffsetDateTime) -> Result<FeedbackManifest, Vec<FeedbackProblem>> {
        let mut problems = Vec::new();
        if self.topic.is_none() {
            problems.push(FeedbackProblem::NoTopic);
        }
        let text = match FeedbackText::parse(&self.text) {
            Ok(text) => Some(text),
            Err(VisitorTextError::Empty) => {
                problems.push(FeedbackProblem::NoText);
                None
            }
            Err(VisitorTextError::TooLong { max, .. }) => {
                problems.push(FeedbackProblem::TextTooLong { max });
                None
            }
        };
        let phone = self.phone.trim();
        let phone = if phone.is_empty() {
            None
        } else {
            PhoneNumber::parse(phone)
                .map_err(|_| problems.push(FeedbackProblem::BadPhone))
                .ok()
        };
        match (self.topic, text, problems.is_empty()) {
            (Some(topic), Some(text), true) => Ok(FeedbackManifest {
                reference: FeedbackReference::from_random_bytes(rand::random()),
                topic,
                text,
                phone,
                submitted_at: now,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap()
    }

    #[test]
    fn a_rating_needs_a_face_and_nothing_else() {
        assert_eq!(
            RatingInput::default().parse(now()),
            Err(vec![FeedbackProblem::NoFace])
        );
        let rating = RatingInput {
            face: Some(Satisfaction::Satisfied),
            comment: "  \u{1b}  ".into(),
            ..Default::default()
        }
        .parse(now())
        .unwrap();
        assert_eq!(rating.satisfaction, Satisfaction::Satisfied);
        assert_eq!(rating.comment, None);
        assert_eq!(rating.dossier_code, None);
    }

    #[test]
    fn a_rating_explains_each_bad_part() {
        let input = RatingInput {
            face: None,
            dossier_code: "not a code".into(),
            service_point: Some("Hộ tịch".into()),
            comment: "x".repeat(501),
        };
        assert_eq!(
            input.parse(now()),
            Err(vec![
                FeedbackProblem::NoFace,
                FeedbackProblem::BadDossierCode,
                FeedbackProblem::CommentTooLong { max: 500 },
            ])
        );
        let rating = RatingInput {
            face: Some(Satisfaction::Dissatisfied),
            dossier_code: " G09.20-20260609-0092637 ".into(),
            ..input
        };
        let rating = RatingInput {
            comment: "Chờ lâu".into(),
            ..rating
        }
        .parse(now())
        .unwrap();
        assert_eq!(
            rating.dossier_code.unwrap().as_str(),
            "G09.20-20260609-0092637"
        );
        assert_eq!(rating.service_point.unwrap().as_str(), "Hộ tịch");
    }

    #[test]
    fn feedback_needs_a_topic_and_text_and_a_valid_phone_if_any() {
        assert_eq!(
            FeedbackInput {
                phone: "123".into(),
                ..Default::default()
            }
            .parse(now()),
            Err(vec![
                FeedbackProblem::NoTopic,
                FeedbackProblem::NoText,
                FeedbackProblem::BadPhone
            ])
        );
        assert_eq!(
            FeedbackInput {
                topic: Some(FeedbackTopic::Other),
                text: "y".repeat(2001),
                phone: String::new(),
            }
            .parse(now()),
            Err(vec![FeedbackProblem::TextTooLong { max: 2000 }])
        );
        let input = FeedbackInput {
            topic: Some(FeedbackTopic::Facilities),
            text: "Ghế chờ bị hỏng".into(),
            phone: "0912345678".into(),
        };
        let first = input.parse(now()).unwrap();
        let second = input.parse(now()).unwrap();
        assert_eq!(first.phone.unwrap().as_str(), "0912345678");
        // Each sending draws its own reference.
        assert_ne!(first.reference, second.reference);
    }
}
