-- Operating Folio (issue 14), expand-only: the audit trail (who did what to which file, when,
-- from where and through which editor, API key or page), each token's last use (the admin
-- page's live editing sessions), a lock's holder and age, and the lock an administrator
-- released last (so the editor's next write with it learns why it failed).
CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    at         INTEGER NOT NULL,
    action     TEXT NOT NULL,
    actor_id   TEXT,
    actor_name TEXT,
    file_id    TEXT,
    file_name  TEXT,
    detail     TEXT,
    ip         TEXT,
    user_agent TEXT,
    via        TEXT NOT NULL,
    via_id     TEXT
);
CREATE INDEX audit_events_at ON audit_events (at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at, id);
CREATE INDEX audit_events_file ON audit_events (file_id, at, id);

ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;

ALTER TABLE files ADD COLUMN lock_holder_id TEXT;
ALTER TABLE files ADD COLUMN lock_since INTEGER;
ALTER TABLE files ADD COLUMN released_lock_id TEXT;
ALTER TABLE files ADD COLUMN released_lock_at INTEGER;
