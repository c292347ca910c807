-- CSPP Plus (issue 11), expand-only: per-file sequence numbers (start at 1, +1 on every content
-- change), the coauth lock table with its change counter, and the user name stored with a WOPI
-- lock taken user-visible (X-WOPI-LockUserVisible).
ALTER TABLE files ADD COLUMN sequence_number INTEGER NOT NULL DEFAULT 1;
ALTER TABLE files ADD COLUMN coauth_counter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE files ADD COLUMN lock_user_name TEXT;

CREATE TABLE coauth_locks (
    file_id     TEXT NOT NULL REFERENCES files(id),
    lock_id     TEXT NOT NULL,
    lock_type   TEXT NOT NULL,
    metadata    TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (file_id, lock_id)
);
CREATE INDEX coauth_locks_expiry ON coauth_locks(expires_at);
