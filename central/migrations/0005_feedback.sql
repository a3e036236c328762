-- Satisfaction ratings and citizen feedback (docs/feedback.md).
--
-- PERSONAL DATA: `ratings.comment`, `feedback.text` and `feedback.phone` are what visitors typed
-- (they may name people). The public page and `GET /api/v1/feedback/{reference}` show a
-- feedback's topic, text, dates and answer, never its phone or kiosk; only staff see those. None
-- of them, nor a feedback's reference, is ever logged.
--
-- Times are Unix seconds. `rated_at` and `submitted_at` are the kiosk's clock (when the visitor
-- confirmed), `received_at` the server's.

CREATE TABLE ratings (
    id              INTEGER PRIMARY KEY,
    kiosk_id        INTEGER NOT NULL REFERENCES kiosks (id),
    -- Made by the kiosk; scoped per kiosk.
    idempotency_key TEXT    NOT NULL,
    -- SHA-256 of the RatingManifest as parsed and re-serialised (times in UTC): tells an identical
    -- resend from a different rating under the same key.
    content_hash    BLOB    NOT NULL,
    satisfaction    TEXT    NOT NULL
        CHECK (satisfaction IN ('very_satisfied', 'satisfied', 'dissatisfied')),
    dossier_code    TEXT,
    service_point   TEXT,
    comment         TEXT,
    rated_at        INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    UNIQUE (kiosk_id, idempotency_key)
) STRICT;

CREATE INDEX ratings_by_rated_at ON ratings (rated_at);

CREATE TABLE feedback (
    id              INTEGER PRIMARY KEY,
    kiosk_id        INTEGER NOT NULL REFERENCES kiosks (id),
    idempotency_key TEXT    NOT NULL,
    content_hash    BLOB    NOT NULL,
    -- PA-dddd-dddd-dddd, drawn at random on the kiosk; opens the public page.
    reference       TEXT    NOT NULL UNIQUE,
    topic           TEXT    NOT NULL
        CHECK (topic IN ('staff_conduct', 'processing_time', 'procedures', 'facilities', 'other')),
    text            TEXT    NOT NULL,
    phone           TEXT,
    submitted_at    INTEGER NOT NULL,
    received_at     INTEGER NOT NULL,
    -- Staff's answer: the latest replaces the one before. `answered_by` is a staff account's name
    -- or "command line".
    answer          TEXT,
    answered_at     INTEGER,
    answered_by     TEXT,
    UNIQUE (kiosk_id, idempotency_key),
    CHECK ((answer IS NULL) = (answered_at IS NULL)),
    CHECK ((answer IS NULL) = (answered_by IS NULL))
) STRICT;

CREATE INDEX feedback_by_submitted_at ON feedback (submitted_at);
