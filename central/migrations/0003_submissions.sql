-- Dossiers submitted online at kiosks, their uploaded files, the dossier code sequences, and phone
-- upload sessions.
--
-- PERSONAL DATA: `submissions.manifest` holds the applicant (name, citizen ID, birth date, phone,
-- address, e-mail). Only the kiosk that made the submission and integration clients (the export
-- feed) can read it; the public status page reads `dossiers` and `dossier_history` only, which
-- still hold no personal data. Never copy the manifest into another table.

CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    -- The kiosk's name (kiosks.name); idempotency keys are scoped per kiosk.
    kiosk           TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    -- The SubmissionManifest as parsed and re-serialised, and the SHA-256 of that canonical JSON.
    manifest        TEXT    NOT NULL,
    manifest_hash   BLOB    NOT NULL,
    procedure_code  TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    -- Set together, once, when the submission is completed.
    dossier_code    TEXT    UNIQUE REFERENCES dossiers (code),
    -- The SubmissionReceipt JSON as first issued: every later completion returns exactly this.
    receipt         TEXT,
    completed_at    INTEGER,
    -- The export feed's order and cursor.
    completed_seq   INTEGER UNIQUE,
    UNIQUE (kiosk, idempotency_key),
    CHECK ((dossier_code IS NULL) = (receipt IS NULL)),
    CHECK ((dossier_code IS NULL) = (completed_seq IS NULL))
) STRICT;

CREATE TABLE submission_files (
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    file_id       TEXT    NOT NULL,
    -- Order in the manifest, for the export.
    position      INTEGER NOT NULL,
    media_type    TEXT    NOT NULL,
    size          INTEGER NOT NULL CHECK (size > 0),
    -- The SHA-256 the manifest declares; the file is stored under it once it matches.
    sha256        TEXT    NOT NULL,
    -- Bytes received and made durable (fsync) so far.
    upload_offset INTEGER NOT NULL DEFAULT 0 CHECK (upload_offset BETWEEN 0 AND size),
    complete      INTEGER NOT NULL DEFAULT 0 CHECK (complete IN (0, 1)),
    PRIMARY KEY (submission_id, file_id)
) STRICT;
CREATE INDEX submission_files_by_hash ON submission_files (sha256) WHERE complete = 1;

-- The last dossier code sequence number issued per agency id and day.
CREATE TABLE dossier_sequences (
    agency TEXT    NOT NULL,
    day    TEXT    NOT NULL,
    last   INTEGER NOT NULL,
    PRIMARY KEY (agency, day)
) STRICT;

-- A phone upload session: the kiosk shows a QR code of /tai-len/<token>; the first phone to open
-- it claims it with a cookie. The token and the cookie are stored only as SHA-256 hashes.
CREATE TABLE phone_upload_sessions (
    id         TEXT    PRIMARY KEY,
    kiosk      TEXT    NOT NULL,
    token_hash BLOB    NOT NULL UNIQUE,
    claim_hash BLOB,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX phone_upload_sessions_by_expiry ON phone_upload_sessions (expires_at);

CREATE TABLE phone_upload_files (
    session_id  TEXT    NOT NULL REFERENCES phone_upload_sessions (id) ON DELETE CASCADE,
    file_id     TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (session_id, file_id)
) STRICT;
