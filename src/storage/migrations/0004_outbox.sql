-- Dossiers confirmed by visitors and not yet (or just) delivered to the central server, in the
-- order they were confirmed. Written with synchronous=FULL before the visitor is told "saved".
-- After delivery the personal data (manifest) and files are deleted; the receipt stays.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    local_reference TEXT    NOT NULL UNIQUE,
    idempotency_key TEXT    NOT NULL UNIQUE,
    procedure_code  TEXT    NOT NULL,
    procedure_name  TEXT    NOT NULL,
    manifest        TEXT,               -- SubmissionManifest JSON; NULL once delivered
    confirmed_at    INTEGER NOT NULL,   -- unix seconds
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_attempt_at INTEGER,
    last_error      TEXT,
    delivered_at    INTEGER,
    receipt         TEXT                -- SubmissionReceipt JSON once delivered (no personal data)
) STRICT;
CREATE INDEX outbox_waiting ON outbox (id) WHERE delivered_at IS NULL;

CREATE TABLE outbox_files (
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    file_id   TEXT    NOT NULL,
    path      TEXT    NOT NULL,         -- relative to the data directory
    PRIMARY KEY (outbox_id, file_id)
) STRICT;
