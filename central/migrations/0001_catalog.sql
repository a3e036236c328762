-- The catalog as the central server publishes it. Every change bumps catalog_meta.seq and stamps the
-- changed row with it, so "what changed since N" is one indexed range scan. Removed procedures stay
-- as tombstones (body IS NULL) so kiosks that synced before the removal learn about it.
CREATE TABLE catalog_meta (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    dataset TEXT    NOT NULL,
    seq     INTEGER NOT NULL
);
INSERT INTO catalog_meta (id, dataset, seq) VALUES (1, lower(hex(randomblob(8))), 0);

CREATE TABLE procedures (
    code    TEXT    PRIMARY KEY,
    body    TEXT,
    version INTEGER NOT NULL
) STRICT;
CREATE INDEX procedures_by_version ON procedures (version);
