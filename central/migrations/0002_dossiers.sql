-- Dossiers received at one-stop desks, their status history, and who may call the protected APIs.
-- Nothing here identifies a person (no name, ID number, address, phone): the public status page
-- reads these tables, and what is not stored cannot leak. Keep it that way.
-- Dates are 'yyyy-mm-dd' text (Vietnam calendar days); instants are integers since the Unix epoch.

CREATE TABLE dossiers (
    code           TEXT    PRIMARY KEY,
    -- No foreign key: a procedure may leave the catalog while its dossiers are still handled.
    procedure_code TEXT    NOT NULL,
    received_on    TEXT    NOT NULL,
    due_on         TEXT    NOT NULL CHECK (due_on >= received_on),
    status         INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    -- The first day the dossier reached status 9 or 10; kept if it is later reopened.
    resolved_on    TEXT,
    -- Kept so the kiosk API can hand out the status page address, but only ever looked up by its
    -- SHA-256, so a lookup costs the same whether or not the token exists.
    token          TEXT    NOT NULL,
    token_hash     BLOB    NOT NULL UNIQUE,
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX dossiers_by_status ON dossiers (status);
CREATE INDEX dossiers_by_received ON dossiers (received_on);
CREATE INDEX dossiers_by_resolved ON dossiers (resolved_on);

CREATE TABLE dossier_history (
    id           INTEGER PRIMARY KEY,
    dossier_code TEXT    NOT NULL REFERENCES dossiers (code),
    status       INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
    at_ns        INTEGER NOT NULL,
    -- Shown on the public page: written by the office, never personal data.
    note         TEXT,
    -- Who wrote it: 'registration', 'cli', 'demo' or 'integration:<name>'.
    source       TEXT    NOT NULL
) STRICT;
CREATE INDEX dossier_history_by_dossier ON dossier_history (dossier_code, at_ns, id);

-- Status events from integrations as they were sent, so a resend is recognised as a duplicate and a
-- reused event id with other content is refused.
CREATE TABLE status_events (
    event_id     TEXT    PRIMARY KEY,
    dossier_code TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    sent_at_ns   INTEGER,
    note         TEXT,
    history_id   INTEGER NOT NULL REFERENCES dossier_history (id),
    integration  TEXT    NOT NULL,
    received_at  INTEGER NOT NULL
) STRICT;

-- Secrets are stored only as SHA-256 hashes.
CREATE TABLE kiosks (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT    NOT NULL UNIQUE,
    enrollment_hash       BLOB    UNIQUE,
    enrollment_expires_at INTEGER,
    credential_hash       BLOB    UNIQUE,
    created_at            INTEGER NOT NULL,
    enrolled_at           INTEGER,
    revoked_at            INTEGER,
    last_seen_at          INTEGER
) STRICT;

CREATE TABLE integrations (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    token_hash BLOB    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
