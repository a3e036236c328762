-- The outbox carries satisfaction ratings and feedback as well as dossiers (docs/feedback.md):
-- the same durability, order and exactly-once delivery. `manifest` holds the kind's own JSON;
-- for a rating or a feedback `procedure_code` is empty and `procedure_name` names the kind.
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'dossier'
    CHECK (kind IN ('dossier', 'rating', 'feedback'));
