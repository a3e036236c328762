-- How often visitors opened a procedure of each field, so the empty search screen can offer the
-- fields people actually look for. Counts only; nothing about who opened what.
CREATE TABLE field_usage (
    field TEXT PRIMARY KEY,
    opens INTEGER NOT NULL DEFAULT 0
) STRICT;
