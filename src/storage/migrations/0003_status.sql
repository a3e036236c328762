-- The last status this kiosk saw for each dossier looked up here, so a lookup still answers (marked
-- as possibly outdated) while the server is unreachable. Dossier statuses carry no personal data.
CREATE TABLE dossier_status_cache (
    code    TEXT PRIMARY KEY,
    token   TEXT UNIQUE,
    body    TEXT NOT NULL,     -- the DossierView as the server sent it
    seen_at INTEGER NOT NULL   -- unix seconds
) STRICT;
CREATE INDEX dossier_status_cache_by_age ON dossier_status_cache (seen_at);

-- The last resolution statistics fetched from the server, for the results screen when offline.
CREATE TABLE statistics_cache (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    body       TEXT NOT NULL,
    fetched_at INTEGER NOT NULL
) STRICT;
