-- Fleet health, remote configuration and staff accounts (docs/fleet.md).

-- The latest heartbeat of each kiosk, as received: only the latest, the fleet view needs no
-- history. Nothing personal: the kiosk's own version, counters and English log lines.
CREATE TABLE kiosk_health (
    kiosk_id               INTEGER PRIMARY KEY REFERENCES kiosks (id),
    received_at            INTEGER NOT NULL,
    version                TEXT    NOT NULL,
    uptime_secs            INTEGER NOT NULL,
    catalog_cursor         TEXT,
    catalog_synced_at      INTEGER,
    outbox_depth           INTEGER NOT NULL,
    outbox_oldest_age_secs INTEGER,
    -- JSON array of strings, newest first.
    last_errors            TEXT    NOT NULL,
    disk_free_bytes        INTEGER,
    -- motcua_protocol::PrinterState in snake_case.
    printer                TEXT    NOT NULL,
    -- The remote configuration version the kiosk runs, and why it refused a newer one.
    config_version         INTEGER NOT NULL,
    config_error           TEXT
) STRICT;

-- The remote configuration staff set for a kiosk: TOML limited to REMOTE_SETTING_KEYS, never a
-- secret. Handed to the kiosk with the answer to its next heartbeat.
CREATE TABLE kiosk_configs (
    kiosk_id INTEGER PRIMARY KEY REFERENCES kiosks (id),
    version  INTEGER NOT NULL CHECK (version > 0),
    settings TEXT    NOT NULL,
    -- A staff account's name, or "command line".
    set_by   TEXT    NOT NULL,
    set_at   INTEGER NOT NULL
) STRICT;

-- Staff who may open the fleet view and configure kiosks. Passwords only as Argon2id PHC strings.
CREATE TABLE staff (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    password_set_at INTEGER NOT NULL
) STRICT;
