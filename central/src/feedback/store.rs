//! Ratings and feedback in SQLite. One `FeedbackStore` owns one connection to the server's
//! database; the HTTP layer keeps it behind a mutex and calls it from blocking threads, the command
//! line opens its own.

use motcua_protocol::{
    AnswerText, ClientId, DossierCode, FeedbackAnswer, FeedbackManifest, FeedbackReceipt,
    FeedbackReference, FeedbackText, FeedbackTopic, FeedbackView, PhoneNumber, RatingManifest,
    RatingReceipt, Satisfaction, ServicePoint,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{OffsetDateTime, UtcOffset};

use super::FeedbackError;
use super::stats::RatingRow;

pub struct FeedbackStore {
    conn: Connection,
}

/// A feedback as staff see it: with the phone number to call back and the kiosk it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackItem {
    pub reference: FeedbackReference,
    /// The name of the kiosk it was left at.
    pub kiosk: String,
    pub topic: FeedbackTopic,
    #[schema(value_type = String)]
    pub text: FeedbackText,
    /// For a reply by phone, if the visitor left one.
    pub phone: Option<PhoneNumber>,
    /// The kiosk's time when the visitor confirmed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub submitted_at: OffsetDateTime,
    /// When the server received it.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub received_at: OffsetDateTime,
    pub answer: Option<FeedbackAnswer>,
    /// The staff account that wrote the answer, or "command line".
    pub answered_by: Option<String>,
}

impl FeedbackItem {
    /// What whoever holds the reference sees.
    pub fn public_view(&self) -> FeedbackView {
        FeedbackView {
            reference: self.reference.clone(),
            topic: self.topic,
            text: self.text.clone(),
            submitted_at: self.submitted_at,
            answer: self.answer.clone(),
        }
    }
}

/// What a `put_*` did: `created` is false when the key already held the identical content, and
/// the receipt is then the one first issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put<R> {
    pub created: bool,
    pub receipt: R,
}

fn at(unix: i64) -> Result<OffsetDateTime, FeedbackError> {
    OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| FeedbackError::Corrupt(format!("time {unix}")))
}

/// SHA-256 of the content as parsed and re-serialised: spacing, key order, how the phone was
/// written or the time zone of a time do not make a resend "different".
fn content_hash<T: Serialize>(value: &T) -> Result<[u8; 32], FeedbackError> {
    let json = serde_json::to_vec(value)
        .map_err(|e| FeedbackError::Corrupt(format!("content cannot be serialised: {e}")))?;
    Ok(Sha256::digest(&json).into())
}

fn kiosk_id(tx: &Transaction<'_>, kiosk: &str) -> Result<i64, FeedbackError> {
    tx.query_row("SELECT id FROM kiosks WHERE name = ?1", [kiosk], |r| {
        r.get(0)
    })
    .optional()?
    .ok_or_else(|| FeedbackError::UnknownKiosk(kiosk.to_owned()))
}

/// The hash and receipt time stored under a kiosk's key in `table`, if any.
fn stored_under(
    tx: &Transaction<'_>,
    table: &str,
    kiosk_id: i64,
    key: &ClientId,
) -> Result<Option<(Vec<u8>, i64)>, FeedbackError> {
    Ok(tx
        .query_row(
            &format!(
                "SELECT content_hash, received_at FROM {table}
                 WHERE kiosk_id = ?1 AND idempotency_key = ?2"
            ),
            params![kiosk_id, key.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

const ITEM_COLUMNS: &str = "f.reference, k.name, f.topic, f.text, f.phone, f.submitted_at,
     f.received_at, f.answer, f.answered_at, f.answered_by
     FROM feedback f JOIN kiosks k ON k.id = f.kiosk_id";

type RawItem = (
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn raw_item(r: &Row<'_>) -> rusqlite::Result<RawItem> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

/// A stored row, read back. Messages name the column, never its content.
fn item(raw: RawItem) -> Result<FeedbackItem, FeedbackError> {
    let (reference, kiosk, topic, text, phone, submitted, received, answer, answered, by) = raw;
    let corrupt = |what: &str| FeedbackError::Corrupt(format!("a stored {what} cannot be read"));
    let answer = match (answer, answered) {
        (Some(text), Some(answered_at)) => Some(FeedbackAnswer {
            text: AnswerText::parse(&text).map_err(|_| corrupt("answer"))?,
            answered_at: at(answered_at)?,
        }),
        _ => None,
    };
    Ok(FeedbackItem {
        reference: FeedbackReference::parse(&reference).map_err(|_| corrupt("reference"))?,
        kiosk,
        topic: FeedbackTopic::parse(&topic).ok_or_else(|| corrupt("topic"))?,
        text: FeedbackText::parse(&text).map_err(|_| corrupt("feedback text"))?,
        phone: phone
            .map(|p| PhoneNumber::parse(&p))
            .transpose()
            .map_err(|_| corrupt("phone number"))?,
        submitted_at: at(submitted)?,
        received_at: at(received)?,
        answer,
        answered_by: by,
    })
}

impl FeedbackStore {
    pub fn new(conn: Connection) -> Self {
        Self { conn }
    }

    /// Stores a rating under the kiosk's idempotency key, once. The same key again with the same
    /// rating changes nothing and gives the first receipt; with another rating it is refused.
    /// `admit` is asked only before something new is stored (the per-kiosk rate limit), so a
    /// resend is never refused by it.
    pub fn put_rating(
        &mut self,
        kiosk: &str,
        key: &ClientId,
        manifest: &RatingManifest,
        now: OffsetDateTime,
        admit: impl FnOnce() -> Result<(), FeedbackError>,
    ) -> Result<Put<RatingReceipt>, FeedbackError> {
        let mut normal = manifest.clone();
        normal.rated_at = normal.rated_at.to_offset(UtcOffset::UTC);
        let hash = content_hash(&normal)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kiosk_id = kiosk_id(&tx, kiosk)?;
        if let Some((stored, received_at)) = stored_under(&tx, "ratings", kiosk_id, key)? {
            return if stored == hash {
                Ok(Put {
                    created: false,
                    receipt: RatingReceipt {
                        received_at: at(received_at)?,
                    },
                })
            } else {
                Err(FeedbackError::ContentConflict("rating"))
            };
        }
        admit()?;
        let received_at = now.unix_timestamp();
        tx.execute(
            "INSERT INTO ratings (kiosk_id, idempotency_key, content_hash, satisfaction,
                 dossier_code, service_point, comment, rated_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                kiosk_id,
                key.as_str(),
                &hash[..],
                manifest.satisfaction.as_str(),
                manifest.dossier_code.as_ref().map(DossierCode::as_str),
                manifest.service_point.as_ref().map(ServicePoint::as_str),
                manifest.comment.as_ref().map(|c| c.as_str()),
                manifest.rated_at.unix_timestamp(),
                received_at,
            ],
        )?;
        tx.commit()?;
        Ok(Put {
            created: true,
            receipt: RatingReceipt {
                received_at: at(received_at)?,
            },
        })
    }

    /// Stores a feedback under the kiosk's idempotency key, once, like `put_rating`. Its
    /// reference must not be taken by another feedback (from any kiosk).
    pub fn put_feedback(
        &mut self,
        kiosk: &str,
        key: &ClientId,
        manifest: &FeedbackManifest,
        now: OffsetDateTime,
        admit: impl FnOnce() -> Result<(), FeedbackError>,
    ) -> Result<Put<FeedbackReceipt>, FeedbackError> {
        let mut normal = manifest.clone();
        normal.submitted_at = normal.submitted_at.to_offset(UtcOffset::UTC);
        let hash = content_hash(&normal)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let kiosk_id = kiosk_id(&tx, kiosk)?;
        let receipt = |received_at| -> Result<FeedbackReceipt, FeedbackError> {
            Ok(FeedbackReceipt {
                reference: manifest.reference.clone(),
                received_at: at(received_at)?,
            })
        };
        if let Some((stored, received_at)) = stored_under(&tx, "feedback", kiosk_id, key)? {
            return if stored == hash {
                Ok(Put {
                    created: false,
                    receipt: receipt(received_at)?,
                })
            } else {
                Err(FeedbackError::ContentConflict("feedback"))
            };
        }
        // Before the reference is looked up: probing references costs the kiosk's budget.
        admit()?;
        let taken = tx
            .query_row(
                "SELECT 1 FROM feedback WHERE reference = ?1",
                [manifest.reference.as_str()],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if taken {
            return Err(FeedbackError::ReferenceTaken);
        }
        let received_at = now.unix_timestamp();
        tx.execute(
            "INSERT INTO feedback (kiosk_id, idempotency_key, content_hash, reference, topic, text,
                 phone, submitted_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                kiosk_id,
                key.as_str(),
                &hash[..],
                manifest.reference.as_str(),
                manifest.topic.as_str(),
                manifest.text.as_str(),
                manifest.phone.as_ref().map(PhoneNumber::as_str),
                manifest.submitted_at.unix_timestamp(),
                received_at,
            ],
        )?;
        tx.commit()?;
        Ok(Put {
            created: true,
            receipt: receipt(received_at)?,
        })
    }

    /// One feedback, as staff see it.
    pub fn item(
        &self,
        reference: &FeedbackReference,
    ) -> Result<Option<FeedbackItem>, FeedbackError> {
        let raw = self
            .conn
            .prepare_cached(&format!("SELECT {ITEM_COLUMNS} WHERE f.reference = ?1"))?
            .query_row([reference.as_str()], raw_item)
            .optional()?;
        raw.map(item).transpose()
    }

    /// One feedback, as whoever holds its reference sees it.
    pub fn view(
        &self,
        reference: &FeedbackReference,
    ) -> Result<Option<FeedbackView>, FeedbackError> {
        Ok(self.item(reference)?.map(|item| item.public_view()))
    }

    /// Every feedback (or only those without an answer), most recently submitted first.
    pub fn list(&self, unanswered_only: bool) -> Result<Vec<FeedbackItem>, FeedbackError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {ITEM_COLUMNS} WHERE (?1 = 0 OR f.answer IS NULL)
             ORDER BY f.submitted_at DESC, f.id DESC"
        ))?;
        let rows = stmt.query_map([unanswered_only], raw_item)?;
        rows.map(|raw| item(raw?)).collect()
    }

    /// Sets (or replaces) the answer to a feedback.
    pub fn answer(
        &mut self,
        reference: &FeedbackReference,
        text: &AnswerText,
        by: &str,
        now: OffsetDateTime,
    ) -> Result<FeedbackItem, FeedbackError> {
        let changed = self.conn.execute(
            "UPDATE feedback SET answer = ?1, answered_at = ?2, answered_by = ?3
             WHERE reference = ?4",
            params![text.as_str(), now.unix_timestamp(), by, reference.as_str()],
        )?;
        if changed == 0 {
            return Err(FeedbackError::UnknownFeedback);
        }
        self.item(reference)?.ok_or(FeedbackError::UnknownFeedback)
    }

    pub fn unanswered_count(&self) -> Result<u64, FeedbackError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM feedback WHERE answer IS NULL",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The ratings made (kiosk time) at or after `since`, for statistics.
    pub fn rating_rows(&self, since: OffsetDateTime) -> Result<Vec<RatingRow>, FeedbackError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.satisfaction, r.service_point, k.name, r.rated_at
             FROM ratings r JOIN kiosks k ON k.id = r.kiosk_id
             WHERE r.rated_at >= ?1",
        )?;
        let raw = stmt.query_map([since.unix_timestamp()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut rows = Vec::new();
        for row in raw {
            let (satisfaction, service_point, kiosk, rated_at) = row?;
            rows.push(RatingRow {
                satisfaction: Satisfaction::parse(&satisfaction).ok_or_else(|| {
                    FeedbackError::Corrupt(format!("satisfaction {satisfaction:?}"))
                })?,
                service_point,
                kiosk,
                rated_at: at(rated_at)?,
            });
        }
        Ok(rows)
    }
}

/// A store on a fresh database in a temporary folder with the kiosks `names`, for unit tests.
#[cfg(test)]
pub(crate) fn temporary_store(names: &[&str]) -> (tempfile::TempDir, FeedbackStore) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let conn = crate::db::open(&dir.path().join("c.db")).expect("database");
    for name in names {
        conn.execute(
            "INSERT INTO kiosks (name, created_at) VALUES (?1, 0)",
            [name],
        )
        .expect("kiosk");
    }
    (dir, FeedbackStore::new(conn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key(text: &str) -> ClientId {
        ClientId::parse(text).unwrap()
    }

    fn rating(json: &str) -> RatingManifest {
        serde_json::from_str(json).unwrap()
    }

    fn feedback(reference: &str, text: &str) -> FeedbackManifest {
        serde_json::from_value(serde_json::json!({
            "reference": reference, "topic": "facilities", "text": text,
            "phone": "0912 345 678", "submitted_at": "2026-11-22T09:00:00+07:00"
        }))
        .unwrap()
    }

    fn admit() -> Result<(), FeedbackError> {
        Ok(())
    }

    #[test]
    fn a_resend_is_recognised_across_time_zones_and_a_change_is_refused() {
        let (_dir, mut store) = temporary_store(&["quay-1", "quay-2"]);
        let now = datetime!(2026-11-22 03:00 UTC);
        let first =
            rating(r#"{"satisfaction":"satisfied","rated_at":"2026-11-22T09:00:00+07:00"}"#);
        let put = store
            .put_rating("quay-1", &key("r1"), &first, now, admit)
            .unwrap();
        assert!(put.created);
        // The same instant written in UTC is the same rating; the limit is not asked.
        let same = rating(r#"{"satisfaction":"satisfied","rated_at":"2026-11-22T02:00:00Z"}"#);
        let again = store
            .put_rating(
                "quay-1",
                &key("r1"),
                &same,
                now + time::Duration::HOUR,
                || panic!("a resend must not be counted"),
            )
            .unwrap();
        assert_eq!((again.created, again.receipt), (false, put.receipt));
        let other =
            rating(r#"{"satisfaction":"dissatisfied","rated_at":"2026-11-22T09:00:00+07:00"}"#);
        let err = store
            .put_rating("quay-1", &key("r1"), &other, now, admit)
            .unwrap_err();
        assert!(
            matches!(err, FeedbackError::ContentConflict("rating")),
            "{err}"
        );
        // Keys are per kiosk.
        assert!(
            store
                .put_rating("quay-2", &key("r1"), &other, now, admit)
                .unwrap()
                .created
        );
        // A refusal by the limit stores nothing.
        let err = store
            .put_rating("quay-1", &key("r2"), &first, now, || {
                Err(FeedbackError::RateLimited {
                    kiosk: "quay-1".into(),
                    wait: std::time::Duration::from_secs(30),
                })
            })
            .unwrap_err();
        assert!(matches!(err, FeedbackError::RateLimited { .. }));
        assert_eq!(
            store.rating_rows(now - time::Duration::DAY).unwrap().len(),
            2
        );
    }

    #[test]
    fn feedback_references_are_unique_and_answers_replace_each_other() {
        let (_dir, mut store) = temporary_store(&["quay-1", "quay-2"]);
        let now = datetime!(2026-11-22 03:00 UTC);
        let manifest = feedback("PA-1111-2222-3333", "Ghế chờ bị hỏng.");
        let put = store
            .put_feedback("quay-1", &key("f1"), &manifest, now, admit)
            .unwrap();
        assert_eq!(put.receipt.reference.as_str(), "PA-1111-2222-3333");
        let err = store
            .put_feedback("quay-2", &key("f1"), &manifest, now, admit)
            .unwrap_err();
        assert!(matches!(err, FeedbackError::ReferenceTaken), "{err}");
        let changed = feedback("PA-1111-2222-3333", "Ghế chờ vẫn hỏng.");
        assert!(matches!(
            store.put_feedback("quay-1", &key("f1"), &changed, now, admit),
            Err(FeedbackError::ContentConflict("feedback"))
        ));
        let reference = manifest.reference.clone();
        let item = store.item(&reference).unwrap().unwrap();
        assert_eq!(item.kiosk, "quay-1");
        assert_eq!(
            item.phone.as_ref().map(PhoneNumber::as_str),
            Some("0912345678")
        );
        assert_eq!(store.unanswered_count().unwrap(), 1);
        let first = AnswerText::parse("Đã thay ghế.").unwrap();
        store.answer(&reference, &first, "an", now).unwrap();
        let second = AnswerText::parse("Đã thay ghế mới.").unwrap();
        let item = store
            .answer(&reference, &second, "binh", now + time::Duration::HOUR)
            .unwrap();
        let answer = item.answer.unwrap();
        assert_eq!(answer.text.as_str(), "Đã thay ghế mới.");
        assert_eq!(answer.answered_at, now + time::Duration::HOUR);
        assert_eq!(item.answered_by.as_deref(), Some("binh"));
        assert_eq!(store.unanswered_count().unwrap(), 0);
        assert!(store.list(true).unwrap().is_empty());
        assert_eq!(store.list(false).unwrap().len(), 1);
        let unknown = FeedbackReference::parse("PA-0000-0000-0000").unwrap();
        assert!(matches!(
            store.answer(&unknown, &second, "an", now),
            Err(FeedbackError::UnknownFeedback)
        ));
        assert_eq!(store.view(&unknown).unwrap(), None);
    }
}
