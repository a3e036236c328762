-- The kiosk's local copy of the catalog, served to visitors even when the server is down.
CREATE TABLE procedures (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    field  TEXT NOT NULL,
    online TEXT NOT NULL,
    body   TEXT NOT NULL  -- the whole record as JSON, including fields this version does not know
) STRICT;
CREATE INDEX procedures_by_field ON procedures (field);

-- One row: where the last sync left off. The cursor changes only in the transaction that applies
-- the data it covers.
CREATE TABLE sync_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    cursor           TEXT,
    etag             TEXT,
    last_success_at  INTEGER,
    last_attempt_at  INTEGER,
    last_error       TEXT,
    server_reachable INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO sync_state (id) VALUES (1);
